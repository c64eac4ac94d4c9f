"""Plot of int8 error by layer depth (matplotlib, imported only here, only when a plot is asked for)."""

from __future__ import annotations

import io
import os
from pathlib import Path

from edgesmith.quantize.artifact import write_atomic
from edgesmith.quantize.debug import DebugReport
from edgesmith.quantize.errors import MissingDependencyError, OutputPathError


def plot_error_by_depth(report: DebugReport, path: str | os.PathLike) -> Path:
    """Write a PNG: RMSE in int8 steps per layer against depth (log scale), the three worst labelled."""
    out = Path(path)
    if out.suffix.lower() != ".png":
        raise OutputPathError(f"{out}: the plot is a PNG; give a path ending in .png")
    if not out.parent.is_dir():
        raise OutputPathError(f"{out}: directory {out.parent} does not exist; create it first")
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError as exc:
        raise MissingDependencyError(
            "matplotlib is not installed; pip install 'edgesmith-quantize[plot]' for --plot"
        ) from exc
    rows = sorted(report.layers, key=lambda r: r.depth)
    depth = [r.depth for r in rows]
    err = [max(r.rmse_per_scale, 1e-4) for r in rows]
    fig, ax = plt.subplots(figsize=(max(6.0, 0.12 * len(rows)), 3.6), dpi=120)
    ax.bar(depth, err, color="#4c78a8", width=0.8)
    ax.axhline(0.29, color="#999999", lw=0.8, ls="--", label="rounding alone (1/√12 step)")
    for r in report.worst(3):
        ax.annotate(r.layer, (r.depth, max(r.rmse_per_scale, 1e-4)), fontsize=7, rotation=30, ha="left")
    ax.set_yscale("log")
    ax.set_ylim(top=max(err) * 20)
    ax.set_xlabel("layer depth (execution order)")
    ax.set_ylabel("RMSE / scale (int8 steps)")
    ax.set_title(f"{report.model_name}: int8 error by depth ({report.samples} samples)", fontsize=9)
    ax.legend(fontsize=7, loc="upper left")
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    plt.close(fig)
    write_atomic(out, buf.getvalue())
    return out
