"""Tuning with MetaSchedule itself: the tuning log is a MetaSchedule JSON database directory.

``tune_model`` runs what ``relax_integration.tune_relax`` runs (task extraction, the gradient task scheduler,
evolutionary search with the XGBoost cost model, local builder/runner, JSON database), with:

* **resume**: tasks that already have a record in the log are not tuned again (a shipped log is extended,
  not redone);
* **trials where the time is**: every task's hand-written default schedule is timed first and tuning covers
  the tasks that hold ``focus`` of that time (plus every task with no hand rule); the rest keep the default,
  which a short search would not beat anyway;
* **a budget that covers those tasks**: the gradient scheduler's first round gives each ``min_trials``
  before any gets more; later rounds go where the measured latency x weight is;
* **a wall-clock budget** (a measure callback ends the search once it is spent; the log keeps every
  record) and progress reporting;
* **fast trials**: builders sized to the machine's cores, one short repeat per candidate while searching.

``compile --tuning-log`` applies the log with ``MetaScheduleApplyDatabase`` (see :mod:`.pipeline`).
"""

from __future__ import annotations

import dataclasses
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from edgesmith.export_tvm.errors import TVMExportError
from edgesmith.export_tvm.intrinsics import import_tensor_intrinsics
from edgesmith.export_tvm.pipeline import prepare_module
from edgesmith.export_tvm.targets import describe_target, is_host_target

WORKLOADS, RECORDS = "database_workload.json", "database_tuning_record.json"


def cpu_count() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def open_log(path: str | os.PathLike[str]) -> Any:
    """The MetaSchedule JSON database in directory ``path`` (created when absent)."""
    from tvm.s_tir import meta_schedule as ms

    p = Path(path)
    if p.exists() and not p.is_dir():
        raise TVMExportError(f"{p}: a tuning log is a directory, found a file; pass a directory")
    try:
        p.mkdir(parents=True, exist_ok=True)
        return ms.database.JSONDatabase(work_dir=str(p), module_equality="structural")
    except OSError as exc:
        raise TVMExportError(
            f"{p}: cannot create the tuning log ({exc.strerror}); pick a writable folder"
        ) from exc
    except Exception as exc:
        why = str(exc).strip().splitlines()[-1][:120] if str(exc).strip() else type(exc).__name__
        raise TVMExportError(f"{p}: corrupt tuning log ({why}); delete it or pass another") from exc


def is_log(path: str | os.PathLike[str]) -> bool:
    return (Path(path) / WORKLOADS).is_file() and (Path(path) / RECORDS).is_file()


@dataclasses.dataclass
class TaskResult:
    """One task of the model: cost, how it is scheduled and how fast its best schedule is."""

    name: str
    flops: float
    weight: int
    trials: int
    best_ms: float | None
    schedule: str  # "tuned" (record in the log) or "default"
    reused: bool = False
    default_ms: float | None = None  # the hand-written default schedule, timed here before tuning
    skipped: bool = False  # left out of the search: its default holds little of the model's time

    @property
    def gflops(self) -> float | None:
        return self.flops / self.best_ms / 1e6 if self.best_ms else None

    def to_dict(self) -> dict[str, Any]:
        out = dataclasses.asdict(self)
        out["gflops"] = round(self.gflops, 2) if self.gflops else None
        return out


@dataclasses.dataclass
class TuneReport:
    """What a tuning run did: per-task results, trials spent now, wall time, the log it extended."""

    tasks: list[TaskResult]
    trials: int
    seconds: float
    log: Path
    stopped_by_time: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "log": str(self.log),
            "trials": self.trials,
            "seconds": round(self.seconds, 1),
            "stopped_by_time": self.stopped_by_time,
            "tasks_tuned": sum(t.schedule == "tuned" for t in self.tasks),
            "tasks_default": sum(t.schedule == "default" for t in self.tasks),
            "tasks_skipped": sum(t.skipped for t in self.tasks),
            "tasks": [t.to_dict() for t in self.tasks],
        }


def _records(db: Any, func_mod: Any) -> list[Any]:
    if not db.has_workload(func_mod):
        return []
    return list(db.get_top_k(db.commit_workload(func_mod), 1 << 20))


def _best_ms(records: list[Any]) -> float | None:
    times = [sum(float(s) for s in r.run_secs) / len(r.run_secs) for r in records if r.run_secs]
    return min(times) * 1e3 if times else None


class TimeBudgetSpent(Exception):
    """Raised from the measure callback to end the search once the wall-clock budget is spent."""


