"""Crop preprocessing: box cutting, deskew, threshold, upscale."""

import numpy as np
import pytest

from edgesmith.datasets.plate_synth import render_plate
from edgesmith.ocr_plate.preprocess import (
    crnn_input,
    crop_box,
    estimate_skew,
    prepare_for_tesseract,
    rotate,
    threshold,
    to_gray,
    upscale,
)


def test_crop_box_with_margin_and_clipping():
    image = np.arange(100 * 200 * 3, dtype=np.uint8).reshape(100, 200, 3)
    crop = crop_box(image, (0.25, 0.5, 0.75, 1.0), margin=0.0)
    assert crop.shape == (50, 100, 3)
    assert np.array_equal(crop, image[50:100, 50:150])
    grown = crop_box(image, (0.25, 0.5, 0.75, 1.0), margin=0.1)
    assert grown.shape == (55, 120, 3)  # +10 % each side, clipped at the bottom edge


@pytest.mark.parametrize("box", [(0.5, 0.5, 0.5, 0.9), (1.2, 1.2, 1.5, 1.5), (0.1, 0.2, 0.3)])
def test_crop_box_rejects_empty_or_malformed(box):
    with pytest.raises(ValueError, match="box"):
        crop_box(np.zeros((50, 80, 3), np.uint8), box)


@pytest.mark.parametrize("angle", [-6.0, -3.0, 0.0, 4.0, 7.0])
def test_estimate_skew_recovers_rotation(angle):
    gray = to_gray(np.asarray(render_plate("ABC-123", height=64)))
    padded = np.pad(gray, 20, constant_values=200)
    assert estimate_skew(rotate(padded, angle)) == pytest.approx(-angle, abs=1.0)


def test_threshold_is_binary_dark_text_on_white():
    gray = to_gray(np.asarray(render_plate("123456", height=64)))
    binary = threshold(upscale(gray, 96))
    assert binary.shape[0] == 96
    assert set(np.unique(binary)) <= {0, 255}
    assert (binary == 255).mean() > 0.6  # mostly paper, text is the minority


def test_prepare_for_tesseract_and_crnn_input_shapes():
    crop = np.asarray(render_plate("XYZ-987", height=48))
    assert prepare_for_tesseract(crop, text_height=40, pad=8).shape[0] == 40 + 8 + 16
    x = crnn_input(crop, 32, 128)
    assert x.shape == (32, 128, 1) and x.dtype == np.float32 and x.min() >= 0.0 and x.max() <= 1.0


def test_rejects_float_images():
    with pytest.raises(ValueError, match="uint8"):
        to_gray(np.zeros((20, 40, 3), np.float32))
