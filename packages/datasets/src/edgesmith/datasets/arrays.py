"""In-memory datasets (numpy arrays) and their train/val/test splits, convertible to ``tf.data``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from edgesmith.datasets.errors import DatasetError

if TYPE_CHECKING:  # pragma: no cover - typing only, TensorFlow is imported lazily
    import tensorflow as tf


@dataclass
class ArrayDataset:
    """Samples ``x`` (first axis = sample) with optional targets ``y``, a name and optional class names.

    ``augment`` (set by loaders such as :func:`load_image_folder` on the training split) is a callable
    ``(tf batch, seed) -> tf batch`` applied by :meth:`to_tf` to every image batch.
    """

    x: np.ndarray
    y: np.ndarray | None
    name: str
    classes: tuple[str, ...] | None = None
    augment: Callable[[Any, int], Any] | None = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        self.x = np.asarray(self.x)
        if self.x.ndim == 0:
            raise DatasetError(f"{self.name}: x has no sample axis (a scalar); pass an array (N, ...)")
        if self.y is not None:
            self.y = np.asarray(self.y)
            if len(self.y) != len(self.x):
                raise DatasetError(
                    f"{self.name}: {len(self.x)} samples but {len(self.y)} labels; "
                    "pass one label (row) per sample"
                )
        if self.classes is not None:
            self.classes = tuple(self.classes)

    def __len__(self) -> int:
        return int(self.x.shape[0])

    @property
    def sample_shape(self) -> tuple[int, ...]:
        """Shape of one sample (without the batch axis)."""
        return tuple(int(d) for d in self.x.shape[1:])

    def take(self, n: int) -> ArrayDataset:
        """The first ``n`` samples as a new dataset (for quick runs and calibration subsets)."""
        y = None if self.y is None else self.y[:n]
        return ArrayDataset(self.x[:n], y, self.name, self.classes, self.augment)

    def subset(self, index: np.ndarray) -> ArrayDataset:
        """The samples at ``index`` (an int or boolean array) as a new dataset."""
        y = None if self.y is None else self.y[index]
        return ArrayDataset(self.x[index], y, self.name, self.classes, self.augment)

    def to_tf(self, batch_size: int = 32, shuffle: bool = False, seed: int = 0) -> tf.data.Dataset:
        """A batched, prefetched ``tf.data.Dataset`` of ``x`` or ``(x, y)``; shuffled per epoch if asked."""
        if batch_size < 1:
            raise DatasetError(f"batch_size must be >= 1, got {batch_size}")
        from edgesmith.datasets.tf_runtime import tf

        tensors = self.x if self.y is None else (self.x, self.y)
        ds = tf.data.Dataset.from_tensor_slices(tensors)
        if shuffle:
            ds = ds.shuffle(len(self), seed=seed, reshuffle_each_iteration=True)
        ds = ds.batch(batch_size)
        if self.augment is not None:
            augment = self.augment
            if self.y is None:
                ds = ds.map(lambda xb: augment(xb, seed), num_parallel_calls=tf.data.AUTOTUNE)
            else:
                ds = ds.map(lambda xb, yb: (augment(xb, seed), yb), num_parallel_calls=tf.data.AUTOTUNE)
        return ds.prefetch(tf.data.AUTOTUNE)


@dataclass
class Splits:
    """Train / validation / test datasets of one source; ``info`` holds loader metadata (e.g. a scaler)."""

    train: ArrayDataset
    val: ArrayDataset | None
    test: ArrayDataset
    name: str
    info: dict[str, Any] = field(default_factory=dict)

    def __iter__(self):
        """Iterate over the present splits as ``(split_name, dataset)`` pairs."""
        for key in ("train", "val", "test"):
            ds = getattr(self, key)
            if ds is not None:
                yield key, ds

    def sizes(self) -> dict[str, int]:
        """Number of samples per split."""
        return {key: len(ds) for key, ds in self}


def split_indices(
    n: int, val_split: float, test_split: float, seed: int | None = 0
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Train/val/test index arrays by ratio: shuffled with ``seed``, chronological if ``seed`` is None."""
    if not (0 <= val_split < 1 and 0 <= test_split < 1 and val_split + test_split < 1):
        raise DatasetError(
            f"val_split={val_split} and test_split={test_split} must each be in [0, 1) and sum below 1"
        )
    order = np.arange(n) if seed is None else np.random.default_rng(seed).permutation(n)
    n_test = round(n * test_split)
    n_val = round(n * val_split)
    n_train = n - n_val - n_test
    if n_train < 1 or (test_split > 0 and n_test < 1):
        raise DatasetError(
            f"{n} samples are too few for val_split={val_split}, test_split={test_split}; "
            "add data or lower the ratios"
        )
    return order[:n_train], order[n_train : n_train + n_val], order[n_train + n_val :]


def split_dataset(
    ds: ArrayDataset, val_split: float = 0.1, test_split: float = 0.1, seed: int | None = 0
) -> Splits:
    """Split one dataset by ratio into :class:`Splits` (seeded shuffle; chronological if ``seed=None``)."""
    tr, va, te = split_indices(len(ds), val_split, test_split, seed)
    val = ds.subset(va) if len(va) else None
    test_ds = ds.subset(te)
    test_ds.augment = None
    if val is not None:
        val.augment = None
    return Splits(ds.subset(tr), val, test_ds, ds.name)


__all__ = ["ArrayDataset", "Splits", "split_dataset", "split_indices"]
