"""Calibration samples for post-training quantization and dataset fingerprints for artifact sidecars."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator

import numpy as np

from edgesmith.datasets.errors import DatasetError


def representative_indices(n_total: int, n: int = 100, seed: int = 0) -> np.ndarray:
    """``min(n, n_total)`` distinct sample indices drawn with ``seed`` (sorted, so reads stay sequential)."""
    if n < 1:
        raise DatasetError(f"the representative dataset needs n >= 1 samples, got n={n}")
    if n_total < 1:
        raise DatasetError("the representative dataset needs at least one sample; pass a non-empty array")
    if n >= n_total:
        return np.arange(n_total)
    return np.sort(np.random.default_rng(seed).choice(n_total, size=n, replace=False))


class RepresentativeDataset:
    """Callable that yields ``[sample]`` batch-1 float32 arrays; remembers which samples and their hash."""

    def __init__(self, samples: np.ndarray, indices: np.ndarray) -> None:
        self.samples = samples
        self.indices = indices
        self.data_hash = data_hash(samples)

    def __len__(self) -> int:
        return int(self.samples.shape[0])

    def __call__(self) -> Iterator[list[np.ndarray]]:
        for sample in self.samples:
            yield [sample[np.newaxis, ...]]

    def batches(self, batch_size: int) -> Iterator[np.ndarray]:
        """The same samples in batches of ``batch_size`` (the last may be smaller), e.g. for TensorRT."""
        for start in range(0, len(self), batch_size):
            yield self.samples[start : start + batch_size]


def representative_dataset(
    x: np.ndarray, n: int = 100, seed: int = 0
) -> Callable[[], Iterator[list[np.ndarray]]]:
    """A TFLite ``representative_dataset``: yields ``[sample]`` batch-1 float32 arrays, ``n`` seeded samples.

    The returned :class:`RepresentativeDataset` also gives ``.samples``, ``.indices``, ``.data_hash`` (for
    the sidecar) and ``.batches(b)`` (for a TensorRT calibrator). Calling it again yields the same samples
    in the same order, so calibration is reproducible.
    """
    x = np.asarray(x)
    if x.ndim < 2:
        raise DatasetError(
            f"representative_dataset expects samples stacked on axis 0 (N, ...), got shape {x.shape}"
        )
    idx = representative_indices(len(x), n, seed)
    return RepresentativeDataset(np.ascontiguousarray(x[idx], dtype=np.float32), idx)


def data_hash(x: np.ndarray) -> str:
    """SHA-256 hex digest of the array's bytes (C order): records which data calibrated or tested a model."""
    return hashlib.sha256(np.ascontiguousarray(x).tobytes()).hexdigest()


__all__ = ["RepresentativeDataset", "data_hash", "representative_dataset", "representative_indices"]
