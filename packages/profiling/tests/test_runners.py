"""The keras, tflite and onnx runners: registration, agreement with Keras, int8 I/O handling, bad input.

They come from edgesmith-models, edgesmith-quantize and edgesmith-export-trt; without them (the kernel
installed alone) this module skips, saying which is missing.
"""

from __future__ import annotations

import numpy as np
import pytest

for _plugin in ("edgesmith.models.runner", "edgesmith.quantize.runner", "edgesmith.export_trt.onnx_runner"):
    pytest.importorskip(_plugin, reason=f"the runner plugin {_plugin} is not installed")

from edgesmith.profiling import (  # noqa: E402
    InputMismatch,
    RunnerError,
    availability,
    backend_for,
    backends,
    open_runner,
    runner_class,
)


def test_builtin_backends_registered_and_available() -> None:
    assert {"keras", "tflite", "onnx"} <= set(backends())
    avail = availability()
    assert all(avail[b][0] for b in ("keras", "tflite", "onnx"))


def test_backend_guessed_from_artifact(tmp_path, artifacts) -> None:
    assert (backend_for("a/model.TFLITE"), backend_for("m.onnx")) == ("tflite", "onnx")
    assert backend_for(artifacts["keras"]) == "keras"
    sm = tmp_path / "exported"
    sm.mkdir()
    (sm / "saved_model.pb").write_bytes(b"")
    assert backend_for(sm) == "keras"
    with pytest.raises(RunnerError, match="pass --backend"):
        backend_for("weights.bin")


def test_unknown_backend_lists_installed() -> None:
    with pytest.raises(RunnerError, match=r"registered backends: .*tflite"):
        runner_class("caffe")


def test_runners_agree_with_keras(artifacts, samples) -> None:
    with open_runner(artifacts["keras"]) as ref_runner:
        ref = ref_runner.predict(samples[:5]).copy()
        assert ref.shape == (5, 3)
        assert ref_runner.precision() == "fp32"
    with open_runner(artifacts["tflite"], threads=1) as r:
        np.testing.assert_allclose(r.predict(samples[:5]), ref, atol=1e-5)
        assert r.precision() == "fp32"
        assert r.input_specs()[0].shape == (None, 8, 8, 1)
    if "onnx" in artifacts:
        with open_runner(artifacts["onnx"], threads=1) as r:
            np.testing.assert_allclose(r.predict(samples[:5]), ref, atol=1e-5)
            assert r.describe().extra["providers"] == ["CPUExecutionProvider"]


def test_int8_model_takes_and_returns_float(artifacts, samples) -> None:
    with open_runner(artifacts["keras"]) as r:
        ref = r.predict(samples).copy()
    with open_runner(artifacts["int8"], threads=2) as r:
        y = r.predict(samples)
        info = r.describe()
    assert y.dtype == np.float32
    assert info.precision == "int8"
    assert info.extra["io_dtypes"] == ["int8", "int8"]
    # softmax outputs dequantized back to probabilities, close to the float model
    assert np.abs(y - ref).max() < 0.05
    np.testing.assert_allclose(y.sum(axis=1), 1.0, atol=0.05)


def test_batch_size_is_resized_on_demand(artifacts, samples) -> None:
    with open_runner(artifacts["tflite"]) as r:
        assert r.predict(samples[:1]).shape == (1, 3)
        assert r.predict(samples[:7]).shape == (7, 3)
        assert r.predict(samples[:1]).shape == (1, 3)


def test_wrong_shape_is_a_clear_error(artifacts) -> None:
    for key in ("keras", "tflite"):
        with open_runner(artifacts[key]) as r, pytest.raises(InputMismatch, match=r"expects shape Nx8x8x1"):
            r.predict(np.zeros((2, 9, 9, 1), np.float32))


def test_missing_and_corrupt_artifacts(tmp_path) -> None:
    with pytest.raises(RunnerError, match="no such model file"):
        open_runner(tmp_path / "absent.tflite").activate()
    for name in ("bad.tflite", "bad.onnx", "bad.keras"):
        p = tmp_path / name
        p.write_bytes(b"not a model at all")
        with pytest.raises(RunnerError, match="not a loadable"):
            open_runner(p).activate()


