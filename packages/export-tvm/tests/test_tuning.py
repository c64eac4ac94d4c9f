"""Schedule search with a trial budget, the reusable schedule store and its application at compile time."""

from __future__ import annotations

import json

import numpy as np
import onnxruntime as ort
import pytest

from edgesmith.export_tvm import ScheduleStore, TVMExportError, compile_model, import_model, parse_target
from edgesmith.export_tvm.compile import load_compiled
from edgesmith.export_tvm.tuning import allocate_trials, apply_store, prepare_module, tune_module


def test_trials_follow_flops_with_a_floor():
    assert allocate_trials([1e9, 1e6, 0.0], total=30, floor=2) == [26, 2, 2]
    assert sum(allocate_trials([5.0, 5.0], 10, floor=1)) == 10
    assert allocate_trials([], 10) == []


def test_tune_stores_then_reuses_and_compile_applies(tmp_path, onnx_model):
    target = parse_target("native")
    db = tmp_path / "db"
    imported = import_model(onnx_model)
    first = tune_module(imported.mod, target, db, trials=4, seed=0)
    assert first.trials == 4 and all(not t.reused for t in first.tasks)
    assert any(t.best_ms is not None for t in first.tasks)
    index = json.loads((db / "index.json").read_text())
    assert sum(e["trials"] for e in index.values()) == 4
    assert all((db / e["file"]).exists() for e in index.values() if e["latency_ms"] is not None)

    again = tune_module(imported.mod, target, db, trials=4, seed=0)
    assert again.trials == 0 and all(t.reused for t in again.tasks)

    _, applied = apply_store(prepare_module(imported.mod, target), target, ScheduleStore(db).path)
    assert applied == sum(1 for e in index.values() if e["latency_ms"] is not None) >= 1
    tuned = compile_model(onnx_model, tmp_path / "tuned.tvm", target="native", tuning_db=db)
    assert tuned.tuned_functions == applied
    x = np.random.default_rng(0).random((1, 2, 6, 6), dtype=np.float32)
    expected = ort.InferenceSession(str(onnx_model), providers=["CPUExecutionProvider"]).run(None, {"x": x})[
        0
    ]
    np.testing.assert_allclose(load_compiled(tuned.path)(x)[0], expected, atol=1e-4)


def test_bad_tuning_requests(tmp_path, onnx_model):
    imported = import_model(onnx_model)
    with pytest.raises(TVMExportError, match="budget of >= 1"):
        tune_module(imported.mod, parse_target("llvm"), tmp_path / "db", trials=0)
    with pytest.raises(TVMExportError, match="not this machine"):
        tune_module(imported.mod, parse_target("llvm -mtriple=aarch64-linux-gnu"), tmp_path / "db", trials=2)
    with pytest.raises(TVMExportError, match="no such tuning database"):
        compile_model(onnx_model, tmp_path / "x.tvm", tuning_db=tmp_path / "absent")
    (tmp_path / "file").write_text("x")
    with pytest.raises(TVMExportError, match="must be a directory"):
        ScheduleStore(tmp_path / "file")


def test_candidates_must_reproduce_the_unscheduled_results():
    from edgesmith.export_tvm.tuning import _agrees

    want = [np.ones((4,), np.float32), np.array([1, 2])]
    assert _agrees([want[0] + 5e-5, want[1]], want)
    assert not _agrees([want[0] + 1e-3, want[1]], want)
    assert not _agrees([np.full(4, np.nan, np.float32), want[1]], want)
    assert not _agrees([want[0], np.array([1, 3])], want)
