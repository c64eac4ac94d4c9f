"""The solar study as a study: training and inference time of solar-forecast MLPs and the map CNN, per device.

Data: the Oahu 1-second grid when its CSVs are given, else the pvlib-based 50-sensor stand-in of
:mod:`edgesmith.datasets`; chronological train/val/test, scaling fitted on train only. Models: Table 3.1's
pyramidal MLPs (those up to ``max_params`` by default, all 30 with ``max_params=None``), Table 3.2's map
CNN and a persistence baseline. Per model and device: one-epoch training time after one warm-up epoch,
``repeats`` times (median and spread), step time and the linearity check t_epoch / (t_step · N_steps),
inference latency at several batch sizes, MSE/MAE/RMSE in W/m² after ``fit_epochs`` of training, and the
largest inference batch that fits. Timings come from :mod:`.epochs` (the training timer of
:mod:`edgesmith.profiling.training`) and :func:`~edgesmith.profiling.bench.bench`.
"""

from __future__ import annotations

import dataclasses
import json
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from edgesmith.profiling.artifacts import atomic_write
from edgesmith.profiling.bench import bench
from edgesmith.profiling.runner import RunnerError
from edgesmith.profiling.studies.capacity import probe_largest_batch
from edgesmith.profiling.studies.epochs import EpochTiming, time_epochs
from edgesmith.profiling.studies.plots import pyplot, save_png
from edgesmith.profiling.studies.progress import StudyProgress
from edgesmith.profiling.studies.provenance import Provenance
from edgesmith.profiling.studies.tables import csv_text, markdown_table

VAL_SPLIT, TEST_SPLIT = 0.1, 0.2


@dataclasses.dataclass
class SolarConfig:
    """What the solar study measures; the defaults finish offline on 2 CPU cores in a few minutes."""

    grid: tuple[str, ...] = ()  # Oahu grid CSV files or folders; empty = synthetic pvlib grid
    duration_s: int = 3600  # length of the synthetic grid (seconds at 1 Hz)
    target: str | int = 0  # sensor to forecast (column name or index)
    horizon_s: int = 10
    max_params: int | None = 1_000_000  # MLPs above this are skipped; None = all 30 of Table 3.1
    mlp_batch_sizes: tuple[int, ...] = (100, 500, 1000)
    mlp_fit_batch: int = 100
    cnn: bool = True
    map_size: int = 50
    map_stride: int = 3  # keep every k-th second for the CNN's maps (memory and time)
    cnn_batch_sizes: tuple[int, ...] = (2, 32, 256, 1024)
    cnn_fit_batch: int = 32
    fit_epochs: int = 10  # the solar study trained one epoch, on far more data than the default grid holds
    repeats: int = 3  # timed epochs per batch size after one warm-up epoch
    inference_sizes: tuple[int, ...] = (2, 64, 512, 1024)
    inference_warmup: int = 3
    inference_runs: int = 10
    probe_max_batch: int = 8192
    devices: tuple[str, ...] | None = None  # default: the CPU, plus the GPU when TensorFlow sees one
    seed: int = 0
    forecast_window_s: int = 300

    def check(self) -> None:
        """Reject settings that cannot produce a measurement, with a one-line reason."""
        for name in ("duration_s", "horizon_s", "mlp_fit_batch", "map_size", "map_stride", "cnn_fit_batch"):
            if int(getattr(self, name)) < 1:
                raise RunnerError(f"{name} must be >= 1, got {getattr(self, name)}")
        if self.fit_epochs < 1 or self.repeats < 1 or self.inference_runs < 1 or self.probe_max_batch < 1:
            raise RunnerError("fit epochs, repeats, inference runs and the probe bound must be >= 1")
        for name in ("mlp_batch_sizes", "cnn_batch_sizes", "inference_sizes"):
            values = getattr(self, name)
            if not values or any(int(v) < 1 for v in values):
                raise RunnerError(f"{name} must be positive integers, got {list(values)}")
        if self.max_params is not None and self.max_params < 1:
            raise RunnerError(f"max_params must be >= 1 (or None for all 30 MLPs), got {self.max_params}")