def _make_measure_callback(
    deadline: float | None,
    names: list[str],
    total: int,
    progress: Callable[[str, int, int], None] | None,
) -> Any:
    """Counts measured candidates for progress and ends the search once the wall-clock budget is spent,
    keeping every batch already measured."""
    from tvm.ir.utils import derived_object
    from tvm.s_tir import meta_schedule as ms

    @derived_object
    class BudgetCallback(ms.measure_callback.PyMeasureCallback):
        def __init__(self) -> None:
            self.done = 0
            self.stopped = False

        def apply(self, task_scheduler, task_id, measure_candidates, builder_results, runner_results):
            self.done += len(runner_results)
            if progress:
                progress(names[task_id], min(self.done, total), total)
            if deadline is None or self.stopped or time.monotonic() <= deadline:
                return
            self.stopped = True
            # the scheduler sends each task's batch and joins it only when it picks the task again (the
            # first round sends every task's batch before joining any): join the measured batches still
            # waiting so their records reach the log, or they are lost (a 20-task model on a slow 2-core
            # host kept 8 records of ~140 measured trials)
            for i, task in enumerate(task_scheduler.tasks_):
                if i != task_id and task.measure_candidates:
                    task_scheduler.join_running_task(i)
            # this batch's records are in the database already (the default callbacks run first);
            # ending the tasks from here instead makes the gradient scheduler pick a terminated task
            # and abort (TVM 0.27: "Check failed: !task->is_terminated")
            raise TimeBudgetSpent

    return BudgetCallback()


