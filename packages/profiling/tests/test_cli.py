"""The edgesmith-profile CLI: each verb on real artifacts, JSON output, one-line errors, no partial files."""

from __future__ import annotations

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from edgesmith.profiling.cli import app

cli = CliRunner()


@pytest.fixture(scope="module")
def data_npz(tmp_path_factory, samples):
    path = tmp_path_factory.mktemp("data") / "d.npz"
    np.savez(path, x=samples, y=np.arange(len(samples)) % 3)
    return path


def test_backends_json() -> None:
    pytest.importorskip(
        "edgesmith.export_trt.onnx_runner", reason="the onnx runner comes with edgesmith-export-trt"
    )
    res = cli.invoke(app, ["backends", "--json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["tflite"]["available"] and data["onnx"]["entry_point"].endswith("ONNXRunner")


def test_bench_json_and_output_file(artifacts, tmp_path, data_npz) -> None:
    out = tmp_path / "bench.json"
    res = cli.invoke(
        app,
        [
            "bench",
            str(artifacts["int8"]),
            "-b",
            "1,2",
            "--runs",
            "15",
            "--warmup",
            "2",
            "--threads",
            "1",
            "--data",
            str(data_npz),
            "-o",
            str(out),
            "--json",
        ],
    )
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert [b["batch_size"] for b in data["batches"]] == [1, 2] and data["runner"]["precision"] == "int8"
    assert json.loads(out.read_text())["batches"][0]["runs"] == 15


def test_bench_table(artifacts) -> None:
    res = cli.invoke(app, ["bench", str(artifacts["tflite"]), "--runs", "5", "--warmup", "1"])
    assert res.exit_code == 0, res.output
    assert "tflite fp32" in res.stdout and "threads used" in res.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["bench", "{missing}", "-o", "{out}"], "no such model file"),
        (["bench", "{tflite}", "--backend", "caffe", "-o", "{out}"], "registered backends:"),
        (["bench", "{tflite}", "-b", "one", "-o", "{out}"], "comma-separated integers"),
        (["bench", "{tflite}", "--data", "{missing_npz}", "-o", "{out}"], "no such data file"),
    ],
)
def test_bad_input_is_one_line_and_leaves_no_file(artifacts, tmp_path, args, message) -> None:
    out = tmp_path / "r.json"
    fill = {
        "missing": str(tmp_path / "absent.tflite"),
        "out": str(out),
        "tflite": str(artifacts["tflite"]),
        "missing_npz": str(tmp_path / "absent.npz"),
    }
    res = cli.invoke(app, [a.format(**fill) for a in args])
    assert res.exit_code == 2  # bad input or usage, per the exit-code contract
    assert message in res.stderr and len(res.stderr.strip().splitlines()) == 1
    assert not out.exists()


def test_matrix_of_given_artifacts_writes_all_reports(artifacts, tmp_path, data_npz) -> None:
    out_dir = tmp_path / "rep"
    argv = ["matrix", str(artifacts["keras"]), "--data", str(data_npz), "--variants", "none"]
    argv += ["--artifact", f"INT8={artifacts['int8']}", "--artifact", f"broken={tmp_path / 'x.onnx'}"]
    argv += ["--runs", "10", "--max-loss", "100", "--out", str(out_dir)]
    res = cli.invoke(app, argv)
    assert res.exit_code == 0, res.output
    assert "INT8" in res.stdout and "broken" in res.stdout and "ship:" in res.stdout
    assert {"matrix.md", "matrix.csv", "matrix.json", "pareto.png"} <= {p.name for p in out_dir.iterdir()}
    report = json.loads((out_dir / "matrix.json").read_text())
    assert report["matrix"]["baseline"] == "keras (source)" and report["data"]["samples"] == 16
    assert report["decision"]["chosen"] in ("keras (source)", "INT8")
    md = (out_dir / "matrix.md").read_text()
    assert "edgesmith-profile matrix" in md and "--artifact INT8=" in md and "no such model file" in md
    table_and_decision = res.stdout.splitlines()[:-1]  # the last line names the report's path
    assert all(len(line) <= 80 for line in table_and_decision), res.stdout


def test_matrix_times_each_batch_size(artifacts, tmp_path, data_npz) -> None:
    argv = ["matrix", str(artifacts["keras"]), "--data", str(data_npz), "--variants", "none", "--json"]
    res = cli.invoke(app, [*argv, "--batch-sizes", "1,4", "--runs", "5", "--out", str(tmp_path / "b")])
    assert res.exit_code == 0, res.output
    rows = json.loads(res.stdout)["matrix"]["rows"]
    assert sorted(r["batch_size"] for r in rows) == [1, 4]
    bad = cli.invoke(app, [*argv, "--batch-sizes", "1,zero", "--out", str(tmp_path / "c")])
    assert bad.exit_code == 2 and "error: bad --batch-sizes '1,zero'" in bad.stderr
    assert not (tmp_path / "c").exists()


def test_ops_and_compare(artifacts, data_npz) -> None:
    res = cli.invoke(app, ["ops", str(artifacts["keras"]), "--runs", "2", "--json"])
    assert res.exit_code == 0, res.output
    assert any(r["op_type"] == "Conv2D" for r in json.loads(res.stdout)["rows"])
    ok = cli.invoke(
        app, ["compare", str(artifacts["keras"]), str(artifacts["tflite"]), "--data", str(data_npz)]
    )
    assert ok.exit_code == 0 and "PASS" in ok.stdout
    bad = cli.invoke(
        app,
        [
            "compare",
            str(artifacts["keras"]),
            str(artifacts["int8"]),
            "--atol",
            "1e-7",
            "--rtol",
            "0",
            "--json",
        ],
    )
    assert bad.exit_code == 3 and json.loads(bad.stdout)["passed"] is False


def test_train_command(tmp_path) -> None:
    pytest.importorskip(
        "edgesmith.models.training_profile", reason="training profiles come with edgesmith-models"
    )
    from edgesmith.datasets.tf_runtime import keras

    model = keras.Sequential(
        [keras.Input((3,)), keras.layers.Dense(4, activation="relu"), keras.layers.Dense(1)]
    )
    model.save(tmp_path / "mlp.keras")
    x = np.random.default_rng(1).random((40, 3), dtype=np.float32)
    np.savez(tmp_path / "t.npz", x=x, y=x.sum(1))
    res = cli.invoke(
        app,
        [
            "train",
            str(tmp_path / "mlp.keras"),
            "--dataset",
            str(tmp_path / "t.npz"),
            "--epochs",
            "2",
            "--batch-size",
            "10",
            "--devices",
            "cpu",
            "--inference-batch-sizes",
            "2,4",
            "--json",
        ],
    )
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert len(data["training"][0]["epoch_s"]) == 2 and data["training"][0]["steps_per_epoch"] == 4
    assert [p["batch_size"] for p in data["inference"]] == [2, 4]