@dataclasses.dataclass
class SolarStudy:
    """Every table of the study as lists of flat records, plus provenance and notes."""

    config: SolarConfig
    provenance: Provenance
    data: dict[str, Any]
    accuracy: list[dict[str, Any]]
    training: list[dict[str, Any]]
    inference: list[dict[str, Any]]
    capacity: list[dict[str, Any]]
    speedups: list[dict[str, Any]]
    notes: list[str]
    forecast: dict[str, Any]
    wall_s: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        d = dataclasses.asdict(self)
        d["provenance"] = self.provenance.to_dict()
        d["wide_vs_deep"] = self.wide_vs_deep()
        d.pop("forecast")
        return d

    def to_json(self, path: str | os.PathLike[str] | None = None) -> str:
        text = json.dumps(self.to_dict(), indent=2, default=str)
        if path is not None:
            atomic_write(path, text)
        return text

    def wide_vs_deep(self) -> list[dict[str, Any]]:
        """Each deeper MLP beside the one-hidden-layer MLP nearest in parameters, at the same device/batch."""
        rows = [r for r in self.training if r["kind"] == "mlp"]
        out = []
        for deep in (r for r in rows if r["depth"] > 1):
            wide = [
                r
                for r in rows
                if r["depth"] == 1 and r["device"] == deep["device"] and r["batch_size"] == deep["batch_size"]
            ]
            if not wide:
                continue
            w = min(wide, key=lambda r: abs(np.log(r["params"] / deep["params"])))
            out.append(
                {
                    "device": deep["device"],
                    "batch_size": deep["batch_size"],
                    "deep": deep["model"],
                    "deep_params": deep["params"],
                    "deep_epoch_s": deep["epoch_median_s"],
                    "wide": w["model"],
                    "wide_params": w["params"],
                    "wide_epoch_s": w["epoch_median_s"],
                    "deep_over_wide": deep["epoch_median_s"] / w["epoch_median_s"],
                }
            )
        return out

    def to_markdown(self) -> str:
        c = self.config
        d = self.data
        parts = [
            "# Solar forecast: training and inference time per device (the solar study)\n",
            f"Forecast of sensor `{d['target']}` {c.horizon_s} s ahead from {d['features']} other sensors "
            f"({d['source']} data). {len(self.accuracy) - 2} models, devices: {', '.join(d['devices'])}. "
            f"Study wall time {self.wall_s:.0f} s.\n",
            *[f"> {n}\n" for n in self.notes],
            self.provenance.to_markdown(),
            "## Data\n",
            markdown_table(
                [
                    {"layout": k, **v}
                    for k, v in d["splits"].items()  # windows (MLP) and maps (CNN)
                ],
                [
                    ("layout", "layout", None),
                    ("train", "train", "d"),
                    ("val", "val", "d"),
                    ("test", "test", "d"),
                    ("input", "input shape", None),
                    ("test_period", "test period", None),
                ],
            ),
            f"\nChronological split {1 - VAL_SPLIT - TEST_SPLIT:.0%} / {VAL_SPLIT:.0%} / {TEST_SPLIT:.0%}; "
            "standardisation fitted on the training split only; errors below are in W/m².\n",
            "## Test error after "
            f"{c.fit_epochs} epoch(s) (MLP batch {c.mlp_fit_batch}, CNN batch {c.cnn_fit_batch})\n",
            "The solar study trained one epoch on months of 1 s data; a short grid needs more epochs.\n",
            markdown_table(
                self.accuracy,
                [
                    ("model", "model", None),
                    ("params", "parameters", ","),
                    ("mse", "MSE (W/m²)²", ".1f"),
                    ("mae", "MAE W/m²", ".2f"),
                    ("rmse", "RMSE W/m²", ".2f"),
                    ("skill", "skill vs persistence", ".3f"),
                ],
            ),
            "\nSkill = 1 − RMSE / RMSE(persistence on the same test samples); > 0 beats persistence.\n",
            "## One-epoch training time\n",
            f"One warm-up epoch (graph tracing), then {c.repeats} timed epoch(s): median and min–max. "
            "Step ms = median step of the timed epochs; linearity = t_epoch / (t_step · N_steps), ≈ 1 when "
            "the epoch is just its steps.\n\n",
            markdown_table(
                self.training,
                [
                    ("model", "model", None),
                    ("params", "parameters", ","),
                    ("device", "device", None),
                    ("batch_size", "batch", "d"),
                    ("steps", "steps", "d"),
                    ("warmup_epoch_s", "warm-up epoch s", ".3f"),
                    ("epoch_median_s", "epoch s (median)", ".3f"),
                    ("epoch_spread", "min–max s", None),
                    ("step_ms", "step ms", ".3f"),
                    ("linearity", "linearity", ".3f"),
                    ("samples_per_s", "samples/s", ",.0f"),
                ],
            ),
            "\n## Wide vs deep\n",
            "Each deeper MLP next to the single-hidden-layer MLP closest in parameter count.\n\n",
            markdown_table(
                self.wide_vs_deep(),
                [
                    ("device", "device", None),
                    ("batch_size", "batch", "d"),
                    ("deep", "deep", None),
                    ("deep_params", "params", ","),
                    ("deep_epoch_s", "epoch s", ".3f"),
                    ("wide", "wide", None),
                    ("wide_params", "params", ","),
                    ("wide_epoch_s", "epoch s", ".3f"),
                    ("deep_over_wide", "deep / wide", ".2f"),
                ],
            ),
            "\n## Inference time\n",
            f"{c.inference_warmup} warm-up calls, then {c.inference_runs} timed calls per batch size.\n\n",
            markdown_table(
                self.inference,
                [
                    ("model", "model", None),
                    ("device", "device", None),
                    ("batch_size", "samples", "d"),
                    ("p50_ms", "p50 ms", ".3f"),
                    ("mean_ms", "mean ms", ".3f"),
                    ("std_ms", "std ms", ".3f"),
                    ("per_sample_ms", "ms/sample (p50)", ".4f"),
                    ("error", "error", None),
                ],
            ),
            "\n## Largest inference batch that fits\n",
            f"Doubling from the largest inference batch up to {c.probe_max_batch}.\n\n",
            markdown_table(
                self.capacity,
                [
                    ("model", "model", None),
                    ("device", "device", None),
                    ("largest_batch", "largest batch", "d"),
                    ("activation_mb_per_sample", "activations MB/sample", ".3f"),
                    ("stopped_by", "probe stopped by", None),
                ],
            ),
            "\n## CPU vs GPU\n",
        ]
        if self.speedups:
            parts.append(
                markdown_table(
                    self.speedups,
                    [
                        ("model", "model", None),
                        ("batch_size", "batch", "d"),
                        ("cpu_epoch_s", "CPU epoch s", ".3f"),
                        ("gpu_epoch_s", "GPU epoch s", ".3f"),
                        ("speedup", "GPU speed-up", ".2f"),
                    ],
                )
            )
        else:
            parts.append("No GPU visible to TensorFlow on this host: the speed-up was not measured.\n")
        parts += [
            "\n## Plots\n",
            "![training time vs parameters](time_vs_params.png)\n",
            "![time vs batch size](time_vs_batch.png)\n",
            "![forecast vs truth](forecast.png)\n",
        ]
        return "\n".join(parts)

    def write(self, out_dir: str | os.PathLike[str]) -> list[Path]:
        """report.md, study.json, accuracy/training/inference/capacity CSVs and three PNG plots."""
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        paths = []
        for name, rows in (
            ("accuracy", self.accuracy),
            ("training", self.training),
            ("inference", self.inference),
            ("capacity", self.capacity),
            ("wide_vs_deep", self.wide_vs_deep()),
        ):
            atomic_write(out / f"{name}.csv", csv_text(rows))
            paths.append(out / f"{name}.csv")
        paths.append(plot_time_vs_params(self.training, out / "time_vs_params.png"))
        paths.append(plot_time_vs_batch(self.training, self.inference, out / "time_vs_batch.png"))
        paths.append(plot_forecast(self.forecast, out / "forecast.png"))
        self.to_json(out / "study.json")
        atomic_write(out / "report.md", self.to_markdown())
        return [*paths, out / "study.json", out / "report.md"]


