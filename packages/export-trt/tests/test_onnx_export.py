"""Keras -> ONNX export: dynamic batch, opset, checker, ORT-vs-Keras error, sidecar, bad input."""

from __future__ import annotations

import json

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper

from edgesmith.export_trt import ExportError, check_onnx, keras_to_onnx, load_keras_model
from edgesmith.export_trt.onnx_export import max_abs_error, onnx_io, ort_outputs
from edgesmith.profiling.artifacts import file_hash


@pytest.fixture(scope="module")
def tiny_model():
    from edgesmith.datasets.tf_runtime import keras

    keras.utils.set_random_seed(0)
    inp = keras.Input((8, 8, 3), name="image")
    x = keras.layers.Conv2D(4, 3, padding="same", activation="relu")(inp)
    x = keras.layers.MaxPooling2D()(x)
    x = keras.layers.Flatten()(x)
    out = keras.layers.Dense(5, activation="softmax")(x)
    return keras.Model(inp, out)


def test_dynamic_batch_export_matches_keras(tmp_path, tiny_model):
    out = tmp_path / "tiny.onnx"
    result = keras_to_onnx(tiny_model, out, opset=13)
    assert out.exists() and result.sidecar.exists()
    assert result.dynamic_batch and result.inputs[0][1][0] is None
    assert result.max_abs_error is not None and result.max_abs_error < 1e-4
    x = np.random.default_rng(1).random((3, 8, 8, 3), dtype=np.float32)
    ort = ort_outputs(out, [x])[0]
    assert ort.shape == (3, 5)
    np.testing.assert_allclose(ort, tiny_model(x, training=False).numpy(), atol=1e-5)
    meta = json.loads(result.sidecar.read_text())
    assert meta["opset"] == 13 and meta["dynamic_batch"] is True
    assert meta["metrics"]["max_abs_error_vs_keras"] == result.max_abs_error
    assert {"tensorflow", "tf2onnx", "onnx", "onnxruntime"} <= set(meta["tools"])
    assert onnx.load(str(out)).opset_import[0].version == 13


def test_fixed_batch_and_saved_file_source(tmp_path, tiny_model):
    src = tmp_path / "tiny.keras"
    tiny_model.save(src)
    result = keras_to_onnx(src, tmp_path / "fixed.onnx", batch=1, opset=17)
    ins, outs = onnx_io(check_onnx(result.path))
    assert ins[0][1] == (1, 8, 8, 3) and outs[0][1] == (1, 5)
    assert result.source_hash == file_hash(src)
    assert result.max_abs_error < 1e-4


def test_bad_opset_leaves_nothing(tmp_path, tiny_model):
    out = tmp_path / "x.onnx"
    with pytest.raises(ExportError, match="opset 3"):
        keras_to_onnx(tiny_model, out, opset=3)
    assert list(tmp_path.iterdir()) == []


def test_missing_and_unsupported_model_files(tmp_path):
    with pytest.raises(ExportError, match="no such model"):
        load_keras_model(tmp_path / "absent.keras")
    bad = tmp_path / "model.pt"
    bad.write_bytes(b"x")
    with pytest.raises(ExportError, match="unsupported model file type"):
        load_keras_model(bad)
    corrupt = tmp_path / "model.h5"
    corrupt.write_bytes(b"not hdf5")
    with pytest.raises(ExportError, match="not a loadable Keras model"):
        load_keras_model(corrupt)


def test_checker_rejects_corrupt_and_invalid_graphs(tmp_path):
    junk = tmp_path / "junk.onnx"
    junk.write_bytes(b"\x00garbage")
    with pytest.raises(ExportError, match=r"junk\.onnx"):
        check_onnx(junk)
    # A node reading a tensor that nothing produces: valid protobuf, invalid graph.
    node = helper.make_node("Relu", ["missing"], ["y"])
    graph = helper.make_graph(
        [node],
        "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 2])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 2])],
    )
    bad = tmp_path / "bad.onnx"
    onnx.save(helper.make_model(graph), str(bad))
    with pytest.raises(ExportError, match="fails the ONNX checker"):
        check_onnx(bad)
    with pytest.raises(ExportError, match="no such ONNX file"):
        check_onnx(tmp_path / "absent.onnx")


def test_max_abs_error_refuses_shape_mismatch():
    assert max_abs_error([np.zeros(3)], [np.full(3, 0.5)]) == 0.5
    with pytest.raises(ExportError, match="shape differs"):
        max_abs_error([np.zeros(3)], [np.zeros(4)])


def test_onnx_exporter_through_export(tmp_path, tiny_model):
    from edgesmith.profiling.artifacts import Artifact
    from edgesmith.profiling.exporters import ExporterError, export

    tiny_model.save(tmp_path / "tiny.keras")
    src = Artifact.open(tmp_path / "tiny.keras", format="keras")  # no sidecar: say what it is
    x = np.random.default_rng(1).random((6, 8, 8, 3), dtype=np.float32)
    art = export(src, "onnx", tmp_path / "tiny.onnx", calibration=lambda: iter([x]), opset=13)
    side = Artifact.open(art.path).sidecar
    assert (side.format, side.precision, side.extra["opset"]) == ("onnx", "fp32", 13)
    assert side.source.sha256 == file_hash(src.path) and side.metrics["verify_samples"] == 4
    assert side.metrics["max_abs_error_vs_keras"] < 1e-4
    with pytest.raises(ExporterError, match="tensorrt exports from onnx, not keras"):
        export(src, "tensorrt-fp16", tmp_path / "tiny.engine")
