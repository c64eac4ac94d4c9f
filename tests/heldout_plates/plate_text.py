"""Plate strings of the held-out set (its own generator) and the Costa Rican restriction-day rule."""

from __future__ import annotations

import re
import string

import numpy as np

ALNUM_RE = re.compile(r"^[A-Z]{3}-[0-9]{3}$")
NUMERIC_RE = re.compile(r"^[1-9][0-9]{4,5}$")

#: Last digit → weekday the car may not circulate (1-2 Monday ... 9-0 Friday), the public rule.
DAY_OF_DIGIT = {
    1: "Monday",
    2: "Monday",
    3: "Tuesday",
    4: "Tuesday",
    5: "Wednesday",
    6: "Wednesday",
    7: "Thursday",
    8: "Thursday",
    9: "Friday",
    0: "Friday",
}

# Letters drawn with unequal weights (some series are common on the road, none is excluded).
_LETTER_WEIGHTS = np.array([3 if c in "BCFGHJKLMNPRSTVWXYZ" else 2 for c in string.ascii_uppercase], float)
_LETTER_WEIGHTS /= _LETTER_WEIGHTS.sum()


def random_plate(rng: np.random.Generator) -> str:
    """A canonical plate: ``ABC-123`` (62 %) or the older numeric format of five or six digits."""
    if rng.random() < 0.62:
        letters = "".join(rng.choice(list(string.ascii_uppercase), size=3, p=_LETTER_WEIGHTS))
        return f"{letters}-{int(rng.integers(0, 1000)):03d}"
    n = 6 if rng.random() < 0.55 else 5
    first = str(int(rng.integers(1, 10)))
    return first + "".join(str(int(d)) for d in rng.integers(0, 10, size=n - 1))


def is_valid_plate(text: str) -> bool:
    """``text`` is a canonical plate of one of the two formats."""
    return bool(ALNUM_RE.match(text) or NUMERIC_RE.match(text))


def restriction_day(text: str) -> str:
    """The weekday restricted for a canonical plate (its last digit)."""
    return DAY_OF_DIGIT[int(text[-1])]
