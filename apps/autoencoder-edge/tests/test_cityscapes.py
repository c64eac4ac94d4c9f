"""The Cityscapes-format reader: labelIds to the 8 categories, resizing, layout errors."""

from __future__ import annotations

import numpy as np
import pytest

from autoencoder_edge.cityscapes import CATEGORIES, CityscapesError, load_split, pairs, to_categories


def test_label_ids_map_to_official_categories():
    ids = np.array([0, 6, 7, 10, 11, 16, 17, 20, 21, 22, 23, 24, 25, 26, 33, -1, 255])
    cats = [CATEGORIES[c] for c in to_categories(ids)]
    assert cats == [
        "void", "void", "flat", "flat", "construction", "construction", "object", "object", "nature",
        "nature", "sky", "human", "human", "vehicle", "vehicle", "vehicle", "void",
    ]  # fmt: skip


def test_load_split_resizes_images_and_labels(cityscapes_root):
    x, y = load_split(cityscapes_root, "val", (16, 32))
    assert x.shape == (3, 16, 32, 3) and x.dtype == np.float32 and x.min() >= 0 and x.max() <= 1
    assert y.shape == (3, 16, 32) and set(np.unique(y)) <= {0, 1, 2, 4, 5, 7}
    assert {1, 5, 7} <= set(np.unique(y))  # road, sky and the car survive nearest-neighbour resizing
    assert len(pairs(cityscapes_root, "train")) == 8


def test_wrong_layout_names_the_expected_paths(tmp_path):
    with pytest.raises(CityscapesError, match="leftImg8bit"):
        load_split(tmp_path, "train", (16, 32))
