"""One ``tune`` session: extend the log, compile with it, and time the result beside the source runtime.

What ``edgesmith-tvm tune`` runs, as one function for Python users and tools: a new log for a preset with a
shipped log starts from it (so ``tune`` extends what ships), every task ends tuned or default-scheduled,
and the final latency is measured once, carefully, against ONNX Runtime / TFLite in the same process.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from edgesmith.export_tvm.compare import SideBySide, side_by_side
from edgesmith.export_tvm.compile import compile_model
from edgesmith.export_tvm.frontends import import_model
from edgesmith.export_tvm.shipped_logs import shipped_log
from edgesmith.export_tvm.targets import parse_target
from edgesmith.export_tvm.tuning import RECORDS, WORKLOADS, TuneReport, is_log, tune_model
from edgesmith.profiling.runner import RunnerError


@dataclasses.dataclass
class TuneSession:
    """The tuning report, the compiled model it produced, and its side-by-side latency."""

    report: TuneReport
    compiled: Path
    tuned: int
    default: int
    comparison: SideBySide | None
    seeded_from: Path | None
    comparison_skipped: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            **self.report.to_dict(),
            "compiled": str(self.compiled),
            "kernels_tuned": self.tuned,
            "kernels_default": self.default,
            "seeded_from": str(self.seeded_from) if self.seeded_from else None,
            "latency": self.comparison.to_dict() if self.comparison else None,
            "latency_skipped": self.comparison_skipped,
        }


def seed_log(log: Path, target: str) -> Path | None:
    """Start a new log from the preset's shipped log (``tune`` then extends it); returns the source used."""
    shipped = shipped_log(target)
    if shipped is None or is_log(log):
        return None
    log.mkdir(parents=True, exist_ok=True)
    for name in (WORKLOADS, RECORDS):
        shutil.copyfile(shipped / name, log / name)
    return shipped


def tune_and_measure(
    model: str | os.PathLike[str],
    log: str | os.PathLike[str],
    *,
    target: str = "native",
    trials: int = 500,
    max_seconds: float | None = None,
    min_trials: int = 16,
    focus: float = 0.9,
    batch: int = 1,
    seed: int = 0,
    output: str | os.PathLike[str] | None = None,
    threads: int = 2,
    rounds: int = 50,
    progress: Callable[[str, int, int], None] | None = None,
) -> TuneSession:
    """Tune ``model`` into ``log``, compile it with the log, and time it beside its source runtime."""
    log = Path(log)
    tgt = parse_target(target)
    imported = import_model(model, batch=batch)
    seeded = seed_log(log, target)
    report = tune_model(
        imported.mod,
        tgt,
        log,
        trials=trials,
        max_seconds=max_seconds,
        min_trials=min_trials,
        seed=seed,
        progress=progress,
        focus=focus,
    )
    out = Path(output) if output is not None else log / f"{Path(model).stem}.tvm"
    compiled = compile_model(model, out, target=target, batch=batch, tuning_log=log)
    for task in report.tasks:  # what the compiled model runs: a record slower than the default is not kept
        if task.name in compiled.default_latency_ms:
            task.schedule, task.best_ms = "default", compiled.default_latency_ms[task.name]
    comparison, skipped = None, None
    try:  # the tuning is done and saved; a missing reference runtime must not lose it
        comparison = side_by_side(compiled.path, model, threads=threads, rounds=rounds)
    except RunnerError as exc:
        skipped = str(exc).splitlines()[0]
    return TuneSession(
        report,
        compiled.path,
        compiled.tuned_functions,
        compiled.default_functions,
        comparison,
        seeded,
        skipped,
    )


__all__ = ["TuneSession", "seed_log", "tune_and_measure"]
