"""Tests of plate rendering: the TRAINING font list, font discovery, jittered templates, reproducibility."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from edgesmith.datasets import plate_fonts
from edgesmith.datasets.plate_fonts import (
    TRAINING_FONTS,
    FontsMissing,
    fallback_font,
    find_fonts,
    require_training_fonts,
    training_fonts,
)
from edgesmith.datasets.plate_render import PLATE_ASPECT, render_plate


def test_training_list_names_debian_packages_and_font_files() -> None:
    packages = {pkg for pkg, _ in TRAINING_FONTS}
    assert len(packages) >= 15 and all(pkg.startswith("fonts-") for pkg in packages)
    assert all(name.lower().endswith((".ttf", ".otf")) for _, name in TRAINING_FONTS)
    # the held-out set's faces must stay out of the training list
    assert not any(word in name for _, name in TRAINING_FONTS for word in ("Plex", "Overpass", "Arimo"))


def test_fonts_are_found_in_extra_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(plate_fonts, "FONT_DIRS", ())
    monkeypatch.setenv("EDGESMITH_FONT_DIRS", str(tmp_path))
    with pytest.raises(FontsMissing, match="apt-get install fonts-dejavu-core"):
        require_training_fonts()
    assert training_fonts() == (fallback_font(),)  # rendering still works on a bare machine
    sub = tmp_path / "x"
    sub.mkdir()
    shutil.copy(fallback_font(), sub / "DejaVuSans-Bold.ttf")
    monkeypatch.setenv("EDGESMITH_FONT_DIRS", str(sub))
    assert find_fonts(TRAINING_FONTS) == (sub / "DejaVuSans-Bold.ttf",)
    assert require_training_fonts() == (sub / "DejaVuSans-Bold.ttf",)
    assert "fonts-liberation" in plate_fonts.missing_training_packages()


def test_jittered_plates_are_seeded_and_vary() -> None:
    a = np.asarray(render_plate("ABC-123", np.random.default_rng(3), height=48))
    b = np.asarray(render_plate("ABC-123", np.random.default_rng(3), height=48))
    c = np.asarray(render_plate("ABC-123", np.random.default_rng(4), height=48))
    assert a.shape == (48, round(48 * PLATE_ASPECT), 3) and a.dtype == np.uint8
    assert np.array_equal(a, b) and not np.array_equal(a, c)


def test_every_jittered_plate_has_dark_text_on_a_light_plate() -> None:
    for seed in range(12):
        plate = np.asarray(render_plate("305718", np.random.default_rng(seed), height=64), np.float32)
        grey = plate.mean(axis=-1)
        middle = grey[20:48, 12:-12]  # where the number is, whatever the template
        assert (middle < 100).mean() > 0.05, seed  # ink
        assert (middle > 170).mean() > 0.3, seed  # plate


def test_font_choice_changes_the_glyphs() -> None:
    fonts = training_fonts()
    if len(fonts) < 2:
        pytest.skip("only one training font installed: run tools/bootstrap.sh")
    a = np.asarray(render_plate("SGW-378", np.random.default_rng(0), height=64, font=fonts[0]), np.int16)
    b = np.asarray(render_plate("SGW-378", np.random.default_rng(0), height=64, font=fonts[-1]), np.int16)
    assert np.abs(a - b).mean() > 3.0
