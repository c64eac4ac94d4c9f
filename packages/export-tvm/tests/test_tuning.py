"""MetaSchedule tuning into a JSON-database log: budget, resume, compile with the log, compaction, CLI."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import onnxruntime as ort
import pytest
from typer.testing import CliRunner

from edgesmith.export_tvm import TVMExportError, compact_log, compile_model, import_model, parse_target
from edgesmith.export_tvm.cli import app
from edgesmith.export_tvm.compile import load_compiled
from edgesmith.export_tvm.tuning import RECORDS, WORKLOADS, focus_tasks, open_log, tune_model

TARGET = "native"


@pytest.fixture(scope="module")
def tuned(tmp_path_factory, make_conv_onnx):
    """The conv model tuned once with a tiny budget (2 tasks x 1 trial): the slow part, shared."""
    tmp = tmp_path_factory.mktemp("tune")
    source = make_conv_onnx(tmp / "conv.onnx")
    log = tmp / "log"
    report = tune_model(
        import_model(source).mod, parse_target(TARGET), log, trials=2, min_trials=1, focus=1.0
    )
    return source, log, report


def _ort(path, x):
    return ort.InferenceSession(str(path), providers=["CPUExecutionProvider"]).run(None, {"x": x})[0]


def test_first_tune_measures_every_task_into_the_log(tuned):
    _, log, report = tuned
    assert (log / WORKLOADS).is_file() and (log / RECORDS).is_file()
    assert report.trials == 2 and len(report.tasks) == 2
    assert all(not t.reused for t in report.tasks)
    measured = [t for t in report.tasks if t.schedule == "tuned"]
    assert measured, "no task got a measured record"
    assert all(t.trials >= 1 and t.best_ms > 0 and t.gflops > 0 for t in measured)
    assert len(open_log(log)) >= len(measured)


def test_second_tune_spends_no_trials_on_tuned_tasks(tuned):
    source, log, first = tuned
    again = tune_model(import_model(source).mod, parse_target(TARGET), log, trials=2, min_trials=1, focus=1.0)
    tuned_before = {t.name for t in first.tasks if t.schedule == "tuned"}
    assert {t.name for t in again.tasks if t.reused} == tuned_before
    if tuned_before == {t.name for t in first.tasks}:
        assert again.trials == 0


def test_compile_applies_the_log_and_defaults_the_rest(tuned, tmp_path):
    source, log, report = tuned
    result = compile_model(source, tmp_path / "tuned.tvm", target=TARGET, tuning_log=log, check_records=False)
    n_tuned = sum(t.schedule == "tuned" for t in report.tasks)
    assert result.tuned_functions == n_tuned >= 1
    assert result.tuned_functions + result.default_functions == len(report.tasks)  # none unscheduled
    x = np.random.default_rng(0).random((1, 2, 6, 6), dtype=np.float32)
    np.testing.assert_allclose(load_compiled(result.path)(x)[0], _ort(source, x), atol=1e-4)
    sidecar = json.loads(result.sidecar.read_text())
    assert sidecar["tuning_log"] == str(log) and sidecar["tuned_functions"] == n_tuned


def test_tuned_library_computes_what_the_untuned_one_does(tuned, tmp_path):
    source, log, _ = tuned
    with_log = compile_model(
        source, tmp_path / "tuned.tvm", target=TARGET, tuning_log=log, check_records=False
    )
    without = compile_model(source, tmp_path / "untuned.tvm", target=TARGET)
    assert with_log.tuned_functions >= 1 and without.tuned_functions == 0
    x = np.random.default_rng(7).random((1, 2, 6, 6), dtype=np.float32)
    np.testing.assert_allclose(
        load_compiled(with_log.path)(x)[0], load_compiled(without.path)(x)[0], rtol=1e-5, atol=1e-6
    )


def test_records_slower_than_the_default_are_replaced(tuned, tmp_path):
    source, log, report = tuned
    checked = compile_model(source, tmp_path / "checked.tvm", target=TARGET, tuning_log=log)
    meta = json.loads((checked.path / "meta.json").read_text())
    beaten = meta["records_slower_than_default"]
    n_tuned = sum(t.schedule == "tuned" for t in report.tasks)
    assert checked.tuned_functions + len(beaten) == n_tuned
    assert checked.tuned_functions + checked.default_functions == len(report.tasks)
    x = np.random.default_rng(0).random((1, 2, 6, 6), dtype=np.float32)
    np.testing.assert_allclose(load_compiled(checked.path)(x)[0], _ort(source, x), atol=1e-4)


def test_compact_log_keeps_one_record_per_workload(tuned, tmp_path):
    _, log, _ = tuned
    n = compact_log(log, tmp_path / "small")
    workloads = (tmp_path / "small" / WORKLOADS).read_text().strip().splitlines()
    assert n == len(workloads) >= 1
    with pytest.raises(TVMExportError, match="not a tuning log"):
        compact_log(tmp_path / "nothing", tmp_path / "x")


def test_cli_tune_prints_tasks_and_latency_beside_onnxruntime(tuned, tmp_path):
    source, log, _ = tuned
    args = ["tune", str(source), "--log", str(log), "--target", TARGET, "--trials", "2", "--min-trials", "1"]
    result = CliRunner().invoke(app, [*args, "-o", str(tmp_path / "c.tvm"), "--rounds", "5", "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    from edgesmith.profiling.registry import backend_for

    assert payload["kernels_tuned"] + payload["kernels_default"] == len(payload["tasks"])
    if payload["latency"] is None:  # export-tvm alone: no ONNX Runtime runner plugin (edgesmith-export-trt)
        assert "ONNX" in payload["latency_skipped"] or "onnx" in payload["latency_skipped"]
        pytest.skip(f"no side-by-side latency here: {payload['latency_skipped']}")
    assert payload["latency"]["reference"] == backend_for(source) and payload["latency"]["tvm_ms"] > 0
    assert payload["latency"]["max_abs_diff"] < 1e-4


def test_focus_keeps_the_tasks_that_hold_the_time_and_every_task_without_a_default():
    # default ms x calls: 6, 3, 0.5, 0.25 (sum 9.75); task 4 has no hand rule (None): always searched
    cost, calls = [3.0, 3.0, 0.5, 0.25, None], [2, 1, 1, 1, 1]
    assert focus_tasks(cost, calls, 0.5) == {0, 4}
    assert focus_tasks(cost, calls, 0.9) == {0, 1, 4}
    assert focus_tasks(cost, calls, 0.95) == {0, 1, 2, 4}
    assert focus_tasks(cost, calls, 1.0) == {0, 1, 2, 3, 4}


def test_tasks_outside_the_focus_are_reported_and_spend_no_trials(tmp_path, make_conv_onnx):
    source = make_conv_onnx(tmp_path / "conv.onnx")
    report = tune_model(
        import_model(source).mod, parse_target(TARGET), tmp_path / "log", trials=2, min_trials=1, focus=0.01
    )
    skipped = [t for t in report.tasks if t.skipped]
    searched = [t for t in report.tasks if not t.skipped]
    assert len(searched) == 1 and skipped, "a 1% focus searches only the slowest task"
    assert all(t.schedule == "default" and t.trials == 0 for t in skipped)
    timed = [t for t in report.tasks if t.default_ms is not None]
    assert searched[0] is max(timed, key=lambda t: t.default_ms * t.weight)
    with pytest.raises(TVMExportError, match="--focus"):
        tune_model(import_model(source).mod, parse_target(TARGET), tmp_path / "log", trials=2, focus=0)


def test_time_budget_ends_the_search_and_keeps_its_records(tmp_path, make_conv_onnx):
    source = make_conv_onnx(tmp_path / "conv.onnx")
    log = tmp_path / "log"
    # a budget spent by the first measured batch: the search ends there, with what that batch measured
    report = tune_model(
        import_model(source).mod,
        parse_target(TARGET),
        log,
        trials=50,
        min_trials=2,
        max_seconds=1e-3,
        focus=1.0,
    )
    assert report.stopped_by_time and 1 <= report.trials < 50
    assert any(t.schedule == "tuned" for t in report.tasks) and len(open_log(log)) >= 1


def test_bad_tuning_requests(tmp_path, onnx_model):
    imported = import_model(onnx_model)
    with pytest.raises(TVMExportError, match="budget of >= 1"):
        tune_model(imported.mod, parse_target("llvm"), tmp_path / "db", trials=0)
    with pytest.raises(TVMExportError, match="not this machine"):
        tune_model(imported.mod, parse_target("rpi4"), tmp_path / "db", trials=2)
    with pytest.raises(TVMExportError, match="no such tuning log"):
        compile_model(onnx_model, tmp_path / "x.tvm", tuning_log=tmp_path / "absent")
    (tmp_path / "file").write_text("x")
    with pytest.raises(TVMExportError, match="is a directory, found a file"):
        open_log(tmp_path / "file")


@pytest.mark.parametrize(("preset", "min_records"), [("x86-avx512", 20), ("x86-avx2", 30)])
def test_a_shipped_log_is_a_compact_log_with_one_record_per_kernel(preset, min_records):
    from edgesmith.export_tvm.shipped_logs import shipped_log, shipped_presets

    log = shipped_log(preset)
    assert log is not None and preset in shipped_presets() and shipped_log("rpi4") is None
    db = open_log(log)
    records = db.get_all_tuning_records()
    workloads = {hash(str(r.workload.mod)) for r in records}
    # compacted: the shipped models' kernels (plate detector, CIFAR CNN, ...), one best record each
    assert len(records) == len(workloads) >= min_records
    assert all(r.run_secs for r in records)


def test_compile_for_a_preset_applies_its_shipped_log_unless_told_not_to(tmp_path, onnx_model):
    from typer.testing import CliRunner

    from edgesmith.export_tvm.cli import app
    from edgesmith.export_tvm.shipped_logs import shipped_log

    def compile_json(*extra):
        out = tmp_path / f"conv{len(extra)}.tvm"
        args = ["compile", str(onnx_model), "-o", str(out), "--target", "x86-avx2", "--json", *extra]
        result = CliRunner().invoke(app, args)
        assert result.exit_code == 0, result.output
        return json.loads(Path(json.loads(result.output)["sidecar"]).read_text())  # the artifact's sidecar

    assert compile_json()["tuning_log"] == str(shipped_log("x86-avx2"))
    untuned = compile_json("--no-shipped-log")
    assert untuned["tuning_log"] is None and untuned["tuned_functions"] == 0
