"""Data for the quantize CLI through edgesmith's one data-spec grammar (``edgesmith.profiling.dataspec``).

Calibration, QAT, pruning and the report read data exactly as ``edgesmith-profile matrix`` does: an image
folder, ``.npy``/``.npz``, a CSV of image paths and targets, ``digits`` (scikit-learn's digits, offline),
``photos`` (scikit-image's photographs, offline, unlabeled) or the real ``mnist`` / ``cifar10`` files in
``data_dir``. Images are resized to the model's input and scaled as ``preprocess`` says (default 0-1), so a
model is calibrated on the same pixels it is scored on.
"""

from __future__ import annotations

import os

import numpy as np

from edgesmith.profiling.dataspec import DataError, load_data
from edgesmith.quantize.errors import QuantizeError

REAL_SETS = ("mnist", "cifar10")


def load_arrays(
    spec: str,
    split: str,
    input_shape: tuple[int | None, ...],
    *,
    data_dir: str | os.PathLike | None = None,
    limit: int | None = None,
    preprocess: str | None = None,
) -> tuple[np.ndarray, np.ndarray | None, str]:
    """``(x, y, name)`` for a data spec, preprocessed to ``input_shape``; ``data_dir`` holds the real
    MNIST / CIFAR-10 files when ``spec`` is ``mnist`` or ``cifar10``."""
    if spec in REAL_SETS and data_dir is not None:
        spec = f"{spec}:{data_dir}"
    try:
        data = load_data(spec, preprocess, tuple(input_shape), split=split, limit=limit)
    except DataError as exc:
        raise QuantizeError(str(exc)) from exc
    return data.x, data.y, data.name
