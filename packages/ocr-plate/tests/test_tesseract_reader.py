"""Document 001's Tesseract reader: real reads when the binary is installed, one-line error when it is not."""

import shutil

import numpy as np
import pytest

from edgesmith.datasets.plate_synth import render_plate
from edgesmith.ocr_plate import ReaderUnavailable, get_reader
from edgesmith.ocr_plate.plate_crops import crop_set
from edgesmith.ocr_plate.tesseract_reader import last_glyph_box

needs_tesseract = pytest.mark.skipif(
    shutil.which("tesseract") is None, reason="Tesseract not installed (Debian package tesseract-ocr)"
)


@pytest.fixture(scope="module")
def reader():
    if shutil.which("tesseract") is None:
        pytest.skip("Tesseract not installed (Debian package tesseract-ocr)")
    return get_reader("tesseract")


@needs_tesseract
@pytest.mark.parametrize("text", ["BCD-426", "305718"])
def test_reads_a_clean_plate(reader, text):
    plate = np.asarray(render_plate(text, height=80))
    crop = np.full((110, 210, 3), 70, np.uint8)
    crop[15:95, 25:185] = plate
    reading = reader.read(crop)
    assert reading.text == text
    assert reading.valid and reading.last_digit == int(text[-1])
    assert len(reading.char_confidences) == len(text)
    assert all(0.0 <= c <= 1.0 for c in reading.char_confidences)


@needs_tesseract
def test_last_digit_on_detector_crops(reader):
    crops, texts = crop_set(12, seed=31337, source="synth")
    digits = [reader.read(c).last_digit for c in crops]
    hits = sum(d == int(t[-1]) for d, t in zip(digits, texts, strict=True))
    assert hits >= 10, f"Tesseract read {hits}/12 last digits"


def test_missing_binary_names_the_debian_package():
    import pytesseract

    before = pytesseract.pytesseract.tesseract_cmd
    with pytest.raises(ReaderUnavailable) as info:
        get_reader("tesseract", tesseract_cmd="/nonexistent/tesseract")
    message = str(info.value)
    assert "tesseract-ocr" in message and "\n" not in message
    assert pytesseract.pytesseract.tesseract_cmd == before  # other readers in the process are untouched


def test_last_glyph_box_finds_the_rightmost_character():
    binary = np.full((40, 100), 255, np.uint8)
    binary[10:30, 10:20] = 0
    binary[10:30, 70:80] = 0
    binary[18:20, 40:50] = 0  # a dash is not a glyph
    assert last_glyph_box(binary) == (70, 10, 10, 20)
    assert last_glyph_box(np.full((10, 10), 255, np.uint8)) is None