def _load_grid(cfg: SolarConfig) -> Any:
    from edgesmith.datasets import load_oahu_grid, synthetic_sensor_grid

    if cfg.grid:
        return load_oahu_grid(list(cfg.grid))
    return synthetic_sensor_grid(duration_s=cfg.duration_s, seed=cfg.seed)


def _errors(truth_wm2: np.ndarray, pred_wm2: np.ndarray) -> dict[str, float]:
    from edgesmith.profiling.metrics import regression

    m = regression(truth_wm2.ravel(), pred_wm2.ravel())
    return {"mse": m["mse"], "mae": m["mae"], "rmse": float(np.sqrt(m["mse"]))}


def _persistence(grid: Any, cfg: SolarConfig, stride: int) -> dict[str, Any]:
    """Persistence forecast (the target's value now) on the test samples of a layout with ``stride``."""
    from edgesmith.datasets.arrays import split_indices
    from edgesmith.datasets.solar_samples import aligned_samples

    _, y, times, _, name = aligned_samples(grid, cfg.target, cfg.horizon_s, 1, stride)
    _, _, te = split_indices(len(y), VAL_SPLIT, TEST_SPLIT, seed=None)
    now = grid[name].reindex(times[te]).to_numpy(dtype=np.float64)
    ok = ~np.isnan(now)
    return {
        "times": times[te],
        "truth": y[te].astype(np.float64),
        "pred": np.where(ok, now, y[te]),
        "errors": _errors(y[te][ok], now[ok]),
    }


