"""The street-scene generator: plate geometry, label format, reproducibility, empty photos."""

from __future__ import annotations

import csv
import re

import numpy as np
import pytest

from edgesmith.datasets.plate_scenes import (
    LABEL_COLUMNS,
    WIDTH_RANGE,
    generate_scene,
    plate_quad,
    random_full_plate_text,
    read_labels,
    write_scenes,
)


def test_scene_plates_lie_in_frame_with_box_bounding_quad() -> None:
    for i in range(6):
        scene = generate_scene(np.random.default_rng([3, i]), size=(400, 300), n_plates=2)
        w, h = scene.image.size
        assert (w, h) == (400, 300) and scene.image.mode == "RGB"
        assert 1 <= len(scene.plates) <= 2
        for p in scene.plates:
            assert p.quad.shape == (4, 2)
            assert (
                (p.quad >= -0.5).all() and (p.quad[:, 0] <= w + 0.5).all() and (p.quad[:, 1] <= h + 0.5).all()
            )
            x1, y1, x2, y2 = p.box
            assert 0 <= x1 < x2 <= w and 0 <= y1 < y2 <= h
            assert x1 <= p.quad[:, 0].min() + 1 and p.quad[:, 0].max() <= x2 + 1


def test_empty_scene_has_no_plates() -> None:
    assert generate_scene(np.random.default_rng(1), size=(320, 240), n_plates=0).plates == []


def test_scenes_give_the_boxes_of_their_signs() -> None:
    """The signs and stickers with text are hard negatives: a reader's thresholds are chosen on them."""
    scenes = [generate_scene(np.random.default_rng([5, i]), size=(480, 360), n_plates=0) for i in range(12)]
    boxes = [b for s in scenes for b in s.distractors]
    assert boxes, "twelve scenes drew no sign"
    for x1, y1, x2, y2 in boxes:
        assert 0 <= x1 < x2 <= 480 and 0 <= y1 < y2 <= 360
    # a sign is drawn ink on a filled shape: its box is not one flat colour
    scene = next(s for s in scenes if s.distractors)
    x1, y1, x2, y2 = scene.distractors[0]
    assert np.asarray(scene.image)[y1:y2, x1:x2].std() > 5


def test_same_seed_same_scene() -> None:
    a = generate_scene(np.random.default_rng([9, 4]))
    b = generate_scene(np.random.default_rng([9, 4]))
    assert np.array_equal(np.asarray(a.image), np.asarray(b.image))
    assert [p.text for p in a.plates] == [p.text for p in b.plates]


def test_plate_widths_cover_the_range() -> None:
    rng = np.random.default_rng(0)
    widths = []
    for _ in range(300):
        frac = float(np.exp(rng.uniform(np.log(WIDTH_RANGE[0]), np.log(WIDTH_RANGE[1]))))
        quad = plate_quad(rng, (640, 480), frac * 640, 2.0)
        widths.append(np.ptp(quad[:, 0]) / 640)
    assert min(widths) < 0.1 and max(widths) > 0.6
    assert max(widths) <= 0.98


def test_plate_texts_are_full_formats() -> None:
    rng = np.random.default_rng(5)
    assert all(re.fullmatch(r"[A-Z]{3}-\d{3}|[1-9]\d{4,5}", random_full_plate_text(rng)) for _ in range(50))


def test_write_and_read_labels(tmp_path) -> None:
    csv_path = write_scenes(tmp_path, n=5, seed=2)
    with csv_path.open() as fh:
        rows = list(csv.reader(fh))
    assert tuple(rows[0]) == LABEL_COLUMNS
    photos = read_labels(tmp_path)
    assert len(photos) == 5
    for photo in photos:
        assert photo.path.is_file()
        for p in photo.plates:
            assert p.text and p.quad.shape == (4, 2)
            assert 0 <= p.box[0] < p.box[2] <= photo.width


def test_read_labels_rejects_missing_columns(tmp_path) -> None:
    from edgesmith.datasets.errors import DatasetError

    (tmp_path / "labels.csv").write_text("name,width\na.jpg,3\n")
    with pytest.raises(DatasetError, match="missing columns"):
        read_labels(tmp_path)
