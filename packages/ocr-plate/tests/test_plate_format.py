"""Plate-format validation and normalisation."""

import pytest

from edgesmith.ocr_plate import PlateFormat, canonical_plate, last_digit, normalize_plate, validate_plate


@pytest.mark.parametrize(
    ("text", "fmt", "canonical"),
    [
        ("ABC-123", PlateFormat.ALPHANUMERIC, "ABC-123"),
        ("abc 123", PlateFormat.ALPHANUMERIC, "ABC-123"),
        ("BCD123", PlateFormat.ALPHANUMERIC, "BCD-123"),
        ("XYZ–987", PlateFormat.ALPHANUMERIC, "XYZ-987"),  # en dash from OCR
        ("123456", PlateFormat.NUMERIC, "123456"),
        ("7", PlateFormat.NUMERIC, "7"),
        (" 40 512 ", PlateFormat.NUMERIC, "40512"),
    ],
)
def test_valid_plates(text, fmt, canonical):
    assert validate_plate(text) is fmt
    assert canonical_plate(text) == canonical


@pytest.mark.parametrize(
    "text", ["", "AB-123", "ABCD-123", "ABC-12", "ABC-1234", "1234567", "A1C-123", "000", "ABC-12O", "-123"]
)
def test_invalid_plates(text):
    assert validate_plate(text) is None
    assert canonical_plate(text) is None


def test_normalize_and_last_digit():
    assert normalize_plate(" abc_123 ") == "ABC-123"
    assert last_digit("ABC-126") == 6
    assert last_digit("ABC-12O") is None
    assert last_digit("") is None
