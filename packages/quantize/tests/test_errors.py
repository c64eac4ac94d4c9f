"""Bad input: unquantizable ops, bad calibration data, bad output paths, no partial files."""

from __future__ import annotations

import numpy as np
import pytest

from edgesmith.datasets.tf_runtime import keras, tf
from edgesmith.quantize import (
    CalibrationError,
    ModelLoadError,
    OutputPathError,
    QuantizeError,
    UnquantizableOpError,
    convert,
    tflite_predict,
)


def test_int8_names_the_float_op_its_layer_and_the_fallback(sin_model, tmp_path) -> None:
    model = sin_model
    x = np.random.default_rng(0).random((32, 16), dtype=np.float32)
    out = tmp_path / "sin_int8.tflite"
    with pytest.raises(UnquantizableOpError) as info:
        convert(model, "int8", x, output=out)
    message = str(info.value)
    assert "\n" not in message
    assert "SIN" in message and "'wave'" in message and "--mode int8-fallback" in message
    assert info.value.op == "SIN" and info.value.layer == "wave"
    assert list(tmp_path.iterdir()) == []  # neither the model nor its sidecar


def test_int8_fallback_keeps_the_op_in_float_and_still_runs(sin_model, tmp_path) -> None:
    model = sin_model
    x = np.random.default_rng(0).random((32, 16), dtype=np.float32)
    art = convert(model, "int8-fallback", x, output=tmp_path / "sin_fb.tflite")
    assert [(op.name, op.layer) for op in art.graph.float_ops] == [("SIN", "wave")]
    assert art.sidecar()["metrics"]["float_ops"][0]["layer"] == "wave"
    ref = model.predict(x, verbose=0)
    pred = tflite_predict(art.content, x)
    assert np.max(np.abs(pred - ref)) <= 0.05 * float(ref.max() - ref.min())


def test_op_without_any_tflite_kernel_is_named() -> None:
    inputs = keras.Input((4,))
    outputs = keras.layers.Lambda(tf.math.erf, name="gauss_cdf")(keras.layers.Dense(4, name="d")(inputs))
    model = keras.Model(inputs, outputs)
    with pytest.raises(UnquantizableOpError) as info:
        convert(model, "float32")
    assert "Erf" in str(info.value) and "'gauss_cdf'" in str(info.value) and "\n" not in str(info.value)


def test_full_integer_needs_representative_data(classifier) -> None:
    with pytest.raises(CalibrationError, match="needs representative data"):
        convert(classifier, "int8")


def test_empty_representative_data(classifier, tmp_path) -> None:
    with pytest.raises(CalibrationError, match="empty"):
        convert(classifier, "int8", np.zeros((0, 8, 8, 1), np.float32), output=tmp_path / "m.tflite")
    with pytest.raises(CalibrationError, match="no samples"):
        convert(classifier, "int8", lambda: iter([]))
    assert list(tmp_path.iterdir()) == []


def test_wrong_shape_representative_data(classifier, tmp_path) -> None:
    with pytest.raises(CalibrationError, match=r"shape 8x8 but the model input is 8x8x1"):
        convert(classifier, "int8", np.zeros((10, 8, 8), np.float32), output=tmp_path / "m.tflite")
    assert list(tmp_path.iterdir()) == []


def test_nan_calibration_data_is_refused(classifier) -> None:
    x = np.full((4, 8, 8, 1), np.nan, np.float32)
    with pytest.raises(CalibrationError, match="NaN"):
        convert(classifier, "int8", x)


def test_missing_and_corrupt_model_files(tmp_path) -> None:
    with pytest.raises(ModelLoadError, match="no such model file"):
        convert(tmp_path / "absent.keras", "float32")
    corrupt = tmp_path / "corrupt.keras"
    corrupt.write_bytes(b"this is not a zip archive")
    with pytest.raises(ModelLoadError) as info:
        convert(corrupt, "float32", output=tmp_path / "out.tflite")
    assert "\n" not in str(info.value) and "corrupt.keras" in str(info.value)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["corrupt.keras"]


def test_output_in_a_missing_directory(classifier, tmp_path) -> None:
    with pytest.raises(OutputPathError, match="does not exist"):
        convert(classifier, "float32", output=tmp_path / "nope" / "m.tflite")
    with pytest.raises(OutputPathError, match=r"\.tflite"):
        convert(classifier, "float32", output=tmp_path / "m.onnx")
    assert list(tmp_path.iterdir()) == []


def test_integer_io_needs_a_full_integer_mode(classifier) -> None:
    with pytest.raises(QuantizeError, match="needs a full-integer mode"):
        convert(classifier, "float16", io_dtype="int8")
    with pytest.raises(QuantizeError, match="unknown mode"):
        convert(classifier, "int4")


def test_corrupt_tflite_file_is_reported(tmp_path) -> None:
    bad = tmp_path / "bad.tflite"
    bad.write_bytes(b"\x00" * 64)
    with pytest.raises(QuantizeError, match="not a valid TFLite model"):
        tflite_predict(bad, np.zeros((1, 4), np.float32))
