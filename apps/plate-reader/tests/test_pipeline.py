"""Box clamping, loose crops, refuse-rather-than-guess status and the plate-by-plate bench scoring."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

from edgesmith.datasets.plate_scenes import LabelledPhoto, Plate
from edgesmith.ocr_plate.reading import make_reading
from plate_reader.detectors import Detection
from plate_reader.pipeline import PhotoResult, PlateFound, PlatePipeline, clamp_box, judge, loose_crop
from plate_reader.study import Score, score_results


def test_clamp_box_reorders_clips_and_drops() -> None:
    assert clamp_box((50, 40, 10, 20), 100, 80) == (10, 20, 50, 40)  # inverted: reordered
    assert clamp_box((-30, -5, 500, 90), 100, 80) == (0, 0, 100, 80)  # outside: clipped
    assert clamp_box((10, 10, 11, 50), 100, 80) is None  # 1 px wide: dropped
    assert clamp_box((np.nan, 1, 5, 5), 100, 80) is None
    assert clamp_box((1, 2, 3), 100, 80) is None


def test_loose_crop_grows_by_margin_within_photo() -> None:
    photo = np.zeros((100, 200, 3), np.uint8)
    assert loose_crop(photo, (50, 40, 150, 60), 0.1).shape == (24, 120, 3)
    assert loose_crop(photo, (0, 0, 200, 100), 0.5).shape == (100, 200, 3)


def test_judge_refuses_partial_reading() -> None:
    assert judge(make_reading("BTR-376", (0.9,) * 6, "t")) == ("ok", None)
    status, reason = judge(make_reading("666", (0.99,) * 3, "t"))
    assert status == "unreadable" and "666" in reason


def test_judge_applies_the_package_rule_to_a_reader_that_does_not_judge() -> None:
    from types import SimpleNamespace

    sure = SimpleNamespace(text="BTR-376", char_confidences=(0.9,) * 7, valid=True)
    unsure = SimpleNamespace(text="BTR-376", char_confidences=(0.9,) * 6 + (0.2,), valid=True)
    assert judge(sure) == ("ok", None)
    status, reason = judge(unsure)
    assert status == "unreadable" and "1 of 7 characters below confidence" in reason


class _Boxes:
    """A detector stand-in that reports fixed boxes (an inverted one and a degenerate one among them)."""

    def __init__(self, boxes: list[tuple[float, float, float, float]]) -> None:
        self.boxes = boxes

    def detect(self, photo: Image.Image) -> list[Detection]:
        return [Detection(b, 0.9) for b in self.boxes]

    def close(self) -> None:
        pass


class _Reader:
    def read(self, crop: np.ndarray):
        assert crop.ndim == 3 and crop.size > 0
        return make_reading("BTR-376", (0.95,) * 6, "fixed")


def test_pipeline_survives_inverted_and_degenerate_boxes(tmp_path: Path) -> None:
    photo = tmp_path / "p.jpg"
    Image.new("RGB", (320, 240), (90, 90, 90)).save(photo)
    pipe = PlatePipeline(_Boxes([(200, 150, 100, 100), (5, 5, 5, 90), (-50, 238, 400, 500)]), _Reader())
    result = pipe.process(photo, out_dir=tmp_path / "out")
    assert [p.box for p in result.plates] == [(100, 100, 200, 150)]
    assert result.ok and result.plates[0].restriction_day == "Wednesday"
    assert (tmp_path / "out" / "p_plates.jpg").is_file()


def _photo(plates: list[tuple[str, tuple[int, int, int, int]]]) -> LabelledPhoto:
    quad = np.zeros((4, 2), np.float32)
    return LabelledPhoto(Path("x.jpg"), 320, 240, [Plate(t, quad, b) for t, b in plates])


def test_score_counts_found_digit_exact_wrong_day_and_invented() -> None:
    photos = [_photo([("ABC-123", (10, 10, 110, 60))]), _photo([("ABC-124", (10, 10, 110, 60))]),
              _photo([("ABC-125", (10, 10, 110, 60))]), _photo([])]  # fmt: skip
    ok = lambda text, box, digit, day: PlateFound(box, 0.9, text, "ok", None, digit, day, 0.9)  # noqa: E731
    results = [
        PhotoResult("a", 320, 240, [ok("ABC-123", (12, 10, 108, 62), 3, "Tuesday")]),  # exact
        PhotoResult("b", 320, 240, [ok("ABC-129", (12, 10, 108, 62), 9, "Friday")]),  # wrong day
        PhotoResult("c", 320, 240, [PlateFound((12, 10, 108, 62), 0.8, "AB", "unreadable", "short")]),
        PhotoResult("d", 320, 240, [ok("XYZ-111", (0, 0, 50, 20), 1, "Monday")]),  # invented
    ]
    s = score_results(results, photos, Score("det", "reader"))
    assert s.plates == 3 and s.found_pct == 100.0
    assert round(s.exact_pct, 1) == 33.3 and round(s.last_digit_pct, 1) == 33.3
    assert round(s.wrong_day_pct, 1) == 33.3 and round(s.unreadable_pct, 1) == 33.3
    assert s.empty_photos == 1 and s.invented_on_empty == 1
