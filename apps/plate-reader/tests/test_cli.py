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
from plate_reader.artifacts import INT8_MODEL, KERAS_MODEL, MODELS_DIR
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
    dense = MODELS_DIR / "plate_centernet_int8.tflite"
    sidecar = json.loads(dense.with_name(dense.name + ".json").read_text())
    assert sidecar["precision"] == "int8"
    shipped = sum(f.stat().st_size for f in MODELS_DIR.iterdir() if f.suffix in (".keras", ".tflite"))
    assert shipped < 8e6  # detector models; with the CRNN the app must stay under 10 MB
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


@pytest.mark.parametrize("name", ["centernet", "regressor"])
def test_detectors_find_sample_plates_float_and_int8(name: str) -> None:
    from plate_reader.artifacts import detector_artifact
    from plate_reader.detectors import open_detector
    from plate_reader.runtime import DETECTORS

    truth = _truth()
    for backend in ("keras", "tflite-int8"):
        artifact = detector_artifact(backend, DETECTORS[name])
        detector = open_detector(artifact, "keras" if backend == "keras" else "tflite", threads=1)
        try:
            for photo_name, (_, box) in truth.items():
                photo = open_photo(SAMPLES / photo_name)
                found = detector.detect(photo)
                assert found, (name, backend, photo_name)
                w, h = photo.size
                best = np.array(found[0].box) / [w, h, w, h]
                assert box_iou(best[None], box[None])[0] > 0.5, (name, backend, photo_name)
        finally:
            detector.close()


def test_dense_detector_finds_several_plates_per_street_photo() -> None:
    from edgesmith.datasets.box_grid import box_iou_matrix
    from edgesmith.datasets.plate_scenes import read_labels
    from plate_reader.runtime import build_detector

    photos = read_labels(SAMPLES / "street")
    detector = build_detector("tflite-int8", "centernet", threads=1)
    found = total = 0
    try:
        for photo in photos:
            boxes = [d.box for d in detector.detect(open_photo(photo.path))]
            truth = np.array([p.box for p in photo.plates], np.float64)
            total += len(truth)
            if boxes:
                found += int((box_iou_matrix(truth, np.array(boxes)).max(axis=1) > 0.5).sum())
    finally:
        detector.close()
    assert total == 7 and found >= 6, found


def _plates_json(stdout: str) -> dict[str, dict]:
    doc = json.loads(stdout)
    assert isinstance(doc, list)
    for photo in doc:
        assert set(photo) == {"image", "width", "height", "plates", "error"}
        for p in photo["plates"]:
            assert set(p) == {"box", "score", "text", "status", "reason", "last_digit", "restriction_day",
                              "confidence"}  # fmt: skip
            assert p["status"] in ("ok", "unreadable")
            assert (p["restriction_day"] is None) or p["status"] == "ok"
    return {Path(photo["image"]).name: photo for photo in doc}


@needs_tesseract
def test_read_sample_json_with_tesseract(tmp_path: Path) -> None:
    # plate_4 (FHD-234), not plate.jpg: Tesseract reads plate.jpg's "BTR" as "BIR" even from its labelled box
    result = runner.invoke(app, ["read", str(SAMPLES / "plate_4.jpg"), "--reader", "tesseract", "--json",
                                 "--out", str(tmp_path)])  # fmt: skip
    photos = _plates_json(result.stdout)
    (plate,) = [p for p in photos["plate_4.jpg"]["plates"] if p["status"] == "ok"]
    assert result.exit_code == 0, result.output
    assert plate["text"] == "FHD-234" and plate["last_digit"] == 4 and plate["restriction_day"] == "Tuesday"
    assert (tmp_path / "plate_4_plates.jpg").is_file()


@needs_tesseract
def test_batch_keeps_going_past_bad_files_and_exits_2(tmp_path: Path) -> None:
    bad = tmp_path / "broken.jpg"
    bad.write_bytes(b"garbage")
    result = runner.invoke(app, ["read", str(SAMPLES / "plate_4.jpg"), str(bad), "--reader", "tesseract",
                                 "--json"])  # fmt: skip
    assert result.exit_code == 2
    photos = _plates_json(result.stdout)
    assert any(p["status"] == "ok" for p in photos["plate_4.jpg"]["plates"])
    assert "not an image" in photos["broken.jpg"]["error"]
    missing = runner.invoke(app, ["read", str(tmp_path / "missing.jpg")])
    assert missing.exit_code == 2 and "no such photo" in missing.output


def test_unknown_backend_and_reader_are_one_line_errors() -> None:
    result = runner.invoke(app, ["read", str(SAMPLES / "plate.jpg"), "--backend", "coreml"])
    assert result.exit_code == 2 and "unknown backend 'coreml'" in result.output
    result = runner.invoke(app, ["read", str(SAMPLES / "plate.jpg"), "--reader", "easyocr"])
    assert result.exit_code == 2 and "easyocr" in result.output


def test_missing_detector_file_is_reported(tmp_path: Path) -> None:
    result = runner.invoke(app, ["read", str(SAMPLES / "plate.jpg"), "--backend", "keras", "--reader",
                                 "tesseract", "--detector", str(tmp_path / "none.keras")])  # fmt: skip
    assert result.exit_code == 2 and "detector model missing" in result.output
    result = runner.invoke(app, ["read", str(SAMPLES / "plate.jpg"), "--detector", "yolo"])
    assert result.exit_code == 2 and "neither" in result.output


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
    photos = _plates_json(result.stdout)
    for name, (text, box) in truth.items():
        plates = photos[name]["plates"]
        assert plates, name
        w, h = photos[name]["width"], photos[name]["height"]
        best = np.array(plates[0]["box"], np.float64) / [w, h, w, h]
        assert box_iou(best[None], box[None])[0] > 0.5, name
        for p in plates:  # refuse rather than guess: a day is named only for the right last digit
            if p["status"] == "ok" and p["last_digit"] is not None:
                assert p["last_digit"] == int(text[-1]), (name, p)
    all_ok = all(any(p["status"] == "ok" for p in photo["plates"]) for photo in photos.values())
    assert result.exit_code == (0 if all_ok else 1)


