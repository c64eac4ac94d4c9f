"""Centre-heatmap box grids (CenterNet style), numpy only: encode labelled boxes, decode a detector's output.

The dense plate detector sees the photo letterboxed into a square (:func:`letterbox`) and predicts, on a
grid of stride :data:`STRIDE`, five channels in [0, 1]: a centre heatmap and the box (centre offset of the
cell, square root of width and height as shares of the input). Training (:func:`encode_boxes`) and inference
(:func:`decode_grid`) share this one definition; the runtime path imports no TensorFlow.
"""

from __future__ import annotations

import dataclasses

import numpy as np
from PIL import Image

STRIDE = 8
"""Input pixels per grid cell."""

OFFSET_RANGE = (-2.0, 3.0)
"""Centre offset (in cells, from a cell's top-left) that the sigmoid channel spans; neighbours of the centre
cell regress the same box, so a peak one or two cells off still decodes the right box."""

PAD_VALUE = 114
"""Grey the letterbox padding is filled with (uint8)."""


@dataclasses.dataclass(frozen=True)
class Letterbox:
    """How a photo was fitted into the square input: ``input = photo * scale`` at the top-left corner."""

    scale: float
    width: int
    height: int


def letterbox(image: Image.Image, size: int) -> tuple[np.ndarray, Letterbox]:
    """``image`` resized to fit a ``size``×``size`` square (aspect kept, grey padding right/bottom), uint8."""
    w, h = image.size
    scale = size / max(w, h)
    nw, nh = max(1, min(size, round(w * scale))), max(1, min(size, round(h * scale)))
    canvas = np.full((size, size, 3), PAD_VALUE, np.uint8)
    rgb = image if image.mode == "RGB" else image.convert("RGB")  # convert() copies even an RGB photo
    canvas[:nh, :nw] = np.asarray(rgb.resize((nw, nh), Image.BILINEAR))
    return canvas, Letterbox(scale, w, h)


def encode_boxes(boxes: np.ndarray, size: int, stride: int = STRIDE) -> np.ndarray:
    """Training target (G, G, 6) for boxes (N, 4) ``x1, y1, x2, y2`` in input pixels; G = size // stride.

    Channels: heatmap (an elliptical Gaussian peaking at 1 on each centre cell), the four box channels
    (what :func:`decode_grid` reads), and a regression weight (the Gaussian where it is ≥ 0.3, else 0).
    """
    g = size // stride
    target = np.zeros((g, g, 6), np.float32)
    owner = np.zeros((g, g), np.float32)
    jj, ii = np.meshgrid(np.arange(g, dtype=np.float32), np.arange(g, dtype=np.float32))
    lo, hi = OFFSET_RANGE
    # big boxes first, so a small plate overlapping a big one keeps its own centre cells
    boxes = np.asarray(boxes, np.float32).reshape(-1, 4)
    order = np.argsort(-(boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1]))
    for x1, y1, x2, y2 in boxes[order]:
        bw, bh = x2 - x1, y2 - y1
        if bw < 1 or bh < 1:
            continue
        cx, cy = (x1 + x2) / 2 / stride, (y1 + y2) / 2 / stride
        ci, cj = min(int(cy), g - 1), min(int(cx), g - 1)
        sx, sy = max(0.6, bw / stride / 6), max(0.6, bh / stride / 6)
        gauss = np.exp(-((jj - cj) ** 2 / (2 * sx * sx) + (ii - ci) ** 2 / (2 * sy * sy)))
        target[..., 0] = np.maximum(target[..., 0], gauss)
        take = (gauss >= 0.3) & (gauss >= owner)
        owner = np.where(take, gauss, owner)
        target[..., 1] = np.where(take, np.clip((cx - jj - lo) / (hi - lo), 0, 1), target[..., 1])
        target[..., 2] = np.where(take, np.clip((cy - ii - lo) / (hi - lo), 0, 1), target[..., 2])
        target[..., 3] = np.where(take, np.sqrt(min(bw / size, 1.0)), target[..., 3])
        target[..., 4] = np.where(take, np.sqrt(min(bh / size, 1.0)), target[..., 4])
        target[ci, cj, 0] = 1.0
    target[..., 5] = owner
    return target


