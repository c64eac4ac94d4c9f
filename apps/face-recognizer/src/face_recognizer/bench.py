"""The face study's benchmark of every exported backbone × backend × precision: 50 warm-up, 1,000 timed runs
at batch 1/8/32 through edgesmith.profiling, latency (ms per batch, copies included), throughput (images/s),
test accuracy, and each variant's speed-up over Keras at the same batch size; Markdown, CSV, JSON and a plot.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from face_recognizer.card import FaceAppError, FaceCard, write_json
from face_recognizer.training import load_face_splits


@dataclasses.dataclass
class BenchRow:
    """One backbone × variant × batch size measurement (or the reason it could not run)."""

    backbone: str
    variant: str
    backend: str
    precision: str
    batch_size: int
    latency_ms: float | None = None
    p50_ms: float | None = None
    p90_ms: float | None = None
    throughput: float | None = None
    runs: int | None = None
    accuracy: float | None = None
    size_mb: float | None = None
    speedup_vs_keras: float | None = None
    error: str | None = None


@dataclasses.dataclass
class FaceBench:
    """All rows plus the protocol and host they were measured with."""

    rows: list[BenchRow]
    warmup: int
    runs: int
    budget_s: float | None
    threads: int | None
    test_samples: dict[str, int]
    host: dict[str, Any]

    COLUMNS = tuple(f.name for f in dataclasses.fields(BenchRow))

    def to_dict(self) -> dict[str, Any]:
        d = dataclasses.asdict(self)
        d["rows"] = [dataclasses.asdict(r) for r in self.rows]
        return d

    def to_csv(self) -> str:
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(self.COLUMNS)
        for r in self.rows:
            w.writerow(["" if getattr(r, c) is None else getattr(r, c) for c in self.COLUMNS])
        return buf.getvalue()

    def to_markdown(self) -> str:
        """One table, rows grouped by backbone and batch size, speed-ups against Keras side by side."""

        def f(v: float | None, fmt: str) -> str:
            return "" if v is None else format(v, fmt)

        lines = [
            "| backbone | variant | precision | batch | latency ms | p90 ms | images/s | × Keras "
            "| accuracy % | size MB | runs |",
            "|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for r in self.rows:
            if r.error:
                lines.append(
                    f"| {r.backbone} | {r.variant} | {r.precision} | {r.batch_size} | skipped: {r.error} "
                    "| | | | | | |"
                )
                continue
            lines.append(
                f"| {r.backbone} | {r.variant} | {r.precision} | {r.batch_size} | {f(r.latency_ms, '.3f')} | "
                f"{f(r.p90_ms, '.3f')} | {f(r.throughput, '.1f')} | {f(r.speedup_vs_keras, '.2f')} | "
                f"{f(r.accuracy, '.2f')} | {f(r.size_mb, '.2f')} | {r.runs} |"
            )
        runs = f"{self.runs} timed batches" + (f" (or {self.budget_s:g} s)" if self.budget_s else "")
        samples = ", ".join(f"{k}: {v}" for k, v in self.test_samples.items())
        foot = (
            f"\nProtocol (the face study): {self.warmup} warm-up batches, {runs} per batch size; "
            "latency = mean time per batch (ms, input copies included); "
            "throughput = runs × batch / total time. "
            f"Accuracy on the test split ({samples} images). Threads: {self.threads or 'all cores'}; "
            f"{self.host.get('cpu', '')}.\n"
        )
        return "\n".join(lines) + "\n" + foot

    def plot(self, path: str | os.PathLike[str]) -> Path:
        """Throughput (images/s, log scale) per variant, one bar group per batch size and backbone."""
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        import numpy as np

        ok = [r for r in self.rows if r.error is None and r.throughput]
        if not ok:
            raise FaceAppError("no variant ran; nothing to plot")
        groups = sorted({(r.backbone, r.batch_size) for r in ok}, key=lambda g: (g[0], g[1]))
        variants = list(dict.fromkeys(r.variant for r in ok))
        width = 0.8 / len(variants)
        fig, ax = plt.subplots(figsize=(max(6, 1.6 * len(groups)), 4.2), dpi=120)
        for i, v in enumerate(variants):
            vals = [
                next((r.throughput for r in ok if (r.backbone, r.batch_size) == g and r.variant == v), 0.0)
                for g in groups
            ]
            ax.bar(np.arange(len(groups)) + i * width, vals, width, label=v)
        ax.set_xticks(np.arange(len(groups)) + 0.4 - width / 2)
        ax.set_xticklabels([f"{b}\nbatch {n}" for b, n in groups], fontsize=8)
        ax.set_yscale("log")
        ax.set_ylabel("throughput (images/s, log)")
        ax.set_title("face classifier throughput by backend and precision")
        ax.legend(fontsize=7)
        ax.grid(axis="y", alpha=0.3)
        fig.tight_layout()
        p = Path(path)
        tmp = p.with_name(f".{p.stem}.tmp{os.getpid()}.png")
        try:
            fig.savefig(tmp, format="png")
            os.replace(tmp, p)
        finally:
            plt.close(fig)
            tmp.unlink(missing_ok=True)
        return p

    def save(self, out_dir: str | os.PathLike[str]) -> dict[str, Path]:
        """Write bench.md, bench.csv, bench.json and bench.png into ``out_dir``."""
        from edgesmith.profiling.bench import atomic_write

        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        paths = {"markdown": out / "bench.md", "csv": out / "bench.csv", "json": out / "bench.json"}
        atomic_write(paths["markdown"], self.to_markdown())
        atomic_write(paths["csv"], self.to_csv())
        write_json(paths["json"], self.to_dict())
        if any(r.error is None for r in self.rows):
            paths["plot"] = self.plot(out / "bench.png")
        return paths


def read_manifest(export_dir: str | os.PathLike[str]) -> dict[str, Any]:
    """The ``manifest.json`` that ``face-recognizer export`` wrote into ``export_dir``."""
    path = Path(export_dir) / "manifest.json"
    if not path.is_file():
        raise FaceAppError(
            f"{export_dir} has no manifest.json; run `face-recognizer export MODEL --out {export_dir}` first"
        )
    try:
        return json.loads(path.read_text())
    except json.JSONDecodeError as exc:
        raise FaceAppError(f"{path} is not valid JSON ({exc.msg}); re-run face-recognizer export") from exc


def bench_exports(
    export_dirs: Sequence[str | os.PathLike[str]],
    batch_sizes: Sequence[int] = (1, 8, 32),
    warmup: int = 50,
    runs: int = 1000,
    budget_s: float | None = None,
    threads: int | None = None,
    variants: Sequence[str] | None = None,
    on_step: Callable[[str], None] | None = None,
) -> FaceBench:
    """Bench every artifact listed in each export directory's manifest at every batch size.

    Inputs are real test crops (tiled to the batch size). ``variants`` filters by backend-precision name
    (e.g. ``keras``, ``tflite-int8``, ``onnx``). A variant that fails, or was skipped at export, keeps
    its rows with the reason.
    """
    from edgesmith.profiling import RunnerError, bench, open_runner
    from edgesmith.profiling.evaluation import evaluate
    from edgesmith.profiling.host import host_info

    if not export_dirs:
        raise FaceAppError("no export folder given; pass the --out folder(s) of `face-recognizer export`")
    if any(int(b) < 1 for b in batch_sizes) or runs < 1 or warmup < 0:
        raise FaceAppError("batch sizes and --runs must be positive and --warmup >= 0")
    rows: list[BenchRow] = []
    samples: dict[str, int] = {}
    step = on_step or (lambda name: None)
    for export_dir in export_dirs:
        manifest = read_manifest(export_dir)
        card = FaceCard.from_dict(manifest["face"])
        test = load_face_splits(card).test
        samples[card.backbone] = len(test)
        keras_ms: dict[int, float] = {}
        for i, art in enumerate(manifest["artifacts"]):  # the first is the Keras copy: the reference
            names = {art["backend"], f"{art['backend']}-{art['precision']}", art.get("choice")}
            if variants and not names & set(variants):
                continue
            base = BenchRow(card.backbone, art["name"], art["backend"], art["precision"], 0)
            if art.get("skipped"):
                rows += [dataclasses.replace(base, batch_size=b, error=art["skipped"]) for b in batch_sizes]
                continue
            step(f"{card.backbone} {art['name']}")
            try:
                with open_runner(art["path"], threads=threads) as runner:
                    result = bench(
                        runner, batch_sizes, warmup=warmup, runs=runs, budget_s=budget_s, inputs=test.x
                    )
                    acc = evaluate(runner, test, "accuracy")["accuracy"]
            except (RunnerError, ValueError, OSError) as exc:
                why = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
                rows += [dataclasses.replace(base, batch_size=b, error=why) for b in batch_sizes]
                continue
            size_mb = result.runner.get("size_bytes", 0) / 2**20
            for s in result.batches:
                row = dataclasses.replace(
                    base,
                    batch_size=s.batch_size,
                    latency_ms=s.mean_ms,
                    p50_ms=s.p50_ms,
                    p90_ms=s.p90_ms,
                    throughput=s.throughput,
                    runs=s.runs,
                    accuracy=acc,
                    size_mb=size_mb,
                )
                if i == 0 and s.batch_size not in keras_ms:
                    keras_ms[s.batch_size] = s.mean_ms
                rows.append(row)
        for r in rows:
            if r.backbone == card.backbone and r.latency_ms and r.batch_size in keras_ms:
                r.speedup_vs_keras = keras_ms[r.batch_size] / r.latency_ms
    rows.sort(key=lambda r: (r.backbone, r.batch_size))
    return FaceBench(rows, warmup, runs, budget_s, threads, samples, host_info())
