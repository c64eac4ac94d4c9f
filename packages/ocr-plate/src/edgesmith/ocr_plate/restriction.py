"""Last plate digit → Costa Rican weekday driving restriction (document 001's final output)."""

from __future__ import annotations

RESTRICTION_DAYS: dict[int, str] = {
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


def restriction_day(last_digit: int | str) -> str:
    """Weekday on which a plate ending in ``last_digit`` may not circulate (1–2 Mon … 9–0 Fri)."""
    text = str(last_digit).strip()
    if len(text) != 1 or not text.isdigit():
        raise ValueError(f"last digit must be a single digit 0-9, got {last_digit!r}")
    return RESTRICTION_DAYS[int(text)]


__all__ = ["RESTRICTION_DAYS", "restriction_day"]
