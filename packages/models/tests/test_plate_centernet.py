"""The dense plate detector's shape contract and its loss (low for the target, high for a blank guess)."""

from __future__ import annotations

import numpy as np
import pytest

from edgesmith.datasets.box_grid import encode_boxes
from edgesmith.models.errors import ModelError
from edgesmith.models.plate_centernet import GRID_CHANNELS, centernet_loss, plate_centernet


def test_grid_shape_and_range() -> None:
    model = plate_centernet(96, width=4)
    assert model.output_shape == (None, 12, 12, GRID_CHANNELS)
    out = model(np.random.default_rng(0).random((2, 96, 96, 3), np.float32), training=False).numpy()
    assert out.min() >= 0.0 and out.max() <= 1.0
    assert plate_centernet(None, width=4)(np.zeros((1, 64, 128, 3), np.float32)).shape == (1, 8, 16, 5)
    with pytest.raises(ModelError, match="multiple of 32"):
        plate_centernet(100)


def test_loss_prefers_the_target() -> None:
    target = encode_boxes(np.array([[20, 20, 60, 40]], np.float32), 96)[None]
    perfect = np.clip(target[..., :5], 1e-3, 1 - 1e-3)
    blank = np.full_like(perfect, 0.5)
    loss = centernet_loss()
    assert float(loss(target, perfect)) < 0.5 * float(loss(target, blank))
