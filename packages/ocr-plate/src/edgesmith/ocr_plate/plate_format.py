"""Costa Rican plate formats: normalise OCR text and tell whether it is a plausible plate."""

from __future__ import annotations

import enum
import re

LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
DIGITS = "0123456789"
#: Every character a reader may emit (the Tesseract whitelist and the CRNN's classes).
PLATE_ALPHABET = LETTERS + DIGITS + "-"

_ALNUM = re.compile(r"^([A-Z]{3})-?([0-9]{3})$")
_NUMERIC = re.compile(r"^[0-9]{1,6}$")


class PlateFormat(enum.Enum):
    """The two private-vehicle formats: ``ABC-123`` (current) and up to six digits (older numeric plates)."""

    ALPHANUMERIC = "ABC-123"
    NUMERIC = "123456"


def normalize_plate(text: str) -> str:
    """Upper-case, drop spaces and dots, map dash-like separators to ``-`` (``abc 123`` → ``ABC123``)."""
    cleaned = text.strip().upper()
    cleaned = re.sub(r"[\u2010-\u2015_]", "-", cleaned)
    cleaned = re.sub(r"[\s.·]+", "", cleaned)
    return cleaned


def canonical_plate(text: str) -> str | None:
    """The plate as written (``ABC-123`` / ``123456``), or ``None`` when ``text`` is not a valid plate."""
    cleaned = normalize_plate(text)
    match = _ALNUM.match(cleaned)
    if match:
        return f"{match.group(1)}-{match.group(2)}"
    if _NUMERIC.match(cleaned) and cleaned.lstrip("0"):
        return cleaned
    return None


def validate_plate(text: str) -> PlateFormat | None:
    """Which format ``text`` matches after normalisation, or ``None`` (OCR noise, wrong length, bad mix)."""
    canonical = canonical_plate(text)
    if canonical is None:
        return None
    return PlateFormat.ALPHANUMERIC if "-" in canonical else PlateFormat.NUMERIC


def full_plate_format(text: str) -> bool:
    """Whether ``text`` is a whole plate: ``ABC-123``, or a numeric plate of five or six digits."""
    fmt = validate_plate(text)
    if fmt is PlateFormat.ALPHANUMERIC:
        return True
    return fmt is PlateFormat.NUMERIC and len(canonical_plate(text) or "") in (5, 6)


def last_digit(text: str) -> int | None:
    """The plate's last digit (the one that sets the restriction day), or ``None`` if it ends in no digit."""
    cleaned = normalize_plate(text)
    return int(cleaned[-1]) if cleaned and cleaned[-1].isdigit() else None


__all__ = [
    "DIGITS",
    "LETTERS",
    "PLATE_ALPHABET",
    "PlateFormat",
    "canonical_plate",
    "full_plate_format",
    "last_digit",
    "normalize_plate",
    "validate_plate",
]
