"""Turn a ``--dataset`` string into arrays: ``.npz``/``.npy`` files or the edgesmith.datasets loaders.

Accepted forms: ``data.npz`` (arrays ``x`` and optional ``y``; else the first two arrays), ``x.npy``
(inputs only), ``mnist``/``mnist:DIR`` (IDX files in DIR), ``cifar10``/``cifar10:DIR``, ``digits``
(28×28×1) — the bare names use the offline scikit-learn digits stand-ins.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from edgesmith.profiling.runner import RunnerError

NAMED = ("mnist", "cifar10", "digits")
SPLITS = ("train", "val", "test")


def load_data(
    spec: str, split: str = "test", limit: int | None = None, image_size: int | None = None
) -> tuple[np.ndarray, np.ndarray | None, str]:
    """``(x, y, name)`` for a dataset spec; ``limit`` keeps the first N samples."""
    if split not in SPLITS:
        raise RunnerError(f"unknown split {split!r}; use train, val or test")
    name, _, arg = spec.partition(":")
    if name.lower() in NAMED and not Path(spec).exists():
        x, y, label = _named(name.lower(), arg or None, split, image_size)
    else:
        x, y, label = _file(Path(spec))
    if limit is not None:
        x, y = x[:limit], None if y is None else y[:limit]
    if len(x) == 0:
        raise RunnerError(f"dataset {spec!r} has no samples")
    return np.asarray(x, np.float32), y, label


def _file(path: Path) -> tuple[np.ndarray, np.ndarray | None, str]:
    if not path.exists():
        raise RunnerError(
            f"{path}: no such dataset; pass a .npz (x, y), a .npy, or one of: {', '.join(NAMED)}"
        )
    try:
        if path.suffix == ".npy":
            return np.load(path, allow_pickle=False), None, path.name
        with np.load(path, allow_pickle=False) as z:
            keys = list(z.keys())
            if "x" in keys:
                return z["x"], z["y"] if "y" in keys else None, path.name
            if not keys:
                raise RunnerError(f"{path}: the archive holds no arrays")
            return z[keys[0]], z[keys[1]] if len(keys) > 1 else None, path.name
    except (OSError, ValueError) as exc:
        raise RunnerError(
            f"{path}: not a readable numpy .npz/.npy file ({exc}); re-save it with np.savez"
        ) from exc


def _named(
    name: str, data_dir: str | None, split: str, image_size: int | None
) -> tuple[np.ndarray, np.ndarray, str]:
    from edgesmith import datasets

    try:
        if name == "mnist":
            splits = datasets.load_mnist(data_dir)
        elif name == "cifar10":
            splits = datasets.load_cifar10(data_dir, image_size=image_size or 32)
        else:
            splits = datasets.load_digits_mnist()
    except datasets.DatasetError as exc:
        raise RunnerError(str(exc)) from exc
    part = getattr(splits, split)
    if part is None:
        raise RunnerError(f"{name} has no {split} split; use --split test")
    return part.x, part.y, f"{part.name} ({split})"
