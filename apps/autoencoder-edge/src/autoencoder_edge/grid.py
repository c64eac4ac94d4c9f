"""The reconstruction picture: originals on the top row, each variant's reconstructions in the rows below."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import numpy as np


def save_grid(
    originals: np.ndarray,
    reconstructions: Mapping[str, np.ndarray],
    path: str | os.PathLike[str],
    n: int = 10,
) -> Path:
    """Write a PNG grid (one column per image, one row per variant) atomically and return its path."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    path = Path(path)
    n = min(n, len(originals), *(len(r) for r in reconstructions.values()))
    if n < 1:
        raise ValueError("no images to draw")
    rows = [("original", originals[:n]), *((name, rec[:n]) for name, rec in reconstructions.items())]
    aspect = originals.shape[2] / originals.shape[1]  # width / height of one image
    size = (1.1 * aspect * n + 1.4, 1.15 * len(rows))
    fig, axes = plt.subplots(len(rows), n, figsize=size, squeeze=False)
    for r, (label, images) in enumerate(rows):
        for c in range(n):
            ax = axes[r][c]
            img = np.clip(np.asarray(images[c], dtype=np.float32), 0.0, 1.0)
            ax.imshow(img[..., 0] if img.shape[-1] == 1 else img, cmap="gray", vmin=0.0, vmax=1.0)
            ax.set_xticks([])
            ax.set_yticks([])
            if c == 0:
                ax.set_ylabel(label, rotation=0, ha="right", va="center", fontsize=8)
    fig.tight_layout()
    tmp = path.with_name(f".{path.name}.tmp.png")
    try:
        fig.savefig(tmp, dpi=100)
        os.replace(tmp, path)
    finally:
        plt.close(fig)
        tmp.unlink(missing_ok=True)
    return path
