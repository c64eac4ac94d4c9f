"""Generated loose plate crops: seeded, cut as the plate-reader app cuts a detector box, corners kept."""

import numpy as np
import pytest

from edgesmith.ocr_plate.plate_crops import crop_set, detector_jitter, loose_crop, negative_crops
from edgesmith.ocr_plate.rectify import CROP_MARGIN


def test_crop_sets_are_reproducible_and_seed_dependent():
    a, ta = crop_set(3, seed=11, source="synth")
    b, tb = crop_set(3, seed=11, source="synth")
    _, tc = crop_set(3, seed=12, source="synth")
    assert ta == tb and all(np.array_equal(x, y) for x, y in zip(a, b, strict=True))
    assert ta != tc
    assert all(x.dtype == np.uint8 and x.ndim == 3 and x.shape[2] == 3 for x in a)


def test_loose_crop_keeps_the_plate_and_its_corners():
    image = np.zeros((300, 400, 3), np.uint8)
    quad = np.array([[100, 100], [300, 110], [300, 200], [100, 190]], np.float32)
    rng = np.random.default_rng(0)
    for _ in range(50):
        crop, q = loose_crop(image, quad, rng)
        h, w = crop.shape[:2]
        # box 10 % too small and 8 % off still holds the whole plate thanks to the margin
        assert (q >= -1).all() and (q[:, 0] <= w + 1).all() and (q[:, 1] <= h + 1).all()
        assert w > 200 * (1 + 2 * CROP_MARGIN) * 0.85
    with pytest.raises(ValueError, match="outside"):
        loose_crop(image, quad + 1000, rng)


def test_street_crops_have_true_quads():
    crops, texts, quads = crop_set(2, seed=5, source="street", with_quads=True)
    assert len(crops) == 2 and all(t for t in texts)
    for crop, quad in zip(crops, quads, strict=True):
        assert quad.shape == (4, 2) and np.ptp(quad[:, 0]) < crop.shape[1] * 1.01


def test_old_scene_crops_grow_with_the_margin():
    tight, _ = crop_set(4, seed=5, source="scene", margin=0.0)
    padded, _ = crop_set(4, seed=5, source="scene", margin=0.1)
    assert all(p.shape[1] > t.shape[1] for p, t in zip(padded, tight, strict=True))


def test_detector_jitter_stays_near_the_box():
    rng = np.random.default_rng(0)
    box = np.array([0.2, 0.3, 0.6, 0.5])
    boxes = np.stack([detector_jitter(box, rng) for _ in range(200)])
    w, h = 0.4, 0.2
    assert np.all(boxes[:, 0] >= 0.2 - 0.14 * w - 1e-6) and np.all(boxes[:, 0] <= 0.2 + 0.06 * w + 1e-6)
    assert np.all(boxes[:, 3] >= 0.5 - 0.06 * h - 1e-6) and np.all(boxes[:, 3] <= 0.5 + 0.14 * h + 1e-6)
    assert boxes.std(axis=0).min() > 0  # it does move the edges


def test_negative_crops_are_seeded_crops_of_no_plate():
    a = negative_crops(6, seed=8)
    b = negative_crops(6, seed=8)
    c = negative_crops(6, seed=9)
    assert len(a) == 6 and all(np.array_equal(x, y) for x, y in zip(a, b, strict=True))
    assert not all(x.shape == y.shape and np.array_equal(x, y) for x, y in zip(a, c, strict=True))
    assert all(x.dtype == np.uint8 and x.ndim == 3 and x.shape[2] == 3 and min(x.shape[:2]) >= 4 for x in a)
