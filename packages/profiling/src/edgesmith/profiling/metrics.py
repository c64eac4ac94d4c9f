"""Task metrics that judge a model's predictions: top-1/top-5 accuracy, box IoU, segmentation pixel
accuracy/mean IoU, MAE/MSE, agreement.

Each metric takes ``(y_true, y_pred)`` numpy arrays and returns a dict of named floats; the
:data:`METRICS` table gives each one a name, its headline value and whether higher is better, so the
matrix and the apps can pick one by name. Without labels, ``agreement`` (top-1 agreement with the source
model's outputs) and ``fidelity`` (cosine similarity, max/mean absolute error) judge a variant against
the model it was made from. A user's own metric is ``module:function`` (or ``file.py:function``)::

    from edgesmith.profiling.metrics import METRICS, box_iou, get_metric
    METRICS["iou"].compute(boxes_true, boxes_pred)   # {"pct_iou_gt_0.5": 78.2, "mean_iou": 0.61}
    get_metric("my_metrics:f1")                      # f1(y_true, y_pred) -> float or dict
"""

from __future__ import annotations

import dataclasses
import importlib
import importlib.util
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

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


def top_k(y_true: np.ndarray, y_pred: np.ndarray, k: int = 5) -> dict[str, float]:
    """Top-1 and top-``k`` accuracy in %: the label is among the ``k`` highest scores."""
    t, p = _labels(y_true), np.asarray(y_pred, dtype=np.float64).reshape(len(y_pred), -1)
    if len(t) != len(p):
        raise ValueError(f"{len(t)} labels but {len(p)} predictions")
    best = np.argsort(-p, axis=1)[:, : min(k, p.shape[1])]
    return {
        "accuracy": float(100.0 * np.mean(best[:, 0] == t)),
        f"top{k}": float(100.0 * np.mean((best == t[:, None]).any(axis=1))),
    }


def top5(y_true: np.ndarray, y_pred: np.ndarray) -> dict[str, float]:
    """Top-1 and top-5 accuracy in % (ImageNet-style classifiers)."""
    return top_k(y_true, y_pred, 5)


def agreement(reference: np.ndarray, y_pred: np.ndarray) -> dict[str, float]:
    """How closely outputs follow the source model's: top-1 agreement (%), cosine, max/mean abs error.

    ``reference`` holds the source model's outputs on the same inputs; top-1 agreement compares the
    argmax of each sample's flattened output (meaningful for class scores), cosine is over all outputs.
    """
    r = np.asarray(reference, np.float64).reshape(len(reference), -1)
    p = np.asarray(y_pred, np.float64).reshape(len(y_pred), -1)
    if r.shape != p.shape:
        raise ValueError(f"outputs differ in shape from the source model's: {p.shape} vs {r.shape}")
    # one cosine over all outputs: a per-sample mean would let near-empty maps (all values ~1e-7, noise)
    # score 0 and drag it down although every value agrees to 1e-6
    den = float(np.linalg.norm(r) * np.linalg.norm(p))
    cos = float((r * p).sum() / den) if den > 0 else (1.0 if not r.any() and not p.any() else 0.0)
    diff = np.abs(r - p)
    return {
        "top1_agreement": float(100.0 * np.mean(r.argmax(1) == p.argmax(1))),
        "cosine": cos,
        "max_abs_error": float(diff.max()),
        "mean_abs_error": float(diff.mean()),
    }


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


def segmentation(y_true: np.ndarray, y_pred: np.ndarray) -> dict[str, float]:
    """Pixel accuracy and mean IoU over the classes present in truth or prediction (label maps
    ``(N, H, W)`` against per-pixel scores ``(N, H, W, C)``, the U-Net's output)."""
    t = np.asarray(y_true).astype(np.int64)
    p = np.asarray(y_pred)
    labels = p.argmax(-1) if p.ndim == t.ndim + 1 else p.astype(np.int64)
    if labels.shape != t.shape:
        raise ValueError(f"label maps are {t.shape} but predictions give {labels.shape}")
    ious = []
    for c in range(int(max(t.max(initial=0), labels.max(initial=0))) + 1):
        union = np.sum((labels == c) | (t == c))
        if union:
            ious.append(np.sum((labels == c) & (t == c)) / union)
    return {"pixel_accuracy": float(np.mean(labels == t)), "mean_iou": float(np.mean(ious))}


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
    needs_labels: bool = True
    targets_are_reference: bool = False  # unlabeled data: compare with the source model's outputs

    def headline(self, values: dict[str, float]) -> float:
        return values[self.key]


