"""The optimization matrix of document 001: framework × precision × pruning, measured on this machine.

Each variant is one artifact. For every variant the matrix measures latency (ms per batch at
``batch_size``), the task metric on a dataset, memory (peak RSS growth over load + runs, MB) and file
size, then each variant's ratio to the float baseline. A variant that fails keeps its row, marked
with the reason; the others still run::

    from edgesmith.profiling.matrix import Variant, run_matrix
    result = run_matrix(
        [Variant("Keras FP32", "vgg.keras", baseline=True), Variant("TFLite INT8", "vgg_int8.tflite")],
        dataset=splits.test, metric="iou",
    )
    print(result.to_markdown())
    result.to_csv("matrix.csv"); result.to_json("matrix.json"); result.plot("matrix.png")
"""

from __future__ import annotations

import concurrent.futures
import csv
import dataclasses
import io
import json
import multiprocessing
import os
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from edgesmith.profiling.artifacts import atomic_path, atomic_write
from edgesmith.profiling.bench import bench
from edgesmith.profiling.evaluation import dataset_arrays, evaluate
from edgesmith.profiling.host import host_info
from edgesmith.profiling.metrics import Metric, get_metric
from edgesmith.profiling.registry import open_runner
from edgesmith.profiling.runner import RunnerError

MB = 1024 * 1024


@dataclasses.dataclass
class Variant:
    """One row of the matrix: a display name, the artifact, and how to run it.

    ``precision`` overrides the label the runner reports; ``pruned`` marks pruned models; ``options`` go
    to the runner (e.g. ``{"threads": 2}``); ``baseline`` marks the reference row for the ratios;
    ``why_not`` says why a variant could not be built here, so it keeps its row with that reason.
    """

    name: str
    artifact: str | os.PathLike[str]
    backend: str | None = None
    precision: str | None = None
    pruned: bool = False
    baseline: bool = False
    options: dict[str, Any] = dataclasses.field(default_factory=dict)
    why_not: str | None = None

    @classmethod
    def parse(cls, spec: str) -> Variant:
        """From ``"NAME=PATH[,backend=B][,precision=P][,pruned][,baseline][,threads=N]"``."""
        if "=" not in spec:
            path = spec
            return cls(Path(path).name, path)
        name, rest = spec.split("=", 1)
        path, *flags = rest.split(",")
        v = cls(name.strip(), path.strip())
        for flag in flags:
            key, _, value = flag.strip().partition("=")
            if key == "backend":
                v.backend = value
            elif key == "precision":
                v.precision = value
            elif key in ("pruned", "baseline"):
                setattr(v, key, value.lower() not in ("0", "false", "no"))
            elif key == "threads":
                v.options["threads"] = int(value)
            elif key == "device":
                v.options["device"] = value
            else:
                raise ValueError(
                    f"unknown variant option {key!r} in {spec!r}; "
                    "use backend=, precision=, pruned, baseline, threads=, device="
                )
        return v


@dataclasses.dataclass
class MatrixRow:
    """The measurements of one variant, or its ``error`` when it failed."""

    variant: str
    artifact: str
    backend: str = ""
    precision: str = ""
    pruned: bool = False
    latency_ms: float | None = None
    p50_ms: float | None = None
    p90_ms: float | None = None
    throughput: float | None = None
    metric: float | None = None
    metrics: dict[str, float] = dataclasses.field(default_factory=dict)
    memory_mb: float | None = None
    peak_rss_mb: float | None = None
    size_mb: float | None = None
    speedup: float | None = None
    size_ratio: float | None = None
    metric_delta: float | None = None
    error: str | None = None
    extra: dict[str, Any] = dataclasses.field(default_factory=dict)
    command: str = ""
    reference: bool = False  # the source model scored against its own outputs: shown as "ref"
    batch_size: int = 1  # latency, throughput and the ratios are at this batch size
    runs: int | None = None  # timed batches behind the latency
    load_s: float | None = None  # activation time (the cold start)
    eval_s: float | None = None  # one pass over the data at the evaluation batch size, for the metric

    @property
    def ok(self) -> bool:
        return self.error is None


def measure_variant(
    variant: Variant,
    x: np.ndarray,
    y: np.ndarray | None,
    metric: Metric,
    batch_size: int,
    eval_batch_size: int,
    warmup: int,
    runs: int,
    budget_s: float | None,
    reference: np.ndarray | None = None,
    progress: bool = False,
) -> MatrixRow:
    """Evaluate and bench one variant; any failure becomes the row's ``error`` instead of an exception."""
    args = (x, y, metric, (batch_size,), eval_batch_size, warmup, runs, budget_s, reference, progress)
    return measure_variant_batches(variant, *args)[0]


