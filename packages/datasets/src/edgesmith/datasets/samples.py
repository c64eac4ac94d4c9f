"""Write the offline stand-ins in the real on-disk formats, so the real loaders run end to end offline."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from edgesmith.datasets.cifar import CIFAR10_CLASSES, TRAIN_BATCHES, write_cifar_binary
from edgesmith.datasets.digits import DIGIT_CLASSES, digits_splits
from edgesmith.datasets.errors import DatasetError
from edgesmith.datasets.files import atomic_write
from edgesmith.datasets.mnist import write_idx
from edgesmith.datasets.representative import data_hash

SIDECAR = "edgesmith-sample.json"


def _fresh_dir(out: Path) -> Path:
    """A temporary sibling folder of ``out``; ``out`` must not exist or be empty (no partial output)."""
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise DatasetError(f"{out} already exists and is not an empty folder; choose a new output folder")
    out.parent.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))


def _publish(tmp: Path, out: Path, sidecar: dict[str, Any]) -> Path:
    (tmp / SIDECAR).write_text(json.dumps(sidecar, indent=2) + "\n")
    if out.exists():
        out.rmdir()
    os.replace(tmp, out)
    return out


def _as_uint8(x: np.ndarray) -> np.ndarray:
    return np.clip(np.rint(x * 255.0), 0, 255).astype(np.uint8)


def write_mnist_sample(out_dir: str | os.PathLike[str], seed: int = 0) -> Path:
    """The digits stand-in as the four gzip MNIST IDX files in ``out_dir`` (80 % train, 20 % test)."""
    out = Path(out_dir)
    tmp = _fresh_dir(out)
    try:
        splits = digits_splits("digits-mnist", 28, 1, val_split=0.0, test_split=0.2, seed=seed)
        files = {
            "train-images-idx3-ubyte.gz": _as_uint8(splits.train.x[..., 0]),
            "train-labels-idx1-ubyte.gz": splits.train.y.astype(np.uint8),
            "t10k-images-idx3-ubyte.gz": _as_uint8(splits.test.x[..., 0]),
            "t10k-labels-idx1-ubyte.gz": splits.test.y.astype(np.uint8),
        }
        for name, arr in files.items():
            write_idx(tmp / name, arr)
        sidecar = {
            "format": "mnist-idx",
            "source": "sklearn.datasets.load_digits upscaled to 28x28 (offline stand-in)",
            "classes": list(DIGIT_CLASSES),
            "seed": seed,
            "counts": {"train": len(splits.train), "test": len(splits.test)},
            "data_hash": {name: data_hash(arr) for name, arr in files.items()},
        }
        return _publish(tmp, out, sidecar)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def write_cifar10_sample(out_dir: str | os.PathLike[str], seed: int = 0) -> Path:
    """The digits stand-in as 32×32×3 CIFAR-10 binary batches ``data_batch_1..5.bin`` + ``test_batch.bin``."""
    out = Path(out_dir)
    tmp = _fresh_dir(out)
    try:
        splits = digits_splits("digits-cifar10", 32, 3, val_split=0.0, test_split=0.2, seed=seed)
        x_train, y_train = _as_uint8(splits.train.x), splits.train.y
        for i, (xs, ys) in enumerate(
            zip(np.array_split(x_train, 5), np.array_split(y_train, 5), strict=True)
        ):
            write_cifar_binary(tmp / f"{TRAIN_BATCHES[i]}.bin", xs, ys)
        write_cifar_binary(tmp / "test_batch.bin", _as_uint8(splits.test.x), splits.test.y)
        (tmp / "batches.meta.txt").write_text("\n".join(DIGIT_CLASSES) + "\n")
        sidecar = {
            "format": "cifar10-binary",
            "source": "sklearn.datasets.load_digits upscaled to 32x32x3 (offline stand-in)",
            "classes": list(DIGIT_CLASSES),
            "cifar10_classes_replaced": list(CIFAR10_CLASSES),
            "seed": seed,
            "counts": {"train": len(x_train), "test": len(splits.test)},
            "data_hash": {"train": data_hash(x_train), "test": data_hash(_as_uint8(splits.test.x))},
        }
        return _publish(tmp, out, sidecar)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def write_solar_sample(out_csv: str | os.PathLike[str], **grid_kwargs: Any) -> Path:
    """The synthetic sensor grid as a wide CSV (time + one column per sensor) plus ``<csv>.json`` sidecar."""
    import pvlib

    from edgesmith.datasets.solar_grid import synthetic_sensor_grid

    out = Path(out_csv)
    grid = synthetic_sensor_grid(**grid_kwargs)
    with atomic_write(out, "w") as fh:
        grid.to_csv(fh, float_format="%.3f")
    sidecar = {
        "format": "sensor-grid-csv",
        "source": "synthetic_sensor_grid (pvlib clear sky + moving cloud shadows)",
        "params": grid.attrs["params"] | {"n_sensors": grid.shape[1], "duration_s": len(grid)},
        "positions_m": grid.attrs["positions_m"],
        "start": str(grid.index[0]),
        "data_hash": data_hash(grid.to_numpy()),
        "versions": {"pvlib": pvlib.__version__},
    }
    with atomic_write(out.with_name(out.name + ".json"), "w") as fh:
        json.dump(sidecar, fh, indent=2)
    return out


__all__ = ["SIDECAR", "write_cifar10_sample", "write_mnist_sample", "write_solar_sample"]