METRICS: dict[str, Metric] = {
    "accuracy": Metric("accuracy", accuracy, "accuracy", True),
    "top5": Metric("top5", top5, "top5", True),
    "iou": Metric("iou", iou, "pct_iou_gt_0.5", True),
    "segmentation": Metric("segmentation", segmentation, "pixel_accuracy", True),
    "mae": Metric("mae", regression, "mae", False),
    "mse": Metric("mse", regression, "mse", False),
    "reconstruction": Metric(
        "reconstruction", regression, "mae", False, targets_are_inputs=True, needs_labels=False
    ),
    "agreement": Metric(
        "agreement", agreement, "top1_agreement", True, needs_labels=False, targets_are_reference=True
    ),
    "fidelity": Metric("fidelity", agreement, "cosine", True, needs_labels=False, targets_are_reference=True),
}


def unlabeled_metric(output_shape: tuple[int, ...]) -> Metric:
    """The metric for data without labels: top-1 agreement for class scores ``(N, K)``, else fidelity."""
    return METRICS["agreement"] if len(output_shape) == 2 and output_shape[1] > 1 else METRICS["fidelity"]


def _load_function(spec: str) -> Callable[..., Any]:
    module_name, _, func_name = spec.rpartition(":")
    try:
        if module_name.endswith(".py"):
            path = Path(module_name)
            if not path.is_file():
                raise ValueError(f"no such metric file ({path}): check the path in --metric {spec}")
            loader = importlib.util.spec_from_file_location(f"_edgesmith_metric_{path.stem}", path)
            if loader is None or loader.loader is None:
                raise ValueError(f"cannot import metric file ({path}): it must be Python source")
            module = importlib.util.module_from_spec(loader)
            sys.modules[loader.name] = module
            loader.loader.exec_module(module)
        else:
            module = importlib.import_module(module_name)
    except ImportError as exc:
        raise ValueError(
            f"cannot import metric module {module_name!r} ({spec}): {exc}; "
            "put it on PYTHONPATH or pass file.py:function"
        ) from exc
    fn = getattr(module, func_name, None)
    if not callable(fn):
        raise ValueError(
            f"no function {func_name!r} in {module_name} ({spec}): define {func_name}(y_true, y_pred)"
        )
    return fn


def plugin_metric(spec: str) -> Metric:
    """A user's metric from ``module:function`` or ``file.py:function``.

    The function takes ``(y_true, y_pred)`` and returns a float or a dict of floats. Optional attributes on
    it: ``key`` (the headline of a dict), ``higher_is_better`` (default True), ``needs_labels`` (default
    True; False compares with the source model's outputs).
    """
    fn = _load_function(spec)
    func_name = spec.rpartition(":")[2]
    key = getattr(fn, "key", func_name)

    def compute(y_true: np.ndarray, y_pred: np.ndarray) -> dict[str, float]:
        value = fn(y_true, y_pred)
        if isinstance(value, dict):
            if key not in value:
                raise ValueError(f"metric {spec} returned {sorted(value)} without its key {key!r}")
            return {k: float(v) for k, v in value.items()}
        return {key: float(value)}

    needs_labels = bool(getattr(fn, "needs_labels", True))
    return Metric(
        spec,
        compute,
        key,
        bool(getattr(fn, "higher_is_better", True)),
        needs_labels=needs_labels,
        targets_are_reference=not needs_labels,
    )


def get_metric(name: str | Metric) -> Metric:
    """Look a metric up by name, or import ``module:function``; a one-line error lists the known ones."""
    if isinstance(name, Metric):
        return name
    if name in METRICS:
        return METRICS[name]
    if ":" in name:
        return plugin_metric(name)
    raise ValueError(f"unknown metric {name!r}; choose one of: {', '.join(METRICS)}, or module:function")
