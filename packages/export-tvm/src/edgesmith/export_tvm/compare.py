"""The compiled TVM model timed beside the source model's own runtime (ONNX Runtime or TFLite), one process.

Both run interleaved -- one call of each per round -- so load on a shared machine hits them alike; the
figure to read is the ratio of medians. Runners come from the profiler's registry, never named here.
"""

from __future__ import annotations

import dataclasses
import os
import time
from pathlib import Path
from typing import Any

import numpy as np

from edgesmith.profiling.registry import backend_for, open_runner


@dataclasses.dataclass(frozen=True)
class SideBySide:
    """Median latency (ms per batch) of TVM and of the reference runtime, measured in the same rounds."""

    tvm_ms: float
    reference: str
    reference_ms: float
    max_abs_diff: float
    rounds: int
    threads: int

    @property
    def ratio(self) -> float:
        return self.tvm_ms / self.reference_ms

    def to_dict(self) -> dict[str, Any]:
        return {**dataclasses.asdict(self), "ratio": round(self.ratio, 3)}


def side_by_side(
    compiled: str | os.PathLike[str],
    source: str | os.PathLike[str],
    threads: int = 2,
    rounds: int = 50,
    warmup: int = 5,
) -> SideBySide:
    """Time ``compiled`` (a ``.tvm`` dir) against ``source`` on its native runtime, interleaved."""
    reference = backend_for(source)
    tvm_runner = open_runner(Path(compiled), backend="tvm", threads=threads)
    ref_runner = open_runner(Path(source), backend=reference, threads=threads)
    with tvm_runner, ref_runner:
        shape = [int(d) for d in tvm_runner._inputs[0]["shape"]]
        x = np.random.default_rng(0).random(shape, dtype=np.float32)
        a, b = np.asarray(tvm_runner.predict(x)), np.asarray(ref_runner.predict(x))
        diff = float(np.max(np.abs(a.astype(np.float64) - b))) if a.shape == b.shape else float("nan")
        for _ in range(warmup):
            tvm_runner.predict(x)
            ref_runner.predict(x)
        times: dict[str, list[float]] = {"tvm": [], "ref": []}
        for _ in range(rounds):
            for key, runner in (("tvm", tvm_runner), ("ref", ref_runner)):
                t0 = time.perf_counter()
                runner.predict(x)
                times[key].append((time.perf_counter() - t0) * 1e3)
    return SideBySide(
        float(np.median(times["tvm"])), reference, float(np.median(times["ref"])), diff, rounds, threads
    )


__all__ = ["SideBySide", "side_by_side"]
