"""A user's .tflite -> ONNX through the onnx exporter: the same outputs as the TFLite interpreter."""

from __future__ import annotations

import json

import numpy as np
import pytest

from edgesmith.export_trt.errors import ExportError
from edgesmith.export_trt.onnx_export import ort_outputs
from edgesmith.export_trt.tflite_onnx import tflite_to_onnx
from edgesmith.profiling.exporters import export


@pytest.fixture(scope="module")
def tflite_file(tmp_path_factory):
    from edgesmith.datasets.tf_runtime import keras, tf

    keras.utils.set_random_seed(0)
    inp = keras.Input((8, 8, 3), batch_size=1)
    x = keras.layers.DepthwiseConv2D(3, padding="same", activation="relu6")(inp)
    x = keras.layers.Conv2D(4, 1)(x)
    out = keras.layers.Dense(3)(keras.layers.GlobalAveragePooling2D()(x))
    path = tmp_path_factory.mktemp("tfl") / "tiny.tflite"
    path.write_bytes(tf.lite.TFLiteConverter.from_keras_model(keras.Model(inp, out)).convert())
    return path


def test_tflite_source_exports_to_onnx_with_its_outputs(tmp_path, tflite_file) -> None:
    x = np.random.default_rng(3).random((4, 8, 8, 3), dtype=np.float32)
    art = export(tflite_file, "onnx-fp32", tmp_path / "tiny.onnx", calibration=lambda: iter([x]))
    side = json.loads((tmp_path / "tiny.onnx.json").read_text())
    assert (side["source"]["format"], side["metrics"]["verify_samples"]) == ("tflite", 2)
    assert side["metrics"]["max_abs_error_vs_tflite"] < 1e-4

    from edgesmith.datasets.tf_runtime import tf

    interp = tf.lite.Interpreter(model_path=str(tflite_file))
    interp.allocate_tensors()
    interp.set_tensor(interp.get_input_details()[0]["index"], x[:1])
    interp.invoke()
    expected = interp.get_tensor(interp.get_output_details()[0]["index"])
    np.testing.assert_allclose(ort_outputs(art.path, [x[:1]])[0], expected, atol=1e-5)


def test_not_a_tflite_file_leaves_nothing(tmp_path) -> None:
    bad = tmp_path / "bad.tflite"
    bad.write_bytes(b"\x00" * 64)
    with pytest.raises((ExportError, ValueError)):
        tflite_to_onnx(bad, tmp_path / "bad.onnx")
    assert not (tmp_path / "bad.onnx").exists() and not (tmp_path / "bad.onnx.json").exists()
