"""Cityscapes segmentation (Edge TPU study's U-Net): ``leftImg8bit/`` photos + ``gtFine/*_labelIds.png``."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from edgesmith.datasets.arrays import ArrayDataset, Splits, split_indices
from edgesmith.datasets.errors import DatasetError
from edgesmith.datasets.files import Progress, existing_dir
from edgesmith.datasets.plates import read_rgb

CATEGORIES = ("void", "flat", "construction", "object", "nature", "sky", "human", "vehicle")

# Cityscapes label id (0..33) → category id, as in cityscapesScripts' labels.py.
LABEL_CATEGORY = (
    *(
        0,
        0,
        0,
        0,
        0,
        0,
        0,
    ),  # unlabeled, ego vehicle, rectification border, out of roi, static, dynamic, ground
    *(1, 1, 1, 1),  # road, sidewalk, parking, rail track
    *(2, 2, 2, 2, 2, 2),  # building, wall, fence, guard rail, bridge, tunnel
    *(3, 3, 3, 3),  # pole, polegroup, traffic light, traffic sign
    *(4, 4),  # vegetation, terrain
    5,  # sky
    *(6, 6),  # person, rider
    *(7, 7, 7, 7, 7, 7, 7, 7),  # car, truck, bus, caravan, trailer, train, motorcycle, bicycle
)
NUM_LABEL_IDS = len(LABEL_CATEGORY)  # 34

# Lookup table over all uint8 values: ids outside 0..33 (e.g. 255) count as void.
_LUT = np.zeros(256, dtype=np.uint8)
_LUT[:NUM_LABEL_IDS] = LABEL_CATEGORY


def label_ids_to_categories(label_ids: np.ndarray) -> np.ndarray:
    """Map Cityscapes label ids (0..33) to the 8 category ids (0 void … 7 vehicle); other ids become void."""
    ids = np.asarray(label_ids)
    if ids.dtype != np.uint8:
        ids = np.where((ids >= 0) & (ids < 256), ids, 0).astype(np.uint8)
    return _LUT[ids]


def cityscapes_pairs(root: Path, split: str) -> list[tuple[Path, Path]]:
    """(photo, labelIds) file pairs for ``split`` (train/val/test), matched by ``city_seq_frame`` stem."""
    images_dir = root / "leftImg8bit" / split
    labels_dir = root / "gtFine" / split
    if not images_dir.is_dir() or not labels_dir.is_dir():
        raise DatasetError(
            f"{root} lacks leftImg8bit/{split}/ or gtFine/{split}/; pass the folder holding both extracted "
            "archives (leftImg8bit_trainvaltest.zip and gtFine_trainvaltest.zip)"
        )
    pairs = []
    for image in sorted(images_dir.glob("*/*_leftImg8bit.png")):
        stem = image.name[: -len("_leftImg8bit.png")]
        label = labels_dir / image.parent.name / f"{stem}_gtFine_labelIds.png"
        if not label.is_file():
            raise DatasetError(
                f"{image.name} has no {label.relative_to(root)}; extract gtFine for every photo"
            )
        pairs.append((image, label))
    if not pairs:
        raise DatasetError(f"no <city>/*_leftImg8bit.png photos in {images_dir}")
    return pairs


def read_label_ids(path: Path, size: tuple[int, int] | None = None) -> np.ndarray:
    """A ``*_labelIds.png`` as an integer (H, W) array, nearest-resized to ``size`` = (height, width)."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as img:
            if img.mode not in ("L", "P", "I", "I;16"):
                raise DatasetError(
                    f"{path} is a {img.mode} image, not a single-channel labelIds PNG; "
                    "use the *_gtFine_labelIds.png files"
                )
            if size is not None:
                img = img.resize((size[1], size[0]), Image.Resampling.NEAREST)
            return np.asarray(img)
    except (UnidentifiedImageError, OSError) as exc:
        raise DatasetError(f"{path} is not a readable PNG ({exc}); extract gtFine again") from exc


def read_cityscapes_split(
    root: str | os.PathLike[str],
    split: str = "train",
    image_size: tuple[int, int] = (128, 256),
    categories: bool = True,
    max_images: int | None = None,
    progress: Progress | None = None,
) -> ArrayDataset:
    """One Cityscapes split: x float32 (N, H, W, 3) in [0, 1], y uint8 (N, H, W) category (or label) ids."""
    folder = existing_dir(root, "Cityscapes")
    pairs = cityscapes_pairs(folder, split)[:max_images]
    x = np.empty((len(pairs), image_size[0], image_size[1], 3), dtype=np.float32)
    y = np.empty((len(pairs), image_size[0], image_size[1]), dtype=np.uint8)
    for i, (image, label) in enumerate(pairs):
        x[i] = read_rgb(image, image_size)
        ids = read_label_ids(label, image_size)
        y[i] = label_ids_to_categories(ids) if categories else np.clip(ids, 0, 255)
        if progress is not None:
            progress(i + 1, len(pairs))
    classes = CATEGORIES if categories else None
    return ArrayDataset(x, y, "cityscapes", classes)


def load_cityscapes(
    root: str | os.PathLike[str],
    image_size: tuple[int, int] = (128, 256),
    val_split: float = 0.1,
    seed: int = 0,
    categories: bool = True,
    max_images: int | None = None,
    progress: Progress | None = None,
) -> Splits:
    """Cityscapes fine annotations as :class:`Splits`: train/ minus a ``val_split`` share, and val/ as test.

    The official test/ labels are withheld (all void), so the public val/ set is the test split here.
    ``categories=True`` maps the 34 label ids to the 8 groups in :data:`CATEGORIES` (the U-Net's classes).
    ``max_images`` caps each folder (quick runs); ``progress(done, total)`` is called per image, per split.
    """
    train_all = read_cityscapes_split(root, "train", image_size, categories, max_images, progress)
    test = read_cityscapes_split(root, "val", image_size, categories, max_images, progress)
    tr, va, _ = split_indices(len(train_all), val_split, 0.0, seed)
    val = train_all.subset(va) if len(va) else None
    return Splits(
        train_all.subset(tr), val, test, "cityscapes", {"source": str(root), "categories": categories}
    )


__all__ = [
    "CATEGORIES",
    "LABEL_CATEGORY",
    "NUM_LABEL_IDS",
    "cityscapes_pairs",
    "label_ids_to_categories",
    "load_cityscapes",
    "read_cityscapes_split",
    "read_label_ids",
]
