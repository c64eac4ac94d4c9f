"""The plate study ships its models in the wheels: detector and reader together stay under 10 MB."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

PLATE_MODELS_LIMIT = 10e6
"""The plate study's limit on its shipped models (bytes): both detectors, float and int8, plus the
reader's CRNN and corner networks; sidecars are not models and do not count."""


def _model_files(package: str, folder: str) -> list[Path]:
    root = Path(str(files(package) / folder))
    return sorted(f for f in root.iterdir() if f.suffix in (".keras", ".tflite"))


def test_plate_study_models_stay_under_ten_megabytes() -> None:
    shipped = _model_files("plate_reader", "models") + _model_files("edgesmith.ocr_plate", "weights")
    names = {f.name for f in shipped}
    assert {"plate_centernet_int8.tflite", "crnn_int8.tflite", "corners_int8.tflite"} <= names, names
    total = sum(f.stat().st_size for f in shipped)
    listing = ", ".join(f"{f.name} {f.stat().st_size / 1e6:.2f} MB" for f in shipped)
    assert total < PLATE_MODELS_LIMIT, f"shipped plate models {total / 1e6:.2f} MB: {listing}"
