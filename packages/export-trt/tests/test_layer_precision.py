"""Keras layer names → TensorRT layers kept in FP32 (matching runs anywhere; the build needs TensorRT)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from edgesmith.export_trt.errors import ExportError
from edgesmith.export_trt.layer_precision import match_layers


@pytest.fixture(scope="module")
def onnx_model(tmp_path_factory):
    from edgesmith.datasets.tf_runtime import keras
    from edgesmith.export_trt import keras_to_onnx

    keras.utils.set_random_seed(0)
    inp = keras.Input((16, 16, 3))
    x = keras.layers.Conv2D(8, 3, activation="relu", name="wide_range")(inp)
    x = keras.layers.Conv2D(8, 1, activation="relu", name="after_wide_range")(x)
    x = keras.layers.GlobalAveragePooling2D(name="gap")(x)
    model = keras.Model(inp, keras.layers.Dense(3, name="logits")(x))
    path = tmp_path_factory.mktemp("trt_layers") / "m.onnx"
    keras_to_onnx(model, path)
    return path


def test_keras_layers_match_the_onnx_nodes_tensorrt_names_layers_after(onnx_model) -> None:
    import onnx

    names = [node.name for node in onnx.load(str(onnx_model)).graph.node]
    found = match_layers(names, ["wide_range", "after_wide_range"])
    assert found["wide_range"] and found["after_wide_range"]
    assert not set(found["wide_range"]) & set(found["after_wide_range"])  # segments, not substrings
    with pytest.raises(ExportError, match=r"no TensorRT layer comes from Keras layer\(s\) nope"):
        match_layers(names, ["wide_range", "nope"])


@pytest.mark.tensorrt
@pytest.mark.gpu
def test_int8_engine_keeps_named_layers_fp32(onnx_model, tmp_path) -> None:
    from edgesmith.export_trt import BuildConfig, CalibrationBatcher, build_engine
    from edgesmith.export_trt.runner import TensorRTRunner

    available, why = TensorRTRunner.available()
    if not available:
        pytest.skip(why)
    samples = np.random.default_rng(0).random((16, 16, 16, 3), dtype=np.float32)
    cfg = BuildConfig(
        precision="int8", calibration=CalibrationBatcher(samples, batch_size=4), fp32_layers=("wide_range",)
    )
    build = build_engine(onnx_model, tmp_path / "m.engine", cfg)
    side = json.loads(build.sidecar.read_text())
    assert side["fp32_layers"]["keras"] == ["wide_range"] and side["fp32_layers"]["tensorrt"]
