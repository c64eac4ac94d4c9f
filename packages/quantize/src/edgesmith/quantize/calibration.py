"""Representative (calibration) samples for full-integer conversion: validated, sub-sampled and hashed."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

import numpy as np

from edgesmith.datasets import data_hash
from edgesmith.quantize.errors import CalibrationError

Representative = np.ndarray | Callable[[], Iterable[Any]] | Any


@dataclasses.dataclass(frozen=True)
class Calibration:
    """Batch-1 float32 samples fed to the TFLite converter, with their count, hash and selection seed."""

    samples: tuple[np.ndarray, ...]
    data_hash: str
    seed: int

    def __len__(self) -> int:
        return len(self.samples)

    def generator(self) -> Iterator[list[np.ndarray]]:
        """TFLite ``representative_dataset`` protocol: one ``[sample]`` list per step."""
        for sample in self.samples:
            yield [sample]

    def to_dict(self) -> dict[str, Any]:
        return {"samples": len(self.samples), "data_hash": self.data_hash, "seed": self.seed}


def _as_array(data: Representative) -> np.ndarray:
    """An (N, ...) array from an array, an object with ``.x`` (ArrayDataset) or a generator of batches."""
    for attr in ("x", "samples"):  # ArrayDataset.x, edgesmith.datasets.RepresentativeDataset.samples
        if isinstance(getattr(data, attr, None), np.ndarray):
            return getattr(data, attr)
    if isinstance(data, np.ndarray):
        return data
    if callable(data):
        batches = []
        for item in data():
            sample = item[0] if isinstance(item, list | tuple) else item
            batches.append(np.asarray(sample, dtype=np.float32))
        if not batches:
            raise CalibrationError(
                "representative dataset yielded no samples; pass at least 1 (100 recommended)"
            )
        if any(b.ndim == 0 for b in batches):
            raise CalibrationError("representative dataset yielded scalars; yield [array of shape (1, ...)]")
        return np.concatenate([b if b.shape[:1] == (1,) else b[None] for b in batches])
    raise CalibrationError(
        f"representative data of type {type(data).__name__} is not supported; pass an array (N, ...), "
        "an ArrayDataset or a generator function"
    )


def _shape_text(shape: Sequence[int | None]) -> str:
    return "x".join("N" if d is None else str(d) for d in shape)


def calibration_from(
    data: Representative, input_shape: Sequence[int | None], n: int = 100, seed: int = 0
) -> Calibration:
    """Pick ``n`` samples (random without replacement, seeded) and check them against the model input shape.

    ``input_shape`` is the model's input shape including the batch dimension (``model.input_shape``).
    """
    if n < 1:
        raise CalibrationError(f"calibration sample count must be >= 1, got {n}; use 100 (Edge TPU study)")
    x = _as_array(data)
    if x.ndim == 0 or x.shape[0] == 0:
        raise CalibrationError("representative dataset is empty; pass at least 1 sample (100 recommended)")
    expected = tuple(input_shape[1:])
    got = tuple(x.shape[1:])
    if len(got) != len(expected) or any(
        e is not None and e != g for e, g in zip(expected, got, strict=False)
    ):
        raise CalibrationError(
            f"representative samples have shape {_shape_text(got)} but the model input is "
            f"{_shape_text(expected)}; reshape or resize the calibration data"
        )
    if not np.issubdtype(x.dtype, np.number):
        raise CalibrationError(f"representative data has dtype {x.dtype}; pass numeric (float32) samples")
    if x.shape[0] > n:
        idx = np.sort(np.random.default_rng(seed).choice(x.shape[0], size=n, replace=False))
        x = x[idx]
    x = np.ascontiguousarray(x, dtype=np.float32)
    if not np.all(np.isfinite(x)):
        raise CalibrationError("representative samples contain NaN or inf; clean the calibration data")
    return Calibration(
        samples=tuple(x[i : i + 1] for i in range(x.shape[0])), data_hash=data_hash(x), seed=seed
    )
