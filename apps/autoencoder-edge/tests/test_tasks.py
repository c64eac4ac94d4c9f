"""The two tasks' scoring, pictures and data errors (cheap: no training)."""

from __future__ import annotations

import numpy as np
import pytest

from autoencoder_edge.tasks import CATEGORY_COLORS, TaskError, colorize, get_task


def test_autoencoder_scores_mae_and_mse():
    x = np.zeros((2, 4, 4, 1), np.float32)
    pred = np.full_like(x, 0.5)
    assert get_task("cae").score(pred, x, None) == {"mae": 0.5, "mse": 0.25}


def test_unet_scores_pixel_accuracy_and_mean_iou():
    y = np.array([[[0, 1], [1, 1]]])  # one 2x2 map
    logits = np.zeros((1, 2, 2, 2), np.float32)
    logits[0, :, :, 1] = 1.0  # predicts class 1 everywhere
    scores = get_task("unet").score(logits, np.zeros((1, 2, 2, 3)), y)
    assert scores["pixel_accuracy"] == pytest.approx(0.75)
    assert scores["mean_iou"] == pytest.approx((0.0 + 0.75) / 2)  # class 0: IoU 0/1, class 1: 3/4


def test_segmentations_are_drawn_in_category_colours():
    cats = np.array([[0, 5], [7, 1]])
    rgb = colorize(cats)
    assert rgb.shape == (2, 2, 3)
    np.testing.assert_allclose(rgb[0, 1] * 255, CATEGORY_COLORS[5])


def test_unknown_task_and_bad_cityscapes_folder(tmp_path):
    with pytest.raises(TaskError, match="choose one of: cae, unet"):
        get_task("vgg")
    with pytest.raises(TaskError, match="leftImg8bit"):
        get_task("unet").load(tmp_path, None, 0, (16, 32))


def test_unet_loads_cityscapes_format(cityscapes_root):
    splits = get_task("unet").load(cityscapes_root, None, 0, (16, 32))
    assert splits.test.x.shape == (3, 16, 32, 3) and splits.test.y.shape == (3, 16, 32)
    assert len(splits.train) + len(splits.val) == 8
    assert {1, 5, 7} <= set(np.unique(splits.test.y))  # road, sky and the car after resizing
