"""The independent held-out plate test: the generator's own checks, then plate-reader scored on its photos.

The end-to-end test (``-k heldout_end_to_end``) holds the shipped reader to the plate study's targets on
photos drawn by code that shares nothing with the training generator.
"""

from __future__ import annotations

import ast
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

from heldout_plates import fonts, plate_text  # noqa: E402
from heldout_plates.generate import generate  # noqa: E402
from heldout_plates.labels import LabelledPhoto, LabelledPlate, read_labels  # noqa: E402
from heldout_plates.scene import EMPTY_EVERY  # noqa: E402
from heldout_plates.scoring import Prediction, greedy_match, score  # noqa: E402

N_FAST = 21
E2E_N, E2E_SEED = 150, 20261


@pytest.fixture(scope="module")
def small_set(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("heldout_small")
    generate(out, N_FAST, seed=5)
    return out


def test_heldout_labels_lie_inside_their_photos(small_set: Path) -> None:
    labels = read_labels(small_set / "labels.csv")
    assert len(labels) == N_FAST
    for name, photo in labels.items():
        with Image.open(small_set / name) as im:
            assert im.size == (photo.width, photo.height)
            assert im.mode == "RGB"
        for p in photo.plates:
            x1, y1, x2, y2 = p.box
            assert 0 <= x1 < x2 <= photo.width and 0 <= y1 < y2 <= photo.height, name
            assert (p.quad >= 0).all() and (p.quad[:, 0] <= photo.width).all(), name
            assert (p.quad[:, 1] <= photo.height).all(), name
            lo, hi = p.quad.min(axis=0), p.quad.max(axis=0)  # the box bounds the quad
            assert np.allclose([x1, y1], lo, atol=1.01) and np.allclose([x2, y2], hi, atol=1.01), name
            tl, tr, br, bl = p.quad  # corner order TL, TR, BR, BL
            assert tl[0] < tr[0] and bl[0] < br[0] and tl[1] < bl[1] and tr[1] < br[1], name
            assert 0.06 <= (x2 - x1) / photo.width <= 0.85, name  # 8-80 % face-on, less when yawed


def test_heldout_plates_have_valid_formats_and_empty_photos_exist(small_set: Path) -> None:
    from edgesmith.ocr_plate import canonical_plate

    labels = read_labels(small_set / "labels.csv")
    names = sorted(labels)
    for i, name in enumerate(names):
        assert (not labels[name].plates) == (i % EMPTY_EVERY == 3), name
        for p in labels[name].plates:
            assert plate_text.is_valid_plate(p.text), p.text
            assert canonical_plate(p.text) == p.text, p.text
    assert sum(not p.plates for p in labels.values()) >= N_FAST // EMPTY_EVERY


def test_heldout_plate_strings_cover_both_formats() -> None:
    rng = np.random.default_rng(0)
    texts = [plate_text.random_plate(rng) for _ in range(2000)]
    assert all(plate_text.is_valid_plate(t) for t in texts)
    assert {len(t) for t in texts if t.isdigit()} == {5, 6}
    assert 0.5 < sum("-" in t for t in texts) / len(texts) < 0.75
    assert {t[-1] for t in texts} == set("0123456789")
    assert not plate_text.is_valid_plate("666") and not plate_text.is_valid_plate("AB-1234")


def test_heldout_generator_is_deterministic(small_set: Path, tmp_path: Path) -> None:
    again = tmp_path / "again"
    generate(again, 3, seed=5)
    other = tmp_path / "other"
    generate(other, 3, seed=6)
    rows = (small_set / "labels.csv").read_text().splitlines()
    names = sorted(p.name for p in again.iterdir() if p.name != "labels.csv")
    for name in names:
        assert (again / name).read_bytes() == (small_set / name).read_bytes(), name
    assert (again / "labels.csv").read_text().splitlines() == rows[: len(rows_of(again))]
    assert (other / "labels.csv").read_text() != (again / "labels.csv").read_text()


def rows_of(folder: Path) -> list[str]:
    return (folder / "labels.csv").read_text().splitlines()


def test_heldout_fonts_are_disjoint_from_the_training_fonts() -> None:
    assert not set(fonts.HELDOUT_FONT_PACKAGES) & set(fonts.TRAINING_FONT_PACKAGES)
    assert "fonts-croscore" not in fonts.HELDOUT_FONT_PACKAGES
    faces = fonts.font_files()
    assert len(faces) >= 8, f"only {len(faces)} held-out fonts installed: {fonts.INSTALL_HINT}"
    assert {f.package for f in faces} >= set(list(fonts.HELDOUT_FONT_PACKAGES)[:4]), fonts.INSTALL_HINT
    words = re.compile(r"\b(" + "|".join(map(re.escape, fonts.TRAINING_FAMILY_WORDS)) + r")\b", re.I)
    from PIL import ImageFont

    for face in faces:
        family = ImageFont.truetype(str(face.path), 20).getname()[0]
        assert not words.search(family), f"{face.path}: family {family!r} is a training font"
        if shutil.which("dpkg"):  # the file really belongs to the held-out package it is listed under
            owner = subprocess.run(["dpkg", "-S", str(face.path)], capture_output=True, text=True).stdout
            assert owner.split(":")[0] == face.package, f"{face.path} belongs to {owner.strip()}"
    training_families = set()
    if shutil.which("dpkg"):
        for package in fonts.TRAINING_FONT_PACKAGES:
            listing = subprocess.run(["dpkg", "-L", package], capture_output=True, text=True).stdout
            for line in listing.splitlines():
                if line.endswith((".ttf", ".otf")) and Path(line).is_file():
                    training_families.add(ImageFont.truetype(line, 20).getname()[0].lower())
    heldout_families = {ImageFont.truetype(str(f.path), 20).getname()[0].lower() for f in faces}
    assert not heldout_families & training_families


def test_heldout_code_shares_nothing_with_the_training_side(repo_root: Path) -> None:
    """Static check: the held-out package imports no edgesmith.datasets plate code, no tool, no app;
    and nothing in packages/, apps/ or tools/ imports the held-out package."""
    for path in sorted((HERE / "heldout_plates").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module or ""]
            for name in names:
                assert not name.startswith(("edgesmith.datasets", "plate_reader", "tools", "train_plate")), (
                    f"{path.name} imports {name}"
                )
                assert not (name.startswith("edgesmith") and "plate" in name), f"{path.name} imports {name}"
    for folder in ("packages", "apps", "tools"):
        for path in (repo_root / folder).rglob("*.py"):
            assert "heldout_plates" not in path.read_text(errors="ignore"), f"{path} uses the held-out set"


def _photo(w, h, *plates):
    return LabelledPhoto(
        "p.jpg", w, h, [LabelledPlate(box=b, text=t, quad=np.zeros((4, 2))) for b, t in plates]
    )


def test_heldout_scoring_matches_greedily_and_counts_wrong_days() -> None:
    truth = _photo(100, 100, ((10, 10, 30, 20), "ABC-123"), ((50, 50, 90, 70), "45678"))
    preds = [
        Prediction((51, 50, 90, 70), "45678", True, 8, "Thursday"),
        Prediction((10, 10, 30, 21), "ABC-128", True, 8, "Thursday"),
    ]
    assert greedy_match(truth.plates, preds) == {0: 1, 1: 0}
    s = score({"a.jpg": truth, "e.jpg": _photo(100, 100)}, {"a.jpg": preds, "e.jpg": []})
    assert s.found == 1.0 and s.exact == 0.5 and s.last_digit == 0.5
    assert s.wrong_day_photos == 1 and s.invented_on_empty == 0
    s = score(
        {"e.jpg": _photo(100, 100)}, {"e.jpg": [Prediction((1, 1, 9, 9), "123456", True, 6, "Wednesday")]}
    )
    assert s.invented_on_empty == 1 and s.wrong_day == 1.0 and s.failures()
    unreadable = [Prediction((10, 10, 30, 20), "AB", False, None, None)]
    s = score({"a.jpg": _photo(100, 100, ((10, 10, 30, 20), "ABC-123"))}, {"a.jpg": unreadable})
    assert s.found == 1.0 and s.last_digit == 0.0 and s.wrong_day == 0.0 and s.unreadable == 1.0
    far = [Prediction((60, 60, 80, 80), "ABC-123", True, 3, "Tuesday")]
    s = score({"a.jpg": _photo(100, 100, ((10, 10, 30, 20), "ABC-123"))}, {"a.jpg": far})
    assert s.found == 0.0 and s.exact == 0.0 and s.false_ok == 1 and s.wrong_day == 1.0


def _plate_reader() -> str:
    exe = Path(sys.executable).parent / "plate-reader"
    found = str(exe) if exe.exists() else shutil.which("plate-reader")
    assert found, "the plate-reader command is not installed: uv sync"
    return found


@pytest.fixture(scope="module")
def heldout_figures(tmp_path_factory: pytest.TempPathFactory):
    """plate-reader run once, as a user would, on photos it has never seen, scored by this folder's code."""
    from heldout_plates.scoring import load_results

    tmp_path = tmp_path_factory.mktemp("heldout_e2e")
    folder = tmp_path / "photos"
    photos = generate(folder, E2E_N, seed=E2E_SEED)
    assert sum(not p.plates for p in photos) >= 20
    proc = subprocess.run(
        [_plate_reader(), str(folder), "--json"], capture_output=True, text=True, timeout=600
    )
    assert proc.returncode in (0, 1), f"plate-reader exited {proc.returncode}: {proc.stderr[-2000:]}"
    results_path = tmp_path / "results.json"
    results_path.write_text(proc.stdout)
    figures = score(read_labels(folder / "labels.csv"), load_results(results_path))
    assert figures.missing == 0, "\n".join(figures.lines())
    return figures


# What the shipped detector + reader measured on this set on 2026-12-04 with the per-format confidence rule
# (found 93.5 %, last digit 86.3 %, exact 72.7 %, wrong day 0.0 %, nothing invented), less a few points: a
# change that reads worse fails here.
HELDOUT_FLOORS = {"found": 0.89, "last_digit": 0.82, "exact": 0.68}
HELDOUT_WRONG_DAY_CEILING = 0.03


@pytest.mark.slow
def test_plate_reader_heldout_end_to_end_no_regression(heldout_figures) -> None:
    """The shipped plate-reader keeps at least today's figures on the independent held-out photos."""
    report = "\n".join(heldout_figures.lines())
    for name, floor in HELDOUT_FLOORS.items():
        assert getattr(heldout_figures, name) >= floor, f"{name} fell below {floor:.0%}:\n{report}"
    assert heldout_figures.wrong_day <= HELDOUT_WRONG_DAY_CEILING, report
    assert heldout_figures.invented_on_empty == 0, report


@pytest.mark.slow
@pytest.mark.xfail(
    strict=True,
    reason="the plate study's held-out targets (found/last digit >= 95 %, exact >= 90 %, wrong day <= 1 %) "
    "are not reached yet; when this passes, drop the marker",
)
def test_plate_reader_heldout_end_to_end(heldout_figures) -> None:
    """plate-reader on photos it has never seen must meet the plate study's targets (see score.py)."""
    report = "\n".join(heldout_figures.lines())
    assert not heldout_figures.failures(), (
        "held-out targets missed:\n" + report + "\n" + json.dumps(heldout_figures.failures())
    )


def test_heldout_fonts_are_installed_by_bootstrap(repo_root: Path) -> None:
    script = (repo_root / "tools" / "bootstrap.sh").read_text()
    line = next(ln for ln in script.splitlines() if ln.startswith("heldout_fonts="))
    assert set(line.split("=", 1)[1].strip('"').split()) == set(fonts.HELDOUT_FONT_PACKAGES)


def test_heldout_oracle_results_score_perfectly(small_set: Path, tmp_path: Path) -> None:
    """A reader that returned the labels themselves (in plate-reader's JSON contract) meets every target."""
    labels = read_labels(small_set / "labels.csv")
    doc = []
    for name, photo in labels.items():
        plates = [
            {"box": [round(v) for v in p.box], "score": 0.9, "text": p.text, "status": "ok", "reason": None,
             "last_digit": int(p.text[-1]), "restriction_day": plate_text.restriction_day(p.text),
             "confidence": 0.99}
            for p in photo.plates
        ]  # fmt: skip
        doc.append({"image": str(small_set / name), "width": photo.width, "height": photo.height,
                    "plates": plates, "error": None})  # fmt: skip
    path = tmp_path / "oracle.json"
    path.write_text(json.dumps(doc))
    from heldout_plates.scoring import load_results

    figures = score(labels, load_results(path))
    assert figures.found == figures.last_digit == figures.exact == 1.0
    assert figures.wrong_day == 0 and figures.invented_on_empty == 0 and not figures.failures()
    doc[0]["plates"] = doc[0]["plates"] or [dict(box=[0, 0, 9, 9], text="ABC-121", status="ok",
                                                 last_digit=1, restriction_day="Monday")]  # fmt: skip
    doc[0]["plates"][0]["restriction_day"] = "Saturday"
    path.write_text(json.dumps(doc))
    assert score(labels, load_results(path)).wrong_day_photos == 1
