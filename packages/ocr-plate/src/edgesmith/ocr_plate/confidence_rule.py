"""When a reading may name a restriction day: the confidence its characters need, per plate format."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from edgesmith.ocr_plate.plate_format import full_plate_format

MIN_CHAR_CONFIDENCE = 0.30
"""What every character of an ``ABC-123`` plate needs (the CRNN's default)."""

MIN_NUMERIC_CONFIDENCE = 0.60
"""What every character of a digits-only plate needs: numbers on signs and stickers look like these
plates, and letters are evidence of a plate that digits are not."""

MIN_LAST_DIGIT_CONFIDENCE = 0.90
"""What the last digit needs as well: the day depends on it alone.

The three were chosen together for the shipped CRNN on validation crops (seed 8, never the held-out
photos): 1,000 street plates and 1,000 crops of no plate (signs, stickers, windows of plate-free photos).
Of the triples swept (each 0.30-0.95, the last digit to 0.99), the one that names the right day most often
with wrong days ≤ 0.5 % of the plates and plates invented on ≤ 0.1 % of the non-plates. One threshold for
every character refused plates whose day was sure for a doubtful letter: its best, 0.75, named the right
day on 81 % of the plates (and invented 1 in 1,000); the triple names it on 86 % and invented none.
tools/train_plate_ocr.py prints the sweep and stores the choice in the sidecars (``min_confidence``), and a
test holds these constants to the shipped sidecar's choice."""


@dataclasses.dataclass(frozen=True)
class ConfidenceRule:
    """The confidence (0-1) a full-format reading's characters need before it names a day.

    ``every``: each character of an ``ABC-123`` plate; ``numeric``: each character of a digits-only plate
    (``None``: ``every``); ``last_digit``: the last digit, which sets the day (``None``: no more than the
    others need).
    """

    every: float = MIN_CHAR_CONFIDENCE
    numeric: float | None = MIN_NUMERIC_CONFIDENCE
    last_digit: float | None = MIN_LAST_DIGIT_CONFIDENCE

    @classmethod
    def single(cls, threshold: float) -> ConfidenceRule:
        """One threshold for every character of every format."""
        return cls(float(threshold), None, None)

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> ConfidenceRule:
        """The rule :meth:`to_dict` wrote (a sidecar's ``min_confidence``, a sweep row)."""
        return cls(d["every"], d.get("numeric"), d.get("last_digit"))

    def with_overrides(
        self, every: float | None = None, numeric: float | None = None, last_digit: float | None = None
    ) -> ConfidenceRule:
        """This rule with the given thresholds replaced (``None``: keep this rule's)."""
        new = {"every": every, "numeric": numeric, "last_digit": last_digit}
        return dataclasses.replace(self, **{k: float(v) for k, v in new.items() if v is not None})

    def floors(self, digits_only: bool | np.ndarray) -> tuple[Any, Any]:
        """``(what each character needs, what the last digit needs)`` for a digits-only plate or an
        ``ABC-123`` one; ``digits_only`` may be an array (one flag per reading), and so are the floors."""
        every = np.where(digits_only, self.every if self.numeric is None else self.numeric, self.every)
        last = every if self.last_digit is None else np.maximum(every, self.last_digit)
        return every, last

    def reason(self, text: str, confs: Sequence[float]) -> str | None:
        """Why canonical ``text`` read with ``confs`` (one per character) must not name a day, or ``None``."""
        if not text:
            return "no characters read"
        if not full_plate_format(text):
            return f"{text!r} is not a full plate format"
        floor, last = (float(f) for f in self.floors(text.isdigit()))
        weak = sum(c < floor for c in confs)
        if weak or len(confs) != len(text):
            return f"{weak or len(text)} of {len(text)} characters below confidence {floor:.2f}"
        if confs[-1] < last:
            return f"last digit {text[-1]} read with confidence {confs[-1]:.2f}, below {last:.2f}"
        return None

    def to_dict(self) -> dict[str, float | None]:
        return dataclasses.asdict(self)


CRNN_RULE = ConfidenceRule()
"""The shipped CRNN's rule (the constants above)."""

__all__ = [
    "CRNN_RULE",
    "MIN_CHAR_CONFIDENCE",
    "MIN_LAST_DIGIT_CONFIDENCE",
    "MIN_NUMERIC_CONFIDENCE",
    "ConfidenceRule",
]