def measure_variant_batches(
    variant: Variant,
    x: np.ndarray,
    y: np.ndarray | None,
    metric: Metric,
    batch_sizes: Sequence[int],
    eval_batch_size: int,
    warmup: int,
    runs: int,
    budget_s: float | None,
    reference: np.ndarray | None = None,
    progress: bool = False,
) -> list[MatrixRow]:
    """One row per batch size: the runner is loaded and scored once, then timed at each batch size. Any
    failure (or a variant that could not be built, ``why_not``) gives every row that ``error`` instead."""
    base = MatrixRow(
        variant.name, str(variant.artifact), variant.backend or "", variant.precision or "", variant.pruned
    )

    def failed(why: str) -> list[MatrixRow]:
        return [dataclasses.replace(base, batch_size=int(b), error=why) for b in batch_sizes]

    if variant.why_not:
        return failed(f"not built: {variant.why_not}")
    try:
        runner = open_runner(variant.artifact, variant.backend, **variant.options)
        try:  # bench first, so the memory reading covers the model's load
            result = bench(
                runner,
                tuple(int(b) for b in batch_sizes),
                warmup=warmup,
                runs=runs,
                budget_s=budget_s,
                inputs=x,
                keep_active=True,
                progress=progress,
            )
            t0 = time.perf_counter()
            values = evaluate(runner, (x, y), metric, eval_batch_size, reference=reference)
            eval_s = time.perf_counter() - t0
            base.backend = runner.backend
            base.precision = variant.precision or runner.precision()
        finally:
            runner.deactivate()
    except RunnerError as exc:
        return failed(str(exc).splitlines()[0] if str(exc) else type(exc).__name__)
    except Exception as exc:  # any backend failure marks this row; the other variants still run
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        return failed(f"{type(exc).__name__}: {first}" if first else type(exc).__name__)
    base.metrics, base.metric = values, metric.headline(values)
    base.memory_mb, base.peak_rss_mb = result.rss_growth_mb, result.peak_rss_mb
    base.size_mb = result.runner["size_bytes"] / MB
    base.extra = dict(result.runner.get("extra") or {})
    base.load_s, base.eval_s = result.load_s, eval_s
    rows = []
    for b in batch_sizes:
        stats = result.stats(int(b))
        rows.append(
            dataclasses.replace(
                base,
                batch_size=int(b),
                latency_ms=stats.mean_ms,
                p50_ms=stats.p50_ms,
                p90_ms=stats.p90_ms,
                throughput=stats.throughput,
                runs=stats.runs,
                metrics=dict(base.metrics),
                extra=dict(base.extra),
            )
        )
    return rows


