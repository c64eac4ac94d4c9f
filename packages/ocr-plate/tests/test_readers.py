"""The reader registry and the reading record."""

import pytest

from edgesmith.ocr_plate import PlateFormat, get_reader
from edgesmith.ocr_plate.reading import make_reading


def test_unknown_reader_lists_the_choices():
    with pytest.raises(ValueError, match="crnn, tesseract"):
        get_reader("easyocr")


def test_make_reading_canonicalises_and_inserts_the_dash_confidence():
    reading = make_reading("abc126", (0.9, 0.8, 0.7, 0.95, 0.99, 0.6), reader="x", min_confidence=0.55)
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
    reading = make_reading("ABC126", confs, reader="x", min_confidence=0.8)
    assert reading.text == "ABC-126" and not reading.readable
    assert reading.reason == "2 of 7 characters below confidence 0.80"
    assert make_reading("ABC126", confs, reader="x", min_confidence=0.45).readable  # tunable
