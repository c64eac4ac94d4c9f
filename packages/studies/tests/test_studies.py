"""The document 002/003 studies at a tiny budget, through the CLI: report structure and consistent numbers."""

from __future__ import annotations

import csv
import itertools
import json
import math
from pathlib import Path

import pytest
from typer.testing import CliRunner

from edgesmith.profiling.runner import RunnerError
from edgesmith.studies import SolarConfig, SweepConfig
from edgesmith.studies.cli import study_app

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def _csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as fh:
        return list(csv.DictReader(fh))


def _finite(*values: object) -> bool:
    return all(isinstance(v, int | float) and math.isfinite(v) for v in values)


@pytest.fixture(scope="module")
def solar_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("solar")
    # fmt: off
    args = [
        "solar", "-o", str(out), "--duration", "400", "--max-params", "4200", "--mlp-batch-sizes", "25,50",
        "--cnn-batch-sizes", "16", "--map-size", "16", "--map-stride", "2", "--repeats", "2",
        "--inference-sizes", "2,8", "--inference-runs", "3", "--probe-max-batch", "64", "--fit-epochs", "2",
        "--json",
    ]
    # fmt: on
    result = CliRunner().invoke(study_app, args)
    assert result.exit_code == 0, result.output
    return out, json.loads(result.stdout)


@pytest.fixture(scope="module")
def cifar_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("cifar")
    # fmt: off
    args = [
        "cifar-sweep", "-o", str(out), "--epochs", "1", "--train-limit", "96", "--test-limit", "48",
        "--variants", "baseline,stride_5", "--profile-batch", "4", "--profile-runs", "2",
        "--latency-runs", "3", "--json",
    ]
    # fmt: on
    result = CliRunner().invoke(study_app, args)
    assert result.exit_code == 0, result.output
    return out, json.loads(result.stdout)


def test_solar_writes_every_artifact(solar_run: tuple[Path, dict]) -> None:
    out, study = solar_run
    for name in ("report.md", "study.json", "accuracy.csv", "training.csv", "inference.csv", "capacity.csv"):
        assert (out / name).stat().st_size > 0, name
    for name in ("time_vs_params.png", "time_vs_batch.png", "forecast.png"):
        assert (out / name).read_bytes()[:8] == PNG_MAGIC, name
    assert not list(out.glob(".*tmp*")), "temporary files left behind"
    assert json.loads((out / "study.json").read_text())["accuracy"] == study["accuracy"]


def test_solar_models_and_timings_are_consistent(solar_run: tuple[Path, dict]) -> None:
    _, study = solar_run
    models = {r["model"] for r in study["training"]}
    assert models == {"50", "50-25", "50-25-13", "map_cnn"}  # the MLPs under 4,200 params + the CNN
    devices = study["data"]["devices"]
    # one row per model, device and batch size: 2 MLP batch sizes, 1 CNN batch size
    assert len(study["training"]) == (3 * 2 + 1) * len(devices)
    for r in study["training"]:
        assert r["repeats"] == 2
        assert _finite(r["epoch_median_s"], r["step_ms"], r["linearity"], r["warmup_epoch_s"])
        assert r["epoch_min_s"] <= r["epoch_median_s"] <= r["epoch_max_s"]
        assert r["steps"] == math.ceil(r["samples"] / r["batch_size"])
        # an epoch holds all its steps, so it cannot be much shorter than N x the median step; how much
        # longer it is (callbacks, the input pipeline) is a measurement of the host, not a property to test
        assert r["linearity"] > 0.3, r
        assert r["samples_per_s"] == pytest.approx(r["samples"] / r["epoch_median_s"])
    assert len(study["inference"]) == 4 * 2 * len(devices)
    for r in study["inference"]:
        assert "error" not in r and _finite(r["p50_ms"], r["std_ms"]) and r["p50_ms"] > 0
        assert r["min_ms"] <= r["p50_ms"] <= r["max_ms"]
        assert r["per_sample_ms"] == pytest.approx(r["p50_ms"] / r["batch_size"])
    assert {(c["model"], c["device"]) for c in study["capacity"]} == {(m, d) for m in models for d in devices}
    assert all(16 <= c["largest_batch"] <= 64 for c in study["capacity"])
    pairs = study["wide_vs_deep"]
    assert len(pairs) == 2 * 2 * len(devices)  # two deep MLPs × two batch sizes
    assert {w["deep"] for w in pairs} == {"50-25", "50-25-13"} and {w["wide"] for w in pairs} == {"50"}
    assert all(w["deep_over_wide"] == pytest.approx(w["deep_epoch_s"] / w["wide_epoch_s"]) for w in pairs)


