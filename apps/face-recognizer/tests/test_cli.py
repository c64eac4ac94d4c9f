"""face-recognizer end to end on drawn identities: synth → train → identify (image, video) → export → bench,
and the bad-input messages. One tiny model (32 px MobileNetV2, one epoch) serves every test."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from face_recognizer.cli import app

runner = CliRunner()


def run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, [str(a) for a in args])
    return result.exit_code, result.output


def as_json(output: str) -> dict:
    return json.loads(output[output.index("{") :])


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> dict:
    root = tmp_path_factory.mktemp("face_app")
    photos = root / "photos"
    code, out = run("synth", photos, "--identities", 2, "--images", 12, "--size", 96, "--seed", 1, "--json")
    assert code == 0, out
    model = root / "models" / "face.keras"
    code, out = run(
        "train", photos, "--out", model, "--weights", "none", "--image-size", 32, "--epochs", 1,
        "--batch-size", 8, "--json",
    )  # fmt: skip
    assert code == 0, out
    return {"root": root, "photos": photos, "model": model, "train": as_json(out)}


def test_train_saves_model_with_face_card(trained: dict) -> None:
    summary = trained["train"]
    face = summary["face"]
    assert face["classes"] == ["person_00", "person_01"] and face["image_size"] == 32
    assert 0.0 <= face["metrics"]["test_accuracy"] <= 100.0
    crops = summary["crops"]
    assert crops["total_images"] == 24 and crops["total_crops"] + len(crops["no_face"]) == 24
    assert sum(summary["sizes"].values()) == crops["total_crops"]
    side = json.loads(Path(str(trained["model"]) + ".json").read_text())
    assert side["face"]["classes"] == face["classes"]
    crop_files = list((trained["model"].parent / "face_crops").rglob("*.png"))
    assert len(crop_files) == crops["total_crops"]


def test_identify_image_labels_every_face_and_draws(trained: dict) -> None:
    boxed = trained["root"] / "boxed.jpg"
    for image in sorted((trained["photos"] / "person_01").glob("*.jpg")):
        code, out = run("identify", image, "--model", trained["model"], "--out", boxed, "--json")
        if code == 1:  # no face found in this photo: exit 1 and no annotated copy
            assert not boxed.exists() and not any(r["faces"] for r in as_json(out)["results"])
            continue
        break
    assert code == 0, out
    data = as_json(out)
    faces = [f for r in data["results"] for f in r["faces"]]
    assert faces and boxed.is_file()
    for f in faces:
        assert f["best"] in ("person_00", "person_01")
        assert (f["label"] == "unknown") == (f["confidence"] < 0.6)
    code, out = run("identify", image, "--model", trained["model"], "--threshold", 0.0, "--json")
    assert all(f["label"] == f["best"] for r in as_json(out)["results"] for f in r["faces"])


def test_identify_video_reports_frame_rate(trained: dict) -> None:
    import cv2

    from edgesmith.datasets.faces import read_image

    clip = trained["root"] / "clip.avi"
    writer = cv2.VideoWriter(str(clip), cv2.VideoWriter_fourcc(*"MJPG"), 10.0, (96, 96))
    for p in sorted(trained["photos"].rglob("*.jpg"))[:5]:
        writer.write(cv2.cvtColor(read_image(p), cv2.COLOR_RGB2BGR))
    writer.release()
    out_clip = trained["root"] / "clip_boxed.avi"
    code, out = run("identify", clip, "--model", trained["model"], "--out", out_clip, "--json")
    assert code == 0, out
    data = as_json(out)
    assert data["video"]["source_fps"] == pytest.approx(10.0) and data["video"]["frames"] == 5
    assert [r["frame"] for r in data["results"]] == [0, 1, 2, 3, 4]
    assert cv2.VideoCapture(str(out_clip)).get(cv2.CAP_PROP_FRAME_COUNT) == 5
    code, out = run("identify", clip, "--model", trained["model"], "--max-frames", 2, "--every", 2)
    assert code == 0 and "source frame rate 10.00 fps; processed 2 frames" in out


def test_identify_bad_sources(trained: dict, tmp_path: Path) -> None:
    code, out = run("identify", "9", "--model", trained["model"])
    assert code == 2 and "camera 9 is not present" in out
    bad = tmp_path / "clip.mp4"
    bad.write_bytes(b"\x00\x00\x00\x18ftypmp42" + bytes(64))
    code, out = run("identify", bad, "--model", trained["model"])
    assert code == 2 and "unsupported codec" in out
    code, out = run("identify", tmp_path / "nothing.jpg", "--model", trained["model"])
    assert code == 2 and "does not exist" in out
    code, out = run("identify", bad, "--model", tmp_path / "none.keras")
    assert code == 2 and "train one with" in out


def test_train_rejects_bad_data_folders(tmp_path: Path) -> None:
    from edgesmith.datasets.faces import synthetic_identities

    photos = synthetic_identities(tmp_path / "p", 2, 2, 96)
    (photos / "person_01" / "person_01_0000.jpg").unlink()
    (photos / "person_01" / "person_01_0001.jpg").unlink()
    code, out = run("train", photos, "--out", tmp_path / "m.keras", "--weights", "none")
    assert code == 2 and "person_01 has no images" in out
    (photos / "person_01").rmdir()
    code, out = run("train", photos, "--out", tmp_path / "m.keras", "--weights", "none")
    assert code == 2 and "at least two" in out
    code, out = run("train", tmp_path / "missing", "--weights", "none")
    assert code == 2 and "does not exist" in out
    assert not (tmp_path / "m.keras").exists()


def test_export_then_bench(trained: dict) -> None:
    export_dir = trained["root"] / "export"
    code, out = run(
        "export", trained["model"], "--out", export_dir, "--formats", "tflite-float32,tflite-int8,tensorrt",
        "--calibration-samples", 8, "--json",
    )  # fmt: skip
    assert code == 0, out
    arts = {a["name"]: a for a in as_json(out)["artifacts"]}
    assert {"Keras", "TFLite float32", "TFLite int8"} <= set(arts)
    for name in ("Keras", "TFLite float32", "TFLite int8"):
        assert 0.0 <= arts[name]["accuracy"] <= 100.0 and Path(arts[name]["path"]).is_file()
    assert arts["TFLite float32"]["accuracy"] == arts["Keras"]["accuracy"]
    assert arts["TFLite int8"]["size_bytes"] < arts["TFLite float32"]["size_bytes"]
    trt = [a for n, a in arts.items() if n.startswith("TensorRT")]
    assert len(trt) == 3 and all(a["skipped"] or Path(a["path"]).is_file() for a in trt)
    side = json.loads(Path(arts["TFLite int8"]["path"] + ".json").read_text())
    assert side["face"]["classes"] == ["person_00", "person_01"] and side["mode"] == "int8"

    code, out = run("identify", trained["photos"], "--model", arts["TFLite int8"]["path"], "--json")
    assert code == 0 and len(as_json(out)["results"]) == 24

    bench_dir = trained["root"] / "bench"
    code, out = run(
        "bench", export_dir, "--out", bench_dir, "--batch-sizes", "1,4", "--warmup", 1, "--runs", 3,
        "--threads", 1, "--json",
    )  # fmt: skip
    assert code == 0, out
    matrix = as_json(out)["backbones"]["mobilenetv2"]
    assert matrix["data"]["name"] == "mobilenetv2 test split" and matrix["matrix"]["metric"] == "accuracy"
    rows = matrix["matrix"]["rows"]
    ran = [r for r in rows if r["error"] is None]
    assert {(r["variant"], r["batch_size"]) for r in ran} >= {
        (v, b) for v in ("Keras", "TFLite float32", "TFLite int8") for b in (1, 4)
    }
    keras = {r["batch_size"]: r for r in ran if r["variant"] == "Keras"}
    for r in ran:
        assert r["runs"] == 3 and r["latency_ms"] > 0 and r["throughput"] > 0
        assert r["speedup"] == pytest.approx(keras[r["batch_size"]]["latency_ms"] / r["latency_ms"])
        assert r["metric"] == pytest.approx(arts[r["variant"]]["accuracy"])  # the export's own score
    skipped = [r for r in rows if r["variant"].startswith("TensorRT") and r["error"]]
    assert all(r["error"].startswith("not built: ") for r in skipped)
    assert {r["batch_size"] for r in skipped} <= {1, 4} and len(skipped) % 2 == 0
    for name in ("bench.md", "bench.json", *(f"mobilenetv2/{f}" for f in ("matrix.md", "matrix.csv",
                 "matrix.json", "pareto.png", "throughput.png"))):  # fmt: skip
        assert (bench_dir / name).stat().st_size > 0, name
    text = (bench_dir / "bench.md").read_text()
    assert "## mobilenetv2" in text and "| TFLite int8 | tflite | int8 |  | 4 |" in text


def test_bench_without_export_fails_cleanly(tmp_path: Path) -> None:
    code, out = run("bench", tmp_path)
    assert code == 2 and "no manifest.json" in out


def test_refresh_batchnorm_sets_batch_statistics() -> None:
    from edgesmith.datasets.tf_runtime import keras
    from edgesmith.models import refresh_batchnorm

    inp = keras.Input((4,))
    model = keras.Model(inp, keras.layers.BatchNormalization(momentum=0.999)(inp))
    x = np.random.default_rng(0).normal(3.0, 2.0, (64, 4)).astype(np.float32)
    assert refresh_batchnorm(model, x, samples=64) == 1
    bn = model.layers[-1]
    np.testing.assert_allclose(bn.moving_mean.numpy(), x.mean(0), rtol=1e-4)
    np.testing.assert_allclose(bn.moving_variance.numpy(), x.var(0), rtol=1e-3)
    assert bn.momentum == 0.999
