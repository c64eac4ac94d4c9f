"""The reader registry and the reading record."""

import pytest

from edgesmith.ocr_plate import PlateFormat, get_reader
from edgesmith.ocr_plate.reading import make_reading


def test_unknown_reader_lists_the_choices():
    with pytest.raises(ValueError, match="crnn, tesseract"):
        get_reader("easyocr")


def test_make_reading_canonicalises_and_inserts_the_dash_confidence():
    reading = make_reading("abc126", (0.9, 0.8, 0.7, 0.95, 0.99, 0.6), reader="x")
    assert reading.text == "ABC-126"
    assert reading.plate_format is PlateFormat.ALPHANUMERIC
    assert len(reading.char_confidences) == 7
    assert reading.confidence == pytest.approx(0.6)
    assert reading.last_digit == 6 and reading.restriction_day == "Wednesday"
    assert reading.to_dict()["format"] == "alphanumeric"


def test_invalid_reading_keeps_the_raw_text():
    reading = make_reading("AB-12", (0.3, 0.4, 0.5, 0.2, 0.9), reader="x")
    assert not reading.valid and reading.text == "AB-12"
    assert reading.last_digit == 2  # the restriction digit is still reported
    assert make_reading("", (), reader="x").confidence == 0.0