def _timing_row(t: EpochTiming, name: str, kind: str, depth: int, params: int) -> dict[str, Any]:
    timed = np.asarray(t.epoch_s, dtype=np.float64)
    median = float(np.median(timed))
    return {
        "model": name,
        "kind": kind,
        "depth": depth,
        "params": params,
        "device": t.device,
        "batch_size": t.batch_size,
        "samples": t.samples,
        "steps": t.steps,
        "warmup_epoch_s": t.warmup_epoch_s,
        "epoch_median_s": median,
        "epoch_min_s": float(timed.min()),
        "epoch_max_s": float(timed.max()),
        "epoch_spread": f"{timed.min():.3f}–{timed.max():.3f}",
        "repeats": len(timed),
        "step_ms": t.median_step_ms,
        "linearity": t.linearity,
        "samples_per_s": t.samples / median,
    }


@dataclasses.dataclass
class _Candidate:
    name: str
    kind: str
    depth: int
    params: int
    build: Callable[[], Any]
    batch_sizes: tuple[int, ...]
    fit_batch: int


def _measure(
    cand: _Candidate,
    splits: Any,
    cfg: SolarConfig,
    devices: Sequence[str],
    bar: StudyProgress,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]], np.ndarray]:
    """Training timings, inference timings, capacity probes and test predictions (W/m²) of one model."""
    from edgesmith.datasets.tf_runtime import keras, tf
    from edgesmith.models import train
    from edgesmith.profiling.keras_runner import KerasRunner

    keras.backend.clear_session()
    keras.utils.set_random_seed(cfg.seed)
    model = cand.build()
    xtr, ytr = splits.train.x, splits.train.y
    xte = splits.test.x
    training: list[dict[str, Any]] = []
    for b in cand.batch_sizes:
        for device in devices:
            bar.label(f"{cand.name} train batch {b} on {device}")
            t = time_epochs(model, xtr, ytr, b, cfg.repeats, device, seed=cfg.seed)
            training.append(_timing_row(t, cand.name, cand.kind, cand.depth, cand.params))
        bar.advance()
    bar.label(f"{cand.name} fit {cfg.fit_epochs} epoch(s)")
    train(
        model,
        splits.train,
        splits.val,
        epochs=cfg.fit_epochs,
        batch_size=cand.fit_batch,
        progress=False,
        loss="mse",
        seed=cfg.seed,
    )
    pred = splits.info["scaler"].inverse_y(model.predict(xte, batch_size=256, verbose=0))
    bar.advance()
    inference, capacity = [], []
    for device in devices:
        bar.label(f"{cand.name} inference on {device}")
        runner = KerasRunner(cand.name, model=model, device=device)
        try:
            for b in cfg.inference_sizes:
                row: dict[str, Any] = {"model": cand.name, "kind": cand.kind, "params": cand.params}
                row |= {"device": device, "batch_size": b}
                try:
                    s = bench(
                        runner,
                        (b,),
                        warmup=cfg.inference_warmup,
                        runs=cfg.inference_runs,
                        inputs=xte,
                        keep_active=True,
                    ).stats()
                    row |= {
                        "runs": s.runs,
                        "p50_ms": s.p50_ms,
                        "mean_ms": s.mean_ms,
                        "std_ms": s.std_ms,
                        "min_ms": s.min_ms,
                        "max_ms": s.max_ms,
                        "per_sample_ms": s.p50_ms / b,
                        "samples_per_s": 1000.0 * b / s.p50_ms,
                    }
                except (RunnerError, tf.errors.ResourceExhaustedError) as exc:
                    row["error"] = str(exc).splitlines()[0]
                inference.append(row)
            probe = probe_largest_batch(runner, model, xte, 2 * max(cfg.inference_sizes), cfg.probe_max_batch)
            largest = probe.largest_batch or max(
                (r["batch_size"] for r in inference if r["device"] == device and "error" not in r), default=0
            )
            capacity.append({**dataclasses.asdict(probe), "largest_batch": largest})
        finally:
            runner.deactivate()
        bar.advance()
    return training, inference, capacity, pred.ravel()