def test_solar_errors_and_baseline(solar_run: tuple[Path, dict]) -> None:
    _, study = solar_run
    acc = {r["model"]: r for r in study["accuracy"]}
    assert {"persistence (windows)", "persistence (maps)", "50", "map_cnn"} <= set(acc)
    for r in acc.values():
        assert _finite(r["mse"], r["mae"], r["rmse"], r["skill"])
        assert r["rmse"] == pytest.approx(math.sqrt(r["mse"]))
        assert 0 <= r["mae"] <= r["rmse"] + 1e-9
    assert acc["persistence (windows)"]["skill"] == 0.0
    # skill is measured against the persistence of the same test samples
    p = acc["persistence (windows)"]["rmse"]
    assert acc["50"]["skill"] == pytest.approx(1 - acc["50"]["rmse"] / p)


def test_solar_report_names_provenance_and_gpu(solar_run: tuple[Path, dict]) -> None:
    out, study = solar_run
    text = (out / "report.md").read_text()
    for heading in ("## Provenance", "## One-epoch training time", "## Wide vs deep", "## Inference time",
                    "## Largest inference batch", "## CPU vs GPU", "tensorflow", "seed=0"):  # fmt: skip
        assert heading in text, heading
    command = study["provenance"]["command"]
    assert command.startswith("study solar -o ") and "--max-params 4200" in command and "--json" in command
    if "gpu" in study["data"]["devices"]:
        assert study["speedups"] and all(_finite(s["speedup"]) for s in study["speedups"])
    else:
        assert "No GPU visible to TensorFlow" in text and study["speedups"] == []
    rows = _csv(out / "training.csv")
    assert len(rows) == len(study["training"]) and "linearity" in rows[0]


def test_cifar_sweep_tables_and_shares(cifar_run: tuple[Path, dict]) -> None:
    out, sweep = cifar_run
    assert sweep["data"]["dataset"] == "digits-cifar10" and sweep["data"]["offline_stand_in"]
    assert [r["variant"] for r in sweep["summary"]] == ["baseline", "stride 5"]
    for row in sweep["summary"]:
        prof = sweep["ops"][row["variant"]]
        shares = [r["share"] for r in prof["rows"]]
        assert sum(shares) * 100 == pytest.approx(100, abs=0.5)
        assert prof["rows"][-1]["cumulative"] * 100 == pytest.approx(100, abs=0.5)
        assert all(a >= b for a, b in itertools.pairwise(shares)), "sorted by time"
        assert row["op_total_ms"] == pytest.approx(sum(r["time_ms"] for r in prof["rows"]))
        assert 0 < row["conv2d_share_pct"] <= 100 and 0 < row["lrn_share_pct"] < 100
        assert 0 <= row["precision_at_1"] <= 100
        assert (
            _finite(row["latency_p50_ms"], row["requested_mb"], row["train_s"]) and row["latency_p50_ms"] > 0
        )
        assert (out / f"ops_{row['slug']}.csv").is_file()
    base, s5 = sweep["summary"]
    assert s5["macs"] < base["macs"] and s5["params"] < base["params"]
    text = (out / "report.md").read_text()
    assert "Offline stand-in" in text and "### baseline" in text and "### stride 5" in text
    assert "## Provenance" in text and "Conv2D %" in text
    assert (out / "time_vs_accuracy.png").read_bytes()[:8] == PNG_MAGIC
    assert len(_csv(out / "summary.csv")) == 2


def test_cli_errors_are_one_line(tmp_path: Path) -> None:
    runner = CliRunner()
    r = runner.invoke(study_app, ["cifar-sweep", "-o", str(tmp_path / "x"), "--variants", "stride_9"])
    assert r.exit_code == 2 and "unknown variant" in r.output and len(r.output.strip().splitlines()) == 1
    r = runner.invoke(
        study_app, ["solar", "-o", str(tmp_path / "y"), "--grid", str(tmp_path / "missing.csv")]
    )
    assert r.exit_code == 2 and "error:" in r.output and len(r.output.strip().splitlines()) == 1
    r = runner.invoke(study_app, ["solar", "-o", str(tmp_path / "z"), "--mlp-batch-sizes", "100,x"])
    assert r.exit_code == 2 and "--mlp-batch-sizes" in r.output
    assert not (tmp_path / "x").exists() and not (tmp_path / "y").exists() and not (tmp_path / "z").exists()


def test_configs_reject_impossible_budgets() -> None:
    with pytest.raises(RunnerError, match="repeats"):
        SolarConfig(repeats=0).check()
    with pytest.raises(RunnerError, match="inference_sizes"):
        SolarConfig(inference_sizes=()).check()
    with pytest.raises(RunnerError, match="max_params"):
        SolarConfig(max_params=0).check()
    with pytest.raises(RunnerError, match="learning rate"):
        SweepConfig(learning_rate=0).check()
    assert [v.slug for v in SweepConfig(variants=("Stride 2", "no_lrn")).selected()] == ["stride_2", "no_lrn"]
