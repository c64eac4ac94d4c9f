"""Image folders with one subfolder per class (the face task, the face study), split by ratio or by folder."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from edgesmith.datasets.arrays import ArrayDataset, Splits
from edgesmith.datasets.augment import FlipRotate
from edgesmith.datasets.errors import DatasetError
from edgesmith.datasets.files import Progress, existing_dir
from edgesmith.datasets.plates import IMAGE_SUFFIXES, read_rgb

SPLIT_FOLDERS = {"train": ("train",), "val": ("val", "validation", "valid"), "test": ("test",)}


def class_folders(root: Path) -> list[Path]:
    """The class subfolders of ``root`` (sorted by name, hidden folders skipped)."""
    return sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))


def image_files(folder: Path) -> list[Path]:
    """Image files directly or nested inside ``folder``, sorted, hidden files skipped."""
    return sorted(
        p
        for p in folder.rglob("*")
        if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES and not p.name.startswith(".")
    )


def list_class_images(
    root: Path, classes: tuple[str, ...] | None = None
) -> tuple[list[Path], np.ndarray, tuple]:
    """(files, int labels, class names) for a folder with one subfolder per class."""
    folders = class_folders(root)
    names = tuple(f.name for f in folders)
    if classes is None:
        classes = names
    elif set(names) - set(classes):
        raise DatasetError(
            f"{root} has class folders {sorted(set(names) - set(classes))} that the training split lacks; "
            "use the same class subfolders in train/, val/ and test/"
        )
    if len(classes) < 2:
        raise DatasetError(
            f"{root} has {len(classes)} class subfolder(s) {list(classes)}; put each class's images in its "
            "own subfolder (e.g. nico/ and not_nico/)"
        )
    files: list[Path] = []
    labels: list[int] = []
    for folder in folders:
        found = image_files(folder)
        files += found
        labels += [classes.index(folder.name)] * len(found)
    if not files:
        raise DatasetError(f"no images ({', '.join(IMAGE_SUFFIXES)}) under {root}'s class subfolders")
    return files, np.asarray(labels, dtype=np.int64), tuple(classes)


def read_images(
    files: list[Path],
    image_size: tuple[int, int],
    progress: Progress | None = None,
    done: int = 0,
    total: int = 0,
) -> np.ndarray:
    """Images as float32 RGB (N, H, W, 3) in [0, 1], each resized to ``image_size`` = (height, width)."""
    x = np.empty((len(files), image_size[0], image_size[1], 3), dtype=np.float32)
    for i, path in enumerate(files):
        x[i] = read_rgb(path, image_size)
        if progress is not None:
            progress(done + i + 1, total or len(files))
    return x


def stratified_indices(
    labels: np.ndarray, val_split: float, test_split: float, seed: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Train/val/test indices with each class split by the same ratios (seeded shuffle within a class)."""
    if not (0 <= val_split < 1 and 0 <= test_split < 1 and val_split + test_split < 1):
        raise DatasetError(
            f"val_split={val_split} and test_split={test_split} must be in [0, 1) and sum below 1"
        )
    rng = np.random.default_rng(seed)
    parts: tuple[list, list, list] = ([], [], [])
    for label in np.unique(labels):
        idx = rng.permutation(np.flatnonzero(labels == label))
        n_test, n_val = round(len(idx) * test_split), round(len(idx) * val_split)
        parts[2].append(idx[:n_test])
        parts[1].append(idx[n_test : n_test + n_val])
        parts[0].append(idx[n_test + n_val :])
    tr, va, te = (rng.permutation(np.concatenate(p)) for p in parts)
    if len(tr) == 0 or (test_split > 0 and len(te) == 0):
        raise DatasetError(
            f"{len(labels)} images are too few for val_split={val_split}, test_split={test_split}; add images"
        )
    return tr, va, te


def _split_folder(root: Path, key: str) -> Path | None:
    for name in SPLIT_FOLDERS[key]:
        if (root / name).is_dir():
            return root / name
    return None


def load_image_folder(
    root: str | os.PathLike[str],
    image_size: tuple[int, int] = (128, 128),
    val_split: float = 0.2,
    test_split: float = 0.1,
    seed: int = 0,
    augment: bool | FlipRotate = False,
    progress: Progress | None = None,
) -> Splits:
    """Images under ``root/<class>/`` (or ``root/train|val|test/<class>/``) as float32 RGB in [0, 1].

    Classes are the subfolder names in sorted order (labels 0..C-1, as Keras's
    ``image_dataset_from_directory``). Without ``train/`` etc. subfolders the images are split per class by
    ``val_split``/``test_split`` with ``seed``. ``image_size`` is (height, width). ``augment=True`` (or a
    :class:`FlipRotate`) attaches random flip + rotation to the training split's ``to_tf()`` pipeline.
    ``progress(done, total)`` is called after each image read.
    """
    folder = existing_dir(root, "image")
    flip_rotate = augment if isinstance(augment, FlipRotate) else (FlipRotate() if augment else None)
    name = folder.name
    train_dir = _split_folder(folder, "train")
    if train_dir is not None:
        listed = {"train": list_class_images(train_dir)}
        classes = listed["train"][2]
        for key in ("val", "test"):
            sub = _split_folder(folder, key)
            if sub is not None:
                listed[key] = list_class_images(sub, classes)
        if "test" not in listed:
            raise DatasetError(f"{folder} has train/ but no test/ folder; add test/<class>/ images")
        total, done = sum(len(v[0]) for v in listed.values()), 0
        parts: dict[str, ArrayDataset] = {}
        for key, (files, labels, _) in listed.items():
            x = read_images(files, image_size, progress, done, total)
            done += len(files)
            parts[key] = ArrayDataset(x, labels, name, classes, flip_rotate if key == "train" else None)
        return Splits(
            parts["train"], parts.get("val"), parts["test"], name, {"source": str(folder), "split": "folders"}
        )
    files, labels, classes = list_class_images(folder)
    tr, va, te = stratified_indices(labels, val_split, test_split, seed)
    x = read_images(files, image_size, progress)
    val = ArrayDataset(x[va], labels[va], name, classes) if len(va) else None
    return Splits(
        ArrayDataset(x[tr], labels[tr], name, classes, flip_rotate),
        val,
        ArrayDataset(x[te], labels[te], name, classes),
        name,
        {
            "source": str(folder),
            "split": "ratio",
            "seed": seed,
            "files": {"test": [str(files[i]) for i in te]},
        },
    )


__all__ = ["load_image_folder", "stratified_indices"]
