"""The CRNN architecture trains with CTC and converts to a full-int8 TFLite model the reader runs."""

import json

import numpy as np
import pytest

from edgesmith.datasets.plate_synth import render_plate
from edgesmith.ocr_plate.plate_format import PLATE_ALPHABET
from edgesmith.ocr_plate.reading import PlateReading

tf_runtime = pytest.importorskip("edgesmith.datasets.tf_runtime")


@pytest.fixture(scope="module")
def tiny_model():
    from edgesmith.ocr_plate.crnn_model import build_crnn

    tf_runtime.tf.keras.utils.set_random_seed(0)
    return build_crnn(len(PLATE_ALPHABET) + 1, filters=(4, 4, 8, 8), width_context=8)


def test_ctc_loss_falls_on_one_batch(tiny_model):
    from edgesmith.ocr_plate.crnn_model import ctc_loss
    from edgesmith.ocr_plate.ctc import encode

    keras = tf_runtime.keras
    assert tiny_model.output_shape == (None, 32, len(PLATE_ALPHABET) + 1)
    x = np.random.default_rng(0).random((8, 32, 128, 1), dtype=np.float32)
    y = np.stack([encode(t, PLATE_ALPHABET, 8) for t in ["ABC-123", "9", "120045", "ZZZ-000"] * 2])
    tiny_model.compile(keras.optimizers.Adam(1e-2), loss=ctc_loss)
    history = tiny_model.fit(x, y, epochs=8, batch_size=8, verbose=0).history["loss"]
    assert np.isfinite(history).all() and history[-1] < history[0]


def test_int8_export_runs_in_the_reader(tiny_model, tmp_path):
    from edgesmith.ocr_plate.crnn_export import export_crnn
    from edgesmith.ocr_plate.crnn_model import with_softmax
    from edgesmith.ocr_plate.crnn_reader import CrnnReader

    calib = np.random.default_rng(1).random((4, 32, 128, 1), dtype=np.float32)
    path = tmp_path / "tiny_int8.tflite"
    artifact = export_crnn(with_softmax(tiny_model), "int8", calib, calibration_samples=4)
    assert artifact.calibration["samples"] == 4 and artifact.mode.value == "int8"
    path.write_bytes(artifact.content)
    meta = {"alphabet": PLATE_ALPHABET, "input_height": 32, "input_width": 128, "precision": "int8"}
    path.with_name(path.name + ".json").write_text(json.dumps(meta))
    reader = CrnnReader(path, rectifier="margin")
    assert reader._model._in["dtype"] == np.int8  # full-integer I/O, quantized inside the reader
    probs = reader.probabilities(np.asarray(render_plate("ABC-123", height=48)))
    assert probs.shape == (32, len(PLATE_ALPHABET) + 1)
    assert np.allclose(probs.sum(axis=1), 1.0, atol=0.05)
    assert isinstance(reader.read(np.asarray(render_plate("123", height=48))), PlateReading)


def test_int8_export_needs_calibration(tiny_model):
    from edgesmith.ocr_plate.crnn_export import export_crnn

    with pytest.raises(ValueError, match="representative"):
        export_crnn(tiny_model, "int8")
    with pytest.raises(ValueError, match="precision"):
        export_crnn(tiny_model, "float16")


def test_float_export_rebuilds_into_the_same_keras_model(tiny_model, tmp_path):
    """crnn_from_tflite recovers a trainable model equal to the exported one (BatchNorms folded or not)."""
    from edgesmith.ocr_plate.crnn_export import export_crnn
    from edgesmith.ocr_plate.crnn_model import crnn_from_tflite, with_softmax
    from edgesmith.ocr_plate.litert_model import TfliteModel

    rng = np.random.default_rng(2)
    for layer in tiny_model.layers:  # non-trivial statistics, so a wrong fold would show
        if isinstance(layer, tf_runtime.keras.layers.BatchNormalization):
            c = layer.gamma.shape[0]
            layer.set_weights([rng.uniform(0.5, 2, c), rng.normal(0, 0.3, c), rng.normal(0, 0.3, c),
                               rng.uniform(0.5, 2, c)])  # fmt: skip
    path = tmp_path / "tiny_float.tflite"
    path.write_bytes(export_crnn(with_softmax(tiny_model), "float32").content)
    rebuilt = crnn_from_tflite(path, filters=(4, 4, 8, 8), width_context=8)
    x = rng.random((2, 32, 128, 1), dtype=np.float32)
    want = with_softmax(tiny_model).predict(x, verbose=0)
    assert np.allclose(with_softmax(rebuilt).predict(x, verbose=0), want, atol=1e-4)
    assert np.allclose(TfliteModel(path).run(x[0]), want[0], atol=1e-4)
    assert not any(
        lay.trainable for lay in rebuilt.layers if isinstance(lay, tf_runtime.keras.layers.BatchNormalization)
    )
