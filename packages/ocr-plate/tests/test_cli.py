"""The ocr-plate CLI: read, day, eval; bad input gives one line and a non-zero exit."""

import json

import numpy as np
from PIL import Image
from typer.testing import CliRunner

from edgesmith.datasets.plate_synth import render_plate
from edgesmith.ocr_plate.cli import app

runner = CliRunner()


def test_day():
    assert runner.invoke(app, ["day", "6"]).stdout.strip() == "Wednesday"
    assert runner.invoke(app, ["day", "abc-129"]).stdout.strip() == "Friday"
    bad = runner.invoke(app, ["day", "x"])
    assert bad.exit_code == 2 and "single digit" in bad.output


def _loose(plate: np.ndarray, margin: float = 0.15) -> np.ndarray:
    h, w = plate.shape[:2]
    out = np.full((h + 2 * round(h * margin), w + 2 * round(w * margin), 3), 70, np.uint8)
    out[round(h * margin) : round(h * margin) + h, round(w * margin) : round(w * margin) + w] = plate
    return out


def test_read_json_and_bad_files(tmp_path):
    good = tmp_path / "plate.png"
    Image.fromarray(_loose(np.asarray(render_plate("KLM-458", height=64)))).save(good)
    corrupt = tmp_path / "corrupt.jpg"
    corrupt.write_bytes(b"\xff\xd8 not really a jpeg")
    result = runner.invoke(app, ["read", str(good), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["text"] == "KLM-458" and data["restriction_day"] == "Thursday"
    assert data["status"] == "ok" and data["reason"] is None

    result = runner.invoke(app, ["read", str(tmp_path / "missing.png"), str(corrupt), str(good), "--json"])
    assert result.exit_code == 1  # some inputs bad, the good one read: a partial result
    rows = json.loads(result.stdout)
    assert [("error" in r) for r in rows] == [True, True, False]  # the good image is still read
    assert (
        "no such file" in rows[0]["error"]
        and "corrupt.jpg" in rows[1]["error"]
        and "image" in rows[1]["error"]
    )


def test_read_with_box_and_bad_box(tmp_path):
    scene = np.full((200, 400, 3), 90, np.uint8)
    scene[50:114, 100:228] = np.asarray(render_plate("305718", height=64))
    path = tmp_path / "scene.png"
    Image.fromarray(scene).save(path)
    result = runner.invoke(app, ["read", str(path), "--box", "0.25,0.25,0.57,0.57", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["text"] == "305718"
    bad = runner.invoke(app, ["read", str(path), "--box", "1,2,3"])
    assert bad.exit_code == 2 and "--box" in bad.output


def test_unreadable_plate_exits_1_with_the_reason(tmp_path):
    crop = tmp_path / "short.png"
    Image.fromarray(_loose(np.asarray(render_plate("666", height=64)))).save(crop)
    result = runner.invoke(app, ["read", str(crop), "--json"])
    assert result.exit_code == 1, result.output
    data = json.loads(result.stdout)
    assert data["status"] == "unreadable" and data["restriction_day"] is None and data["reason"]


def test_unknown_reader_and_weights(tmp_path):
    crop = tmp_path / "c.png"
    Image.fromarray(np.asarray(render_plate("1", height=32))).save(crop)
    result = runner.invoke(app, ["read", str(crop), "--reader", "abc"])
    assert result.exit_code == 2 and "choose one of" in result.output
    result = runner.invoke(app, ["read", str(crop), "--weights", str(tmp_path / "none.tflite")])
    assert result.exit_code == 2 and "not found" in result.output
    result = runner.invoke(app, ["read", str(crop), "--rectifier", "hough"])
    assert result.exit_code == 2 and "unknown rectifier" in result.output


def test_eval_json():
    args = ["eval", "--n", "6", "--seed", "555", "--readers", "crnn-int8", "--source", "synth", "--json"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["source"] == "synth" and data["rectifier"] == "corners"
    (score,) = data["scores"]
    assert score["reader"] == "crnn-int8" and score["n"] == 6 and 0.0 <= score["exact"] <= 1.0
    assert 0.0 <= score["wrong_day"] <= 1.0 and 0.0 <= score["unreadable"] <= 1.0
    assert score["latency_ms_mean"] > 0
