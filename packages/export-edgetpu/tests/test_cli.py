"""``edgesmith-edgetpu`` end to end through Typer's runner: exit codes, JSON, one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from edgesmith.export_edgetpu.cli import app

runner = CliRunner()
FIXTURES = Path(__file__).parent / "fixtures"


def test_check_json_and_strict(tflite_models):
    ok = runner.invoke(app, ["check", str(tflite_models["int8"]), "--json", "--strict"])
    assert ok.exit_code == 0, ok.output
    assert json.loads(ok.stdout)["fully_mapped"] is True

    bad = runner.invoke(app, ["check", str(tflite_models["leaky"]), "--strict"])
    assert bad.exit_code == 2
    assert "LEAKY_RELU" in bad.stdout and "split" in bad.stdout


def test_missing_model_is_one_line_error(tmp_path):
    result = runner.invoke(app, ["check", str(tmp_path / "nope.tflite")])
    assert result.exit_code == 2
    assert "no such file" in result.output and "Traceback" not in result.output


def test_compile_float_model_is_refused(tflite_models, tmp_path):
    result = runner.invoke(app, ["compile", str(tflite_models["float"]), "-o", str(tmp_path)])
    assert result.exit_code == 2 and "float model" in result.output
    assert list(tmp_path.iterdir()) == []


def test_parse_log_json():
    result = runner.invoke(app, ["parse-log", str(FIXTURES / "compile_partial_show_ops.txt"), "--json"])
    assert result.exit_code == 0, result.output
    (model,) = json.loads(result.stdout)["models"]
    assert model["tpu_ops"] == 36 and model["cpu_ops"] == 5


def test_run_cpu(tflite_models):
    result = runner.invoke(app, ["run", str(tflite_models["int8"]), "--cpu", "--runs", "5", "--json"])
    assert result.exit_code == 0, result.output
    stats = json.loads(result.stdout[result.stdout.index("{") :])
    assert stats["runs"] == 5 and stats["mean_ms"] > 0
