"""The confidence-rule sweep and choice: right days most often, within the wrong-day and invention limits."""

import pytest

from edgesmith.ocr_plate.confidence_rule import ConfidenceRule
from edgesmith.ocr_plate.evaluate import choose_rule, threshold_sweep
from edgesmith.ocr_plate.reading import make_reading

OPEN = ConfidenceRule.single(0.0)


def _r(text: str, *confs: float):
    return make_reading(text, confs, "t", OPEN)


PLATES = [
    _r("ABC-123", 0.99, 0.4, 0.99, 0.99, 0.99, 0.99, 0.95),  # right, one doubtful letter
    _r("ABC-125", 0.99, 0.99, 0.99, 0.99, 0.99, 0.99, 0.6),  # wrong day (5: Wednesday), unsure last digit
    _r("305718", 0.99, 0.99, 0.99, 0.99, 0.99, 0.97),  # right numeric plate
    _r("AB-12", 0.99, 0.99, 0.99, 0.99, 0.99),  # not a full format: never readable
]
TRUTH = ["ABC-123", "ABC-123", "305718", "XYZ-012"]
SIGNS = [_r("55512", 0.5, 0.99, 0.99, 0.99, 0.99)]  # a phone number on a sign, read as a numeric plate


def test_sweep_counts_each_rule_on_plates_and_non_plates():
    rows = threshold_sweep(PLATES, TRUTH, [0.3, 0.7], [0.3, 0.7], [0.5, 0.9], SIGNS)
    assert len(rows) == 8
    by = {(r["every"], r["numeric"], r["last_digit"]): r for r in rows}
    loose = by[(0.3, 0.3, 0.5)]
    assert loose["readable"] == 0.75 and loose["right_day"] == 0.5 and loose["wrong_day"] == 0.25
    assert loose["exact"] == 0.5 and loose["invented"] == 1.0
    chosen = by[(0.3, 0.7, 0.9)]
    assert chosen["right_day"] == 0.5 and chosen["wrong_day"] == 0.0 and chosen["invented"] == 0.0
    assert by[(0.7, 0.7, 0.9)]["right_day"] == 0.25  # the doubtful letter refuses a sure day


def test_choice_names_the_most_right_days_within_the_limits():
    rows = threshold_sweep(PLATES, TRUTH, [0.3, 0.7], [0.3, 0.7], [0.5, 0.9], SIGNS)
    assert choose_rule(rows, max_wrong_day=0.0, max_invented=0.0) == ConfidenceRule(0.3, 0.7, 0.9)
    # allowing inventions and wrong days, the loosest rule reads as many right days; ties go to strictness
    assert choose_rule(rows, max_wrong_day=1.0, max_invented=1.0) == ConfidenceRule(0.3, 0.7, 0.9)
    # nothing allowed: the strictest rule swept
    strict = threshold_sweep(PLATES[1:2], TRUTH[1:2], [0.3], None, [0.5])
    assert choose_rule(strict, max_wrong_day=0.0) == ConfidenceRule(0.3, None, 0.5)


def test_one_dimensional_sweep_is_a_single_threshold():
    rows = threshold_sweep(PLATES, TRUTH, [0.5, 0.96])
    assert [(r["every"], r["numeric"], r["last_digit"]) for r in rows] == [
        (0.5, None, None),
        (0.96, None, None),
    ]
    assert rows[0]["right_day"] == pytest.approx(0.25) and rows[1]["readable"] == pytest.approx(0.25)
