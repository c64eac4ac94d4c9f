"""The solar study's figures: time vs parameters, time vs batch size, the forecast against the truth."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from edgesmith.studies.plots import pyplot, save_png


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
