"""Licence-plate OCR (the plate study): loose crop → rectified plate → CRNN or Tesseract → restriction day.

Readers take the detector's box grown by :data:`CROP_MARGIN` per side and name a day only for a full
plate read with every character above ``MIN_CHAR_CONFIDENCE`` (``readable``; otherwise ``reason``).
"""

from edgesmith.ocr_plate.plate_format import (
    PLATE_ALPHABET,
    PlateFormat,
    canonical_plate,
    last_digit,
    normalize_plate,
    validate_plate,
)
from edgesmith.ocr_plate.preprocess import crop_box, deskew, prepare_for_tesseract, threshold, upscale
from edgesmith.ocr_plate.readers import DEFAULT_READER, READERS, get_reader
from edgesmith.ocr_plate.reading import (
    MIN_CHAR_CONFIDENCE,
    OcrError,
    PlateReader,
    PlateReading,
    ReaderUnavailable,
    full_plate_format,
    unreadable_reason,
)
from edgesmith.ocr_plate.rectify import (
    CROP_MARGIN,
    RECTIFIED_SIZE,
    QuadFit,
    find_plate_quad,
    get_rectifier,
    rectify,
)
from edgesmith.ocr_plate.restriction import RESTRICTION_DAYS, restriction_day

__all__ = [
    "CROP_MARGIN",
    "DEFAULT_READER",
    "MIN_CHAR_CONFIDENCE",
    "PLATE_ALPHABET",
    "READERS",
    "RECTIFIED_SIZE",
    "RESTRICTION_DAYS",
    "OcrError",
    "PlateFormat",
    "PlateReader",
    "PlateReading",
    "QuadFit",
    "ReaderUnavailable",
    "canonical_plate",
    "crop_box",
    "deskew",
    "find_plate_quad",
    "full_plate_format",
    "get_reader",
    "get_rectifier",
    "last_digit",
    "normalize_plate",
    "prepare_for_tesseract",
    "rectify",
    "restriction_day",
    "threshold",
    "unreadable_reason",
    "upscale",
    "validate_plate",
]
