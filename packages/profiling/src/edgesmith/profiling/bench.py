"""The benchmark core: warm-up, timed runs per batch size, latency percentiles, throughput and memory.

Typical use::

    from edgesmith.profiling import bench
    result = bench("model.tflite", batch_sizes=(1, 8), warmup=50, runs=1000, threads=2)
    print(result.to_markdown())          # or result.to_json("bench.json")
    result.batches[0].mean_ms            # mean latency at the first batch size

Timing uses ``time.perf_counter_ns`` around each ``runner.predict`` call. Every runner returns host numpy
arrays, so device (GPU) work has finished before the clock stops.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from time import perf_counter_ns
from typing import Any

import numpy as np

from edgesmith.profiling.artifacts import atomic_write
from edgesmith.profiling.host import gpu_memory_used_mb, host_info
from edgesmith.profiling.memory import PeakRss, RssTrace
from edgesmith.profiling.registry import open_runner
from edgesmith.profiling.runner import Runner, RunnerError, TensorSpec

Inputs = np.ndarray | Sequence[np.ndarray]


def make_batch(
    specs: Sequence[TensorSpec], batch_size: int, inputs: Inputs | None = None, seed: int = 0
) -> list[np.ndarray]:
    """One float32 batch per model input: the first ``batch_size`` samples of ``inputs`` (tiled when
    fewer), or uniform [0, 1) noise shaped from the specs when no data is given."""
    if inputs is not None:
        arrays = [inputs] if isinstance(inputs, np.ndarray) else list(inputs)
        if len(arrays) != len(specs):
            raise RunnerError(f"model takes {len(specs)} input(s), {len(arrays)} data array(s) given")
        out = []
        for a in arrays:
            if len(a) == 0:
                raise RunnerError("input data is empty; pass at least one sample")
            idx = np.arange(batch_size) % len(a)
            out.append(np.ascontiguousarray(a[idx], dtype=np.float32))
        return out
    rng = np.random.default_rng(seed)
    batch = []
    for spec in specs:
        if any(d is None for d in spec.shape[1:]):
            raise RunnerError(
                f"input {spec.name!r} has dynamic dimensions {spec.shape}; "
                "pass real inputs so the shapes are known"
            )
        shape = (batch_size, *(int(d) for d in spec.shape[1:]))
        batch.append(rng.random(shape, dtype=np.float32))
    return batch


def time_calls(
    fn: Callable[[], object],
    warmup: int,
    runs: int,
    budget_s: float | None = None,
    on_step: Callable[[int], None] | None = None,
) -> tuple[np.ndarray, bool]:
    """Call ``fn`` ``warmup`` times untimed, then up to ``runs`` times timed; per-call nanoseconds and
    whether ``budget_s`` (seconds of timed calls; also caps warm-up) cut the runs short."""
    budget_ns = None if budget_s is None else int(budget_s * 1e9)
    start = perf_counter_ns()
    for _ in range(warmup):
        fn()
        if budget_ns is not None and perf_counter_ns() - start > budget_ns:
            break
    times = np.empty(runs, dtype=np.int64)
    if on_step is not None:
        on_step(0)  # before the first timed call (a soak trace takes its baseline here)
    spent = 0
    n = 0
    hit = False
    while n < runs:
        t0 = perf_counter_ns()
        fn()
        t1 = perf_counter_ns()
        times[n] = t1 - t0
        spent += t1 - t0
        n += 1
        if on_step is not None and (n % 25 == 0 or n == runs):
            on_step(n)
        if budget_ns is not None and spent > budget_ns and n < runs:
            hit = True
            break
    return times[:n], hit


@dataclasses.dataclass
class BatchStats:
    """Latency (ms), throughput (samples/s) and memory (MB) at one batch size."""

    batch_size: int
    warmup: int
    runs: int
    mean_ms: float
    std_ms: float
    min_ms: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    throughput: float
    total_s: float
    peak_rss_mb: float
    budget_hit: bool = False
    gpu_memory_mb: float | None = None
    loop_rss_growth_mb: float | None = None
    """RSS after the timed loop minus RSS before it (MB): growth of the loop alone, not of the load."""
    rss_growth_per_1k_runs_mb: float | None = None
    """Least-squares RSS slope over the timed loop, MB per 1,000 runs (a leak shows here)."""

    @property
    def cv(self) -> float:
        """Coefficient of variation of the per-run latency (std / mean)."""
        return self.std_ms / self.mean_ms if self.mean_ms else float("nan")

    @classmethod
    def from_times(
        cls,
        times_ns: np.ndarray,
        batch_size: int,
        warmup: int,
        peak_rss_mb: float,
        budget_hit: bool = False,
        gpu_memory_mb: float | None = None,
    ) -> BatchStats:
        if len(times_ns) == 0:
            raise RunnerError("no timed run completed; raise the time budget")
        ms = times_ns.astype(np.float64) / 1e6
        total_s = float(ms.sum() / 1e3)
        p50, p90, p99 = np.percentile(ms, [50, 90, 99])
        return cls(
            batch_size=batch_size,
            warmup=warmup,
            runs=len(ms),
            mean_ms=float(ms.mean()),
            std_ms=float(ms.std(ddof=1)) if len(ms) > 1 else 0.0,
            min_ms=float(ms.min()),
            p50_ms=float(p50),
            p90_ms=float(p90),
            p99_ms=float(p99),
            max_ms=float(ms.max()),
            throughput=len(ms) * batch_size / total_s if total_s else float("inf"),
            total_s=total_s,
            peak_rss_mb=peak_rss_mb,
            budget_hit=budget_hit,
            gpu_memory_mb=gpu_memory_mb,
        )


@dataclasses.dataclass
class BenchResult:
    """Everything one ``bench`` call measured: runner description, host, and per-batch-size statistics."""

    runner: dict[str, Any]
    host: dict[str, Any]
    batches: list[BatchStats]
    rss_before_mb: float
    peak_rss_mb: float
    load_s: float
    memory_method: str
    load_rss_growth_mb: float | None = None
    """Peak RSS during activation (model load) minus RSS before it, MB."""

    @property
    def rss_growth_mb(self) -> float:
        """Peak RSS over the whole load (activation + all runs) minus RSS before it."""
        return max(self.peak_rss_mb - self.rss_before_mb, 0.0)

    @property
    def size_mb(self) -> float:
        return self.runner["size_bytes"] / 1024**2

    def stats(self, batch_size: int | None = None) -> BatchStats:
        """Statistics at ``batch_size`` (the first measured one when omitted)."""
        if batch_size is None:
            return self.batches[0]
        for b in self.batches:
            if b.batch_size == batch_size:
                return b
        raise KeyError(
            f"batch size {batch_size} was not measured; measured: {[b.batch_size for b in self.batches]}"
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "runner": self.runner,
            "host": self.host,
            "load_s": self.load_s,
            "memory": {
                "rss_before_mb": self.rss_before_mb,
                "peak_rss_mb": self.peak_rss_mb,
                "rss_growth_mb": self.rss_growth_mb,
                "load_rss_growth_mb": self.load_rss_growth_mb,
                "loop_rss_growth_per_1k_runs_mb": {
                    b.batch_size: b.rss_growth_per_1k_runs_mb for b in self.batches
                },
                "method": self.memory_method,
            },
            "size_mb": self.size_mb,
            "batches": [{**dataclasses.asdict(b), "cv": b.cv} for b in self.batches],
        }

    def to_json(self, path: str | os.PathLike[str] | None = None) -> str:
        """The result as JSON text; also written atomically to ``path`` when given."""
        text = json.dumps(self.to_dict(), indent=2, default=str)
        if path is not None:
            atomic_write(path, text)
        return text

    def to_markdown(self) -> str:
        """A Markdown table, one row per batch size, under a line naming the artifact and backend."""
        r = self.runner
        head = (
            f"**{Path(r['artifact']).name}** · {r['backend']} {r['precision']} on {r['device']} · "
            f"{format_size(r['size_bytes'])} · peak RSS {self.peak_rss_mb:.1f} MB "
            f"(+{self.rss_growth_mb:.1f} MB)\n\n"
        )
        rows = [
            "| batch | runs | mean ms | std ms | p50 ms | p90 ms | p99 ms | samples/s | peak RSS MB |",
            "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        rows += [
            f"| {b.batch_size} | {b.runs} | {b.mean_ms:.3f} | {b.std_ms:.3f} | {b.p50_ms:.3f} | "
            f"{b.p90_ms:.3f} | {b.p99_ms:.3f} | {b.throughput:.1f} | {b.peak_rss_mb:.1f} |"
            for b in self.batches
        ]
        return head + "\n".join(rows) + "\n"


def format_size(n_bytes: int) -> str:
    """Human size: KB under one MB, MB above (1024-based, like the source documents)."""
    return f"{n_bytes / 1024:.1f} KB" if n_bytes < 1024**2 else f"{n_bytes / 1024**2:.2f} MB"


@contextlib.contextmanager
def _progress(enabled: bool, total: int, label: str) -> Iterator[Callable[[int], None] | None]:
    """A transient rich bar on stderr advanced by ``time_calls`` (a no-op when disabled)."""
    if not enabled:
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        transient=True,
        console=Console(stderr=True),  # stdout stays clean for tables and --json
    ) as bar:
        task = bar.add_task(label, total=total)
        yield lambda n: bar.update(task, completed=n)


def bench(
    runner: Runner | str | os.PathLike[str],
    batch_sizes: Sequence[int] = (1,),
    warmup: int = 50,
    runs: int = 1000,
    budget_s: float | None = None,
    inputs: Inputs | None = None,
    seed: int = 0,
    progress: bool = False,
    backend: str | None = None,
    keep_active: bool = False,
    **runner_options: Any,
) -> BenchResult:
    """Benchmark ``runner`` (a Runner, or an artifact path opened with ``backend``/``runner_options``).

    For each batch size: ``warmup`` untimed calls, then ``runs`` timed calls (fewer if ``budget_s``
    seconds of timed calls run out). ``inputs`` supplies real samples (else seeded uniform noise).
    Defaults follow the face study: 50 warm-up batches, 1,000 timed batches. A runner that raises
    mid-run surfaces as :class:`RunnerError` naming the batch size. A runner activated here is
    deactivated at the end unless ``keep_active``; memory covers its load (activation) and the runs.
    """
    if not batch_sizes or any(int(b) < 1 for b in batch_sizes):
        raise RunnerError(f"batch sizes must be positive integers, got {list(batch_sizes)}")
    if runs < 1 or warmup < 0:
        raise RunnerError(f"need runs >= 1 and warmup >= 0, got runs={runs} warmup={warmup}")
    if not isinstance(runner, Runner):
        runner = open_runner(runner, backend=backend, **runner_options)
    was_active = runner._active
    with PeakRss() as load_mem:
        t0 = perf_counter_ns()
        runner.activate()
        load_s = (perf_counter_ns() - t0) / 1e9
    assert load_mem.reading is not None
    peak = load_mem.reading.peak_rss_mb
    stats = []
    try:
        specs = runner.input_specs()
        for bs in batch_sizes:
            batch = make_batch(specs, int(bs), inputs, seed)
            arg = batch[0] if len(batch) == 1 else batch
            trace = RssTrace()
            with PeakRss() as mem, _progress(progress, runs, f"{runner.artifact.name} batch {bs}") as step:

                def on_step(
                    n: int, step: Callable[[int], None] | None = step, trace: RssTrace = trace
                ) -> None:
                    trace.sample(n)  # between timed calls, never inside one
                    if step is not None:
                        step(n)

                try:
                    runner.predict(arg)  # validates the shape once, outside the timed loop
                    times, hit = time_calls(lambda a=arg: runner.predict(a), warmup, runs, budget_s, on_step)
                except RunnerError:
                    raise
                except Exception as exc:
                    raise RunnerError(
                        f"{runner.artifact.name}: {runner.backend} failed at batch size {bs}: "
                        f"{type(exc).__name__}: {exc}"
                    ) from exc
            assert mem.reading is not None
            gpu_mb = gpu_memory_used_mb() if runner.device != "cpu" else None
            one = BatchStats.from_times(times, int(bs), warmup, mem.reading.peak_rss_mb, hit, gpu_mb)
            one.loop_rss_growth_mb = trace.growth_mb
            one.rss_growth_per_1k_runs_mb = trace.per_1k_runs_mb
            stats.append(one)
            peak = max(peak, mem.reading.peak_rss_mb)
        info = runner.describe().to_dict()
    finally:
        if not was_active and not keep_active:
            runner.deactivate()
    return BenchResult(
        runner=info,
        host=host_info(),
        batches=stats,
        rss_before_mb=load_mem.reading.rss_before_mb,
        peak_rss_mb=peak,
        load_s=load_s,
        memory_method=load_mem.reading.method,
        load_rss_growth_mb=load_mem.reading.growth_mb,
    )


def latency_cv(results: Sequence[BenchResult], batch_size: int | None = None) -> float:
    """Coefficient of variation of the mean latency across repeated bench results (repeatability)."""
    means = np.array([r.stats(batch_size).mean_ms for r in results])
    return float(means.std(ddof=1) / means.mean()) if len(means) > 1 else 0.0
