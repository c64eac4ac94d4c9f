"""Tiny real artifacts for the profiling tests: one Keras CNN as .keras, fp32/int8 .tflite and .onnx."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pytest


@pytest.fixture(scope="session")
def samples() -> np.ndarray:
    return np.random.default_rng(0).random((16, 8, 8, 1), dtype=np.float32)


@pytest.fixture(scope="session")
def artifacts(tmp_path_factory: pytest.TempPathFactory, samples: np.ndarray) -> dict[str, Path]:
    """A 3-class conv model as Keras, TFLite fp32, TFLite full-int8 (int8 I/O) and, if onnx exists, ONNX.

    The kernel ships no runner: these tests run the backends the workspace installs (edgesmith-models,
    edgesmith-quantize, edgesmith-export-trt) and skip, saying so, where they are absent.
    """
    for backend in ("edgesmith.models.runner", "edgesmith.quantize.runner", "edgesmith.datasets.tf_runtime"):
        pytest.importorskip(backend, reason=f"needs the backend package providing {backend}")
    from edgesmith.datasets.tf_runtime import keras, tf

    d = tmp_path_factory.mktemp("artifacts")
    keras.utils.set_random_seed(0)
    inp = keras.Input((8, 8, 1), name="image")
    x = keras.layers.Conv2D(4, 3, activation="relu")(inp)
    x = keras.layers.MaxPooling2D()(x)
    x = keras.layers.Flatten()(x)
    out = keras.layers.Dense(3, activation="softmax")(x)
    model = keras.Model(inp, out)
    out_paths = {"keras": d / "tiny.keras", "tflite": d / "tiny.tflite", "int8": d / "tiny_int8.tflite"}
    model.save(out_paths["keras"])
    out_paths["tflite"].write_bytes(tf.lite.TFLiteConverter.from_keras_model(model).convert())
    conv = tf.lite.TFLiteConverter.from_keras_model(model)
    conv.optimizations = [tf.lite.Optimize.DEFAULT]
    conv.representative_dataset = lambda: ([s[None]] for s in samples)
    conv.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
    conv.inference_input_type = tf.int8
    conv.inference_output_type = tf.int8
    with (
        warnings.catch_warnings()
    ):  # int8 I/O without input statistics: expected, ranges come from calibration
        warnings.simplefilter("ignore", UserWarning)
        out_paths["int8"].write_bytes(conv.convert())
    try:
        import tf2onnx
    except ImportError:
        return out_paths
    spec = (tf.TensorSpec((None, 8, 8, 1), tf.float32, name="image"),)
    tf2onnx.convert.from_keras(model, input_signature=spec, opset=13, output_path=str(d / "tiny.onnx"))
    out_paths["onnx"] = d / "tiny.onnx"
    return out_paths
