"""MetaSchedule tuning with a trial budget, measured in-process, and a reusable on-disk schedule store.

apache-tvm 0.27's wheel crashes (SIGSEGV in ``ffi::ToJSONGraph``) whenever a TIR node is serialized,
which MetaSchedule's JSON database, its subprocess builder/runner and its evolutionary/replay search
strategies all do. So this module keeps MetaSchedule's search space (post-order-apply with the target's
schedule rules and postprocessors) and does the rest itself:

* **search**: for each fused PrimFunc (task), replay the design-space traces with fresh random
  decisions (MetaSchedule's ``replay-trace`` strategy), apply the postprocessors, compile in-process
  and time with ``time_evaluator``; the trial budget is shared between tasks by their FLOPs;
* **store** (the tuning log): the best schedule of each task as TVMScript text in ``<db>/<key>.py`` plus
  ``<db>/index.json`` (task, target, latency, trials). A later ``tune`` with the same database only
  spends trials on tasks that have had fewer than their share; ``compile --tuning-db`` applies it.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from edgesmith.export_tvm.errors import TVMExportError
from edgesmith.export_tvm.targets import describe_target, is_host_target
from edgesmith.profiling.artifacts import atomic_write

SCHEDULED_ATTR = "tirx.is_scheduled"


def prepare_module(mod: Any, target: Any) -> Any:
    """Legalize, fold and fuse a Relax module into the PrimFuncs that tuning and compilation share."""
    import tvm
    from tvm import relax

    with target:
        seq = tvm.transform.Sequential(
            [
                relax.transform.DecomposeOpsForInference(),
                relax.transform.CanonicalizeBindings(),
                relax.get_pipeline("zero"),
            ]
        )
        return seq(mod)


def workload_key(func: Any, target: Any) -> str:
    """Stable key of a PrimFunc workload on a target: structural hash + target description."""
    import tvm_ffi

    normalized = func.with_attr("global_symbol", "main")
    digest = hashlib.sha256(f"{tvm_ffi.structural_hash(normalized)}|{describe_target(target)}".encode())
    return digest.hexdigest()[:24]


class ScheduleStore:
    """Directory of tuned schedules: ``index.json`` plus one TVMScript file per workload key."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        if self.path.exists() and not self.path.is_dir():
            raise TVMExportError(f"{self.path}: tuning database must be a directory, found a file")
        self.path.mkdir(parents=True, exist_ok=True)
        self.index_path = self.path / "index.json"
        try:
            self.index: dict[str, dict[str, Any]] = (
                json.loads(self.index_path.read_text()) if self.index_path.exists() else {}
            )
        except json.JSONDecodeError as exc:
            raise TVMExportError(
                f"{self.index_path}: corrupt tuning index ({exc.msg}); delete the dir"
            ) from exc

    def __len__(self) -> int:
        return len(self.index)

    def entry(self, key: str) -> dict[str, Any] | None:
        return self.index.get(key)

    def get(self, key: str) -> Any | None:
        """The stored scheduled PrimFunc for ``key``, or ``None``."""
        import tvm

        meta = self.index.get(key)
        if meta is None or meta.get("latency_ms") is None:
            return None
        script = self.path / meta["file"]
        if not script.exists():
            return None
        parsed = tvm.script.from_source(script.read_text())
        return parsed if isinstance(parsed, tvm.tirx.PrimFunc) else parsed["main"]

    def record(
        self, key: str, task: str, scheduled: Any | None, latency_ms: float | None, trials: int
    ) -> None:
        """Add ``trials`` to the key's count and keep ``scheduled`` if it beats the stored schedule."""
        meta = dict(
            self.index.get(key) or {"task": task, "file": f"{key}.py", "latency_ms": None, "trials": 0}
        )
        meta["trials"] = int(meta["trials"]) + trials
        if scheduled is not None and (meta["latency_ms"] is None or latency_ms < meta["latency_ms"]):
            atomic_write(self.path / meta["file"], scheduled.script())
            meta["latency_ms"] = latency_ms
        self.index[key] = meta
        atomic_write(self.index_path, json.dumps(self.index, indent=2, sort_keys=True) + "\n")