def _candidates(
    cfg: SolarConfig, n_features: int, map_shape: tuple[int, int, int] | None
) -> list[_Candidate]:
    from edgesmith.models import count_params, solar_map_cnn, solar_mlp_family

    out = [
        _Candidate(
            spec.name,
            "mlp",
            len(spec.hidden),
            spec.params,
            spec.build,
            tuple(cfg.mlp_batch_sizes),
            cfg.mlp_fit_batch,
        )
        for spec in solar_mlp_family(input_dim=n_features)
        if cfg.max_params is None or spec.params <= cfg.max_params
    ]
    if map_shape is not None:

        def build_cnn() -> Any:
            return solar_map_cnn(map_shape)

        out.append(
            _Candidate(
                "map_cnn",
                "cnn",
                2,
                count_params(build_cnn()),
                build_cnn,
                tuple(cfg.cnn_batch_sizes),
                cfg.cnn_fit_batch,
            )
        )
    return out


def _split_info(splits: Any) -> dict[str, Any]:
    return {
        "train": len(splits.train),
        "val": len(splits.val) if splits.val is not None else 0,
        "test": len(splits.test),
        "input": "×".join(str(v) for v in splits.train.x.shape[1:]),
        "test_period": " → ".join(splits.info["periods"]["test"] or []),
    }


