"""CIFAR-10 from its binary (``data_batch_N.bin``) or python pickle batches, with an offline stand-in."""

from __future__ import annotations

import os
import pickle
from pathlib import Path

import numpy as np

from edgesmith.datasets.arrays import ArrayDataset, Splits, split_indices
from edgesmith.datasets.digits import digits_splits
from edgesmith.datasets.errors import DatasetError
from edgesmith.datasets.files import atomic_write, existing_dir, read_bytes

CIFAR10_CLASSES = (
    "airplane",
    "automobile",
    "bird",
    "cat",
    "deer",
    "dog",
    "frog",
    "horse",
    "ship",
    "truck",
)
PIXELS = 32 * 32 * 3
RECORD_BYTES = 1 + PIXELS  # one label byte, then 1024 red, 1024 green, 1024 blue bytes (row-major)
TRAIN_BATCHES = tuple(f"data_batch_{i}" for i in range(1, 6))


def _to_images(flat: np.ndarray) -> np.ndarray:
    """(N, 3072) channel-planar uint8 rows → (N, 32, 32, 3)."""
    return flat.reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1)


def read_cifar_binary(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """One binary batch (``*.bin``) as uint8 images (N, 32, 32, 3) and int64 labels."""
    data = read_bytes(path)
    if len(data) == 0 or len(data) % RECORD_BYTES:
        raise DatasetError(
            f"{path} has {len(data)} bytes, not a whole number of {RECORD_BYTES}-byte CIFAR-10 records "
            "(truncated download?); download cifar-10-binary.tar.gz again"
        )
    rec = np.frombuffer(data, dtype=np.uint8).reshape(-1, RECORD_BYTES)
    labels = rec[:, 0].astype(np.int64)
    if labels.max() > 9:
        raise DatasetError(
            f"{path} has label {labels.max()} > 9: not a CIFAR-10 binary batch (CIFAR-100 uses 2 label bytes)"
        )
    return _to_images(rec[:, 1:]), labels


def read_cifar_pickle(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """One python batch (pickled dict with ``data`` and ``labels``) as uint8 images and int64 labels.

    Unpickling runs code from the file: load only batches from a source you trust (the official tarball).
    """
    try:
        batch = pickle.loads(read_bytes(path), encoding="bytes")
    except (pickle.UnpicklingError, EOFError, ValueError, AttributeError, IndexError) as exc:
        raise DatasetError(
            f"{path} is not a readable CIFAR-10 python batch ({exc}); download cifar-10-python.tar.gz again"
        ) from exc
    if not isinstance(batch, dict):
        raise DatasetError(f"{path} unpickles to {type(batch).__name__}, expected a CIFAR-10 batch dict")
    batch = {k.decode() if isinstance(k, bytes) else k: v for k, v in batch.items()}
    if "data" not in batch or "labels" not in batch:
        raise DatasetError(f"{path} lacks the 'data'/'labels' keys of a CIFAR-10 python batch")
    data = np.asarray(batch["data"], dtype=np.uint8)
    labels = np.asarray(batch["labels"], dtype=np.int64)
    if data.ndim != 2 or data.shape[1] != PIXELS:
        raise DatasetError(f"{path}: 'data' has shape {data.shape}, expected (N, {PIXELS})")
    if len(data) != len(labels):
        raise DatasetError(f"{path}: {len(data)} images but {len(labels)} labels; the batch is corrupt")
    return _to_images(data), labels


def write_cifar_binary(path: str | os.PathLike[str], images: np.ndarray, labels: np.ndarray) -> Path:
    """Write uint8 images (N, 32, 32, 3) and labels as a CIFAR-10 binary batch, atomically."""
    images, labels = np.asarray(images, dtype=np.uint8), np.asarray(labels, dtype=np.uint8)
    if images.shape[1:] != (32, 32, 3) or len(images) != len(labels):
        raise DatasetError(
            f"expected images (N, 32, 32, 3) and N labels, got {images.shape} and {labels.shape}"
        )
    rec = np.concatenate([labels[:, None], images.transpose(0, 3, 1, 2).reshape(len(images), -1)], axis=1)
    with atomic_write(path) as fh:
        fh.write(rec.tobytes())
    return Path(path)


def write_cifar_pickle(path: str | os.PathLike[str], images: np.ndarray, labels: np.ndarray) -> Path:
    """Write uint8 images (N, 32, 32, 3) and labels as a CIFAR-10 python batch, atomically."""
    images = np.asarray(images, dtype=np.uint8)
    if images.shape[1:] != (32, 32, 3) or len(images) != len(labels):
        raise DatasetError(
            f"expected images (N, 32, 32, 3) and N labels, got {images.shape} and {len(labels)}"
        )
    flat = images.transpose(0, 3, 1, 2).reshape(len(images), -1)
    batch = {b"data": flat, b"labels": [int(v) for v in labels]}
    with atomic_write(path) as fh:
        pickle.dump(batch, fh, protocol=2)
    return Path(path)


def _find_layout(root: Path) -> tuple[str, Path]:
    """('binary' | 'pickle', folder) for ``root`` or its ``cifar-10-batches-bin/-py`` subfolder."""
    for folder in (root, root / "cifar-10-batches-bin", root / "cifar-10-batches-py"):
        if (folder / "data_batch_1.bin").is_file() or (folder / "test_batch.bin").is_file():
            return "binary", folder
        if (folder / "data_batch_1").is_file() or (folder / "test_batch").is_file():
            return "pickle", folder
    raise DatasetError(
        f"no CIFAR-10 batches in {root} (looked for data_batch_1.bin or data_batch_1); pass the extracted "
        "cifar-10-batches-bin or cifar-10-batches-py folder"
    )


def _label_names(folder: Path, layout: str) -> tuple[str, ...]:
    meta_txt, meta_pkl = folder / "batches.meta.txt", folder / "batches.meta"
    if layout == "binary" and meta_txt.is_file():
        names = tuple(line.strip() for line in meta_txt.read_text().splitlines() if line.strip())
        if len(names) == 10:
            return names
    if layout == "pickle" and meta_pkl.is_file():
        try:
            meta = pickle.loads(meta_pkl.read_bytes(), encoding="bytes")
            names = tuple(n.decode() if isinstance(n, bytes) else str(n) for n in meta[b"label_names"])
            if len(names) == 10:
                return names
        except (pickle.UnpicklingError, EOFError, KeyError, TypeError):
            pass
    return CIFAR10_CLASSES


def _resize(images: np.ndarray, image_size: int, crop: bool) -> np.ndarray:
    """uint8 (N, 32, 32, 3) → float32 (N, s, s, 3) in [0, 1], by central crop or bilinear resize."""
    x = images.astype(np.float32) / 255.0
    if image_size == 32:
        return x
    if crop and image_size < 32:
        off = (32 - image_size) // 2
        return np.ascontiguousarray(x[:, off : off + image_size, off : off + image_size])
    from skimage.transform import resize

    return resize(x, (len(x), image_size, image_size, 3), order=1, anti_aliasing=image_size < 32).astype(
        np.float32
    )


def load_cifar10(
    data_dir: str | os.PathLike[str] | None = None,
    image_size: int = 32,
    val_split: float = 0.1,
    crop: bool = False,
) -> Splits:
    """CIFAR-10 as float32 (N, s, s, 3) in [0, 1] with int labels; offline stand-in if ``data_dir`` is None.

    Reads the binary (``data_batch_N.bin``, ``test_batch.bin``) or python (``data_batch_N``,
    ``test_batch``) batches; the last ``val_split`` share of the training batches is the validation set.
    ``image_size`` other than 32 resizes (or, with ``crop=True`` and a smaller size, crops the centre, as
    the TensorFlow tutorial does for its 24×24 input). Without ``data_dir`` the split is scikit-learn's
    digits upscaled to s×s×3 and its ``name`` is ``digits-cifar10`` so reports say which data was used.
    """
    if image_size < 8:
        raise DatasetError(f"image_size={image_size} is too small; use 8 or more pixels (32 is native)")
    if data_dir is None:
        splits = digits_splits("digits-cifar10", image_size, 3, val_split=val_split)
        return splits
    root = existing_dir(data_dir, "CIFAR-10")
    layout, folder = _find_layout(root)
    reader = read_cifar_binary if layout == "binary" else read_cifar_pickle
    suffix = ".bin" if layout == "binary" else ""
    train_paths = [folder / f"{b}{suffix}" for b in TRAIN_BATCHES]
    train_parts = [reader(p) for p in train_paths if p.is_file()]
    test_path = folder / f"test_batch{suffix}"
    if not train_parts or not test_path.is_file():
        missing = "test_batch" if train_parts else "data_batch_1..5"
        raise DatasetError(f"{folder} lacks the CIFAR-10 {missing}{suffix} file(s); extract the full archive")
    x_train = _resize(np.concatenate([p[0] for p in train_parts]), image_size, crop)
    y_train = np.concatenate([p[1] for p in train_parts])
    x_test_u8, y_test = reader(test_path)
    x_test = _resize(x_test_u8, image_size, crop)
    classes = _label_names(folder, layout)
    tr, va, _ = split_indices(len(x_train), val_split, 0.0, seed=None)
    val = ArrayDataset(x_train[va], y_train[va], "cifar10", classes) if len(va) else None
    return Splits(
        ArrayDataset(x_train[tr], y_train[tr], "cifar10", classes),
        val,
        ArrayDataset(x_test, y_test, "cifar10", classes),
        "cifar10",
        {"source": str(folder), "format": layout, "offline_stand_in": False},
    )


__all__ = [
    "CIFAR10_CLASSES",
    "load_cifar10",
    "read_cifar_binary",
    "read_cifar_pickle",
    "write_cifar_binary",
    "write_cifar_pickle",
]
