"""INT8 calibration without TensorRT in the loop: the batch feeder and the reusable calibration cache.

``CalibrationBatcher`` turns representative samples into fixed-size float32 batches (TensorRT's
calibrator wants every batch the same size); ``CalibrationCache`` stores TensorRT's cache bytes plus a
small JSON recording which data produced them, so a cache is reused across builds only for the same
data. ``entropy_calibrator`` (in :mod:`edgesmith.export_trt.engine`) wires both into
``tensorrt.IInt8EntropyCalibrator2``.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from edgesmith.datasets import data_hash, representative_dataset
from edgesmith.export_trt.errors import ExportError
from edgesmith.profiling.artifacts import atomic_write


def check_sample_shape(x: np.ndarray, input_shape: tuple[int | None, ...]) -> None:
    """Raise a one-line ExportError unless samples ``(N, ...)`` fit a model input ``(batch, ...)``."""
    want = tuple(input_shape[1:])
    got = tuple(x.shape[1:])
    if len(want) != len(got) or any(w is not None and w != d for w, d in zip(want, got, strict=True)):
        shown = "x".join("N" if d is None else str(d) for d in input_shape)
        raise ExportError(
            f"calibration samples have shape {'x'.join(map(str, x.shape))} but the model input is "
            f"{shown}; resize the calibration data"
        )


class CalibrationBatcher:
    """Fixed-size, C-contiguous float32 batches of calibration samples, served once in order.

    ``samples`` is an ``(N, ...)`` array; ``max_samples`` draws a seeded subset (via
    ``edgesmith.datasets.representative_dataset``). A trailing partial batch is dropped, because TensorRT
    calibrates with one static batch size; ``samples_used`` says how many samples were actually fed.
    """

    def __init__(
        self,
        samples: np.ndarray,
        batch_size: int = 8,
        *,
        max_samples: int | None = None,
        seed: int = 0,
        input_shape: tuple[int | None, ...] | None = None,
    ) -> None:
        x = np.asarray(samples)
        if x.ndim < 2 or len(x) == 0:
            raise ExportError(f"calibration data must be stacked samples (N, ...), got shape {x.shape}")
        if batch_size < 1:
            raise ExportError(f"calibration batch size must be >= 1, got {batch_size}")
        if input_shape is not None:
            check_sample_shape(x, input_shape)
        rep = representative_dataset(x, n=max_samples or len(x), seed=seed)
        self.samples: np.ndarray = rep.samples
        self.data_hash: str = rep.data_hash
        self.batch_size = min(batch_size, len(self.samples))
        self.num_batches = len(self.samples) // self.batch_size
        self._cursor = 0

    @property
    def samples_used(self) -> int:
        return self.num_batches * self.batch_size

    @property
    def batch_shape(self) -> tuple[int, ...]:
        return (self.batch_size, *self.samples.shape[1:])

    @property
    def batch_nbytes(self) -> int:
        return int(np.prod(self.batch_shape)) * np.dtype(np.float32).itemsize

    def reset(self) -> None:
        """Start again from the first batch (TensorRT may calibrate more than once)."""
        self._cursor = 0

    def next_batch(self) -> np.ndarray | None:
        """The next full batch, or ``None`` when every batch has been served."""
        if self._cursor >= self.num_batches:
            return None
        start = self._cursor * self.batch_size
        self._cursor += 1
        return np.ascontiguousarray(self.samples[start : start + self.batch_size], dtype=np.float32)

    def __iter__(self) -> Iterator[np.ndarray]:
        self.reset()
        while (batch := self.next_batch()) is not None:
            yield batch

    def __len__(self) -> int:
        return self.num_batches


class CalibrationCache:
    """TensorRT's INT8 calibration cache at ``path`` plus ``<path>.json`` naming the data that produced it."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self.meta_path = self.path.with_name(self.path.name + ".json")
        self.reused = False

    def exists(self) -> bool:
        return self.path.is_file() and self.path.stat().st_size > 0

    def metadata(self) -> dict[str, Any]:
        """The cache's recorded provenance (data hash, sample count), or ``{}`` for a foreign cache."""
        if not self.meta_path.exists():
            return {}
        try:
            return json.loads(self.meta_path.read_text())
        except json.JSONDecodeError:
            return {}

    def read(self, expected_data_hash: str | None = None) -> bytes | None:
        """Cache bytes to reuse, or ``None`` when absent or made from other data than ``expected_data_hash``.

        With ``expected_data_hash=None`` (no calibration data given) any existing cache is used as is.
        """
        if not self.exists():
            return None
        recorded = self.metadata().get("data_hash")
        if expected_data_hash is not None and recorded is not None and recorded != expected_data_hash:
            return None
        self.reused = True
        return self.path.read_bytes()

    def write(self, data: bytes, *, data_hash: str | None, samples: int) -> None:
        """Store the cache bytes and their provenance atomically."""
        atomic_write(self.path, bytes(data))
        meta = {"data_hash": data_hash, "samples": samples, "bytes": len(data)}
        atomic_write(self.meta_path, (json.dumps(meta, indent=2) + "\n").encode())


def load_calibration_array(path: str | os.PathLike[str]) -> np.ndarray:
    """Read calibration samples from ``.npy`` or ``.npz`` (first array, or the one named ``x``)."""
    p = Path(path)
    if not p.exists():
        raise ExportError(f"{p}: no such calibration data file; save samples with numpy.save(path, x)")
    try:
        loaded = np.load(p, allow_pickle=False)
    except Exception as exc:
        raise ExportError(f"{p}: not a .npy/.npz array file ({exc}); save samples with numpy.save") from exc
    if isinstance(loaded, np.lib.npyio.NpzFile):
        keys = list(loaded.keys())
        if not keys:
            raise ExportError(f"{p}: the .npz file holds no arrays")
        arr = loaded["x"] if "x" in keys else loaded[keys[0]]
    else:
        arr = loaded
    return np.asarray(arr, dtype=np.float32)


__all__ = [
    "CalibrationBatcher",
    "CalibrationCache",
    "check_sample_shape",
    "data_hash",
    "load_calibration_array",
]