def run_solar_study(
    config: SolarConfig | None = None, command: str | None = None, progress: bool = False
) -> SolarStudy:
    """Run the solar study's measurements on this host; ``command`` is recorded as the one that ran it."""
    from time import perf_counter

    from edgesmith.datasets import solar_maps, solar_windows
    from edgesmith.profiling.training import available_devices

    t0 = perf_counter()
    cfg = config or SolarConfig()
    cfg.check()
    devices = list(cfg.devices or available_devices())
    grid = _load_grid(cfg)
    windows = solar_windows(grid, cfg.target, cfg.horizon_s, val_split=VAL_SPLIT, test_split=TEST_SPLIT)
    maps = (
        solar_maps(
            grid,
            cfg.target,
            cfg.horizon_s,
            size=cfg.map_size,
            stride=cfg.map_stride,
            val_split=VAL_SPLIT,
            test_split=TEST_SPLIT,
        )
        if cfg.cnn
        else None
    )
    cands = _candidates(cfg, windows.train.x.shape[1], maps.train.x.shape[1:] if maps is not None else None)
    if not [c for c in cands if c.kind == "mlp"]:
        raise RunnerError(f"no Table 3.1 MLP has at most {cfg.max_params:,} parameters; raise --max-params")
    persist = {"windows": _persistence(grid, cfg, 1)}
    if maps is not None:
        persist["maps"] = _persistence(grid, cfg, cfg.map_stride)
    data = {
        "source": grid.attrs.get("source", "grid"),
        "sensors": int(grid.shape[1]),
        "features": int(windows.train.x.shape[1]),
        "seconds": len(grid),
        "target": windows.info["target"],
        "horizon_s": cfg.horizon_s,
        "devices": devices,
        "splits": {"windows (MLP)": _split_info(windows)}
        | ({"maps (CNN)": _split_info(maps)} if maps is not None else {}),
    }
    prov = Provenance.capture(
        command,
        {"seed": cfg.seed, "grid_seed": cfg.seed if not cfg.grid else -1},
        {
            "grid": ", ".join(cfg.grid) if cfg.grid else f"synthetic pvlib grid, {cfg.duration_s} s",
            "target": data["target"],
            "horizon_s": cfg.horizon_s,
        },
    )
    notes = []
    if "gpu" not in devices:
        notes.append(
            "TensorFlow sees no GPU on this host: every timing is CPU-only and no speed-up is given."
        )
    if cfg.max_params is not None:
        skipped = 30 - sum(c.kind == "mlp" for c in cands)
        if skipped:
            notes.append(
                f"{skipped} of Table 3.1's 30 MLPs exceed {cfg.max_params:,} parameters and were skipped "
                "(--all-models runs them all)."
            )
    accuracy = [
        {"model": f"persistence ({k})", "params": 0, **v["errors"], "skill": 0.0} for k, v in persist.items()
    ]
    training, inference, capacity, preds = [], [], [], {}
    steps = sum(len(c.batch_sizes) + 1 + len(devices) for c in cands)
    with StudyProgress(progress, steps, "solar study") as bar:
        for cand in cands:
            tr, inf, cap, pred = _measure(cand, maps if cand.kind == "cnn" else windows, cfg, devices, bar)
            training += tr
            inference += inf
            capacity += cap
            ref = persist["maps" if cand.kind == "cnn" else "windows"]
            errors = _errors(ref["truth"], pred)
            accuracy.append(
                {
                    "model": cand.name,
                    "params": cand.params,
                    **errors,
                    "skill": 1.0 - errors["rmse"] / ref["errors"]["rmse"],
                }
            )
            preds[cand.name] = pred
    speedups = []
    by = {(r["model"], r["batch_size"], r["device"]): r for r in training}
    for (model, b, device), r in by.items():
        if device == "gpu" and (model, b, "cpu") in by:
            cpu = by[(model, b, "cpu")]["epoch_median_s"]
            speedups.append(
                {
                    "model": model,
                    "batch_size": b,
                    "cpu_epoch_s": cpu,
                    "gpu_epoch_s": r["epoch_median_s"],
                    "speedup": cpu / r["epoch_median_s"],
                }
            )
    mlps = [a for a in accuracy if a["model"] in preds and a["model"] != "map_cnn"]
    best = min(mlps, key=lambda a: a["rmse"])["model"]
    forecast = {
        "window_s": cfg.forecast_window_s,
        "persistence": persist["windows"],
        "best_mlp": (best, preds[best]),
        "cnn": (persist["maps"], preds["map_cnn"]) if "map_cnn" in preds else None,
        "target": data["target"],
        "horizon_s": cfg.horizon_s,
    }
    return SolarStudy(
        cfg,
        prov,
        data,
        accuracy,
        training,
        inference,
        capacity,
        speedups,
        notes,
        forecast,
        perf_counter() - t0,
    )


def plot_time_vs_params(training: Sequence[dict[str, Any]], path: str | os.PathLike[str]) -> Path:
    """Median one-epoch time against parameters, one panel per device; colour = depth, marker = batch."""
    plt = pyplot()
    devices = sorted({r["device"] for r in training})
    fig, axes = plt.subplots(1, len(devices), figsize=(6.5 * len(devices), 4.5), dpi=110, squeeze=False)
    markers = "os^Dvx*"
    colors = {1: "tab:blue", 2: "tab:orange", 3: "tab:green"}
    for ax, device in zip(axes[0], devices, strict=True):
        rows = [r for r in training if r["device"] == device]
        mlp_batches = sorted({r["batch_size"] for r in rows if r["kind"] == "mlp"})
        for depth in (1, 2, 3):
            for i, b in enumerate(mlp_batches):
                pts = sorted(
                    (r["params"], r["epoch_median_s"])
                    for r in rows
                    if r["kind"] == "mlp" and r["depth"] == depth and r["batch_size"] == b
                )
                if pts:
                    ax.plot(
                        *zip(*pts, strict=True),
                        marker=markers[i % len(markers)],
                        color=colors[depth],
                        alpha=0.85,
                        label=f"MLP {depth} hidden, batch {b}",
                    )
        for r in (r for r in rows if r["kind"] == "cnn"):
            ax.scatter(r["params"], r["epoch_median_s"], marker="*", s=120, color="tab:red", zorder=3)
            ax.annotate(f"CNN b{r['batch_size']}", (r["params"], r["epoch_median_s"]), fontsize=7)
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("parameters")
        ax.set_ylabel("one-epoch training time (s, median)")
        ax.set_title(f"{device}: training time vs parameters (wide vs deep)")
        ax.grid(alpha=0.3, which="both")
        ax.legend(fontsize=6)
    return save_png(fig, path)


