"""Generated plate crops: seeded, jittered like a detector, grown by the app's margin."""

import numpy as np

from edgesmith.ocr_plate.plate_crops import crop_set, detector_jitter


def test_crop_sets_are_reproducible_and_seed_dependent():
    a, ta = crop_set(3, seed=11)
    b, tb = crop_set(3, seed=11)
    _, tc = crop_set(3, seed=12)
    assert ta == tb and all(np.array_equal(x, y) for x, y in zip(a, b, strict=True))
    assert ta != tc
    assert all(x.dtype == np.uint8 and x.ndim == 3 and x.shape[2] == 3 for x in a)


def test_margin_grows_the_crop():
    tight, _ = crop_set(4, seed=5, margin=0.0)
    padded, _ = crop_set(4, seed=5, margin=0.1)
    assert all(p.shape[1] > t.shape[1] for p, t in zip(padded, tight, strict=True))


def test_detector_jitter_stays_near_the_box():
    rng = np.random.default_rng(0)
    box = np.array([0.2, 0.3, 0.6, 0.5])
    boxes = np.stack([detector_jitter(box, rng) for _ in range(200)])
    w, h = 0.4, 0.2
    assert np.all(boxes[:, 0] >= 0.2 - 0.14 * w - 1e-6) and np.all(boxes[:, 0] <= 0.2 + 0.06 * w + 1e-6)
    assert np.all(boxes[:, 3] >= 0.5 - 0.06 * h - 1e-6) and np.all(boxes[:, 3] <= 0.5 + 0.14 * h + 1e-6)
    assert boxes.std(axis=0).min() > 0  # it does move the edges


def test_synth_crops_for_training():
    crops, texts = crop_set(3, seed=7, source="synth")
    assert len(crops) == 3 and all(t for t in texts)
