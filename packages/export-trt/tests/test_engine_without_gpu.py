"""Engine building and the TensorRT runner on a machine without TensorRT: validation first, clear errors."""

from __future__ import annotations

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper
from typer.testing import CliRunner

from edgesmith.export_trt import (
    BuildConfig,
    CalibrationBatcher,
    ExportError,
    TensorRTUnavailable,
    build_engine,
)
from edgesmith.export_trt.cli import app
from edgesmith.export_trt.gpu import missing_modules
from edgesmith.export_trt.runner import TensorRTRunner
from edgesmith.profiling.registry import open_runner, runner_class
from edgesmith.profiling.runner import BackendUnavailable

needs_no_trt = pytest.mark.skipif(not missing_modules(), reason="TensorRT is installed here")


@pytest.fixture()
def relu_onnx(tmp_path):
    graph = helper.make_graph(
        [helper.make_node("Relu", ["x"], ["y"])],
        "relu",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", 4])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["batch", 4])],
    )
    path = tmp_path / "relu.onnx"
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), str(path))
    return path


def test_config_validation():
    with pytest.raises(ExportError, match="INT8 build needs calibration data"):
        BuildConfig(precision="int8").validate()
    with pytest.raises(ExportError, match="not one of fp32, fp16, int8"):
        BuildConfig(precision="bf16").validate()
    with pytest.raises(ExportError, match="1 <= min <= opt <= max"):
        BuildConfig(min_batch=4, opt_batch=2, max_batch=8).validate()


def test_int8_with_an_existing_cache_needs_no_data(tmp_path):
    cache = tmp_path / "c.cache"
    cache.write_bytes(b"TRT-cache")
    BuildConfig(precision="int8", cache_path=cache).validate()


def test_int8_without_calibration_fails_before_tensorrt(tmp_path, relu_onnx):
    with pytest.raises(ExportError, match="calibration data"):
        build_engine(relu_onnx, tmp_path / "m.engine", BuildConfig(precision="int8"))
    assert not (tmp_path / "m.engine").exists()


def test_calibration_shape_is_checked_against_the_onnx_input(tmp_path, relu_onnx):
    batcher = CalibrationBatcher(np.zeros((8, 5), np.float32), batch_size=4)
    with pytest.raises(ExportError, match="model input is Nx4"):
        build_engine(relu_onnx, tmp_path / "m.engine", BuildConfig(precision="int8", calibration=batcher))


def test_checker_failure_precedes_tensorrt(tmp_path):
    bad = tmp_path / "bad.onnx"
    bad.write_bytes(b"junk")
    with pytest.raises(ExportError, match=r"bad\.onnx"):
        build_engine(bad, tmp_path / "m.engine", BuildConfig())


@needs_no_trt
def test_build_without_tensorrt_names_the_extra(tmp_path, relu_onnx):
    with pytest.raises(TensorRTUnavailable, match=r"pip install edgesmith-export-trt\[gpu\]"):
        build_engine(relu_onnx, tmp_path / "m.engine", BuildConfig())
    assert sorted(p.name for p in tmp_path.iterdir()) == ["relu.onnx"]


@needs_no_trt
def test_cli_build_without_tensorrt_exits_nonzero_with_one_line(tmp_path, relu_onnx):
    out = tmp_path / "m.engine"
    result = CliRunner().invoke(app, ["build", str(relu_onnx), "-o", str(out)])
    assert result.exit_code == 3
    lines = [ln for ln in result.output.splitlines() if ln.strip()]
    assert len(lines) == 1 and "pip install edgesmith-export-trt[gpu]" in lines[0]
    assert not out.exists()


def test_cli_onnx_missing_model_and_info(tmp_path, relu_onnx):
    result = CliRunner().invoke(app, ["onnx", str(tmp_path / "absent.keras")])
    assert result.exit_code == 2 and "no such model" in result.output
    info = CliRunner().invoke(app, ["info", str(relu_onnx), "--json"])
    assert info.exit_code == 0 and '"x"' in info.output


@needs_no_trt
def test_runner_is_registered_and_reports_why_it_cannot_run(tmp_path):
    assert runner_class("tensorrt") is TensorRTRunner
    ok, why = TensorRTRunner.available()
    assert not ok and "pip install edgesmith-export-trt[gpu]" in why
    engine = tmp_path / "m.engine"
    engine.write_bytes(b"not an engine")
    runner = open_runner(engine)
    assert isinstance(runner, TensorRTRunner)
    with pytest.raises(BackendUnavailable, match="tensorrt"):
        runner.activate()
