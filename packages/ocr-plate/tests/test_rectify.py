"""Rectification: corners ordered, the plate found in a loose crop and warped upright."""

import cv2
import numpy as np
import pytest

from edgesmith.datasets.plate_synth import render_plate
from edgesmith.ocr_plate.plate_crops import crop_set
from edgesmith.ocr_plate.rectify import (
    RECTIFIED_SIZE,
    CornerRegressor,
    find_plate_quad,
    get_rectifier,
    margin_quad,
    order_corners,
    rectify,
)


def _iou(a, b, shape):
    ma, mb = np.zeros(shape[:2], np.uint8), np.zeros(shape[:2], np.uint8)
    cv2.fillConvexPoly(ma, np.round(a).astype(np.int32), 1)
    cv2.fillConvexPoly(mb, np.round(b).astype(np.int32), 1)
    return (ma & mb).sum() / max((ma | mb).sum(), 1)


def _posed_plate(text="ABC-123"):
    """A plate warped onto a dark background at a known quad."""
    plate = np.asarray(render_plate(text, height=64))
    quad = np.array([[40, 30], [190, 42], [186, 118], [44, 104]], np.float32)
    src = np.array([[0, 0], [128, 0], [128, 64], [0, 64]], np.float32)
    m = cv2.getPerspectiveTransform(src, quad)
    canvas = np.full((150, 230, 3), 40, np.uint8)
    mask = cv2.warpPerspective(np.full((64, 128), 255, np.uint8), m, (230, 150))
    warped = cv2.warpPerspective(plate, m, (230, 150))
    canvas[mask > 127] = warped[mask > 127]
    return canvas, quad


def test_order_corners_from_any_order():
    quad = np.array([[10, 10], [90, 12], [88, 50], [12, 48]], np.float32)
    shuffled = quad[[2, 0, 3, 1]]
    assert np.allclose(order_corners(shuffled), quad)


def test_margin_quad_is_the_box_inside_the_margin():
    q = margin_quad(130, 65, margin=0.15)
    assert np.allclose(q[0], [15, 7.5]) and np.allclose(q[2], [115, 57.5])


def test_rectify_undoes_the_perspective():
    canvas, quad = _posed_plate()
    upright = rectify(canvas, quad, pad=0.0)
    assert upright.shape == (RECTIFIED_SIZE[1], RECTIFIED_SIZE[0], 3)
    reference = cv2.resize(np.asarray(render_plate("ABC-123", height=64)), RECTIFIED_SIZE)
    assert np.abs(upright.astype(int) - reference.astype(int)).mean() < 25


def test_contour_fit_finds_a_clear_plate():
    canvas, quad = _posed_plate()
    fit = find_plate_quad(canvas)
    assert fit.method != "margin" and _iou(fit.quad, quad, canvas.shape) > 0.6
    blank = find_plate_quad(np.full((60, 120, 3), 128, np.uint8))
    assert blank.method == "margin" and blank.score == 0.0


def test_unknown_rectifier_lists_the_choices():
    with pytest.raises(ValueError, match="corners, corners-float, contour, margin"):
        get_rectifier("hough")


@pytest.mark.parametrize("precision", ["int8", "float"])
def test_shipped_corner_regressor_beats_the_margin_guess(precision):
    crops, _texts, quads = crop_set(40, seed=4243, source="synth", with_quads=True)
    regressor = CornerRegressor(precision)
    fitted = np.mean([_iou(regressor.fit(c).quad, q, c.shape) for c, q in zip(crops, quads, strict=True)])
    guess = np.mean(
        [_iou(margin_quad(c.shape[1], c.shape[0]), q, c.shape) for c, q in zip(crops, quads, strict=True)]
    )
    assert fitted > 0.8 and fitted > guess + 0.05, (fitted, guess)
