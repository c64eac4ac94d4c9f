"""The one interface every plate reader implements, and what a reading carries."""

from __future__ import annotations

import abc
import dataclasses
from typing import Any, ClassVar

import numpy as np

from edgesmith.ocr_plate.confidence_rule import CRNN_RULE, ConfidenceRule
from edgesmith.ocr_plate.plate_format import (
    PlateFormat,
    canonical_plate,
    last_digit,
    validate_plate,
)
from edgesmith.ocr_plate.restriction import restriction_day
from edgesmith.profiling.errors import EdgesmithError, ExitCode


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


def make_reading(
    raw_text: str,
    char_confidences: tuple[float, ...],
    reader: str,
    rule: ConfidenceRule = CRNN_RULE,
) -> PlateReading:
    """Build a reading from raw OCR text: validate the format, canonicalise, pick the last digit, and
    refuse rather than guess: ``readable`` only for a full plate format whose characters are as sure as
    ``rule`` asks; otherwise ``reason`` says why.

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
    reason = rule.reason(text, confs)
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
    rule: ConfidenceRule = CRNN_RULE

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
    "OcrError",
    "PlateReader",
    "PlateReading",
    "ReaderUnavailable",
    "make_reading",
]
