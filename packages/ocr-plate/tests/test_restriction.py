"""Last digit → restriction day: the Costa Rican table and document 001's example."""

import pytest

from edgesmith.ocr_plate import RESTRICTION_DAYS, restriction_day

TABLE = {
    "Monday": (1, 2),
    "Tuesday": (3, 4),
    "Wednesday": (5, 6),
    "Thursday": (7, 8),
    "Friday": (9, 0),
}


@pytest.mark.parametrize(("day", "digits"), TABLE.items())
def test_table(day, digits):
    for digit in digits:
        assert restriction_day(digit) == day
        assert restriction_day(str(digit)) == day


def test_every_digit_has_a_weekday():
    assert sorted(RESTRICTION_DAYS) == list(range(10))
    assert set(RESTRICTION_DAYS.values()) == set(TABLE)


def test_document_001_example():
    assert restriction_day(6) == "Wednesday"


@pytest.mark.parametrize("bad", ["", "12", "A", -1, 10, "６x"])
def test_rejects_non_digits(bad):
    with pytest.raises(ValueError, match="single digit"):
        restriction_day(bad)
