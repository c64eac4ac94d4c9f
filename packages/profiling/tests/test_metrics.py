"""Task metrics on hand-checked cases."""

from __future__ import annotations

import numpy as np
import pytest

from edgesmith.profiling.metrics import METRICS, accuracy, box_iou, get_metric, iou, mae, mse


def test_accuracy_argmax_binary_and_onehot() -> None:
    assert accuracy(np.array([0, 1, 2]), np.array([[1, 0, 0], [0, 1, 0], [1, 0, 0]]))[
        "accuracy"
    ] == pytest.approx(200 / 3)
    assert accuracy(np.array([1, 0, 1, 0]), np.array([[0.9], [0.2], [0.4], [0.6]]))["accuracy"] == 50.0
    assert accuracy(np.eye(3), np.eye(3) * 5)["accuracy"] == 100.0


def test_box_iou_known_values() -> None:
    a = np.array([[0, 0, 2, 2], [0, 0, 1, 1], [0, 0, 1, 1], [2, 2, 0, 0]])
    b = np.array([[1, 1, 3, 3], [0, 0, 1, 1], [2, 2, 3, 3], [0, 0, 2, 2]])
    np.testing.assert_allclose(box_iou(a, b), [1 / 7, 1.0, 0.0, 1.0])
    v = iou(a, b)
    assert v["pct_iou_gt_0.5"] == 50.0
    assert v["mean_iou"] == pytest.approx((1 / 7 + 2) / 4)


def test_regression_metrics() -> None:
    t, p = np.array([1.0, 2.0, 3.0]), np.array([1.5, 2.0, 1.0])
    assert mae(t, p)["mae"] == pytest.approx(2.5 / 3)
    assert mse(t, p)["mse"] == pytest.approx(4.25 / 3)
    with pytest.raises(ValueError, match="targets have 3 values"):
        mae(t, np.zeros(4))


def test_metric_table() -> None:
    assert METRICS["iou"].key == "pct_iou_gt_0.5" and METRICS["iou"].higher_is_better
    assert not METRICS["mae"].higher_is_better
    assert METRICS["reconstruction"].targets_are_inputs
    with pytest.raises(ValueError, match="choose one of: accuracy"):
        get_metric("f1")


def test_segmentation_pixel_accuracy_and_mean_iou_over_present_classes() -> None:
    y = np.array([[[0, 0], [1, 2]]])  # (1, 2, 2) label map; class 3 never appears
    scores = np.zeros((1, 2, 2, 4))
    for (i, j), c in {(0, 0): 0, (0, 1): 1, (1, 0): 1, (1, 1): 2}.items():
        scores[0, i, j, c] = 1.0
    v = METRICS["segmentation"].compute(y, scores)
    assert v["pixel_accuracy"] == 0.75
    assert v["mean_iou"] == pytest.approx((1 / 2 + 1 / 2 + 1) / 3)  # classes 0, 1, 2; 3 has no union
    assert METRICS["segmentation"].key == "pixel_accuracy" and METRICS["segmentation"].higher_is_better
    with pytest.raises(ValueError, match="label maps"):
        METRICS["segmentation"].compute(y, np.zeros((1, 3, 2, 4)))