@pytest.mark.skipif(not _crnn_weights(), reason="CRNN weights not shipped in edgesmith.ocr_plate yet")
def test_photos_without_plate_exit_1_and_write_no_annotation(tmp_path: Path) -> None:
    from edgesmith.datasets.plate_scenes import generate_scene

    photos = []
    for seed in (100, 101):
        photos.append(tmp_path / f"empty{seed}.jpg")
        generate_scene(np.random.default_rng(seed), size=(480, 360), n_plates=0).image.save(photos[-1])
    out = tmp_path / "out"
    result = runner.invoke(app, ["read", *map(str, photos), "--json", "--out", str(out)])
    assert result.exit_code == 1
    found = _plates_json(result.stdout)
    assert all(not any(p["status"] == "ok" for p in r["plates"]) for r in found.values())
    written = list(out.glob("*.jpg")) if out.exists() else []
    assert len(written) == sum(bool(r["plates"]) for r in found.values())
    runner.invoke(app, ["read", *map(str, photos), "--json", "--out", str(out), "--out-all"])
    assert len(list(out.glob("*.jpg"))) == 2


def test_matrix_is_the_own_model_matrix_on_the_boxes(tmp_path: Path, monkeypatch) -> None:
    from edgesmith.profiling import open_runner
    from plate_reader.detector import load_annotated_images

    monkeypatch.setenv("EDGESMITH_CACHE", str(tmp_path / "cache"))
    out = tmp_path / "matrix"
    result = runner.invoke(app, ["matrix", "--data", str(SAMPLES / "plates.csv"), "--backends",
                                 "keras,tflite,tflite-int8,tensorrt", "--readers", "", "--runs", "2",
                                 "--out", str(out), "--json"])  # fmt: skip
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout[result.stdout.index("{") :])
    assert report["matrix"]["metric"] == "iou"
    rows = {r["variant"]: r for r in report["matrix"]["rows"]}
    trt = "tensorrt-fp32" if "tensorrt-fp32" in rows else "tensorrt"  # "tensorrt": export-trt not installed
    assert set(rows) == {"Keras FP32", "tflite-fp32", "TFLite INT8", trt}
    keras, f32, i8 = rows["Keras FP32"], rows["tflite-fp32"], rows["TFLite INT8"]
    assert keras["error"] is None and f32["error"] is None and i8["error"] is None
    assert i8["precision"] == "int8"
    x, y, _ = load_annotated_images(SAMPLES / "plates.csv")
    with open_runner(KERAS_MODEL) as detector:  # the metric, computed here independently
        pred = detector.predict(x.astype(np.float32) / 255.0)
    assert keras["metric"] == pytest.approx(100.0 * np.mean(box_iou(y, pred) > 0.5))
    assert f32["metrics"]["mean_iou"] == pytest.approx(keras["metrics"]["mean_iou"], abs=1e-4)
    assert i8["size_ratio"] < 0.3 and i8["artifact"] == str(INT8_MODEL)
    assert rows[trt]["error"] is None or rows[trt]["error"].startswith("not built")
    assert report["decision"]["chosen"] in rows
    md = (out / "matrix.md").read_text()
    assert "edgesmith-profile matrix" in md and "--metric iou" in md and "--preprocess" in md
    assert (out / "artifacts" / "cache.json").is_file() and (out / "e2e.md").is_file()
    bad = runner.invoke(app, ["matrix", "--backends", "coreml", "--readers", ""])
    assert bad.exit_code == 2 and "unknown backend 'coreml'" in bad.output


def test_bench_scores_pipelines_and_gives_each_detector_model_its_matrix(tmp_path: Path, monkeypatch) -> None:
    from edgesmith.datasets.plate_scenes import write_scenes

    monkeypatch.setenv("EDGESMITH_CACHE", str(tmp_path / "cache"))
    write_scenes(tmp_path / "scenes", n=3, seed=4242)
    out = tmp_path / "bench"
    args = ["bench", "--no-own", "--data", str(tmp_path / "scenes"), "--readers", "crnn",
            "--detectors", "regressor,centernet-int8", "--out", str(out), "--json"]  # fmt: skip
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout[result.stdout.index("{") :])
    (scores,) = report["sets"]
    assert [s["detector"] for s in scores["scores"]] == ["regressor (baseline)", "centernet int8"]
    assert set(report["models"]) == {"regressor", "centernet"}
    for det, m in report["models"].items():
        rows = {r["variant"]: r for r in m["matrix"]["rows"]}
        assert set(rows) == {f"{det} keras", f"{det} tflite-int8"} and m["matrix"]["metric"] == "fidelity"
        assert rows[f"{det} keras"]["reference"] and m["data"]["samples"] == 3
        int8 = rows[f"{det} tflite-int8"]
        assert int8["error"] is None and 0.9 < int8["metric"] <= 1.0 + 1e-9 and int8["size_ratio"] < 0.3
        assert (out / "models" / det / "matrix.md").is_file()
    assert "**centernet detector model**" in (out / "bench.md").read_text()