def _search_strategy(population: int) -> Any:
    from tvm.s_tir import meta_schedule as ms

    # MetaSchedule's defaults (population 512, 4 genetic rounds) cost more CPU per trial than the build does
    # on a small machine; a quarter of that still lets the cost model rank thousands of candidates per round
    return ms.search_strategy.EvolutionarySearch(
        population_size=population, init_min_unmeasured=min(50, population // 2), genetic_num_iters=3
    )


def default_times(tasks: list[Any], target: Any) -> list[float | None]:
    """Milliseconds of each task's hand-written default schedule (None: no hand rule fits, or it failed)."""
    from edgesmith.export_tvm.default_schedules import timed_hand_schedule

    return [timed_hand_schedule(task.dispatched[0]["main"], target)[1] for task in tasks]


def focus_tasks(cost: list[float | None], weights: list[int], focus: float) -> set[int]:
    """Indices of the tasks that hold ``focus`` of the summed default time (time x calls), largest first.

    A task with no timed default (``None``) is always included: only a search gives it a good schedule.
    """
    if focus >= 1.0:
        return set(range(len(cost)))
    keep = {i for i, c in enumerate(cost) if c is None}
    share = sorted(
        ((c * w, i) for i, (c, w) in enumerate(zip(cost, weights, strict=True)) if c is not None),
        reverse=True,
    )
    total = sum(s for s, _ in share) or 1.0
    covered = 0.0
    for s, i in share:
        if covered >= focus * total:
            break
        keep.add(i)
        covered += s
    return keep


def _unnamed_handlers_off() -> None:
    """MetaSchedule's logger set-up lists the handlers already on its logger by name; one added by another
    library (pytest's log capture) has no name and makes the next tuning run in the process fail."""
    import logging

    logger = logging.getLogger("tvm.s_tir.meta_schedule")
    for handler in list(logger.handlers):
        if handler.get_name() is None:
            logger.removeHandler(handler)


BUILD_TIMEOUT_S = 120.0


def _tune_tasks(
    contexts: Any, weights: Any, log_path: Path, db: Any, trials: int, per_iter: int, callback: Any
) -> None:
    """MetaSchedule's own tuning loop: gradient task scheduler, local builder/runner, XGBoost cost model."""
    from tvm.s_tir import meta_schedule as ms

    evaluator = ms.runner.EvaluatorConfig(number=3, repeat=1, min_repeat_ms=10, enable_cpu_cache_flush=False)
    ms.tune.tune_tasks(
        tasks=contexts,
        task_weights=weights,
        work_dir=str(log_path),
        max_trials_global=trials,
        num_trials_per_iter=per_iter,
        # each batch's fresh pool of workers imports TVM and its intrinsics (about 10 s here with the light
        # stack of .intrinsics, its initializer) and a trial builds in seconds; now and then a sample's
        # unrolled nest makes LLVM run for ten minutes (a 1x1 conv on a 96x96 map, seen on a Zen 3 host),
        # so a build gets 2 minutes, not the whole budget
        builder=ms.builder.LocalBuilder(
            max_workers=cpu_count(), timeout_sec=BUILD_TIMEOUT_S, initializer=import_tensor_intrinsics
        ),
        runner=ms.runner.LocalRunner(evaluator_config=evaluator, timeout_sec=300.0),
        database=db,
        cost_model=ms.cost_model.XGBModel(num_tuning_cores=cpu_count()),
        measure_callbacks=[*ms.measure_callback.MeasureCallback.create("default"), callback],
        task_scheduler="gradient",
    )


def tune_model(
    mod: Any,
    target: Any,
    log: str | os.PathLike[str],
    trials: int = 500,
    max_seconds: float | None = None,
    min_trials: int = 16,
    seed: int = 0,
    progress: Callable[[str, int, int], None] | None = None,
    focus: float = 0.9,
) -> TuneReport:
    """Tune the tasks of a Relax module (as imported) that hold ``focus`` of its default-scheduled time and
    that the log has no record for; extend the log. ``focus=1`` tunes every task."""
    from tvm.s_tir import analysis
    from tvm.s_tir import meta_schedule as ms

    if trials < 1:
        raise TVMExportError(f"tuning needs a budget of >= 1 trial, got {trials}")
    if min_trials < 1:
        raise TVMExportError(f"--min-trials must be >= 1, got {min_trials}")
    if not 0.0 < focus <= 1.0:
        raise TVMExportError(f"--focus must be in (0, 1], got {focus}")
    if not is_host_target(target):
        raise TVMExportError(
            f"tuning measures on the target itself; {describe_target(target)} is not this machine "
            "(tune on the device, then compile here with --tuning-log)"
        )
    start = time.perf_counter()
    log_path = Path(log)
    db = open_log(log_path)
    prepared = prepare_module(mod, target)
    tasks = ms.relax_integration.extract_tasks(prepared, target)
    flops = [float(analysis.estimate_tir_flops(t.dispatched[0])) * int(t.weight) for t in tasks]
    done = [bool(_records(db, t.dispatched[0])) for t in tasks]
    hand_ms = default_times(tasks, target)
    chosen = focus_tasks(hand_ms, [int(t.weight) for t in tasks], focus)
    todo = sorted((i for i in chosen if not done[i]), key=lambda i: -flops[i])
    spent, stopped = 0, False
    if todo:
        per_iter = max(1, min(min_trials, trials // len(todo)))
        _unnamed_handlers_off()
        import_tensor_intrinsics()  # what each TuneContext would import, minutes faster
        contexts, weights = ms.relax_integration.extracted_tasks_to_tune_contexts(
            [tasks[i] for i in todo],
            work_dir=str(log_path),
            strategy=_search_strategy(128),
            num_threads=cpu_count(),
            seed=seed,
        )
        callback = _make_measure_callback(
            time.monotonic() + max_seconds if max_seconds else None,
            [tasks[i].task_name for i in todo],
            trials,
            progress,
        )
        try:
            _tune_tasks(contexts, weights, log_path, db, trials, per_iter, callback)
        except Exception:
            if not callback.stopped:  # a real failure, not the budget
                raise
        spent, stopped = callback.done, callback.stopped
    results = []
    for i, task in enumerate(tasks):
        records = _records(db, task.dispatched[0])
        best = _best_ms(records)
        results.append(
            TaskResult(
                name=task.task_name,
                flops=flops[i] / int(task.weight),
                weight=int(task.weight),
                trials=len(records),
                best_ms=best,
                schedule="tuned" if records else "default",
                reused=done[i],
                default_ms=hand_ms[i],
                skipped=i not in chosen,
            )
        )
    results.sort(key=lambda t: -(t.flops * t.weight))
    return TuneReport(results, spent, time.perf_counter() - start, log_path, stopped)


def compact_log(
    source: str | os.PathLike[str] | list[str | os.PathLike[str]], destination: str | os.PathLike[str]
) -> int:
    """Write only the best record of each workload of one or more logs to ``destination`` (for shipping).

    Returns the number of records written; ``destination`` is replaced.
    """
    import shutil
    import tempfile

    sources = [Path(p) for p in (source if isinstance(source, list) else [source])]
    for src in sources:
        if not is_log(src):
            raise TVMExportError(f"{src}: not a tuning log (no {WORKLOADS}); run `edgesmith-tvm tune` first")
    dst = Path(destination)
    with tempfile.TemporaryDirectory() as tmp:
        merged = open_log(Path(tmp) / "merged")
        for src in sources:
            for record in open_log(src).get_all_tuning_records():
                merged.commit_tuning_record(
                    type(record)(
                        record.trace,
                        merged.commit_workload(record.workload.mod),
                        record.run_secs,
                        record.target,
                        record.args_info,
                    )
                )
        staging = Path(tmp) / "pruned"
        pruned = open_log(staging)
        merged.dump_pruned(pruned)
        count = len(pruned)
        del pruned, merged
        if dst.exists():
            shutil.rmtree(dst)
        dst.mkdir(parents=True)
        for name in (WORKLOADS, RECORDS):
            shutil.copyfile(staging / name, dst / name)
    return count


__all__ = [
    "RECORDS",
    "WORKLOADS",
    "TaskResult",
    "TuneReport",
    "compact_log",
    "cpu_count",
    "default_times",
    "focus_tasks",
    "is_log",
    "open_log",
    "tune_model",
]
