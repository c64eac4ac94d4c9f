"""The edgesmith-quantize CLI: thin verbs over the API, JSON output, one-line errors with exit code 1."""

from __future__ import annotations

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from edgesmith.quantize.cli import app

runner = CliRunner()


@pytest.fixture(scope="module")
def files(classifier, data, tmp_path_factory):
    from edgesmith.models import save_model

    root = tmp_path_factory.mktemp("cli")
    x, y = data
    np.savez(root / "data.npz", x=x, y=y)
    save_model(classifier, root / "tiny.keras", sidecar=False)
    return root


def _json(stdout: str) -> dict:
    return json.loads(stdout)


def test_convert_then_report_then_inspect(files) -> None:
    out = files / "tiny_int8.tflite"
    args = ["convert", str(files / "tiny.keras"), "-o", str(out), "--mode", "int8", "--io-dtype", "uint8"]
    result = runner.invoke(
        app, [*args, "--calib-data", str(files / "data.npz"), "--calib-samples", "32", "--json"]
    )
    assert result.exit_code == 0, result.output
    side = _json(result.stdout)
    assert side["mode"] == "int8" and side["io_dtype"] == "uint8" and side["calibration"]["samples"] == 32
    assert out.is_file()

    result = runner.invoke(
        app, ["report", str(files / "tiny.keras"), str(out), "--data", str(files / "data.npz"), "--json"]
    )
    assert result.exit_code == 0, result.output
    rows = _json(result.stdout)["rows"]
    assert [r["name"] for r in rows] == ["keras", "tiny_int8.tflite"]
    assert rows[1]["mode"] == "int8" and "accuracy_pct" in rows[1]["metrics"]

    result = runner.invoke(app, ["inspect", str(out), "--json"])
    assert result.exit_code == 0, result.output
    facts = _json(result.stdout)
    assert facts["input_dtypes"] == ["uint8"] and facts["float_ops"] == []


def test_prune_writes_a_keras_model_with_sidecar(files) -> None:
    out = files / "pruned.keras"
    args = ["prune", str(files / "tiny.keras"), "-o", str(out), "--data", str(files / "data.npz")]
    result = runner.invoke(app, [*args, "--epochs", "1", "--final-sparsity", "0.5", "--json"])
    assert result.exit_code == 0, result.output
    assert _json(result.stdout)["sparsity"] >= 0.49
    assert out.is_file() and (files / "pruned.keras.json").is_file()


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["convert", "MISSING.keras", "-o", "{root}/x.tflite", "--mode", "float32"], "no such model file"),
        (["convert", "{root}/tiny.keras", "-o", "{root}/no/dir/x.tflite"], "does not exist"),
        (
            ["convert", "{root}/tiny.keras", "-o", "{root}/x.tflite", "--mode", "int8"],
            "needs representative data",
        ),
        (
            ["report", "{root}/tiny.keras", "{root}/absent.tflite", "--data", "{root}/data.npz"],
            "no such TFLite file",
        ),
        (["report", "{root}/tiny.keras", "{root}/x.tflite", "--data", "imagenet"], "unknown data"),
    ],
    ids=["missing-model", "missing-dir", "no-calibration", "missing-tflite", "unknown-data"],
)
def test_bad_input_is_one_line_and_exit_2(files, argv, needle) -> None:
    result = runner.invoke(app, [a.format(root=files) for a in argv])
    assert result.exit_code == 2
    message = result.output.strip()
    assert message.startswith("error:") and needle in message
    assert len(message.splitlines()) <= 2  # one line (rich may wrap very long paths once)
    assert not (files / "x.tflite").exists()


def test_help_teaches_with_an_example() -> None:
    result = runner.invoke(app, ["convert", "--help"])
    assert result.exit_code == 0
    assert "Example:" in result.stdout and "--calib-samples" in result.stdout


def test_prune_then_qat_to_int8_tflite(files) -> None:
    from edgesmith.quantize.sources import file_sha256

    out = files / "pruned_qat.tflite"
    args = ["prune", str(files / "tiny.keras"), "-o", str(out), "--data", str(files / "data.npz")]
    result = runner.invoke(
        app, [*args, "--epochs", "1", "--final-sparsity", "0.5", "--qat-epochs", "1", "--json"]
    )
    assert result.exit_code == 0, result.output
    side = _json(result.stdout)
    assert side["mode"] == "int8" and side["training"]["qat"]["scheme"] == "prune_preserve_8bit"
    assert side["metrics"]["weight_sparsity"] >= 0.49 and side["metrics"]["float_ops"] == []
    assert side["source"]["sha256"] == file_sha256(files / "tiny.keras")


def test_qat_writes_a_full_int8_model(files) -> None:
    out = files / "qat.tflite"
    args = [
        "qat",
        str(files / "tiny.keras"),
        "-o",
        str(out),
        "--data",
        str(files / "data.npz"),
        "--epochs",
        "1",
    ]
    result = runner.invoke(app, [*args, "--calib-samples", "16", "--json"])
    assert result.exit_code == 0, result.output
    side = _json(result.stdout)
    assert (
        side["mode"] == "int8" and side["training"]["kind"] == "qat" and side["calibration"]["samples"] == 16
    )
    assert side["metrics"]["float_ops"] == [] and out.is_file()
