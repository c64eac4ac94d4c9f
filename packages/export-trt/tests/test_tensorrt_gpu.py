"""Real TensorRT builds and runs (FP32/FP16/INT8 with cache reuse): need TensorRT 10 and an NVIDIA GPU."""

from __future__ import annotations

import json

import numpy as np
import pytest

from edgesmith.export_trt import BuildConfig, CalibrationBatcher, build_engine, keras_to_onnx
from edgesmith.export_trt.runner import TensorRTRunner

available, why = TensorRTRunner.available()
pytestmark = [pytest.mark.tensorrt, pytest.mark.gpu, pytest.mark.skipif(not available, reason=why)]


@pytest.fixture(scope="module")
def onnx_model(tmp_path_factory):
    from edgesmith.datasets.tf_runtime import keras

    keras.utils.set_random_seed(0)
    inp = keras.Input((16, 16, 3))
    x = keras.layers.Conv2D(8, 3, activation="relu")(inp)
    x = keras.layers.GlobalAveragePooling2D()(x)
    model = keras.Model(inp, keras.layers.Dense(3)(x))
    path = tmp_path_factory.mktemp("trt") / "m.onnx"
    keras_to_onnx(model, path)
    return path, model


@pytest.mark.parametrize("precision", ["fp32", "fp16"])
def test_build_and_run(tmp_path, onnx_model, precision):
    path, model = onnx_model
    engine = tmp_path / f"m.{precision}.engine"
    build_engine(path, engine, BuildConfig(precision=precision, max_batch=4, opt_batch=2))
    x = np.random.default_rng(0).random((3, 16, 16, 3), dtype=np.float32)
    with TensorRTRunner(engine) as runner:
        y = runner.predict(x)
    tol = 1e-4 if precision == "fp32" else 5e-2
    np.testing.assert_allclose(y, model(x, training=False).numpy(), atol=tol)


def test_int8_writes_then_reuses_the_cache(tmp_path, onnx_model):
    path, _ = onnx_model
    calib = CalibrationBatcher(np.random.default_rng(1).random((32, 16, 16, 3), dtype=np.float32), 8)
    cache = tmp_path / "m.cache"
    first = build_engine(
        path, tmp_path / "a.engine", BuildConfig("int8", calibration=calib, cache_path=cache)
    )
    assert cache.exists() and not first.calibration_cache_reused
    second = build_engine(
        path, tmp_path / "b.engine", BuildConfig("int8", calibration=calib, cache_path=cache)
    )
    assert second.calibration_cache_reused
    meta = json.loads(second.sidecar.read_text())
    assert meta["calibration"]["hash"] == calib.data_hash and meta["calibration"]["samples"] == 32