@dataclasses.dataclass
class TaskResult:
    """One task's tuning outcome."""

    name: str
    key: str
    flops: float
    trials: int
    best_ms: float | None
    reused: bool


@dataclasses.dataclass
class TuneReport:
    """What a tuning run did: per-task results, trials spent, wall time."""

    tasks: list[TaskResult]
    trials: int
    seconds: float
    database: Path

    def to_dict(self) -> dict[str, Any]:
        return {
            "database": str(self.database),
            "trials": self.trials,
            "seconds": round(self.seconds, 1),
            "tasks": [dataclasses.asdict(t) for t in self.tasks],
        }


def _space(func_mod: Any, target: Any, seed: int) -> tuple[list[Any], list[Any]]:
    from tvm.s_tir import meta_schedule as ms

    kind = "cuda" if target.kind.name == "cuda" else "llvm"
    generator = ms.space_generator.PostOrderApply(sch_rules=kind, postprocs=kind, mutator_probs={})
    ctx = ms.TuneContext(
        mod=func_mod, target=target, space_generator=generator, rand_state=seed, num_threads=1
    )
    return list(ctx.generate_design_space()), list(ctx.space_generator.postprocs)


def _device(target: Any) -> Any:
    import tvm

    return tvm.cuda(0) if target.kind.name == "cuda" else tvm.cpu(0)


def _outputs(lib: Any, host: list[np.ndarray], dev: Any) -> list[np.ndarray]:
    """Run ``main`` once on fresh copies of ``host`` and return every buffer afterwards."""
    import tvm

    arrays = [tvm.runtime.tensor(h, dev) for h in host]
    lib["main"](*arrays)
    return [a.numpy() for a in arrays]


def _agrees(got: list[np.ndarray], want: list[np.ndarray], rtol: float = 1e-4) -> bool:
    """Same results up to ``rtol`` of each buffer's largest magnitude (reduction order may differ)."""
    for g, w in zip(got, want, strict=True):
        if g.dtype.kind == "f":
            scale = max(float(np.max(np.abs(w))) if w.size else 0.0, 1e-30)
            if not np.all(np.isfinite(g)) or float(np.max(np.abs(g - w))) > rtol * scale:
                return False
        elif not np.array_equal(g, w):
            return False
    return True


def search_task(func_mod: Any, target: Any, trials: int, seed: int = 0) -> tuple[Any | None, float | None]:
    """Random search over MetaSchedule's design space: best scheduled PrimFunc and its latency (ms).

    Each candidate's results are checked against the unscheduled function on the same random inputs.
    """
    import tvm
    from tvm.s_tir import meta_schedule as ms
    from tvm.s_tir.schedule import Schedule, Trace

    try:
        spaces, postprocs = _space(func_mod, target, seed)
    except Exception:  # MetaSchedule's rules cannot schedule this function: it stays on the default build
        return None, None
    dev = _device(target)
    rng = np.random.default_rng(seed)
    host = [
        rng.random([int(d) for d in a.shape]).astype(str(a.dtype))
        for a in ms.arg_info.ArgInfo.from_prim_func(func_mod["main"])
    ]
    args = [tvm.runtime.tensor(h, dev) for h in host]
    try:  # the unscheduled build's results: every candidate must reproduce them
        reference = _outputs(tvm.compile(func_mod, target=target).mod, host, dev)
    except Exception:
        return None, None
    best: tuple[float, Any] | None = None
    for k in range(trials):
        trace = Trace(spaces[k % len(spaces)].trace.insts, {})
        sch = Schedule(func_mod, seed=seed * 100_003 + k + 1)
        try:
            trace.apply_to_schedule(sch, remove_postproc=True)
            if not all(p.apply(sch) for p in postprocs):
                continue
            lib = tvm.compile(sch.mod, target=target).mod
            if not _agrees(_outputs(lib, host, dev), reference):
                continue  # a schedule that changes the results beyond float reassociation is rejected
            timer = lib.time_evaluator("main", dev, number=1, repeat=3, min_repeat_ms=0)
            ms_ = float(np.median(timer(*args).results)) * 1e3
        except Exception:  # an invalid sample (schedule error, failed build) is a wasted trial
            continue
        if best is None or ms_ < best[0]:
            best = (ms_, sch.mod["main"].with_attr(SCHEDULED_ATTR, True))
    return (best[1], best[0]) if best else (None, None)


