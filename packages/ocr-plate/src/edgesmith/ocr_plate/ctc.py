"""CTC label coding and greedy decoding in numpy (no TensorFlow needed at inference time).

Class 0 is the CTC blank; class ``i + 1`` is ``alphabet[i]``.
"""

from __future__ import annotations

import numpy as np

BLANK = 0


def encode(text: str, alphabet: str, max_len: int) -> np.ndarray:
    """Text → int32 labels of length ``max_len`` (class ids ≥ 1, padded with the blank 0)."""
    if len(text) > max_len:
        raise ValueError(f"label {text!r} is longer than max_len={max_len}")
    lookup = {ch: i + 1 for i, ch in enumerate(alphabet)}
    missing = sorted({ch for ch in text if ch not in lookup})
    if missing:
        raise ValueError(f"label {text!r} has characters outside the alphabet: {''.join(missing)!r}")
    out = np.zeros(max_len, np.int32)
    out[: len(text)] = [lookup[ch] for ch in text]
    return out


def greedy_decode(probs: np.ndarray, alphabet: str) -> tuple[str, tuple[float, ...]]:
    """Best-path decode of one ``(T, classes)`` probability matrix: ``(text, confidence per character)``.

    Repeated frames collapse into one character and blanks separate characters; a character's
    confidence is the highest probability among the frames that voted for it.
    """
    probs = np.asarray(probs, dtype=np.float32)
    if probs.ndim != 2 or probs.shape[1] != len(alphabet) + 1:
        raise ValueError(
            f"expected (T, {len(alphabet) + 1}) class probabilities for a {len(alphabet)}-symbol alphabet, "
            f"got {probs.shape}"
        )
    best = probs.argmax(axis=1)
    best_p = probs[np.arange(len(best)), best]
    chars: list[str] = []
    confs: list[float] = []
    prev = BLANK
    for cls, p in zip(best.tolist(), best_p.tolist(), strict=True):
        if cls != BLANK:
            if cls != prev:
                chars.append(alphabet[cls - 1])
                confs.append(p)
            else:
                confs[-1] = max(confs[-1], p)
        prev = cls
    return "".join(chars), tuple(confs)


__all__ = ["BLANK", "encode", "greedy_decode"]