@dataclasses.dataclass
class MatrixResult:
    """All rows plus what they were measured on; renders itself as Markdown, CSV, JSON and a PNG plot."""

    rows: list[MatrixRow]
    metric: str
    metric_key: str
    higher_is_better: bool
    dataset: str
    samples: int
    batch_size: int
    baseline: str | None
    host: dict[str, Any]
    isolated: bool = False
    batch_sizes: tuple[int, ...] = ()  # several: one row per variant and batch size

    @property
    def multi_batch(self) -> bool:
        return len(self.batch_sizes) > 1

    def at_batch(self, batch_size: int | None = None) -> MatrixResult:
        """The rows at one batch size (default: the first), as a one-batch result (for the decision and
        the Pareto plot, which compare variants at the same batch size)."""
        b = self.batch_size if batch_size is None else batch_size
        rows = [r for r in self.rows if r.batch_size == b]
        return dataclasses.replace(self, rows=rows, batch_size=b, batch_sizes=(b,))

    def to_dict(self) -> dict[str, Any]:
        d = dataclasses.asdict(self)
        d["rows"] = [dataclasses.asdict(r) for r in self.rows]
        return d

    def to_json(self, path: str | os.PathLike[str] | None = None) -> str:
        text = json.dumps(self.to_dict(), indent=2, default=str)
        if path is not None:
            atomic_write(path, text)
        return text

    COLUMNS = (
        "variant",
        "backend",
        "precision",
        "pruned",
        "latency_ms",
        "p50_ms",
        "p90_ms",
        "throughput",
        "metric",
        "metric_delta",
        "memory_mb",
        "size_mb",
        "speedup",
        "size_ratio",
        "error",
    )

    def to_csv(self, path: str | os.PathLike[str] | None = None) -> str:
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        columns = self.COLUMNS
        if self.multi_batch:  # which batch each row was timed at
            columns = (*columns[:4], "batch_size", *columns[4:])
        w.writerow([c if c != "metric" else self.metric_key for c in columns])
        for r in self.rows:
            w.writerow(["" if getattr(r, c) is None else getattr(r, c) for c in columns])
        text = buf.getvalue()
        if path is not None:
            atomic_write(path, text)
        return text

    def to_markdown(self) -> str:
        """Document 001's table for this machine, generated from the rows."""

        def f(v: float | None, fmt: str) -> str:
            return "" if v is None else format(v, fmt)

        key = self.metric_key
        multi = self.multi_batch
        batch_head, batch_rule = ("batch | ", "---:|") if multi else ("", "")
        speed_head, speed_rule = ("p90 ms | images/s | ", "---:|---:|") if multi else ("", "")
        lines = [
            f"| variant | backend | precision | pruned | {batch_head}time ms | {speed_head}speed-up | "
            f"{key} | Δ {key} | memory MB | size MB | size ratio |",
            f"|---|---|---|---|{batch_rule}---:|{speed_rule}---:|---:|---:|---:|---:|---:|",
        ]
        for r in self.rows:
            batch = f"{r.batch_size} | " if multi else ""
            if not r.ok:
                lines.append(
                    f"| {r.variant} | {r.backend} | {r.precision} | {'yes' if r.pruned else ''} | {batch}"
                    f"failed: {r.error} | | | | | | |" + (" | |" if multi else "")
                )
                continue
            speed = f"{f(r.p90_ms, '.3f')} | {f(r.throughput, '.1f')} | " if multi else ""
            lines.append(
                f"| {r.variant} | {r.backend} | {r.precision} | {'yes' if r.pruned else ''} | {batch}"
                f"{f(r.latency_ms, '.3f')} | {speed}{f(r.speedup, '.2f')}× | {f(r.metric, '.4g')} | "
                f"{f(r.metric_delta, '+.4g')} | {f(r.memory_mb, '.1f')} | {f(r.size_mb, '.3f')} | "
                f"{f(r.size_ratio, '.2f')} |"
            )
        batches = ", ".join(map(str, self.batch_sizes)) if multi else str(self.batch_size)
        foot = (
            f"\n{self.samples} samples of {self.dataset}; time = mean latency at batch {batches}"
            f"{' (images/s = batch × runs / total time)' if multi else ''}; "
            "memory = peak RSS growth over load + runs"
            f"{' (one process per variant)' if self.isolated else ''}; "
            f"ratios vs {self.baseline or 'n/a'}{' at the same batch' if multi else ''}; "
            f"{self.host.get('cpu', '')}.\n"
        )
        return "\n".join(lines) + "\n" + foot

    def plot_throughput(self, path: str | os.PathLike[str]) -> Path | None:
        """Throughput (images/s, log scale) per variant, one bar group per batch size; ``None`` without
        matplotlib or without a measured row."""
        try:
            import matplotlib
        except ImportError:
            return None
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        ok = [r for r in self.rows if r.ok and r.throughput]
        if not ok:
            return None
        sizes = sorted({r.batch_size for r in ok})
        names = list(dict.fromkeys(r.variant for r in ok))
        width = 0.8 / len(names)
        fig, ax = plt.subplots(figsize=(max(6, 1.6 * len(sizes)), 4.2), dpi=120)
        for i, name in enumerate(names):
            vals = [
                next((r.throughput for r in ok if r.variant == name and r.batch_size == b), 0.0)
                for b in sizes
            ]
            ax.bar(np.arange(len(sizes)) + i * width, vals, width, label=name)
        ax.set_xticks(np.arange(len(sizes)) + 0.4 - width / 2)
        ax.set_xticklabels([f"batch {b}" for b in sizes], fontsize=8)
        ax.set_yscale("log")
        ax.set_ylabel("throughput (images/s, log)")
        ax.set_title(f"{self.dataset}: throughput by variant and batch size", fontsize=9)
        ax.legend(fontsize=7)
        ax.grid(axis="y", alpha=0.3)
        fig.tight_layout()
        try:
            with atomic_path(path) as tmp:
                fig.savefig(tmp, format="png")
        finally:
            plt.close(fig)
        return Path(path)

    def plot(self, path: str | os.PathLike[str]) -> Path:
        """Latency (x, ms) vs task metric (y), marker area proportional to file size; saved as PNG."""
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        ok = [r for r in self.rows if r.ok]
        if not ok:
            raise RunnerError("no variant succeeded; nothing to plot")
        sizes = np.array([r.size_mb or 0.0 for r in ok])
        area = 40 + 1500 * sizes / max(sizes.max(), 1e-9)
        fig, ax = plt.subplots(figsize=(7, 4.5), dpi=120)
        ax.scatter([r.latency_ms for r in ok], [r.metric for r in ok], s=area, alpha=0.5, edgecolors="k")
        for r in ok:
            ax.annotate(
                f"{r.variant}\n{r.size_mb:.2f} MB",
                (r.latency_ms, r.metric),
                fontsize=7,
                ha="center",
                va="center",
            )
        ax.set_xlabel(f"latency at batch {self.batch_size} (ms)")
        ax.set_ylabel(f"{self.metric_key} ({'higher' if self.higher_is_better else 'lower'} is better)")
        ax.set_title(f"{self.dataset}: latency vs {self.metric_key} (marker area = model size)")
        ax.grid(alpha=0.3)
        fig.tight_layout()
        p = Path(path)
        p.parent.mkdir(parents=True, exist_ok=True)
        tmp = p.with_name(f".{p.stem}.tmp{os.getpid()}.png")
        try:
            fig.savefig(tmp, format="png")
            os.replace(tmp, p)
        finally:
            plt.close(fig)
            tmp.unlink(missing_ok=True)
        return p


