"""Named data for the CLI: ``mnist``, ``cifar10`` (offline stand-ins by default) or an ``.npz`` file."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from edgesmith.quantize.errors import QuantizeError

NAMED = ("mnist", "cifar10")
SPLITS = ("train", "val", "test")


def load_arrays(
    spec: str,
    split: str,
    input_shape: tuple[int | None, ...],
    *,
    data_dir: str | os.PathLike | None = None,
    limit: int | None = None,
) -> tuple[np.ndarray, np.ndarray | None, str]:
    """(x, y, name) for ``mnist`` / ``cifar10`` (``data_dir`` for the real files) or ``file.npz``.

    An ``.npz`` holds ``x`` (float samples shaped like the model input) and optionally ``y``. CIFAR-10 is
    sized to the model's input (the tutorial CNN's 24×24 is a centre crop, as in TensorFlow's tutorial).
    """
    if split not in SPLITS:
        raise QuantizeError(f"unknown split {split!r}; choose one of: {', '.join(SPLITS)}")
    if spec in NAMED:
        from edgesmith.datasets import load_cifar10, load_mnist

        if spec == "mnist":
            splits = load_mnist(data_dir)
        else:
            size = int(input_shape[1] or 32)
            splits = load_cifar10(data_dir, image_size=size, crop=size < 32)
        part = getattr(splits, split)
        if part is None:
            raise QuantizeError(f"{spec} has no {split} split; use --split train or test")
        x, y, name = part.x, part.y, f"{splits.name}:{split}"
    else:
        path = Path(spec)
        if path.suffix != ".npz":
            raise QuantizeError(
                f"unknown data {spec!r}; use mnist, cifar10 or a .npz file with arrays x (and y)"
            )
        if not path.is_file():
            raise QuantizeError(f"{path}: no such data file; check the path")
        try:
            with np.load(path, allow_pickle=False) as npz:
                if "x" not in npz:
                    raise QuantizeError(
                        f"{path}: no array named 'x'; save it with np.savez(path, x=..., y=...)"
                    )
                x = npz["x"]
                y = npz.get("y", None)
        except (OSError, ValueError) as exc:
            raise QuantizeError(
                f"{path}: not a readable .npz file ({exc}); re-save it with np.savez"
            ) from exc
        name = path.name
    if limit is not None:
        x, y = x[:limit], (None if y is None else y[:limit])
    return np.asarray(x, dtype=np.float32), y, name
