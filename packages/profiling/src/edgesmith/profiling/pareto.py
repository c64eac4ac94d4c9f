"""The Pareto front as a PNG: latency (x) vs task metric (y), the front joined, the chosen variant starred.

matplotlib is imported only here and only when a plot is asked for, so the profiler does not depend on it;
without it :func:`plot_pareto` returns ``None`` and the tables are written anyway.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from edgesmith.profiling.artifacts import atomic_path


def plot_pareto(result: Any, decision: Any, path: str | os.PathLike[str]) -> Path | None:
    """Write the plot of a :class:`MatrixResult` and its :class:`Decision`; ``None`` without matplotlib or
    without any measured row."""
    try:
        import matplotlib
    except ImportError:
        return None
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ok = [r for r in result.rows if r.ok and r.latency_ms is not None and r.metric is not None]
    if not ok:
        return None
    front = {name: i for i, name in enumerate(decision.pareto)}
    fig, ax = plt.subplots(figsize=(7, 4.5), dpi=120)
    for i, r in enumerate(sorted(ok, key=lambda r: r.latency_ms)):
        on_front = r.variant in front
        ax.scatter(
            r.latency_ms,
            r.metric,
            s=60 if on_front else 30,
            c="tab:blue" if on_front else "tab:gray",
            marker="*" if r.variant == decision.chosen else "o",
            edgecolors="k",
            zorder=3,
        )
        ax.annotate(
            f"{r.variant}\n{(r.size_mb or 0):.2f} MB",
            (r.latency_ms, r.metric),
            fontsize=7,
            xytext=(4, (6, -22, 20, -36)[i % 4]),  # neighbours' labels at different heights
            textcoords="offset points",
        )
    pts = sorted((r.latency_ms, r.metric) for r in ok if r.variant in front)
    if len(pts) > 1:
        ax.step([p[0] for p in pts], [p[1] for p in pts], where="post", color="tab:blue", alpha=0.6)
    if decision.chosen:
        ax.set_title(
            f"ship {decision.chosen} ({decision.optimize}, max loss {decision.max_loss:g})", fontsize=9
        )
    ax.set_xscale("log")
    ax.set_xlabel(f"latency at batch {result.batch_size} (ms, log scale)")
    ax.set_ylabel(f"{result.metric_key} ({'higher' if result.higher_is_better else 'lower'} is better)")
    ax.grid(alpha=0.3)
    fig.tight_layout()
    dest = Path(path)
    try:
        with atomic_path(dest) as tmp:
            fig.savefig(tmp, format="png")
    finally:
        plt.close(fig)
    return dest


__all__ = ["plot_pareto"]
