"""Measuring one solar model: training epochs, inference latency, accuracy in W/m², largest batch."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from edgesmith.profiling.bench import bench
from edgesmith.profiling.runner import RunnerError
from edgesmith.studies.capacity import probe_largest_batch
from edgesmith.studies.epochs import EpochTiming, time_epochs
from edgesmith.studies.progress import StudyProgress
from edgesmith.studies.solar.config import TEST_SPLIT, VAL_SPLIT, SolarConfig


def load_grid(cfg: SolarConfig) -> Any:
    from edgesmith.datasets import load_oahu_grid, synthetic_sensor_grid

    if cfg.grid:
        return load_oahu_grid(list(cfg.grid))
    return synthetic_sensor_grid(duration_s=cfg.duration_s, seed=cfg.seed)


def errors_wm2(truth_wm2: np.ndarray, pred_wm2: np.ndarray) -> dict[str, float]:
    from edgesmith.profiling.metrics import regression

    m = regression(truth_wm2.ravel(), pred_wm2.ravel())
    return {"mse": m["mse"], "mae": m["mae"], "rmse": float(np.sqrt(m["mse"]))}


def persistence(grid: Any, cfg: SolarConfig, stride: int) -> dict[str, Any]:
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
        "errors": errors_wm2(y[te][ok], now[ok]),
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


def measure(
    cand: _Candidate,
    splits: Any,
    cfg: SolarConfig,
    devices: Sequence[str],
    bar: StudyProgress,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]], np.ndarray]:
    """Training timings, inference timings, capacity probes and test predictions (W/m²) of one model."""
    from edgesmith.datasets.tf_runtime import keras, tf
    from edgesmith.models import train
    from edgesmith.models.runner import KerasRunner

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


def candidates(cfg: SolarConfig, n_features: int, map_shape: tuple[int, int, int] | None) -> list[_Candidate]:
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


def split_info(splits: Any) -> dict[str, Any]:
    return {
        "train": len(splits.train),
        "val": len(splits.val) if splits.val is not None else 0,
        "test": len(splits.test),
        "input": "×".join(str(v) for v in splits.train.x.shape[1:]),
        "test_period": " → ".join(splits.info["periods"]["test"] or []),
    }
