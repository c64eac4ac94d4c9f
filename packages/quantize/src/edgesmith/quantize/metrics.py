"""Task detection and metrics: accuracy (classifiers), IoU (box regressors), MAE/MSE (the rest)."""

from __future__ import annotations

from typing import Any

import numpy as np

from edgesmith.datasets.tf_runtime import keras
from edgesmith.profiling.metrics import box_iou
from edgesmith.quantize.errors import QuantizeError

TASKS = ("classification", "boxes", "reconstruction", "regression")


def output_activation(model: keras.Model) -> str:
    """Name of the activation applied last ("linear" when the model ends without one)."""
    layer = model.layers[-1]
    while isinstance(getattr(layer, "layer", None), keras.layers.Layer):  # tfmot wrappers
        layer = layer.layer
    act = getattr(layer, "activation", None)
    if act is None:
        return "linear"
    name = getattr(act, "__name__", None) or type(act).__name__
    return str(name).lower()


def infer_task(x: np.ndarray, y: np.ndarray | None, output_shape: tuple[int | None, ...]) -> str:
    """Guess the task from the evaluation data and the model's output shape."""
    if tuple(output_shape[1:]) == tuple(x.shape[1:]):
        return "reconstruction"  # an autoencoder, whatever labels the dataset also carries
    if y is None:
        raise QuantizeError("evaluation data has no labels and the model is not an autoencoder; pass y")
    y = np.asarray(y)
    if y.shape == x.shape:
        return "reconstruction"
    if np.issubdtype(y.dtype, np.integer) or (y.ndim == 1 and output_shape[-1] and output_shape[-1] > 1):
        return "classification"
    if y.ndim == 2 and y.shape[1] == 4 and y.min() >= 0 and y.max() <= 1 and output_shape[-1] == 4:
        return "boxes"
    return "regression"


def check_task(task: str) -> str:
    if task not in (*TASKS, "auto"):
        raise QuantizeError(f"unknown task {task!r}; choose one of: auto, {', '.join(TASKS)}")
    return task


def loss_for(task: str, model: keras.Model) -> keras.losses.Loss:
    """The training loss of a task, from logits unless the model ends in softmax/sigmoid."""
    act = output_activation(model)
    if task == "classification":
        if model.output_shape[-1] == 1:
            return keras.losses.BinaryCrossentropy(from_logits=act != "sigmoid")
        return keras.losses.SparseCategoricalCrossentropy(from_logits=act != "softmax")
    if task == "reconstruction":
        return keras.losses.MeanSquaredError()
    return keras.losses.MeanSquaredError()


def task_metrics(
    task: str, x: np.ndarray, y: np.ndarray | None, pred: np.ndarray, activation: str = "linear"
) -> dict[str, Any]:
    """The task's metrics of ``pred`` against the targets (``x`` itself for reconstruction)."""
    pred = np.asarray(pred, dtype=np.float64)
    if task == "classification":
        y = np.asarray(y).reshape(-1)
        if pred.ndim == 1 or pred.shape[-1] == 1:
            threshold = 0.5 if activation == "sigmoid" else 0.0
            labels = (pred.reshape(-1) > threshold).astype(np.int64)
        else:
            labels = pred.reshape(len(pred), -1).argmax(axis=1)
        return {"accuracy_pct": float(100.0 * np.mean(labels == y.astype(np.int64)))}
    if task == "boxes":
        iou = box_iou(np.asarray(y), pred.reshape(len(pred), 4))
        return {"mean_iou": float(iou.mean()), "iou_over_0.5_pct": float(100.0 * np.mean(iou > 0.5))}
    target = np.asarray(x if task == "reconstruction" else y, dtype=np.float64).reshape(pred.shape)
    err = pred - target
    return {"mae": float(np.mean(np.abs(err))), "mse": float(np.mean(err**2))}


def primary_metric(task: str) -> tuple[str, bool]:
    """The headline metric of a task and whether higher is better."""
    return {
        "classification": ("accuracy_pct", True),
        "boxes": ("iou_over_0.5_pct", True),
        "reconstruction": ("mae", False),
        "regression": ("mae", False),
    }[task]
