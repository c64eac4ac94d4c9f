"""The ``tflite`` exporter through edgesmith.profiling's export(): a Keras file in, a runnable TFLite file
with a schema sidecar out, int8 calibrated on the batches it is given."""

from __future__ import annotations

import numpy as np
import pytest

from edgesmith.models import save_model
from edgesmith.profiling.artifacts import Artifact, CalibrationInfo, file_hash
from edgesmith.profiling.exporters import export, get_exporter
from edgesmith.quantize import CalibrationError, tflite_predict


@pytest.fixture(scope="module")
def keras_file(classifier, tmp_path_factory):
    return save_model(classifier, tmp_path_factory.mktemp("exp") / "tiny.keras")


def test_registered_under_its_family() -> None:
    exp = get_exporter("tflite")
    assert exp.sources == ("keras",) and {"fp32", "fp16", "dynamic", "int8"} <= set(exp.precisions)
    assert exp.unavailable() is None


def test_int8_export_runs_and_records_provenance(keras_file, classifier, data, tmp_path) -> None:
    x, _ = data
    out = tmp_path / "tiny_int8.tflite"
    art = export(
        keras_file,
        "tflite-int8",
        out,
        calibration=lambda: (x[i : i + 8] for i in range(0, len(x), 8)),
        calibration_info=CalibrationInfo(spec="data.npy", preprocess={"scale": 1.0}),
        io_dtype="float32",
    )
    side = Artifact.open(out).sidecar
    assert art.sidecar == side and (side.format, side.precision) == ("tflite", "int8")
    assert side.source.sha256 == file_hash(keras_file) and side.source.format == "keras"
    assert side.calibration.samples == len(x) and len(side.calibration.hash) == 64
    assert side.calibration.spec == "data.npy" and side.extra["io_dtype"] == "float32"
    ref = classifier.predict(x, verbose=0)
    assert np.max(np.abs(tflite_predict(out, x) - ref)) <= 0.05 * float(ref.max() - ref.min())


def test_fp16_needs_no_calibration(keras_file, tmp_path) -> None:
    art = export(keras_file, "tflite-fp16", tmp_path / "tiny_fp16.tflite")
    assert (
        art.precision == "fp16" and art.sidecar.calibration is None and art.sidecar.extra["mode"] == "float16"
    )


def test_int8_without_calibration_is_refused(keras_file, tmp_path) -> None:
    with pytest.raises(CalibrationError, match="needs representative data"):
        export(keras_file, "tflite-int8", tmp_path / "x.tflite")
    assert not list(tmp_path.iterdir())


def test_int8_guarded_variant_writes_the_float_layer_list(hostile, tmp_path) -> None:
    from edgesmith.quantize.hostile import CONSUMER_LAYER, HOSTILE_LAYER

    src = save_model(hostile.model, tmp_path / "hostile.keras")
    x = hostile.x_train[:200]  # first half calibrates, second half scores agreement with float
    art = export(
        src, "tflite-int8-guarded", tmp_path / "g.tflite", calibration=lambda: iter([x]), max_loss=1.0
    )
    side = Artifact.open(tmp_path / "g.tflite").sidecar
    assert art.precision == "int8-guarded" and side.extra["guard"]["metric"]["name"] == "agreement"
    assert sorted(side.extra["guard"]["float_layers"]) == sorted([HOSTILE_LAYER, CONSUMER_LAYER])
