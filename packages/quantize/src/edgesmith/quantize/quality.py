"""The task metric an int8 budget is measured in, and the loss of a quantized model against float.

Accuracy and IoU losses are in points (float − int8, percentage points); error metrics (MAE/MSE), where 0 is
perfect, lose in percent of the float model's error ((int8 − float) / float × 100).
"""

from __future__ import annotations

import dataclasses

import numpy as np

from edgesmith.quantize.errors import QuantizeError
from edgesmith.quantize.metrics import infer_task, task_metrics

# name → (task, key in task_metrics, scale to points, higher is better)
_METRICS = {
    "accuracy": ("classification", "accuracy_pct", 1.0, True),
    "iou50": ("boxes", "iou_over_0.5_pct", 1.0, True),
    "miou": ("boxes", "mean_iou", 100.0, True),
    "mae": (None, "mae", 1.0, False),
    "mse": (None, "mse", 1.0, False),
}
_DEFAULT_FOR_TASK = {
    "classification": "accuracy",
    "boxes": "miou",
    "reconstruction": "mae",
    "regression": "mae",
}
METRIC_NAMES = ("auto", *_METRICS, "agreement")


@dataclasses.dataclass(frozen=True)
class Metric:
    """One task metric: how to compute it from predictions and how to turn two values into a loss."""

    name: str
    task: str
    key: str
    scale: float
    higher_is_better: bool
    activation: str = "linear"

    @property
    def loss_unit(self) -> str:
        return "points" if self.higher_is_better else "% of float error"

    def value(self, x: np.ndarray, y: np.ndarray | None, pred: np.ndarray) -> float:
        """The metric of ``pred`` (accuracy and IoU in percent; for ``agreement``, ``y`` is the float
        model's predictions)."""
        if self.name == "agreement":
            return agreement(np.asarray(y), np.asarray(pred), self.activation)
        return self.scale * task_metrics(self.task, x, y, pred, self.activation)[self.key]

    def loss(self, reference: float, value: float) -> float:
        """How much worse ``value`` is than ``reference`` (positive = worse), in :attr:`loss_unit`."""
        if self.higher_is_better:
            return reference - value
        return 100.0 * (value - reference) / max(abs(reference), 1e-12)

    def to_dict(self) -> dict[str, str | bool]:
        return {"name": self.name, "task": self.task, "loss_unit": self.loss_unit}


def resolve_metric(
    name: str,
    x: np.ndarray,
    y: np.ndarray | None,
    output_shape: tuple[int | None, ...],
    activation: str = "linear",
) -> Metric:
    """The :class:`Metric` called ``name`` (``auto``: from the data and the model's output shape)."""
    if name not in METRIC_NAMES:
        raise QuantizeError(f"unknown metric {name!r}; choose one of: {', '.join(METRIC_NAMES)}")
    if name == "agreement":
        return Metric("agreement", "agreement", "agreement_pct", 1.0, True, activation)
    task = infer_task(x, y, output_shape)
    if name == "auto":
        name = _DEFAULT_FOR_TASK[task]
    fixed_task, key, scale, higher = _METRICS[name]
    if fixed_task is None and task not in ("regression", "reconstruction"):
        raise QuantizeError(
            f"metric {name} needs regression or reconstruction data but the data and model look like "
            f"{task}; use --metric {_DEFAULT_FOR_TASK[task]} or auto"
        )
    if fixed_task is not None and fixed_task != task:
        raise QuantizeError(
            f"metric {name} needs {fixed_task} data but the data and model look like {task}; "
            f"use --metric {_DEFAULT_FOR_TASK[task]} or auto"
        )
    if task in ("classification", "boxes") and y is None:
        raise QuantizeError(f"metric {name} needs labels; give data with y")
    return Metric(name, fixed_task or task, key, scale, higher, activation)


def agreement(reference: np.ndarray, pred: np.ndarray, activation: str = "linear") -> float:
    """How closely ``pred`` follows the float model's ``reference`` outputs, in percent (100 = identical).

    Class outputs: share of samples with the same class. Anything else: 100 × (1 − mean |pred − ref| /
    mean |ref|), floored at 0. Needs no labels, so any data (even unlabeled photos) can guard int8.
    """
    ref = reference.reshape(len(reference), -1).astype(np.float64)
    out = pred.reshape(len(pred), -1).astype(np.float64)
    if ref.shape[1] > 1 and activation in ("softmax", "linear"):  # class scores (sigmoid heads: boxes)
        return float(100.0 * np.mean(ref.argmax(1) == out.argmax(1)))
    if ref.shape[1] == 1 and activation == "sigmoid":
        return float(100.0 * np.mean((ref[:, 0] > 0.5) == (out[:, 0] > 0.5)))
    scale = float(np.mean(np.abs(ref))) or 1e-12
    return float(max(0.0, 100.0 * (1.0 - np.mean(np.abs(out - ref)) / scale)))