def test_in_memory_keras_model(samples) -> None:
    from edgesmith.datasets.tf_runtime import keras
    from edgesmith.models.runner import KerasRunner

    model = keras.Sequential([keras.Input((8, 8, 1)), keras.layers.Flatten(), keras.layers.Dense(2)])
    with KerasRunner("in-memory", model=model) as r:
        np.testing.assert_allclose(r.predict(samples[:3]), model(samples[:3]).numpy(), atol=1e-6)


def test_fixed_batch_model_names_the_batch_it_cannot_take(tmp_path, samples) -> None:
    from edgesmith.datasets.tf_runtime import keras, tf
    from edgesmith.profiling import bench

    inp = keras.Input((8, 8, 1), batch_size=1)
    model = keras.Model(inp, keras.layers.Dense(2)(keras.layers.Flatten()(inp)))
    path = tmp_path / "fixed.tflite"
    path.write_bytes(tf.lite.TFLiteConverter.from_keras_model(model).convert())
    with open_runner(path) as r:
        assert r.predict(samples[:1]).shape == (1, 2)
    with pytest.raises(RunnerError, match="cannot take batch size 4"):
        bench(path, batch_sizes=(4,), warmup=0, runs=2)


def test_plain_savedmodel_runs_through_its_signature(tmp_path, samples) -> None:
    from edgesmith.datasets.tf_runtime import tf

    class Doubler(tf.Module):
        @tf.function(input_signature=[tf.TensorSpec((None, 8, 8, 1), tf.float32, name="x")])
        def __call__(self, x):
            return {"y": 2.0 * x}

    module = Doubler()
    export = tmp_path / "doubler"
    tf.saved_model.save(module, str(export), signatures={"serving_default": module.__call__})
    assert backend_for(export) == "keras"
    with open_runner(export) as r:
        np.testing.assert_allclose(r.predict(samples[:2]), 2 * samples[:2], rtol=1e-6)


def test_absent_accelerators_are_named(artifacts) -> None:
    import onnxruntime

    from edgesmith.models.training_profile import available_devices
    from edgesmith.profiling import BackendUnavailable

    if "CUDAExecutionProvider" not in onnxruntime.get_available_providers() and "onnx" in artifacts:
        with pytest.raises(BackendUnavailable, match="CUDAExecutionProvider not available"):
            open_runner(artifacts["onnx"], device="cuda").activate()
    if "gpu" not in available_devices():
        with pytest.raises(BackendUnavailable, match="no GPU visible"):
            open_runner(artifacts["keras"], device="gpu").activate()


def test_predict_pixels_is_predict_of_pixels_over_255_and_int8_takes_the_codes(artifacts, tmp_path) -> None:
    from edgesmith.datasets.tf_runtime import keras, tf

    # calibrated on values reaching exactly 0 and 1: input scale 1/255, zero point -128 (uint8 - 128)
    rng = np.random.default_rng(1)
    calib = np.concatenate([np.zeros((1, 8, 8, 1)), np.ones((1, 8, 8, 1)), rng.random((14, 8, 8, 1))])
    conv = tf.lite.TFLiteConverter.from_keras_model(keras.models.load_model(artifacts["keras"]))
    conv.optimizations = [tf.lite.Optimize.DEFAULT]
    conv.representative_dataset = lambda: ([s[None].astype(np.float32)] for s in calib)
    conv.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
    conv.inference_input_type = tf.int8
    pixel_model = tmp_path / "pixels_int8.tflite"
    pixel_model.write_bytes(conv.convert())

    pixels = rng.integers(0, 256, (4, 8, 8, 1), dtype=np.uint8)
    as_float = np.multiply(pixels, np.float32(1 / 255), dtype=np.float32)
    for path in (artifacts["keras"], artifacts["tflite"], artifacts["int8"], pixel_model):
        with open_runner(path) as r:
            assert np.array_equal(r.predict(as_float), r.predict_pixels(pixels)), path.name
    with open_runner(pixel_model) as r:
        assert r.pixels_impl(pixels, 1 / 255) is not None  # the codes went in without a float pass
        with pytest.raises(InputMismatch, match="uint8 images"):
            r.predict_pixels(as_float)
    with open_runner(artifacts["int8"]) as r:
        assert r.pixels_impl(pixels, 1 / 255) is None  # calibrated on [0, 1): another scale, the float path
