"""The dense detector's small-plate pass: tiles of the magnified photo, mapped back to photo pixels."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from edgesmith.datasets.box_grid import encode_boxes
from plate_reader.detectors import GridDetector

RED = (255, 0, 0)


class _SeesBigRedBoxes:
    """A stand-in network: boxes every pure-red rectangle of its input at least ``min_px`` wide (and only
    those, as a real detector misses plates with too few pixels), as the grid the shipped model outputs."""

    def __init__(self, min_px: int = 40) -> None:
        self.min_px = min_px
        self.calls = 0

    def predict(self, x: np.ndarray) -> np.ndarray:
        import cv2

        self.calls += 1
        img = x[0]
        red = ((img[..., 0] > 0.99) & (img[..., 1] < 0.01) & (img[..., 2] < 0.01)).astype(np.uint8)
        n, _, stats, _ = cv2.connectedComponentsWithStats(red)
        boxes = [(x, y, x + w, y + h) for x, y, w, h, _ in stats[1:n] if w >= self.min_px]
        grid = encode_boxes(np.array(boxes, np.float32).reshape(-1, 4), img.shape[0])[..., :5]
        return grid[None]

    def predict_pixels(self, x: np.ndarray, scale: float) -> np.ndarray:
        assert x.dtype == np.uint8  # the detector hands over the letterboxed pixels themselves
        return self.predict(x * np.float32(scale))

    def deactivate(self) -> None:
        pass


def _photo(size: tuple[int, int], boxes: list[tuple[int, int, int, int]]) -> Image.Image:
    img = Image.new("RGB", size, (90, 110, 100))
    for b in boxes:
        img.paste(RED, b)
    return img


@pytest.mark.parametrize("size", [(1280, 720), (720, 1280), (960, 960)])
def test_zoomed_pass_finds_a_small_plate_the_whole_photo_pass_cannot(size: tuple[int, int]) -> None:
    w, h = size
    small = (w // 2 - 45, h // 3, w // 2 + 45, h // 3 + 40)  # 90 px: 27 px in a 384 letterbox of 1280
    big = (w // 8, h - 300, w // 8 + 400, h - 100)
    photo = _photo(size, [small, big])
    one = GridDetector(_SeesBigRedBoxes(), (384, 384), zoom=1.0).detect(photo)
    assert len(one) == 1 and np.allclose(one[0].box, big, atol=8)  # the small plate is too small
    net = _SeesBigRedBoxes()
    two = GridDetector(net, (384, 384), zoom=5 / 3).detect(photo)
    found = sorted((d.box for d in two), key=lambda b: b[2] - b[0])
    assert len(found) == 2, found  # once each: the big plate from the whole photo, the small from a tile
    assert np.allclose(found[0], small, atol=8) and np.allclose(found[1], big, atol=8)
    assert net.calls == 1 + (4 if w == h else 2)  # 640-px letterbox: 2×2 tiles square, 2 when 16:9


def test_a_plate_across_a_tile_edge_is_found_once_and_whole() -> None:
    # a 1280-px photo letterboxes to 640 px for the zoomed pass, tiled at x = 0 and 256: a plate at
    # 330-420 zoomed px is cut by the first tile's edge (384), which still sees 54 px of it, and lies
    # whole in the second tile; the cut box must not win
    across = (660, 300, 840, 380)
    dets = GridDetector(_SeesBigRedBoxes(), (384, 384), zoom=5 / 3).detect(_photo((1280, 720), [across]))
    assert len(dets) == 1 and np.allclose(dets[0].box, across, atol=8), dets


def test_zoom_below_one_is_refused() -> None:
    with pytest.raises(ValueError, match="zoom"):
        GridDetector(_SeesBigRedBoxes(), (384, 384), zoom=0.5)
