"""The one interface every plate reader implements, and what a reading carries."""

from __future__ import annotations

import abc
import dataclasses
from typing import Any, ClassVar

import numpy as np

from edgesmith.ocr_plate.plate_format import PlateFormat, canonical_plate, last_digit, validate_plate
from edgesmith.ocr_plate.restriction import restriction_day
from edgesmith.profiling.errors import EdgesmithError, ExitCode

MIN_CHAR_CONFIDENCE = 0.70
"""Default confidence every character of a reading needs before a restriction day is named.

Chosen for the shipped CRNN on its validation crops (1,000 street crops of seed 8, never the held-out
photos): the lowest threshold of the sweep 0.30-0.95 whose wrong-day share stays ≤ 0.5 % (0.50 % there,
with 83 % of crops readable and 80 % exact; 0.95 gives 0.1 % wrong days but 75 % readable).
tools/train_plate_ocr.py prints the sweep and stores it in the sidecars (``min_confidence``), and a test
holds this constant to the shipped sidecar's choice. Readers take ``min_confidence=`` to tune it."""


class OcrError(EdgesmithError, RuntimeError):
    """A reader cannot run (missing binary, missing or corrupt weights); the message names the fix."""


class ReaderUnavailable(OcrError):
    """The reader's engine is not installed (e.g. the ``tesseract`` binary)."""

    exit_code = ExitCode.MISSING_DEPENDENCY


@dataclasses.dataclass(frozen=True)
class PlateReading:
    """Text read from one plate crop, with a confidence in [0, 1] per character and overall."""

    text: str
    char_confidences: tuple[float, ...]
    confidence: float
    valid: bool
    last_digit: int | None
    plate_format: PlateFormat | None = None
    reader: str = ""
    readable: bool = False
    reason: str | None = "not checked"

    @property
    def restriction_day(self) -> str | None:
        """Weekday of driving restriction, only for a readable plate (full format, every character sure)."""
        if not self.readable or self.last_digit is None:
            return None
        return restriction_day(self.last_digit)

    @property
    def status(self) -> str:
        """``"ok"`` when a day may be named from this reading, else ``"unreadable"``."""
        return "ok" if self.readable else "unreadable"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready view (for ``--json`` output)."""
        return {
            "text": self.text,
            "char_confidences": [round(c, 4) for c in self.char_confidences],
            "confidence": round(self.confidence, 4),
            "valid": self.valid,
            "format": None if self.plate_format is None else self.plate_format.name.lower(),
            "last_digit": self.last_digit,
            "restriction_day": self.restriction_day,
            "status": self.status,
            "reason": self.reason,
            "reader": self.reader,
        }


def full_plate_format(text: str) -> bool:
    """Whether canonical ``text`` is a whole plate: ``ABC-123``, or a numeric plate of five or six digits."""
    fmt = validate_plate(text)
    if fmt is PlateFormat.ALPHANUMERIC:
        return True
    return fmt is PlateFormat.NUMERIC and len(canonical_plate(text) or "") in (5, 6)


def unreadable_reason(text: str, confs: tuple[float, ...], min_confidence: float) -> str | None:
    """Why a reading must not name a day (``None`` when it may): partial format or unsure characters."""
    if not text:
        return "no characters read"
    if not full_plate_format(text):
        return f"{text!r} is not a full plate format"
    weak = sum(c < min_confidence for c in confs)
    if weak or len(confs) != len(text):
        return f"{weak or len(text)} of {len(text)} characters below confidence {min_confidence:.2f}"
    return None


def make_reading(
    raw_text: str,
    char_confidences: tuple[float, ...],
    reader: str,
    min_confidence: float = MIN_CHAR_CONFIDENCE,
) -> PlateReading:
    """Build a reading from raw OCR text: validate the format, canonicalise, pick the last digit, and
    refuse rather than guess: ``readable`` only for a full plate format with every character's
    confidence ≥ ``min_confidence``; otherwise ``reason`` says why.

    Confidence is the weakest character's: a plate is only as right as its least sure character.
    """
    fmt = validate_plate(raw_text)
    text = canonical_plate(raw_text) if fmt is not None else raw_text.strip()
    confs = tuple(float(c) for c in char_confidences)
    if fmt is not None and len(confs) == len(text) - 1 and "-" in text:
        # the reader did not emit the dash that canonicalisation added: give it the mean confidence
        pos = text.index("-")
        confs = (*confs[:pos], float(np.mean(confs)) if confs else 0.0, *confs[pos:])
    confidence = float(min(confs)) if confs else 0.0
    reason = unreadable_reason(text, confs, min_confidence)
    return PlateReading(
        text=text,
        char_confidences=confs,
        confidence=confidence,
        valid=fmt is not None,
        last_digit=last_digit(text),
        plate_format=fmt,
        reader=reader,
        readable=reason is None,
        reason=reason,
    )


class PlateReader(abc.ABC):
    """Reads one loose plate crop (uint8 RGB: the detector's box grown by ``CROP_MARGIN``).

    :meth:`read` finds the plate's corners in the crop with the reader's rectifier, warps the plate
    upright, and hands it to :meth:`read_plate`; readers implement only the latter.
    """

    name: ClassVar[str] = ""
    rectifier: Any = None
    min_confidence: float = MIN_CHAR_CONFIDENCE

    def read(self, crop: np.ndarray) -> PlateReading:
        """Read one loose crop: H×W×3 uint8 RGB, any size."""
        from edgesmith.ocr_plate.preprocess import as_rgb_uint8
        from edgesmith.ocr_plate.rectify import rectify

        rgb = as_rgb_uint8(crop)
        if self.rectifier is None:
            from edgesmith.ocr_plate.rectify import get_rectifier

            self.rectifier = get_rectifier()
        fit = self.rectifier.fit(rgb)
        return self.read_plate(rectify(rgb, fit.quad))

    @abc.abstractmethod
    def read_plate(self, plate: np.ndarray) -> PlateReading:
        """Read an upright plate (uint8 RGB, ``RECTIFIED_SIZE``) as :meth:`read` rectified it."""

    def read_batch(self, crops: list[np.ndarray]) -> list[PlateReading]:
        """Read several crops (readers that batch override this)."""
        return [self.read(c) for c in crops]

    def info(self) -> dict[str, Any]:
        """What this reader is (engine, version, weights) for reports and sidecars."""
        return {"reader": self.name}


__all__ = [
    "MIN_CHAR_CONFIDENCE",
    "OcrError",
    "PlateReader",
    "PlateReading",
    "ReaderUnavailable",
    "full_plate_format",
    "make_reading",
    "unreadable_reason",
]
