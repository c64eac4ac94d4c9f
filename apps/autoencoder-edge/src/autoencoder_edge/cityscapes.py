"""Cityscapes-format segmentation data (``leftImg8bit/`` + ``gtFine/``) mapped to the 8 category groups.

Layout (as distributed by cityscapes-dataset.com)::

    ROOT/leftImg8bit/{train,val}/{city}/{city}_{seq}_{frame}_leftImg8bit.png
    ROOT/gtFine/{train,val}/{city}/{city}_{seq}_{frame}_gtFine_labelIds.png

``labelIds`` (0–33, official table) become category ids: void, flat, construction, object, nature, sky,
human, vehicle. The datasets package has no Cityscapes loader yet, so this app reads the format itself.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

CATEGORIES = ("void", "flat", "construction", "object", "nature", "sky", "human", "vehicle")
# Official cityscapesScripts labels.py: labelId -> categoryId for ids 0..33.
CATEGORY_OF_LABEL = np.array(
    [0] * 7 + [1] * 4 + [2] * 6 + [3] * 4 + [4] * 2 + [5] + [6] * 2 + [7] * 8, dtype=np.uint8
)
# RGB colours of the categories (cityscapesScripts' category colours), for pictures.
CATEGORY_COLORS = np.array(
    [[0, 0, 0], [128, 64, 128], [70, 70, 70], [153, 153, 153], [107, 142, 35], [70, 130, 180],
     [220, 20, 60], [0, 0, 142]],
    dtype=np.uint8,
)  # fmt: skip
IMAGE_SUFFIX = "_leftImg8bit.png"
LABEL_SUFFIX = "_gtFine_labelIds.png"


class CityscapesError(ValueError):
    """The folder is not in Cityscapes layout; the message shows the expected paths."""


def to_categories(label_ids: np.ndarray) -> np.ndarray:
    """Map Cityscapes labelIds to the 8 category ids (unknown ids, e.g. 255 or -1, become void... or
    vehicle for the licence plate id -1, as in the official table)."""
    ids = np.asarray(label_ids).astype(np.int64)
    out = np.zeros(ids.shape, dtype=np.uint8)
    known = (ids >= 0) & (ids < len(CATEGORY_OF_LABEL))
    out[known] = CATEGORY_OF_LABEL[ids[known]]
    out[ids == -1] = 7
    return out


def pairs(root: str | os.PathLike[str], split: str) -> list[tuple[Path, Path]]:
    """(image, labelIds) file pairs of one split, sorted; a clear error when the layout is wrong."""
    root = Path(root)
    images_dir, labels_dir = root / "leftImg8bit" / split, root / "gtFine" / split
    if not images_dir.is_dir() or not labels_dir.is_dir():
        raise CityscapesError(
            f"{root}: not a Cityscapes folder; expected {images_dir}/<city>/*{IMAGE_SUFFIX} and "
            f"{labels_dir}/<city>/*{LABEL_SUFFIX}"
        )
    out = []
    for image in sorted(images_dir.glob(f"*/*{IMAGE_SUFFIX}")):
        stem = image.name[: -len(IMAGE_SUFFIX)]
        label = labels_dir / image.parent.name / f"{stem}{LABEL_SUFFIX}"
        if not label.exists():
            raise CityscapesError(f"{image}: no label file {label}; download gtFine for this split")
        out.append((image, label))
    if not out:
        raise CityscapesError(f"{images_dir}: no *{IMAGE_SUFFIX} images")
    return out


def load_split(
    root: str | os.PathLike[str], split: str, image_size: tuple[int, int], limit: int | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Images (N, H, W, 3) float32 in [0, 1] resized bilinearly, category maps (N, H, W) uint8 (nearest)."""
    from PIL import Image

    height, width = image_size
    files = pairs(root, split)[:limit]
    x = np.empty((len(files), height, width, 3), np.float32)
    y = np.empty((len(files), height, width), np.uint8)
    for i, (image, label) in enumerate(files):
        with Image.open(image) as im:
            x[i] = np.asarray(im.convert("RGB").resize((width, height), Image.BILINEAR), np.float32) / 255.0
        with Image.open(label) as lb:
            y[i] = to_categories(np.asarray(lb.resize((width, height), Image.NEAREST)))
    return x, y


def colorize(categories: np.ndarray) -> np.ndarray:
    """Category map (H, W) -> RGB float image in [0, 1] for pictures."""
    return CATEGORY_COLORS[np.clip(categories, 0, len(CATEGORIES) - 1)].astype(np.float32) / 255.0
