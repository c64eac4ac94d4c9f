"""CTC label coding and greedy decoding with per-character confidence."""

import numpy as np
import pytest

from edgesmith.ocr_plate.ctc import encode, greedy_decode

ALPHABET = "AB-1"


def _probs(path: list[int], peak: list[float]) -> np.ndarray:
    """One-hot-ish (T, C) matrix whose argmax follows ``path`` with probability ``peak``."""
    classes = len(ALPHABET) + 1
    out = np.zeros((len(path), classes), np.float32)
    for t, (cls, p) in enumerate(zip(path, peak, strict=True)):
        out[t] = (1 - p) / (classes - 1)
        out[t, cls] = p
    return out


def test_encode_pads_with_blank():
    assert encode("AB1", ALPHABET, 5).tolist() == [1, 2, 4, 0, 0]


def test_encode_rejects_unknown_and_long():
    with pytest.raises(ValueError, match="outside the alphabet"):
        encode("AC", ALPHABET, 5)
    with pytest.raises(ValueError, match="longer"):
        encode("AAAAAA", ALPHABET, 5)


def test_greedy_collapses_repeats_and_keeps_blank_separated_doubles():
    # A A _ A B B _ 1 1  →  "AAB1" (the blank separates the two A's)
    path = [1, 1, 0, 1, 2, 2, 0, 4, 4]
    peak = [0.6, 0.9, 0.99, 0.7, 0.5, 0.8, 0.99, 0.95, 0.4]
    text, confs = greedy_decode(_probs(path, peak), ALPHABET)
    assert text == "AAB1"
    assert confs == pytest.approx((0.9, 0.7, 0.8, 0.95))


def test_greedy_all_blank_is_empty():
    text, confs = greedy_decode(_probs([0, 0, 0], [0.9, 0.9, 0.9]), ALPHABET)
    assert (text, confs) == ("", ())


def test_greedy_checks_class_count():
    with pytest.raises(ValueError, match="class probabilities"):
        greedy_decode(np.zeros((4, 3), np.float32), ALPHABET)
