"""The ``edgetpu`` runner: registered with the profiler, clear without an Edge TPU, runs on the CPU too."""

from __future__ import annotations

import numpy as np
import pytest

from edgesmith.export_edgetpu.runner import INSTALL_HINT, EdgeTPURunner, cpu_twin, edgetpu_runtime
from edgesmith.profiling import (
    BackendUnavailable,
    InputMismatch,
    RunnerError,
    backends,
    open_runner,
    runner_class,
)

NO_TPU = edgetpu_runtime() is None


def test_registered_under_edgesmith_runners():
    assert "edgetpu" in backends()
    assert runner_class("edgetpu") is EdgeTPURunner
    assert isinstance(open_runner("model_edgetpu.tflite"), EdgeTPURunner)


@pytest.mark.skipif(not NO_TPU, reason="an Edge TPU runtime is installed here")
def test_clear_message_when_no_edge_tpu(tflite_models):
    ok, why = EdgeTPURunner.available()
    assert not ok and why == INSTALL_HINT
    assert "libedgetpu" in why and "pycoral" in why and "--cpu" in why
    with pytest.raises(BackendUnavailable, match="no Edge TPU runtime"):
        EdgeTPURunner(tflite_models["int8"]).activate()


def test_cpu_mode_runs_the_int8_model_like_the_interpreter(tflite_models):
    from ai_edge_litert.interpreter import Interpreter

    path = tflite_models["int8"]
    x = np.random.default_rng(1).random((3, 8, 8, 1), dtype=np.float32)
    with EdgeTPURunner(path, cpu=True, threads=1) as runner:
        y = runner.predict(x)
        info = runner.describe()
    assert y.shape == (3, 8, 8, 1) and y.dtype == np.float32
    assert (info.precision, info.device, info.extra["runtime"]) == ("int8", "cpu", "tflite-cpu")
    assert info.extra["caveats"] == ["ran on the TFLite CPU fallback, not on an Edge TPU"]

    interp = Interpreter(model_path=str(path))
    interp.allocate_tensors()
    (inp,), (out,) = interp.get_input_details(), interp.get_output_details()
    s_in, z_in = inp["quantization"]
    s_out, z_out = out["quantization"]
    interp.set_tensor(inp["index"], np.clip(np.round(x[:1] / s_in + z_in), -128, 127).astype(np.int8))
    interp.invoke()
    expected = (interp.get_tensor(out["index"]).astype(np.float32) - z_out) * s_out
    np.testing.assert_allclose(y[:1], expected, atol=1e-6)


def test_cpu_mode_finds_the_uncompiled_twin(tflite_models, tmp_path):
    src = tmp_path / "cae_int8.tflite"
    src.write_bytes(tflite_models["int8"].read_bytes())
    compiled = tmp_path / "cae_int8_edgetpu.tflite"
    assert cpu_twin(compiled) == src
    compiled.write_bytes(src.read_bytes())  # stands in for the compiled file: the CPU runs the twin
    with EdgeTPURunner(compiled, cpu=True) as runner:
        assert runner.extra_info()["model_run"] == str(src)
    src.unlink()
    with pytest.raises(RunnerError, match="not beside it"):
        EdgeTPURunner(compiled, cpu=True).activate()


def test_wrong_input_shape_is_named(tflite_models):
    with (
        EdgeTPURunner(tflite_models["int8"], cpu=True) as runner,
        pytest.raises(InputMismatch, match="1x8x8x1"),
    ):
        runner.predict(np.zeros((1, 28, 28, 1), np.float32))


@pytest.mark.edgetpu
@pytest.mark.skipif(NO_TPU, reason="needs a Coral Edge TPU with libedgetpu / Google's pycoral")
def test_uncompiled_model_on_the_tpu_is_refused(tflite_models):
    with pytest.raises(RunnerError, match="not compiled for the Edge TPU"):
        EdgeTPURunner(tflite_models["int8"]).activate()
