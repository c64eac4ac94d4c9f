"""Offline stand-ins built from scikit-learn's bundled 8×8 digits (no download): MNIST-like and CIFAR-like."""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from edgesmith.datasets.arrays import ArrayDataset, Splits, split_indices

DIGIT_CLASSES = tuple(str(d) for d in range(10))


@lru_cache(maxsize=4)
def _digits_28() -> tuple[np.ndarray, np.ndarray]:
    """The 1,797 sklearn digits as 28×28 float32 in [0, 1]: upscaled to 20×20 and centred, like MNIST."""
    from skimage.transform import resize
    from sklearn.datasets import load_digits

    bunch = load_digits()
    images = bunch.images.astype(np.float32) / 16.0  # (N, 8, 8) in [0, 1]
    up = resize(images, (len(images), 20, 20), order=1, mode="edge", anti_aliasing=False)
    out = np.zeros((len(images), 28, 28), dtype=np.float32)
    out[:, 4:24, 4:24] = np.clip(up, 0.0, 1.0)
    out.setflags(write=False)
    labels = bunch.target.astype(np.int64)
    labels.setflags(write=False)
    return out, labels


def digits_arrays(size: int = 28, channels: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """All digits as ``(N, size, size, channels)`` float32 in [0, 1] and int64 labels 0-9."""
    images, labels = _digits_28()
    x = images
    if size != 28:
        from skimage.transform import resize

        x = resize(images, (len(images), size, size), order=1, anti_aliasing=size < 28).astype(np.float32)
        x = np.clip(x, 0.0, 1.0)
    x = np.repeat(x[..., np.newaxis], channels, axis=-1)
    return np.ascontiguousarray(x, dtype=np.float32), labels.copy()


def digits_splits(
    name: str, size: int, channels: int, val_split: float = 0.1, test_split: float = 0.2, seed: int = 0
) -> Splits:
    """The digits split train/val/test by seeded ratio, as :class:`Splits` named ``name``."""
    x, y = digits_arrays(size, channels)
    tr, va, te = split_indices(len(x), val_split, test_split, seed)
    val = ArrayDataset(x[va], y[va], name, DIGIT_CLASSES) if len(va) else None
    return Splits(
        ArrayDataset(x[tr], y[tr], name, DIGIT_CLASSES),
        val,
        ArrayDataset(x[te], y[te], name, DIGIT_CLASSES),
        name,
        {"source": "sklearn.datasets.load_digits", "offline_stand_in": True},
    )


def load_digits_mnist(val_split: float = 0.1, test_split: float = 0.2, seed: int = 0) -> Splits:
    """MNIST stand-in: sklearn digits upscaled to 28×28×1 float32 in [0, 1], int labels, seeded splits."""
    return digits_splits("digits-mnist", 28, 1, val_split, test_split, seed)


__all__ = ["DIGIT_CLASSES", "digits_arrays", "digits_splits", "load_digits_mnist"]