def plot_time_vs_batch(
    training: Sequence[dict[str, Any]], inference: Sequence[dict[str, Any]], path: str | os.PathLike[str]
) -> Path:
    """Left: epoch time vs training batch size; right: inference ms/sample vs samples; one line per model."""
    plt = pyplot()
    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4.5), dpi=110)
    ok = [r for r in inference if "error" not in r]
    for ax, rows_all, key in ((left, training, "epoch_median_s"), (right, ok, "per_sample_ms")):
        for (model, device), rows in _group(rows_all, ("model", "device")).items():
            pts = sorted((r["batch_size"], r[key]) for r in rows)
            style = {"lw": 2.5, "color": "k"} if rows[0]["kind"] == "cnn" else {"lw": 0.8, "alpha": 0.6}
            ax.plot(*zip(*pts, strict=True), marker="o", label=f"{model} ({device})", **style)
    for ax, xl, yl, title in (
        (left, "training batch size", "one-epoch time (s, median)", "training time vs batch size"),
        (right, "samples per inference call", "ms per sample (p50)", "inference time vs batch size"),
    ):
        ax.set_xscale("log", base=2)
        ax.set_yscale("log")
        ax.set_xlabel(xl)
        ax.set_ylabel(yl)
        ax.set_title(title)
        ax.grid(alpha=0.3, which="both")
        ax.legend(fontsize=5, ncol=2)
    return save_png(fig, path)


def _group(
    rows: Sequence[dict[str, Any]], keys: tuple[str, ...]
) -> dict[tuple[Any, ...], list[dict[str, Any]]]:
    out: dict[tuple[Any, ...], list[dict[str, Any]]] = {}
    for r in rows:
        out.setdefault(tuple(r[k] for k in keys), []).append(r)
    return out


def _seconds_since(times: Any, t0: Any) -> np.ndarray:
    """Seconds from ``t0`` for a DatetimeIndex or a numeric index in seconds."""
    import pandas as pd

    delta = pd.Index(times) - t0
    if isinstance(delta, pd.TimedeltaIndex):
        return np.asarray(delta.total_seconds(), dtype=np.float64)
    return np.asarray(delta, dtype=np.float64)


def plot_forecast(forecast: dict[str, Any], path: str | os.PathLike[str]) -> Path:
    """Truth, persistence, the best MLP and the CNN over the first ``window_s`` seconds of the test set."""
    plt = pyplot()
    p = forecast["persistence"]
    times = p["times"]
    t_first = times[0]
    window = _seconds_since(times, t_first)
    keep = window <= forecast["window_s"]
    fig, ax = plt.subplots(figsize=(10, 4), dpi=110)
    ax.plot(window[keep], p["truth"][keep], color="k", lw=1.5, label="truth")
    ax.plot(window[keep], p["pred"][keep], color="tab:gray", lw=1, ls="--", label="persistence")
    name, pred = forecast["best_mlp"]
    ax.plot(window[keep], pred[keep], color="tab:blue", lw=1, label=f"MLP {name}")
    if forecast["cnn"] is not None:
        mp, cnn_pred = forecast["cnn"]
        cw = _seconds_since(mp["times"], t_first)
        ck = cw <= forecast["window_s"]
        ax.plot(cw[ck], cnn_pred[ck], color="tab:red", lw=1, marker=".", ms=3, label="map CNN")
    ax.set_xlabel(f"seconds from the start of the test set ({t_first})")
    ax.set_ylabel("irradiance (W/m²)")
    ax.set_title(f"sensor {forecast['target']}: {forecast['horizon_s']} s-ahead forecast vs truth")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    return save_png(fig, path)
