"""The reader registry and the reading record."""

import pytest

from edgesmith.ocr_plate import PlateFormat, get_reader
from edgesmith.ocr_plate.confidence_rule import ConfidenceRule
from edgesmith.ocr_plate.reading import make_reading


def test_unknown_reader_lists_the_choices():
    with pytest.raises(ValueError, match="crnn, tesseract"):
        get_reader("easyocr")


def test_make_reading_canonicalises_and_inserts_the_dash_confidence():
    reading = make_reading("abc126", (0.9, 0.8, 0.7, 0.95, 0.99, 0.6), "x", ConfidenceRule.single(0.55))
    assert reading.text == "ABC-126"
    assert reading.plate_format is PlateFormat.ALPHANUMERIC
    assert len(reading.char_confidences) == 7
    assert reading.confidence == pytest.approx(0.6)
    assert reading.last_digit == 6 and reading.restriction_day == "Wednesday"
    assert reading.to_dict()["format"] == "alphanumeric"


def test_invalid_reading_keeps_the_raw_text_and_names_no_day():
    reading = make_reading("AB-12", (0.9, 0.9, 0.9, 0.9, 0.9), reader="x")
    assert not reading.valid and reading.text == "AB-12"
    assert reading.last_digit == 2  # the partial text is still reported ...
    assert not reading.readable and reading.restriction_day is None  # ... but no day
    assert reading.reason == "'AB-12' is not a full plate format"
    empty = make_reading("", (), reader="x")
    assert empty.confidence == 0.0 and empty.reason == "no characters read"


@pytest.mark.parametrize("text", ["666", "3", "1234", "AB-123"])
def test_short_confident_readings_are_refused(text):
    reading = make_reading(text, (0.99,) * len(text), reader="x")
    assert not reading.readable and reading.restriction_day is None
    assert reading.to_dict()["status"] == "unreadable" and "not a full plate format" in reading.reason


def test_full_formats_with_sure_characters_are_readable():
    for text in ("ABC-123", "12345", "305718"):
        reading = make_reading(text, (0.95,) * len(text), reader="x")
        assert reading.readable and reading.reason is None and reading.restriction_day is not None
        assert reading.to_dict()["status"] == "ok" and reading.to_dict()["reason"] is None


def test_unsure_characters_are_counted_in_the_reason():
    confs = (0.99, 0.5, 0.99, 0.99, 0.99, 0.7)  # the dash gets the mean, above 0.80
    reading = make_reading("ABC126", confs, "x", ConfidenceRule.single(0.8))
    assert reading.text == "ABC-126" and not reading.readable
    assert reading.reason == "2 of 7 characters below confidence 0.80"
    assert make_reading("ABC126", confs, "x", ConfidenceRule(0.45, None, 0.7)).readable  # tunable


def test_the_last_digit_needs_its_own_threshold():
    """The day depends on the last digit alone: a doubtful letter may pass the lower threshold every
    character needs, a doubtful last digit may not."""
    rule = ConfidenceRule(every=0.3, numeric=0.6, last_digit=0.9)
    letter = make_reading("ABC126", (0.99, 0.4, 0.99, 0.99, 0.99, 0.95), "x", rule)
    assert letter.readable and letter.restriction_day == "Wednesday"
    digit = make_reading("ABC126", (0.99, 0.99, 0.99, 0.99, 0.99, 0.85), "x", rule)
    assert not digit.readable and digit.restriction_day is None
    assert digit.reason == "last digit 6 read with confidence 0.85, below 0.90"
    assert make_reading("ABC126", (0.99,) * 5 + (0.85,), "x", ConfidenceRule(0.3, None, None)).readable


def test_digits_only_plates_need_their_own_threshold():
    """Numbers on signs look like numeric plates: each of their characters needs ``numeric``."""
    rule = ConfidenceRule(every=0.3, numeric=0.6, last_digit=0.9)
    sign = make_reading("305718", (0.99, 0.5, 0.99, 0.99, 0.99, 0.95), "x", rule)
    assert not sign.readable and sign.reason == "1 of 6 characters below confidence 0.60"
    assert make_reading("ABC-718", (0.99, 0.5, 0.99, 0.99, 0.99, 0.99, 0.95), "x", rule).readable
    assert make_reading(
        "305718", (0.99, 0.5, 0.99, 0.99, 0.99, 0.95), "x", ConfidenceRule(0.3, None, 0.9)
    ).readable


def test_overrides_replace_only_the_thresholds_given():
    rule = ConfidenceRule(0.3, 0.6, 0.9)
    assert rule.with_overrides(every=0.5) == ConfidenceRule(0.5, 0.6, 0.9)
    assert rule.with_overrides(None, None, 0.95) == ConfidenceRule(0.3, 0.6, 0.95)
    assert ConfidenceRule.single(0.55).with_overrides(every=0.7) == ConfidenceRule(0.7, None, None)
