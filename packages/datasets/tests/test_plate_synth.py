"""Tests of the synthetic plate generator: formats, font, reproducibility and exact box annotations."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from edgesmith.datasets import plate_synth
from edgesmith.datasets.plate_synth import (
    CSV_COLUMNS,
    compose_scene,
    generate_dataset,
    plate_font_path,
    random_plate_text,
    read_texts,
    render_plate,
)

LETTERS = re.compile(r"^[A-Z]{3}-\d{3}$")
NUMERIC = re.compile(r"^[1-9]\d{0,5}$")


def test_plate_text_formats() -> None:
    rng = np.random.default_rng(0)
    texts = [random_plate_text(rng) for _ in range(400)]
    assert all(LETTERS.match(t) or NUMERIC.match(t) for t in texts), texts
    assert any(LETTERS.match(t) for t in texts) and any(NUMERIC.match(t) for t in texts)
    assert {len(t) for t in texts if NUMERIC.match(t)} >= {5, 6}
    assert all(LETTERS.match(random_plate_text(rng, "letters")) for _ in range(20))
    assert all(NUMERIC.match(random_plate_text(rng, "numeric")) for _ in range(20))
    with pytest.raises(ValueError, match="unknown plate style"):
        random_plate_text(rng, "vanity")


def test_render_plate_uses_truetype_font_and_draws_text() -> None:
    assert plate_font_path().endswith(".ttf")
    plate = render_plate("ABC-123", height=64)
    assert plate.size == (128, 64) and plate.mode == "RGB"
    other = np.asarray(render_plate("XYZ-987", height=64), np.int16)
    arr = np.asarray(plate, np.int16)
    # the band is identical, the text region differs: the characters are really drawn
    assert np.abs(arr[:12] - other[:12]).mean() < 1.0
    assert np.abs(arr[24:] - other[24:]).mean() > 10.0
    with pytest.raises(ValueError, match="empty"):
        render_plate("")


def test_compose_scene_is_seeded() -> None:
    a = compose_scene(np.random.default_rng(7), size=(160, 120))
    b = compose_scene(np.random.default_rng(7), size=(160, 120))
    c = compose_scene(np.random.default_rng(8), size=(160, 120))
    assert a[0].size == (160, 120)
    assert np.array_equal(np.asarray(a[0]), np.asarray(b[0])) and a[2] == b[2]
    assert np.allclose(a[1], b[1]) and not np.allclose(a[1], c[1])


def test_box_is_exact_bounding_box_of_plate(monkeypatch: pytest.MonkeyPatch) -> None:
    black = lambda rng, size: Image.new("RGB", size, (0, 0, 0))  # noqa: E731
    monkeypatch.setattr(plate_synth, "random_background", black)
    monkeypatch.setattr(plate_synth, "_degrade", lambda img, rng: img)
    for seed in range(5):
        img, box, _ = compose_scene(np.random.default_rng(seed), size=(200, 150))
        ys, xs = np.nonzero(np.asarray(img).max(axis=-1) > 40)
        found = np.array([xs.min() / 200, ys.min() / 150, (xs.max() + 1) / 200, (ys.max() + 1) / 150])
        assert np.abs(found - box).max() < 2.5 / 150, (seed, found, box)


def test_generate_dataset_writes_csv_and_jpegs(tmp_path: Path) -> None:
    csv_path = generate_dataset(tmp_path / "a", n=4, seed=3, size=(96, 64))
    with csv_path.open() as fh:
        rows = list(csv.DictReader(fh))
    assert tuple(rows[0]) == CSV_COLUMNS and len(rows) == 4
    texts = read_texts(tmp_path / "a" / "texts.csv")
    for row in rows:
        with Image.open(tmp_path / "a" / row["name"]) as im:
            assert im.format == "JPEG" and im.size == (96, 64)
        x1, y1, x2, y2 = (float(row[k]) for k in ("x1", "y1", "x2", "y2"))
        assert 0 <= x1 < x2 <= 1 and 0 <= y1 < y2 <= 1
        assert LETTERS.match(texts[row["name"]]) or NUMERIC.match(texts[row["name"]])
    again = generate_dataset(tmp_path / "b", n=4, seed=3, size=(96, 64))
    assert again.read_text() == csv_path.read_text()
    assert not list(tmp_path.glob("*/*.tmp"))
