"""``edgesmith-quantize debug`` and ``convert --max-loss`` from the command line."""

from __future__ import annotations

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from edgesmith.quantize.cli import app
from edgesmith.quantize.hostile import CONSUMER_LAYER, HOSTILE_LAYER

runner = CliRunner()


@pytest.fixture(scope="module")
def files(hostile, hostile_heldout, tmp_path_factory):
    from edgesmith.models import save_model

    root = tmp_path_factory.mktemp("guard_cli")
    x, y = hostile_heldout
    # the first 100 calibrate, the other 200 are scored: the training set is none of it
    np.savez(root / "heldout.npz", x=x, y=y)
    save_model(hostile.model, root / "hostile.keras", sidecar=False)
    return root


def test_debug_json_and_plot(files) -> None:
    png = files / "error.png"
    args = ["debug", str(files / "hostile.keras"), "--data", str(files / "heldout.npz"), "--samples", "40"]
    result = runner.invoke(app, [*args, "--json", "--plot", str(png)])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["worst"][0] == CONSUMER_LAYER and report["loss"] >= 5.0
    assert report["metric"]["name"] == "accuracy" and report["eval_samples"] == 200
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_convert_max_loss_writes_model_with_float_layers(files) -> None:
    out = files / "guarded.tflite"
    args = ["convert", str(files / "hostile.keras"), "-o", str(out), "--data", str(files / "heldout.npz")]
    result = runner.invoke(app, [*args, "--max-loss", "1", "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["met"] and summary["loss"] <= 1.0
    side = json.loads((files / "guarded.tflite.json").read_text())
    assert sorted(side["guard"]["float_layers"]) == sorted([HOSTILE_LAYER, CONSUMER_LAYER])
    assert side["mode"] == "int8" and out.is_file()


def test_convert_max_loss_unmet_writes_nothing(files) -> None:
    out = files / "never.tflite"
    args = ["convert", str(files / "hostile.keras"), "-o", str(out), "--data", str(files / "heldout.npz")]
    result = runner.invoke(app, [*args, "--max-loss", "1", "--max-steps", "0"], env={"COLUMNS": "300"})
    assert result.exit_code == 1, result.output  # ran, found no float-layer set within zero additions
    assert "nothing written" in result.output
    assert not out.exists() and not (files / "never.tflite.json").exists()


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--mode", "float16"], "--max-loss guards full-int8 models"),
        (["--metric", "top5"], "unknown metric 'top5'"),
        (["--metric", "mae"], "metric mae needs regression or reconstruction data"),
    ],
)
def test_convert_max_loss_refusals(files, extra, message) -> None:
    args = ["convert", str(files / "hostile.keras"), "-o", str(files / "x.tflite")]
    args += ["--data", str(files / "heldout.npz"), "--max-loss", "1", *extra]
    result = runner.invoke(app, args, env={"COLUMNS": "300"})
    assert result.exit_code != 0
    assert message in result.output and "Traceback" not in result.output
    assert not (files / "x.tflite").exists()
