"""The plate-reader CLI and pipeline on the shipped sample photos and models (real detector, real OCR)."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from edgesmith.profiling.metrics import box_iou
from plate_reader.artifacts import INT8_MODEL, KERAS_MODEL
from plate_reader.cli import app, with_default_command
from plate_reader.pipeline import iter_images, open_photo

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
runner = CliRunner()


def _tesseract() -> bool:
    return shutil.which("tesseract") is not None


needs_tesseract = pytest.mark.skipif(
    not _tesseract(), reason="tesseract binary not installed (apt tesseract-ocr)"
)


def _truth() -> dict[str, tuple[str, np.ndarray]]:
    with (SAMPLES / "texts.csv").open() as fh:
        texts = {r["name"]: r["text"] for r in csv.DictReader(fh)}
    with (SAMPLES / "plates.csv").open() as fh:
        return {r["name"]: (texts[r["name"]], np.array([float(r[k]) for k in ("x1", "y1", "x2", "y2")]))
                for r in csv.DictReader(fh)}  # fmt: skip


def test_shipped_models_and_samples_exist() -> None:
    assert KERAS_MODEL.is_file() and INT8_MODEL.is_file()
    assert json.loads(INT8_MODEL.with_name(INT8_MODEL.name + ".json").read_text())["precision"] == "int8"
    assert (SAMPLES / "plate.jpg").is_file() and len(_truth()) >= 3


def test_default_command_rewrite() -> None:
    assert with_default_command(["a.jpg", "--json"]) == ["read", "a.jpg", "--json"]
    assert with_default_command(["--backend", "keras", "a.jpg"]) == ["read", "--backend", "keras", "a.jpg"]
    assert with_default_command(["bench", "--n", "5"]) == ["bench", "--n", "5"]
    assert with_default_command(["--help"]) == ["--help"]
    assert with_default_command([]) == []


def test_help_teaches_default_command_and_subcommands() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for word in ("plate-reader apps/plate-reader/samples/plate.jpg", "bench", "synth", "train"):
        assert word in result.output


def test_open_photo_errors(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="no such file"):
        open_photo(tmp_path / "nope.jpg")
    junk = tmp_path / "junk.jpg"
    junk.write_bytes(b"\x00\x01 definitely not a photo")
    with pytest.raises(ValueError, match="not an image"):
        open_photo(junk)
    truncated = tmp_path / "cut.jpg"
    truncated.write_bytes((SAMPLES / "plate.jpg").read_bytes()[:2000])
    with pytest.raises(ValueError, match="corrupt or truncated"):
        open_photo(truncated)


def test_iter_images_expands_folders_in_order(tmp_path: Path) -> None:
    for name in ("b.jpg", "a.png", "notes.txt"):
        (tmp_path / name).write_bytes(b"x")
    assert [p.name for p in iter_images([tmp_path, "z.jpg"])] == ["a.png", "b.jpg", "z.jpg"]


def test_detector_finds_sample_plates_float_and_int8() -> None:
    from plate_reader.pipeline import PlateDetector

    truth = _truth()
    for backend, artifact in (("keras", KERAS_MODEL), ("tflite", INT8_MODEL)):
        detector = PlateDetector(artifact, backend, threads=1)
        try:
            boxes = np.stack([detector.detect(open_photo(SAMPLES / n)) for n in truth])
        finally:
            detector.close()
        iou = box_iou(boxes, np.stack([b for _, b in truth.values()]))
        assert np.all(iou > 0.5), (backend, iou)


@needs_tesseract
def test_read_sample_json_with_tesseract(tmp_path: Path) -> None:
    result = runner.invoke(app, ["read", str(SAMPLES / "plate.jpg"), "--reader", "tesseract", "--json",
                                 "--out", str(tmp_path)])  # fmt: skip
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    (r,) = doc["results"]
    assert r["found"] and r["last_digit"] == 6 and r["restriction_day"] == "Wednesday"
    assert (tmp_path / "plate_plate.jpg").is_file()


@needs_tesseract
def test_batch_keeps_going_past_bad_files_and_exits_nonzero(tmp_path: Path) -> None:
    bad = tmp_path / "broken.jpg"
    bad.write_bytes(b"garbage")
    result = runner.invoke(app, ["read", str(SAMPLES / "plate.jpg"), str(bad), str(tmp_path / "missing.jpg"),
                                 "--reader", "tesseract", "--json"])  # fmt: skip
    assert result.exit_code == 1
    doc = json.loads(result.stdout)
    found = {Path(r["path"]).name: r for r in doc["results"]}
    assert found["plate.jpg"]["found"]
    assert "not an image" in found["broken.jpg"]["error"]
    assert "no such file" in found["missing.jpg"]["error"]


def test_unknown_backend_and_reader_are_one_line_errors() -> None:
    result = runner.invoke(app, ["read", str(SAMPLES / "plate.jpg"), "--backend", "coreml"])
    assert result.exit_code == 2 and "unknown backend 'coreml'" in result.output
    result = runner.invoke(app, ["read", str(SAMPLES / "plate.jpg"), "--reader", "easyocr"])
    assert result.exit_code == 2 and "easyocr" in result.output


def test_missing_detector_file_is_reported(tmp_path: Path) -> None:
    result = runner.invoke(app, ["read", str(SAMPLES / "plate.jpg"), "--backend", "keras", "--reader",
                                 "tesseract", "--detector", str(tmp_path / "none.keras")])  # fmt: skip
    assert result.exit_code == 2 and "detector model missing" in result.output


def test_synth_writes_annotated_photos(tmp_path: Path) -> None:
    result = runner.invoke(app, ["synth", str(tmp_path / "d"), "--n", "3", "--seed", "4", "--size", "96x64",
                                 "--json"])  # fmt: skip
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["n"] == 3 and len(list((tmp_path / "d").glob("*.jpg"))) == 3
    bad = runner.invoke(app, ["synth", str(tmp_path / "e"), "--size", "big"])
    assert bad.exit_code == 2 and "WIDTHxHEIGHT" in bad.output


def test_train_reports_bad_annotation_csv(tmp_path: Path) -> None:
    result = runner.invoke(app, ["train", str(tmp_path / "none.csv")])
    assert result.exit_code == 2 and "no such annotation CSV" in result.output
    bad = tmp_path / "plates.csv"
    bad.write_text("name,width,height,x1,y1,x2,y2\nghost.jpg,320,240,0.1,0.1,0.5,0.5\n")
    result = runner.invoke(app, ["train", str(bad), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2 and "ghost.jpg" in result.output
    assert not (tmp_path / "out").exists()


def _crnn_weights() -> bool:
    from edgesmith.ocr_plate.crnn_reader import weights_path

    return weights_path("int8").is_file()


@pytest.mark.skipif(not _crnn_weights(), reason="CRNN weights not shipped in edgesmith.ocr_plate yet")
def test_default_command_reads_the_samples_with_crnn() -> None:
    truth = _truth()
    result = runner.invoke(app, ["read", str(SAMPLES), "--json"])
    doc = json.loads(result.stdout)
    assert doc["reader"] == "crnn" and doc["backend"] == "tflite-int8"
    by_name = {Path(r["path"]).name: r for r in doc["results"]}
    assert (
        by_name["plate.jpg"]["text"] == "BTR-376" and by_name["plate.jpg"]["restriction_day"] == "Wednesday"
    )
    for name, r in by_name.items():
        text, box = truth[name]
        assert r["last_digit"] == int(text[-1]), (name, r["text"])
        assert box_iou(np.array(r["box"]), box)[0] > 0.5
        assert r["found"] == r["valid"]  # a reading that fails format validation is reported, not accepted
    assert result.exit_code == (0 if all(r["found"] for r in by_name.values()) else 1)


@pytest.mark.skipif(not _crnn_weights(), reason="CRNN weights not shipped in edgesmith.ocr_plate yet")
def test_photo_without_plate_exits_nonzero_with_reason(tmp_path: Path) -> None:
    from edgesmith.datasets.plate_synth import random_background

    photos = []
    for seed in (100, 101):
        photos.append(tmp_path / f"empty{seed}.jpg")
        random_background(np.random.default_rng(seed), (320, 240)).save(photos[-1])
    result = runner.invoke(app, ["read", *map(str, photos), "--json"])
    assert result.exit_code == 1
    for r in json.loads(result.stdout)["results"]:
        assert not r["found"] and r["error"].startswith("no plate found")
