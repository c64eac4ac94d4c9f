"""Failure kinds and character confusions name what went wrong with a reading."""

from edgesmith.ocr_plate.confidence_rule import ConfidenceRule
from edgesmith.ocr_plate.diagnose import char_confusions, failure_kind, summarise
from edgesmith.ocr_plate.reading import make_reading


def _read(text: str, conf: float = 0.99):
    return make_reading(text, (conf,) * len(text.replace("-", "")), "t", ConfidenceRule.single(0.5))


def test_kinds():
    assert failure_kind(_read("ABC-123"), "ABC-123") == "ok"
    assert failure_kind(_read("ABC-128"), "ABC-123") == "wrong"
    assert failure_kind(_read("ABC-123", 0.3), "ABC-123") == "refused-right"
    assert failure_kind(_read("BC123"), "ABC-123") == "dropped-first"
    assert failure_kind(_read("ABC12"), "ABC-123") == "dropped-last"
    assert failure_kind(_read("AC123"), "ABC-123") == "dropped-inner"
    assert failure_kind(_read("ABCC123"), "ABC-123") == "extra"
    assert failure_kind(_read("ABC-128", 0.3), "ABC-123") == "low-confidence"
    assert failure_kind(_read("AB1123"), "ABC-123") == "substitution"
    assert failure_kind(_read(""), "ABC-123") == "other"


def test_confusions_and_summary():
    readings = [_read("ABC-128"), _read("ABC-123"), _read("8BC-123")]
    texts = ["ABC-123"] * 3
    assert char_confusions(readings, texts) == {("3", "8"): 1, ("A", "8"): 1}
    shares = summarise(readings, texts)
    assert abs(sum(shares.values()) - 1) < 1e-9 and shares["ok"] == 1 / 3
