"""autoencoder-edge end to end on a handful of offline digits: pipeline, artifacts, report, clear errors."""

from __future__ import annotations

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from autoencoder_edge.artifacts import RunLayout
from autoencoder_edge.cli import app
from edgesmith.export_edgetpu import find_compiler

runner = CliRunner()


@pytest.fixture(scope="module")
def run(tmp_path_factory) -> tuple[RunLayout, dict]:
    """One tiny pipeline run (40 images per split, 1 epoch, 3 timed runs) shared by the tests below."""
    root = tmp_path_factory.mktemp("cae")
    args = ["pipeline", "--out", str(root), "--limit", "40", "--epochs", "1", "--runs", "3", "--json"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    return RunLayout(root), json.loads(result.stdout[result.stdout.index("{\n") :])


def test_pipeline_writes_every_artifact(run):
    layout, summary = run
    for path in (layout.keras, layout.tflite_float, layout.tflite_int8, layout.check_json, layout.bench_json):
        assert path.exists(), path
    assert (layout.root / "cae_int8.tflite.json").exists() and (layout.root / "cae.h5.json").exists()
    assert layout.grid_png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    names = [r["name"] for r in summary["results"]]
    assert names[:3] == ["keras", "tflite-float32", "tflite-int8"]
    for r in summary["results"]:
        assert r["test_images"] == 40 and r["per_image_ms"] > 0 and 0 <= r["mae"] < 1
        assert r["test_set_with_load_s"] >= r["test_set_s"] > 0


def test_bench_is_the_matrix_with_the_reconstruction_metric(run):
    layout, summary = run
    matrix = summary["matrix"]
    assert matrix["matrix"]["metric"] == "reconstruction" and matrix["matrix"]["metric_key"] == "mae"
    rows = {r["variant"]: r for r in matrix["matrix"]["rows"]}
    assert rows["keras"]["speedup"] == 1.0 and rows["keras"]["metric_delta"] == 0.0
    for r in summary["results"]:  # the study's table is the matrix's rows in the study's terms
        row = rows[r["name"]]
        assert row["metric"] == r["mae"] and row["latency_ms"] == r["per_image_ms"]
        assert row["eval_s"] == r["test_set_s"] and row["runs"] == 3
    assert rows["tflite-int8"]["size_ratio"] < 0.3
    if not layout.edgetpu.exists():  # no edgetpu_compiler here: the row says why instead of vanishing
        assert "edgetpu" in summary["skipped"] and rows["edgetpu"]["error"].startswith("not built: ")
    for name in ("matrix.md", "matrix.csv", "matrix.json"):
        assert (layout.matrix_dir / name).stat().st_size > 0


def test_int8_model_is_edge_tpu_ready_and_small(run):
    layout, summary = run
    check = json.loads(layout.check_json.read_text())
    assert check["fully_mapped"] and check["cpu_ops"] == 0 and not check["warnings"]  # static batch 1
    targets = summary["targets"]
    assert targets["int8_size_ratio"] <= 0.3 and targets["int8_size_within_0.3x"]
    assert targets["int8_over_keras_latency"] > 0
    keras, f32 = summary["results"][0], summary["results"][1]
    assert abs(keras["mae"] - f32["mae"]) < 1e-4  # same float model through TFLite


def test_report_has_the_three_tables_and_the_picture(run):
    layout, _ = run
    text = layout.report_md.read_text()
    for heading in ("Table 5.1", "Table 5.2", "Table 5.3", "Targets", "Edge TPU readiness"):
        assert heading in text
    assert "](cae_grid.png)" in text and "| tflite-int8 |" in text


@pytest.mark.skipif(find_compiler() is not None, reason="edgetpu_compiler is installed here")
def test_compile_without_compiler_explains_and_fails(run):
    layout, _ = run
    result = runner.invoke(app, ["compile", "--out", str(layout.root)])
    assert result.exit_code == 3 and "apt-get install edgetpu-compiler" in result.output
    assert not layout.edgetpu.exists()


def test_bench_refuses_wrong_image_size(run, tmp_path):
    from edgesmith.datasets import write_idx

    layout, _ = run
    rng = np.random.default_rng(0)
    for name, shape in (("train-images-idx3-ubyte", (20, 32, 32)), ("t10k-images-idx3-ubyte", (10, 32, 32))):
        write_idx(tmp_path / name, rng.integers(0, 255, shape, dtype=np.uint8))
    write_idx(tmp_path / "train-labels-idx1-ubyte", np.zeros(20, np.uint8))
    write_idx(tmp_path / "t10k-labels-idx1-ubyte", np.zeros(10, np.uint8))
    result = runner.invoke(app, ["bench", "--out", str(layout.root), "--data", str(tmp_path), "--runs", "2"])
    assert result.exit_code == 2
    assert "32x32x1 but the model expects 28x28x1" in result.output and "Traceback" not in result.output


def test_steps_out_of_order_say_what_to_run(tmp_path):
    result = runner.invoke(app, ["quantize", "--out", str(tmp_path)])
    assert result.exit_code == 2 and "run 'autoencoder-edge train' first" in result.output
    missing = runner.invoke(app, ["train", "--out", str(tmp_path), "--data", str(tmp_path / "nope")])
    assert missing.exit_code == 2 and "Traceback" not in missing.output


def test_unet_on_cityscapes_format_data(cityscapes_root, tmp_path):
    args = ["pipeline", "--model", "unet", "--data", str(cityscapes_root), "--image-size", "16x32",
            "--unet-filters", "4", "--out", str(tmp_path), "--epochs", "1", "--runs", "2",
            "--json"]  # fmt: skip
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout[result.stdout.index("{\n") :])
    assert summary["task"] == "unet" and [r["name"] for r in summary["results"]][:3] == [
        "keras",
        "tflite-float32",
        "tflite-int8",
    ]
    for r in summary["results"]:
        assert r["test_images"] == 3 and 0 <= r["pixel_accuracy"] <= 1 and 0 <= r["mean_iou"] <= 1
    check = json.loads((tmp_path / "unet_edgetpu_check.json").read_text())
    assert check["split_op"] == "SOFTMAX" and check["split_index"] == len(check["ops"]) - 1  # last op only
    assert "int8_pixel_accuracy_change" in summary["targets"]
    assert (tmp_path / "unet_grid.png").exists() and "Table 5.1" in (tmp_path / "unet_report.md").read_text()


def test_unet_without_data_says_where_to_get_it(tmp_path):
    result = runner.invoke(app, ["train", "--model", "unet", "--out", str(tmp_path)])
    assert result.exit_code == 2 and "Cityscapes-format data" in result.output
    assert not any(tmp_path.iterdir())
