"""Licence-plate OCR (the plate study): crop preprocessing, CRNN and Tesseract readers, restriction day."""

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
from edgesmith.ocr_plate.reading import OcrError, PlateReader, PlateReading, ReaderUnavailable
from edgesmith.ocr_plate.restriction import RESTRICTION_DAYS, restriction_day

__all__ = [
    "DEFAULT_READER",
    "PLATE_ALPHABET",
    "READERS",
    "RESTRICTION_DAYS",
    "OcrError",
    "PlateFormat",
    "PlateReader",
    "PlateReading",
    "ReaderUnavailable",
    "canonical_plate",
    "crop_box",
    "deskew",
    "get_reader",
    "last_digit",
    "normalize_plate",
    "prepare_for_tesseract",
    "restriction_day",
    "threshold",
    "upscale",
    "validate_plate",
]