def box_iou_matrix(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """IoU of every box in ``a`` (N, 4) with every box in ``b`` (M, 4), corners ``x1, y1, x2, y2``."""
    a = np.asarray(a, np.float64).reshape(-1, 4)[:, None]
    b = np.asarray(b, np.float64).reshape(-1, 4)[None]
    iw = np.clip(np.minimum(a[..., 2], b[..., 2]) - np.maximum(a[..., 0], b[..., 0]), 0, None)
    ih = np.clip(np.minimum(a[..., 3], b[..., 3]) - np.maximum(a[..., 1], b[..., 1]), 0, None)
    inter = iw * ih
    area = lambda x: np.clip(x[..., 2] - x[..., 0], 0, None) * np.clip(x[..., 3] - x[..., 1], 0, None)  # noqa: E731
    return inter / np.maximum(area(a) + area(b) - inter, 1e-9)


def decode_grid(
    grid: np.ndarray,
    fit: Letterbox | None = None,
    threshold: float = 0.3,
    max_boxes: int = 20,
    nms_iou: float = 0.3,
    stride: int = STRIDE,
) -> tuple[np.ndarray, np.ndarray]:
    """Boxes (K, 4) in photo pixels (``x1, y1, x2, y2``, float) and scores (K,) from one output (G, G, 5).

    Peaks of the heatmap (3×3 local maxima above ``threshold``), best first, box-NMS'd at ``nms_iou``,
    mapped back through the letterbox ``fit`` and clipped to the photo; empty or inverted boxes are dropped.
    """
    grid = np.asarray(grid, np.float32).reshape(grid.shape[-3:])
    g_w = grid.shape[1]
    size = g_w * stride
    heat = grid[..., 0]
    padded = np.pad(heat, 1, constant_values=-1.0)
    rows = np.maximum(np.maximum(padded[:, :-2], padded[:, 1:-1]), padded[:, 2:])  # 3x3 max, separably:
    around = np.maximum(np.maximum(rows[:-2], rows[1:-1]), rows[2:])  # a fifth of a windowed max's time
    peaks = (heat >= around) & (heat > threshold)
    ii, jj = np.nonzero(peaks)
    scores = heat[ii, jj]
    order = np.argsort(-scores, kind="stable")[: max_boxes * 4]
    ii, jj, scores = ii[order], jj[order], scores[order]
    lo, hi = OFFSET_RANGE
    cell = grid[ii, jj]
    cx = (jj + lo + cell[:, 1] * (hi - lo)) * stride
    cy = (ii + lo + cell[:, 2] * (hi - lo)) * stride
    bw, bh = cell[:, 3] ** 2 * size, cell[:, 4] ** 2 * size
    boxes = np.stack([cx - bw / 2, cy - bh / 2, cx + bw / 2, cy + bh / 2], axis=1).astype(np.float64)
    if fit is not None:
        boxes /= fit.scale
        limit = np.array([fit.width, fit.height, fit.width, fit.height], np.float64)
    else:
        limit = np.array([size, size, size, size], np.float64)
    boxes = np.clip(boxes, 0, limit)
    ok = ((boxes[:, 2] - boxes[:, 0]) >= 2) & ((boxes[:, 3] - boxes[:, 1]) >= 2)
    return nms(boxes[ok], scores[ok], nms_iou, max_boxes)


def nms(
    boxes: np.ndarray, scores: np.ndarray, iou: float = 0.3, max_boxes: int = 20
) -> tuple[np.ndarray, np.ndarray]:
    """Greedy non-maximum suppression in the given order (best first): a box overlapping a kept one by
    more than ``iou`` is dropped; at most ``max_boxes`` kept."""
    boxes = np.asarray(boxes, np.float64).reshape(-1, 4)
    scores = np.asarray(scores, np.float32).reshape(-1)
    keep: list[int] = []
    if len(boxes):
        overlap = box_iou_matrix(boxes, boxes)
        for k in range(len(boxes)):
            if all(overlap[k, j] <= iou for j in keep):
                keep.append(k)
            if len(keep) == max_boxes:
                break
    return boxes[keep], scores[keep]


def tile_origins(extent: int, tile: int, overlap: int) -> list[int]:
    """Start offsets of tiles of side ``tile`` covering ``0..extent`` with at least ``overlap`` pixels
    shared by neighbours (evenly spread, the last flush with the end), so any object up to ``overlap``
    wide lies whole inside some tile. One tile at 0 when ``extent <= tile``."""
    if extent <= tile:
        return [0]
    if overlap >= tile:
        raise ValueError(f"overlap {overlap} must be smaller than the tile {tile}")
    n = int(np.ceil((extent - tile) / (tile - overlap))) + 1
    return [round(v) for v in np.linspace(0, extent - tile, n)]


__all__ = [
    "OFFSET_RANGE",
    "PAD_VALUE",
    "STRIDE",
    "Letterbox",
    "box_iou_matrix",
    "decode_grid",
    "encode_boxes",
    "letterbox",
    "nms",
    "tile_origins",
]