def allocate_trials(flops: list[float], total: int, floor: int = 2) -> list[int]:
    """Split ``total`` trials over tasks in proportion to FLOPs, each task getting at least ``floor``."""
    if not flops:
        return []
    weights = np.asarray([max(f, 1.0) for f in flops], dtype=np.float64)
    extra = max(total - floor * len(flops), 0)
    exact = weights / weights.sum() * extra
    share = np.floor(exact).astype(int)
    for i in np.argsort(-(exact - share))[: extra - int(share.sum())]:  # largest remainders get the rest
        share[i] += 1
    return [int(floor + s) for s in share]


def tune_module(
    mod: Any,
    target: Any,
    database: str | os.PathLike[str],
    trials: int = 200,
    seed: int = 0,
    progress: Callable[[str, int, int], None] | None = None,
) -> TuneReport:
    """Tune every task of a Relax module (as imported) within ``trials`` measurements; store the winners."""
    from tvm.s_tir import analysis
    from tvm.s_tir import meta_schedule as ms

    if trials < 1:
        raise TVMExportError(f"tuning needs a budget of >= 1 trial, got {trials}")
    if not is_host_target(target) and not (target.kind.name == "cuda" and _device(target).exist):
        raise TVMExportError(
            f"tuning measures on the target itself; {describe_target(target)} is not this machine "
            "(tune on the device, then compile here with --tuning-db)"
        )
    start = time.perf_counter()
    store = ScheduleStore(database)
    prepared = prepare_module(mod, target)
    tasks = ms.relax_integration.extract_tasks(prepared, target)
    flops = [float(analysis.estimate_tir_flops(t.dispatched[0])) * t.weight for t in tasks]
    budget = allocate_trials(flops, trials)
    results, spent = [], 0
    order = sorted(range(len(tasks)), key=lambda i: -flops[i])
    for n, i in enumerate(order):
        task = tasks[i]
        func_mod = task.dispatched[0]
        key = workload_key(func_mod["main"], target)
        done = int((store.entry(key) or {}).get("trials", 0))
        todo = max(budget[i] - done, 0)
        if progress:
            progress(task.task_name, n, len(tasks))
        if todo:
            sched, latency = search_task(func_mod, target, todo, seed=seed + done)
            store.record(key, task.task_name, sched, latency, todo)
            spent += todo
        entry = store.entry(key) or {}
        results.append(TaskResult(task.task_name, key, flops[i], todo, entry.get("latency_ms"), todo == 0))
    if progress:
        progress("done", len(tasks), len(tasks))
    return TuneReport(results, spent, time.perf_counter() - start, store.path)


def apply_store(prepared: Any, target: Any, database: str | os.PathLike[str]) -> tuple[Any, int]:
    """Replace each PrimFunc of a prepared module by its stored schedule; returns (module, count applied)."""
    import tvm

    store = ScheduleStore(database)
    applied = 0
    updated = prepared.clone() if hasattr(prepared, "clone") else prepared
    for gv, func in list(prepared.functions_items()):
        if not isinstance(func, tvm.tirx.PrimFunc) or func.attrs.get(SCHEDULED_ATTR, False):
            continue
        sched = store.get(workload_key(func, target))
        if sched is None:
            continue
        updated[gv] = sched.with_attr("global_symbol", gv.name_hint)
        applied += 1
    return updated, applied


def untuned_fraction(report: TuneReport) -> float:
    """Share of FLOPs in tasks that ended without any valid schedule (0 = everything tuned)."""
    total = sum(t.flops for t in report.tasks) or 1.0
    return sum(t.flops for t in report.tasks if t.best_ms is None) / total if not math.isnan(total) else 0.0


__all__ = [
    "ScheduleStore",
    "TaskResult",
    "TuneReport",
    "allocate_trials",
    "apply_store",
    "prepare_module",
    "search_task",
    "tune_module",
    "untuned_fraction",
    "workload_key",
]
