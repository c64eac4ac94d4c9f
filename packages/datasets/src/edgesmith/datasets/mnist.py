"""MNIST in its IDX format (``train-images-idx3-ubyte[.gz]`` ...), with the offline digits stand-in."""

from __future__ import annotations

import gzip
import os
import struct
from pathlib import Path

import numpy as np

from edgesmith.datasets.arrays import ArrayDataset, Splits, split_indices
from edgesmith.datasets.digits import DIGIT_CLASSES, load_digits_mnist
from edgesmith.datasets.errors import DatasetError
from edgesmith.datasets.files import atomic_write, existing_dir, existing_file, find_file, read_bytes

# IDX type byte → big-endian numpy dtype (http://yann.lecun.com/exdb/mnist/, "THE IDX FILE FORMAT").
IDX_DTYPES: dict[int, np.dtype] = {
    0x08: np.dtype(">u1"),
    0x09: np.dtype(">i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}
_DTYPE_CODES = {dt.newbyteorder("=").str.lstrip("<>|="): code for code, dt in IDX_DTYPES.items()}

MNIST_FILES = {
    "train_images": ["train-images-idx3-ubyte", "train-images.idx3-ubyte"],
    "train_labels": ["train-labels-idx1-ubyte", "train-labels.idx1-ubyte"],
    "test_images": ["t10k-images-idx3-ubyte", "t10k-images.idx3-ubyte"],
    "test_labels": ["t10k-labels-idx1-ubyte", "t10k-labels.idx1-ubyte"],
}


def parse_idx(data: bytes, source: str = "<bytes>") -> np.ndarray:
    """Decode IDX bytes (magic ``00 00 <type> <ndim>``, big-endian dims, then the data) into an array."""
    if len(data) < 4:
        raise DatasetError(f"{source} is too short to be an IDX file ({len(data)} bytes); download it again")
    zero, type_code, ndim = struct.unpack(">HBB", data[:4])
    if zero != 0 or type_code not in IDX_DTYPES or ndim == 0:
        raise DatasetError(
            f"{source} has magic number 0x{data[:4].hex()}, not an IDX file (expected 0x0000080N); "
            "pass the uncompressed or .gz MNIST IDX files"
        )
    header = 4 + 4 * ndim
    if len(data) < header:
        raise DatasetError(f"{source} is truncated inside its IDX header; download it again")
    dims = struct.unpack(f">{ndim}I", data[4:header])
    dtype = IDX_DTYPES[type_code]
    expected = int(np.prod(dims, dtype=np.int64)) * dtype.itemsize
    body = len(data) - header
    if body != expected:
        problem = "truncated" if body < expected else "longer than its header says"
        raise DatasetError(
            f"{source} is {problem}: header {dims} needs {expected} data bytes, found {body}; "
            "download it again"
        )
    return np.frombuffer(data, dtype=dtype, offset=header).reshape(dims).astype(dtype.newbyteorder("="))


def read_idx(path: str | os.PathLike[str]) -> np.ndarray:
    """Read one IDX file (plain or gzip) into a native-endian numpy array."""
    p = existing_file(path, "IDX")
    return parse_idx(read_bytes(p), str(p))


def write_idx(path: str | os.PathLike[str], array: np.ndarray) -> Path:
    """Write ``array`` as an IDX file (gzip when the name ends in ``.gz``), atomically; returns the path."""
    arr = np.asarray(array)
    key = arr.dtype.newbyteorder("=").str.lstrip("<>|=")
    if key not in _DTYPE_CODES:
        raise DatasetError(f"IDX cannot store dtype {arr.dtype}; cast to uint8, int8/16/32 or float32/64")
    code = _DTYPE_CODES[key]
    payload = (
        struct.pack(">HBB", 0, code, arr.ndim)
        + struct.pack(f">{arr.ndim}I", *arr.shape)
        + np.ascontiguousarray(arr, dtype=IDX_DTYPES[code]).tobytes()
    )
    target = Path(path)
    if target.suffix == ".gz":
        payload = gzip.compress(payload, mtime=0)
    with atomic_write(target) as fh:
        fh.write(payload)
    return target


def _images_and_labels(folder: Path, images_key: str, labels_key: str) -> tuple[np.ndarray, np.ndarray]:
    images_path = find_file(folder, MNIST_FILES[images_key], "MNIST " + images_key.replace("_", " "))
    labels_path = find_file(folder, MNIST_FILES[labels_key], "MNIST " + labels_key.replace("_", " "))
    images, labels = read_idx(images_path), read_idx(labels_path)
    if images.ndim != 3:
        raise DatasetError(f"{images_path} holds shape {images.shape}, expected images (N, rows, cols)")
    if labels.ndim != 1:
        raise DatasetError(f"{labels_path} holds shape {labels.shape}, expected labels (N,)")
    if len(images) != len(labels):
        raise DatasetError(
            f"{images_path.name} has {len(images)} images but {labels_path.name} has {len(labels)} labels; "
            "the two files come from different downloads, use a matching pair"
        )
    x = images.astype(np.float32)[..., np.newaxis]
    if images.dtype == np.uint8:
        x /= 255.0
    return x, labels.astype(np.int64)


def load_mnist(data_dir: str | os.PathLike[str] | None = None, val_split: float = 0.1) -> Splits:
    """MNIST as 28×28×1 float32 in [0, 1] with int labels; offline digits stand-in when ``data_dir`` is None.

    ``data_dir`` holds the four IDX files (``train-images-idx3-ubyte`` ... ``t10k-labels-idx1-ubyte``,
    each optionally ``.gz``). The last ``val_split`` share of the training files becomes the validation set.
    """
    if data_dir is None:
        return load_digits_mnist()
    folder = existing_dir(data_dir, "MNIST")
    x_train, y_train = _images_and_labels(folder, "train_images", "train_labels")
    x_test, y_test = _images_and_labels(folder, "test_images", "test_labels")
    tr, va, _ = split_indices(len(x_train), val_split, 0.0, seed=None)
    val = ArrayDataset(x_train[va], y_train[va], "mnist", DIGIT_CLASSES) if len(va) else None
    return Splits(
        ArrayDataset(x_train[tr], y_train[tr], "mnist", DIGIT_CLASSES),
        val,
        ArrayDataset(x_test, y_test, "mnist", DIGIT_CLASSES),
        "mnist",
        {"source": str(folder), "offline_stand_in": False},
    )


__all__ = ["IDX_DTYPES", "MNIST_FILES", "load_mnist", "parse_idx", "read_idx", "write_idx"]
