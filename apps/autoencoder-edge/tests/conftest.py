"""Fixtures for the autoencoder-edge tests: a tiny Cityscapes-format tree written as real PNG files."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

# labelIds of the official table: sky 23, building 11, road 7, car 26, vegetation 21.
SCENE_COLOURS = {23: (70, 130, 180), 11: (70, 70, 70), 7: (128, 64, 128), 26: (0, 0, 142), 21: (107, 142, 35)}


def write_scene(
    root: Path, split: str, city: str, index: int, rng: np.random.Generator, size=(64, 128)
) -> None:
    """One street scene: sky, buildings, vegetation, road and a car, with its gtFine labelIds mask."""
    from PIL import Image

    h, w = size
    ids = np.full((h, w), 23, np.uint8)
    horizon = int(rng.integers(h // 3, h // 2))
    ids[horizon // 2 : horizon, :] = 11
    tree = int(rng.integers(0, w - w // 4))
    ids[horizon // 3 : horizon, tree : tree + w // 6] = 21
    ids[horizon:, :] = 7
    car_x, car_y = int(rng.integers(0, w - w // 4)), int(rng.integers(horizon, h - h // 6))
    ids[car_y : car_y + h // 6, car_x : car_x + w // 4] = 26
    ids[:2, :2] = 0  # a few unlabeled (void) pixels
    rgb = np.zeros((h, w, 3), np.float32)
    for label, colour in SCENE_COLOURS.items():
        rgb[ids == label] = colour
    rgb = np.clip(rgb + rng.normal(0, 12, rgb.shape), 0, 255).astype(np.uint8)
    stem = f"{city}_{index:06d}_000019"
    img_dir, lbl_dir = root / "leftImg8bit" / split / city, root / "gtFine" / split / city
    img_dir.mkdir(parents=True, exist_ok=True)
    lbl_dir.mkdir(parents=True, exist_ok=True)
    Image.fromarray(rgb).save(img_dir / f"{stem}_leftImg8bit.png")
    Image.fromarray(ids).save(lbl_dir / f"{stem}_gtFine_labelIds.png")


@pytest.fixture(scope="session")
def cityscapes_root(tmp_path_factory) -> Path:
    """8 training and 3 validation scenes in the leftImg8bit/ + gtFine/ layout."""
    root = tmp_path_factory.mktemp("cityscapes")
    rng = np.random.default_rng(0)
    for i in range(8):
        write_scene(root, "train", "aachen", i, rng)
    for i in range(3):
        write_scene(root, "val", "frankfurt", i, rng)
    return root
