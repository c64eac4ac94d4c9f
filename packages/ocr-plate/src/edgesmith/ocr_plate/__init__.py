"""Licence-plate OCR (the plate study): loose crop → rectified plate → CRNN or Tesseract → restriction day.

Readers take the detector's box grown by :data:`CROP_MARGIN` per side and name a day only for a full
plate read as surely as the reader's :class:`ConfidenceRule` asks (``readable``; otherwise ``reason``).
"""

from edgesmith.ocr_plate.confidence_rule import (
    CRNN_RULE,
    MIN_CHAR_CONFIDENCE,
    MIN_LAST_DIGIT_CONFIDENCE,
    MIN_NUMERIC_CONFIDENCE,
    ConfidenceRule,
)
from edgesmith.ocr_plate.plate_format import (
    PLATE_ALPHABET,
    PlateFormat,
    canonical_plate,
    full_plate_format,
    last_digit,
    normalize_plate,
    validate_plate,
)
from edgesmith.ocr_plate.preprocess import crop_box, deskew, prepare_for_tesseract, threshold, upscale
from edgesmith.ocr_plate.readers import DEFAULT_READER, READERS, get_reader
from edgesmith.ocr_plate.reading import OcrError, PlateReader, PlateReading, ReaderUnavailable
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
    "CRNN_RULE",
    "CROP_MARGIN",
    "DEFAULT_READER",
    "MIN_CHAR_CONFIDENCE",
    "MIN_LAST_DIGIT_CONFIDENCE",
    "MIN_NUMERIC_CONFIDENCE",
    "PLATE_ALPHABET",
    "READERS",
    "RECTIFIED_SIZE",
    "RESTRICTION_DAYS",
    "ConfidenceRule",
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
    "upscale",
    "validate_plate",
]
