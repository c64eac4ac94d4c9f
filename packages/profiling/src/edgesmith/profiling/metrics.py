"""Task metrics that judge a model's predictions: accuracy, box IoU (% IoU > 0.5, mean IoU), MAE/MSE.

Each metric takes ``(y_true, y_pred)`` numpy arrays and returns a dict of named floats; the
:data:`METRICS` table gives each one a name, its headline value and whether higher is better, so the
matrix and the apps can pick one by name::

    from edgesmith.profiling.metrics import METRICS, box_iou
    METRICS["iou"].compute(boxes_true, boxes_pred)   # {"pct_iou_gt_0.5": 78.2, "mean_iou": 0.61}
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import numpy as np


def _labels(y_true: np.ndarray) -> np.ndarray:
    y = np.asarray(y_true)
    if y.ndim > 1 and y.shape[-1] > 1:  # one-hot
        return y.argmax(-1)
    return y.reshape(len(y)).astype(np.int64)


def predicted_classes(y_pred: np.ndarray, threshold: float = 0.5) -> np.ndarray:
    """Class ids from model outputs: argmax for several outputs, ``> threshold`` for one sigmoid output."""
    p = np.asarray(y_pred, dtype=np.float64)
    if p.ndim > 1 and p.shape[-1] > 1:
        return p.argmax(-1)
    return (p.reshape(len(p)) > threshold).astype(np.int64)


def accuracy(y_true: np.ndarray, y_pred: np.ndarray, threshold: float = 0.5) -> dict[str, float]:
    """Top-1 accuracy in % (binary sigmoid output thresholded at ``threshold``; use 0.0 for logits)."""
    t, p = _labels(y_true), predicted_classes(y_pred, threshold)
    if len(t) != len(p):
        raise ValueError(f"{len(t)} labels but {len(p)} predictions")
    return {"accuracy": float(100.0 * np.mean(t == p))}


def box_iou(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Per-row IoU of boxes given as (x1, y1, x2, y2); swapped corners are reordered, empty boxes give 0."""
    a = np.asarray(a, dtype=np.float64).reshape(-1, 4)
    b = np.asarray(b, dtype=np.float64).reshape(-1, 4)
    if a.shape != b.shape:
        raise ValueError(f"box arrays differ in shape: {a.shape} vs {b.shape}")
    a = np.concatenate([np.minimum(a[:, :2], a[:, 2:]), np.maximum(a[:, :2], a[:, 2:])], axis=1)
    b = np.concatenate([np.minimum(b[:, :2], b[:, 2:]), np.maximum(b[:, :2], b[:, 2:])], axis=1)
    iw = np.clip(np.minimum(a[:, 2], b[:, 2]) - np.maximum(a[:, 0], b[:, 0]), 0, None)
    ih = np.clip(np.minimum(a[:, 3], b[:, 3]) - np.maximum(a[:, 1], b[:, 1]), 0, None)
    inter = iw * ih
    union = (a[:, 2] - a[:, 0]) * (a[:, 3] - a[:, 1]) + (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1]) - inter
    return np.divide(inter, union, out=np.zeros_like(inter), where=union > 0)


def iou(y_true: np.ndarray, y_pred: np.ndarray, threshold: float = 0.5) -> dict[str, float]:
    """Document 001's box metric: % of predictions with IoU > ``threshold``, and the mean IoU."""
    v = box_iou(y_true, y_pred)
    return {"pct_iou_gt_0.5": float(100.0 * np.mean(v > threshold)), "mean_iou": float(v.mean())}


def mae(y_true: np.ndarray, y_pred: np.ndarray) -> dict[str, float]:
    """Mean absolute error over every element (document 004's reconstruction metric)."""
    t, p = np.asarray(y_true, np.float64), np.asarray(y_pred, np.float64)
    if t.size != p.size:
        raise ValueError(f"targets have {t.size} values, predictions {p.size}")
    return {"mae": float(np.mean(np.abs(t.reshape(p.shape) - p)))}


def mse(y_true: np.ndarray, y_pred: np.ndarray) -> dict[str, float]:
    """Mean squared error over every element (document 002's regression loss)."""
    t, p = np.asarray(y_true, np.float64), np.asarray(y_pred, np.float64)
    if t.size != p.size:
        raise ValueError(f"targets have {t.size} values, predictions {p.size}")
    return {"mse": float(np.mean((t.reshape(p.shape) - p) ** 2))}


def regression(y_true: np.ndarray, y_pred: np.ndarray) -> dict[str, float]:
    """MAE and MSE together."""
    return {**mae(y_true, y_pred), **mse(y_true, y_pred)}


@dataclasses.dataclass(frozen=True)
class Metric:
    """A named task metric: ``compute(y_true, y_pred)`` -> values; ``key`` is the headline value."""

    name: str
    compute: Callable[[np.ndarray, np.ndarray], dict[str, float]]
    key: str
    higher_is_better: bool
    targets_are_inputs: bool = False  # autoencoders: compare the reconstruction with the input

    def headline(self, values: dict[str, float]) -> float:
        return values[self.key]


METRICS: dict[str, Metric] = {
    "accuracy": Metric("accuracy", accuracy, "accuracy", True),
    "iou": Metric("iou", iou, "pct_iou_gt_0.5", True),
    "mae": Metric("mae", regression, "mae", False),
    "mse": Metric("mse", regression, "mse", False),
    "reconstruction": Metric("reconstruction", regression, "mae", False, targets_are_inputs=True),
}


def get_metric(name: str | Metric) -> Metric:
    """Look a metric up by name; a one-line error lists the known ones."""
    if isinstance(name, Metric):
        return name
    if name not in METRICS:
        raise ValueError(f"unknown metric {name!r}; choose one of: {', '.join(METRICS)}")
    return METRICS[name]
