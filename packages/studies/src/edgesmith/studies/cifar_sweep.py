"""The CIFAR-10 study as a study: the CIFAR-10 tutorial CNN and its variants, trained, scored and op-profiled.

Each variant (conv stride 1/2/3/5, 32 filters, a larger first pool, no LRN) is trained for the same budget,
scored by precision@1 on the test split, op-profiled by op type through
:func:`~edgesmith.profiling.ops.profile_keras_ops` (self and cumulative share, requested bytes) and timed
with :func:`~edgesmith.profiling.bench.bench`. The summary table (total time, Conv2D share, memory,
accuracy) and the time-vs-accuracy plot are generated from those measurements.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
from collections.abc import Sequence
from pathlib import Path
from time import perf_counter
from typing import Any

import numpy as np

from edgesmith.profiling.artifacts import atomic_write
from edgesmith.profiling.bench import bench
from edgesmith.profiling.runner import RunnerError
from edgesmith.studies.plots import pyplot, save_png
from edgesmith.studies.progress import StudyProgress
from edgesmith.studies.provenance import Provenance
from edgesmith.studies.tables import csv_text, markdown_table


@dataclasses.dataclass(frozen=True)
class SweepVariant:
    """One architecture of the sweep: ``cifar10_cnn``'s knobs and the CIFAR-10 study's figure for it."""

    name: str
    conv_stride: int = 1
    filters: int = 64
    pool_size: int = 3
    lrn: bool = True
    document: str = ""

    @property
    def slug(self) -> str:
        return re.sub(r"[^a-z0-9]+", "_", self.name.lower()).strip("_")

    def build(self, input_shape: tuple[int, int, int], num_classes: int) -> Any:
        from edgesmith.models import cifar10_cnn

        return cifar10_cnn(
            conv_stride=self.conv_stride,
            filters=self.filters,
            pool_size=self.pool_size,
            lrn=self.lrn,
            num_classes=num_classes,
            input_shape=input_shape,
        )


#: The CIFAR-10 study's runs (its CPU figures: time per step, precision@1) plus LRN off, which it discussed.
DEFAULT_VARIANTS: tuple[SweepVariant, ...] = (
    SweepVariant("baseline", document="≈56 ms, 86 %"),
    SweepVariant("stride 2", conv_stride=2, document="≈10 ms, 79.6 %"),
    SweepVariant("stride 3", conv_stride=3, document="≈4.6 ms, 74.7 %"),
    SweepVariant("stride 5", conv_stride=5, document="≈2.8 ms, 70 %"),
    SweepVariant("32 filters", filters=32, document="≈28 ms, 83.7 %"),
    SweepVariant("larger first pool", pool_size=5, document="≈43 ms, 86.3 %"),
    SweepVariant("no LRN", lrn=False, document="LRN ≈10 % of CPU time"),
)


@dataclasses.dataclass
class SweepConfig:
    """Training budget, data and profiling settings of the sweep; defaults run offline in minutes."""

    data_dir: str | None = None  # CIFAR-10 binary/python batches; None = digits stand-in
    image_size: int = 24  # the tutorial's 24×24 input (centre crop of real CIFAR-10)
    epochs: int = 5
    batch_size: int = 64
    learning_rate: float = 1e-3
    train_limit: int | None = None  # use only the first N training images
    test_limit: int | None = None
    variants: tuple[str, ...] | None = None  # names (or slugs) from DEFAULT_VARIANTS; None = all
    profile_batch: int = 32
    profile_runs: int = 20
    profile_warmup: int = 3
    latency_runs: int = 100
    threads: int | None = None
    seed: int = 0

    def check(self) -> None:
        if self.epochs < 1 or self.batch_size < 1 or self.profile_batch < 1:
            raise RunnerError("epochs, batch size and profile batch must be >= 1")
        if self.profile_runs < 1 or self.latency_runs < 1 or self.profile_warmup < 0:
            raise RunnerError("profile runs and latency runs must be >= 1, warm-up >= 0")
        if self.learning_rate <= 0:
            raise RunnerError(f"learning rate must be > 0, got {self.learning_rate}")

    def selected(self) -> list[SweepVariant]:
        """The variants to run, in DEFAULT_VARIANTS order; unknown names are a one-line error."""
        if not self.variants:
            return list(DEFAULT_VARIANTS)
        known = {v.name.lower(): v for v in DEFAULT_VARIANTS} | {v.slug: v for v in DEFAULT_VARIANTS}
        wanted = [w.strip().lower() for w in self.variants if w.strip()]
        unknown = [w for w in wanted if w not in known]
        if unknown:
            raise RunnerError(
                f"unknown variant(s) {unknown}; choose from: {', '.join(v.slug for v in DEFAULT_VARIANTS)}"
            )
        picked = {known[w].name for w in wanted}
        return [v for v in DEFAULT_VARIANTS if v.name in picked]


@dataclasses.dataclass
class CifarSweep:
    """Summary rows, per-variant op profiles (as dicts), provenance and data description of one sweep."""

    config: SweepConfig
    provenance: Provenance
    data: dict[str, Any]
    summary: list[dict[str, Any]]
    ops: dict[str, dict[str, Any]]
    wall_s: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        d = dataclasses.asdict(self)
        d["provenance"] = self.provenance.to_dict()
        return d

    def to_json(self, path: str | os.PathLike[str] | None = None) -> str:
        text = json.dumps(self.to_dict(), indent=2, default=str)
        if path is not None:
            atomic_write(path, text)
        return text

    def to_markdown(self) -> str:
        c, d = self.config, self.data
        parts = [
            "# CIFAR-10 CNN architecture sweep with op-level profiles (the CIFAR-10 study)\n",
            f"Dataset: **{d['dataset']}** ({d['train']} train / {d['test']} test images, "
            f"{d['image_size']}×{d['image_size']}×3, {d['classes']} classes). Each variant trained "
            f"{c.epochs} epoch(s) at batch {c.batch_size}, Adam lr {c.learning_rate}. Op profiles at batch "
            f"{c.profile_batch}, mean of {c.profile_runs} traced runs; latency p50 of {c.latency_runs} "
            f"timed calls at the same batch. Study wall time {self.wall_s:.0f} s.\n",
        ]
        if d.get("offline_stand_in"):
            parts.append(
                "> Offline stand-in: scikit-learn's digits upscaled to colour images, not CIFAR-10; "
                "accuracies are not comparable with the CIFAR-10 study's. Pass --data-dir for the real set.\n"
            )
        parts += [
            self.provenance.to_markdown(),
            "## Summary (the CIFAR-10 study's table, from this run's data)\n",
            markdown_table(
                self.summary,
                [
                    ("variant", "variant", None),
                    ("params", "parameters", ","),
                    ("macs", "multiply-adds/image", ","),
                    ("op_total_ms", "op total ms", ".3f"),
                    ("latency_p50_ms", "latency p50 ms", ".3f"),
                    ("ms_per_image", "ms/image", ".4f"),
                    ("conv2d_share_pct", "Conv2D %", ".1f"),
                    ("matmul_share_pct", "MatMul %", ".1f"),
                    ("lrn_share_pct", "LRN %", ".1f"),
                    ("requested_mb", "requested MB", ".2f"),
                    ("train_s", "train s", ".1f"),
                    ("precision_at_1", "precision@1 %", ".1f"),
                    ("document", "the CIFAR-10 study", None),
                ],
            ),
            "\nop total = sum of the traced kernels' times per run; latency = wall-clock `predict` of the "
            "same batch. Requested MB = bytes the kernels requested for their outputs per run (weights "
            "included, as Const). Conv2D and MatMul shares include their fused (bias + ReLU) kernels.\n",
            "![time vs accuracy](time_vs_accuracy.png)\n",
            "## Op profiles by op type\n",
        ]
        for row in self.summary:
            prof = self.ops[row["variant"]]
            parts.append(f"### {row['variant']}\n")
            parts.append(
                markdown_table(
                    [
                        {
                            **r,
                            "share_pct": 100 * r["share"],
                            "cumulative_pct": 100 * r["cumulative"],
                            "requested_kb": None
                            if r["requested_bytes"] is None
                            else r["requested_bytes"] / 1024,
                        }
                        for r in prof["rows"]
                    ],
                    [
                        ("op_type", "op type", None),
                        ("count", "count", "d"),
                        ("time_ms", "time ms", ".4f"),
                        ("share_pct", "self %", ".1f"),
                        ("cumulative_pct", "cumulative %", ".1f"),
                        ("requested_kb", "requested KB", ".1f"),
                    ],
                )
            )
        return "\n".join(parts)

    def write(self, out_dir: str | os.PathLike[str]) -> list[Path]:
        """report.md, summary.csv, ops_<variant>.csv per variant, study.json and time_vs_accuracy.png."""
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        paths = [out / "summary.csv"]
        atomic_write(paths[0], csv_text(self.summary))
        for row in self.summary:
            p = out / f"ops_{row['slug']}.csv"
            atomic_write(
                p,
                csv_text(
                    [{k: v for k, v in r.items() if k != "kernels"} for r in self.ops[row["variant"]]["rows"]]
                ),
            )
            paths.append(p)
        paths.append(plot_time_vs_accuracy(self.summary, out / "time_vs_accuracy.png", self.data["dataset"]))
        self.to_json(out / "study.json")
        atomic_write(out / "report.md", self.to_markdown())
        return [*paths, out / "study.json", out / "report.md"]


def _load(cfg: SweepConfig) -> Any:
    from edgesmith.datasets import load_cifar10

    crop = cfg.data_dir is not None and cfg.image_size < 32
    splits = load_cifar10(cfg.data_dir, image_size=cfg.image_size, crop=crop)
    train, test = splits.train, splits.test
    if cfg.train_limit:
        train = train.subset(np.arange(min(cfg.train_limit, len(train))))
    if cfg.test_limit:
        test = test.subset(np.arange(min(cfg.test_limit, len(test))))
    return splits, train, test


def _measure_variant(
    v: SweepVariant, train: Any, test: Any, num_classes: int, cfg: SweepConfig
) -> tuple[dict[str, Any], Any]:
    from edgesmith.datasets.tf_runtime import keras
    from edgesmith.models import count_flops, count_params
    from edgesmith.models import train as fit
    from edgesmith.models.runner import KerasRunner
    from edgesmith.profiling.metrics import accuracy
    from edgesmith.profiling.ops import profile_keras_ops

    keras.backend.clear_session()
    keras.utils.set_random_seed(cfg.seed)
    model = v.build(tuple(train.x.shape[1:]), num_classes)
    t0 = perf_counter()
    fit(
        model,
        train,
        None,
        epochs=cfg.epochs,
        batch_size=cfg.batch_size,
        progress=False,
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        learning_rate=cfg.learning_rate,
        seed=cfg.seed,
    )
    train_s = perf_counter() - t0
    logits = model.predict(test.x, batch_size=256, verbose=0)
    top1 = accuracy(test.y, logits)["accuracy"]
    prof = profile_keras_ops(
        model,
        batch_size=cfg.profile_batch,
        runs=cfg.profile_runs,
        warmup=cfg.profile_warmup,
        threads=cfg.threads,
        inputs=test.x,
        artifact=v.name,
    ).sorted("time")
    runner = KerasRunner(v.slug, model=model, threads=cfg.threads)
    lat = bench(
        runner, (cfg.profile_batch,), warmup=cfg.profile_warmup, runs=cfg.latency_runs, inputs=test.x
    ).stats()
    requested = sum(r.requested_bytes or 0 for r in prof.rows)
    row = {
        "variant": v.name,
        "slug": v.slug,
        "conv_stride": v.conv_stride,
        "filters": v.filters,
        "first_pool": v.pool_size,
        "lrn": v.lrn,
        "params": count_params(model),
        "macs": count_flops(model),
        "epochs": cfg.epochs,
        "train_s": train_s,
        "precision_at_1": top1,
        "op_total_ms": prof.total_ms,
        "latency_p50_ms": lat.p50_ms,
        "latency_std_ms": lat.std_ms,
        "ms_per_image": lat.p50_ms / cfg.profile_batch,
        "conv2d_share_pct": 100 * prof.share_of("Conv2D"),
        "matmul_share_pct": 100 * prof.share_of("MatMul"),
        "lrn_share_pct": 100 * prof.share_of("LRN"),
        "top_op": prof.rows[0].op_type if prof.rows else None,
        "requested_mb": requested / 1024**2,
        "document": v.document,
    }
    return row, prof


def run_cifar_sweep(
    config: SweepConfig | None = None, command: str | None = None, progress: bool = False
) -> CifarSweep:
    """Train, score, op-profile and time every selected variant; ``command`` is recorded in the report."""
    t0 = perf_counter()
    cfg = config or SweepConfig()
    cfg.check()
    variants = cfg.selected()
    splits, train, test = _load(cfg)
    num_classes = int(max(splits.train.y.max(), splits.test.y.max()) + 1)
    data = {
        "dataset": splits.name,
        "data_dir": cfg.data_dir,
        "offline_stand_in": bool(splits.info.get("offline_stand_in", cfg.data_dir is None)),
        "train": len(train),
        "test": len(test),
        "image_size": cfg.image_size,
        "classes": num_classes,
    }
    prov = Provenance.capture(
        command,
        {"seed": cfg.seed},
        {"dataset": splits.name, "data_dir": cfg.data_dir or "none (offline stand-in)", "train": len(train)},
    )
    summary, ops = [], {}
    with StudyProgress(progress, len(variants), "cifar sweep") as bar:
        for v in variants:
            bar.label(v.name)
            row, prof = _measure_variant(v, train, test, num_classes, cfg)
            summary.append(row)
            ops[v.name] = prof.to_dict()
            bar.advance()
    return CifarSweep(cfg, prov, data, summary, ops, perf_counter() - t0)


def plot_time_vs_accuracy(
    summary: Sequence[dict[str, Any]], path: str | os.PathLike[str], dataset: str = ""
) -> Path:
    """Latency per image (x, ms) against precision@1 (y, %); marker area ∝ parameters."""
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(7, 4.5), dpi=120)
    params = np.array([r["params"] for r in summary], dtype=float)
    area = 40 + 600 * params / max(params.max(), 1.0)
    x = [r["ms_per_image"] for r in summary]
    y = [r["precision_at_1"] for r in summary]
    ax.scatter(x, y, s=area, alpha=0.5, edgecolors="k")
    for r, xi, yi in zip(summary, x, y, strict=True):
        ax.annotate(r["variant"], (xi, yi), fontsize=8, xytext=(4, 4), textcoords="offset points")
    ax.set_xlabel("latency per image (ms, p50 of a batch / batch size)")
    ax.set_ylabel("precision@1 (%)")
    ax.set_title(f"{dataset}: time vs accuracy (marker area ∝ parameters)")
    ax.grid(alpha=0.3)
    return save_png(fig, path)