def _ratios(rows: list[MatrixRow], baseline: MatrixRow | None) -> None:
    """Speed-up, size ratio and metric change of each row against the baseline's row at its batch size."""
    if baseline is None or not baseline.ok:
        return
    bases = {r.batch_size: r for r in rows if r.variant == baseline.variant and r.ok}
    bases.setdefault(baseline.batch_size, baseline)
    for r in rows:
        if not r.ok or r.batch_size not in bases:
            continue
        base = bases[r.batch_size]
        r.speedup = base.latency_ms / r.latency_ms if r.latency_ms and base.latency_ms else None
        r.size_ratio = r.size_mb / base.size_mb if base.size_mb and r.size_mb is not None else None
        r.metric_delta = r.metric - base.metric if r.metric is not None and base.metric is not None else None


def measure_isolated(variant: Variant, *args: Any) -> list[MatrixRow]:
    """:func:`measure_variant_batches` (same arguments) in a fresh process, so a variant's memory figure
    holds only its own allocations; a crashed worker becomes the error of the variant's rows."""
    ctx = multiprocessing.get_context("spawn")
    with concurrent.futures.ProcessPoolExecutor(1, mp_context=ctx) as pool:
        try:
            return pool.submit(measure_variant_batches, variant, *args).result()
        except Exception as exc:  # the child process died (e.g. a native crash)
            row = MatrixRow(variant.name, str(variant.artifact), error=f"worker crashed: {exc}")
            return [dataclasses.replace(row, batch_size=int(b)) for b in args[3]]


def run_matrix(
    variants: Sequence[Variant | str],
    dataset: Any,
    metric: str | Metric = "accuracy",
    batch_size: int = 1,
    eval_batch_size: int = 32,
    warmup: int = 20,
    runs: int = 200,
    budget_s: float | None = 30.0,
    isolate: bool = False,
    progress: bool = False,
    reference: np.ndarray | None = None,
) -> MatrixResult:
    """Measure every variant on ``dataset`` (an ``ArrayDataset`` or ``(x, y)``) and return the matrix.

    ``isolate=True`` runs each variant in a fresh process so memory figures do not include the previous
    variants' allocations (slower: each process re-imports its backend).
    The baseline is the variant marked ``baseline`` (else the first one that succeeded). ``reference``
    holds the source model's outputs for agreement metrics on unlabeled data.
    """
    m = get_metric(metric)
    vs = [v if isinstance(v, Variant) else Variant.parse(v) for v in variants]
    if not vs:
        raise ValueError("no variants given; pass at least one artifact")
    x, y, name = dataset_arrays(dataset)
    args = (x, y, m, (batch_size,), eval_batch_size, warmup, runs, budget_s, reference)
    rows: list[MatrixRow] = []
    bar_ctx = _bar(progress, len(vs))
    with bar_ctx as advance:
        for v in vs:
            rows += (measure_isolated if isolate else measure_variant_batches)(v, *args)
            advance(v.name)
    marked = [r for r, v in zip(rows, vs, strict=True) if v.baseline]
    baseline = marked[0] if marked else next((r for r in rows if r.ok), None)
    _ratios(rows, baseline)
    return MatrixResult(
        rows=rows,
        metric=m.name,
        metric_key=m.key,
        higher_is_better=m.higher_is_better,
        dataset=name,
        samples=len(x),
        batch_size=batch_size,
        baseline=baseline.variant if baseline else None,
        host=host_info(),
        isolated=isolate,
        batch_sizes=(batch_size,),
    )


class _bar:
    """A rich progress bar over variants (a no-op when disabled)."""

    def __init__(self, enabled: bool, total: int) -> None:
        self.enabled, self.total = enabled, total

    def __enter__(self) -> Any:
        if not self.enabled:
            return lambda name: None
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

        self._p = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            transient=True,
            console=Console(stderr=True),
        )
        self._p.__enter__()
        task = self._p.add_task("matrix", total=self.total)
        return lambda name: self._p.update(task, advance=1, description=f"done: {name}")

    def __exit__(self, *exc: object) -> None:
        if self.enabled:
            self._p.__exit__(*exc)
