"""Losses and metrics of the original one-box plate regressor (normalised ``x1, y1, x2, y2`` targets)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from edgesmith.datasets.tf_runtime import tf


def _iou(y_true: Any, y_pred: Any) -> Any:
    iw = tf.nn.relu(tf.minimum(y_true[:, 2], y_pred[:, 2]) - tf.maximum(y_true[:, 0], y_pred[:, 0]))
    ih = tf.nn.relu(tf.minimum(y_true[:, 3], y_pred[:, 3]) - tf.maximum(y_true[:, 1], y_pred[:, 1]))
    inter = iw * ih
    area_t = (y_true[:, 2] - y_true[:, 0]) * (y_true[:, 3] - y_true[:, 1])
    area_p = tf.nn.relu(y_pred[:, 2] - y_pred[:, 0]) * tf.nn.relu(y_pred[:, 3] - y_pred[:, 1])
    return inter / (area_t + area_p - inter + 1e-7)


def box_loss(beta: float = 0.02, iou_weight: float = 1.0) -> Callable[[Any, Any], Any]:
    """Smooth-L1 on the coordinates plus ``iou_weight`` × (1 − IoU): one converges, the other aligns."""

    def loss(y_true: Any, y_pred: Any) -> Any:
        diff = tf.abs(y_true - y_pred)
        smooth_l1 = tf.where(diff < beta, 0.5 * diff * diff / beta, diff - 0.5 * beta)
        return 4.0 * tf.reduce_mean(smooth_l1, axis=-1) + iou_weight * (1.0 - _iou(y_true, y_pred))

    loss.__name__ = "box_loss"
    return loss


def mean_iou_metric() -> Callable[[Any, Any], Any]:
    """Keras metric: mean IoU of the batch (what the training progress shows)."""

    def mean_iou(y_true: Any, y_pred: Any) -> Any:
        return _iou(y_true, y_pred)

    return mean_iou


__all__ = ["box_loss", "mean_iou_metric"]
