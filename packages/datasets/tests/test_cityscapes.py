"""Cityscapes leftImg8bit/gtFine layout written as real PNGs, and the 34 ids → 8 categories mapping."""

import numpy as np
import pytest
from PIL import Image

from edgesmith.datasets import (
    CITYSCAPES_CATEGORIES,
    DatasetError,
    label_ids_to_categories,
    load_cityscapes,
    read_cityscapes_split,
)


def test_mapping_of_all_34_ids():
    ids = np.arange(34)
    cats = label_ids_to_categories(ids)
    assert CITYSCAPES_CATEGORIES == (
        "void", "flat", "construction", "object", "nature", "sky", "human", "vehicle"
    )  # fmt: skip
    assert cats[:7].tolist() == [0] * 7
    assert cats[[7, 8, 9, 10]].tolist() == [1] * 4
    assert cats[11:17].tolist() == [2] * 6
    assert cats[17:21].tolist() == [3] * 4
    assert cats[[21, 22, 23, 24, 25]].tolist() == [4, 4, 5, 6, 6]
    assert cats[26:34].tolist() == [7] * 8
    assert label_ids_to_categories(np.array([255, -1], dtype=np.int16)).tolist() == [0, 0]


def _write_city(root, split, city, n, size=(16, 32)):
    img_dir = root / "leftImg8bit" / split / city
    lbl_dir = root / "gtFine" / split / city
    img_dir.mkdir(parents=True)
    lbl_dir.mkdir(parents=True)
    for i in range(n):
        stem = f"{city}_000000_{i:06d}"
        photo = np.zeros((*size, 3), np.uint8)
        photo[: size[0] // 2] = (70, 130, 180)  # sky colour on top
        Image.fromarray(photo).save(img_dir / f"{stem}_leftImg8bit.png")
        ids = np.full(size, 7, np.uint8)  # road
        ids[: size[0] // 2] = 23  # sky
        ids[-2:, :4] = 26  # a car
        Image.fromarray(ids).save(lbl_dir / f"{stem}_gtFine_labelIds.png")
        Image.fromarray(ids).save(lbl_dir / f"{stem}_gtFine_color.png")  # ignored sibling


def test_load_cityscapes(tmp_path):
    _write_city(tmp_path, "train", "aachen", 5)
    _write_city(tmp_path, "train", "bremen", 5)
    _write_city(tmp_path, "val", "lindau", 2)
    splits = load_cityscapes(tmp_path, image_size=(8, 16), val_split=0.2)
    assert splits.sizes() == {"train": 8, "val": 2, "test": 2}
    y = splits.test.y
    assert y.shape == (2, 8, 16) and y.dtype == np.uint8
    assert (y[:, :4] == 5).all() and (y[:, 4:7] == 1).all() and (y[:, -1, :2] == 7).all()
    assert splits.test.x.shape == (2, 8, 16, 3)
    np.testing.assert_allclose(splits.test.x[0, 0, 0], np.array([70, 130, 180]) / 255, atol=1e-6)
    raw = read_cityscapes_split(tmp_path, "val", image_size=(16, 32), categories=False)
    assert set(np.unique(raw.y).tolist()) == {7, 23, 26}


def test_missing_annotation_and_layout(tmp_path):
    with pytest.raises(DatasetError, match="lacks leftImg8bit/train/"):
        load_cityscapes(tmp_path)
    _write_city(tmp_path, "train", "aachen", 2)
    next((tmp_path / "gtFine/train/aachen").glob("*labelIds.png")).unlink()
    with pytest.raises(DatasetError, match="has no gtFine"):
        read_cityscapes_split(tmp_path, "train")
