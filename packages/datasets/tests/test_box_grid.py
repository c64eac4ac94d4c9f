"""Heatmap grid encoding and decoding are inverse: encoded boxes decode back to themselves."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from PIL import Image

from edgesmith.datasets.box_grid import Letterbox, box_iou_matrix, decode_grid, encode_boxes, letterbox


def test_encoded_boxes_decode_back() -> None:
    boxes = np.array([[20, 30, 60, 50], [200, 100, 360, 180], [5, 300, 40, 318]], np.float32)
    grid = encode_boxes(boxes, 384)[..., :5]
    found, scores = decode_grid(grid, threshold=0.5)
    assert len(found) == 3 and (scores > 0.99).all()
    iou = box_iou_matrix(found, boxes)
    assert (iou.max(axis=0) > 0.97).all()


def test_empty_grid_decodes_to_nothing() -> None:
    found, scores = decode_grid(np.zeros((48, 48, 5), np.float32))
    assert found.shape == (0, 4) and scores.shape == (0,)


def test_letterbox_maps_back_to_photo_pixels() -> None:
    photo = Image.new("RGB", (640, 480), (10, 20, 30))
    arr, fit = letterbox(photo, 384)
    assert arr.shape == (384, 384, 3) and fit == Letterbox(0.6, 640, 480)
    assert (arr[300:, :, 0] == 114).all() and (arr[:288, :, 0] == 10).all()
    box = np.array([[100, 200, 300, 260]], np.float32)
    grid = encode_boxes(box * fit.scale, 384)[..., :5]
    found, _ = decode_grid(grid, fit, threshold=0.5)
    assert box_iou_matrix(found, box)[0, 0] > 0.97


def test_degenerate_boxes_are_dropped_and_clipped() -> None:
    grid = np.zeros((48, 48, 5), np.float32)
    grid[10, 10] = [0.9, 0.4, 0.4, 0.0, 0.0]  # zero size: dropped
    grid[47, 47] = [0.8, 0.5, 0.5, 0.5, 0.3]  # runs off the corner: clipped
    found, _ = decode_grid(grid, Letterbox(1.0, 384, 384))
    assert len(found) == 1 and found[0, 2] <= 384 and found[0, 3] <= 384


def test_tiles_cover_the_extent_and_overlap_enough() -> None:
    from edgesmith.datasets.box_grid import tile_origins

    assert tile_origins(300, 384, 128) == [0]
    assert tile_origins(384, 384, 128) == [0]
    for extent, overlap in ((640, 128), (1000, 128), (385, 10), (2000, 300)):
        starts = tile_origins(extent, 384, overlap)
        assert starts[0] == 0 and starts[-1] == extent - 384  # the last tile ends flush with the extent
        shared = [a + 384 - b for a, b in itertools.pairwise(starts)]
        assert min(shared) >= overlap, (extent, starts)
        assert len(tile_origins(extent, 384, 0)) <= len(starts)
    with pytest.raises(ValueError, match="overlap"):
        tile_origins(1000, 384, 384)


def test_nms_keeps_the_first_of_overlapping_boxes_in_order() -> None:
    from edgesmith.datasets.box_grid import nms

    boxes = np.array([[0, 0, 10, 10], [1, 1, 11, 11], [20, 20, 30, 30], [0, 0, 10, 9]], float)
    kept, scores = nms(boxes, np.array([0.5, 0.9, 0.8, 0.7]), iou=0.3)
    assert kept.tolist() == [[0, 0, 10, 10], [20, 20, 30, 30]]  # given order wins, not the score
    assert scores.tolist() == pytest.approx([0.5, 0.8])
    assert len(nms(boxes, np.ones(4), iou=0.3, max_boxes=1)[0]) == 1
    assert nms(np.zeros((0, 4)), np.zeros(0))[0].shape == (0, 4)
