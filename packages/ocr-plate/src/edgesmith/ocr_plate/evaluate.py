"""Score a reader on labelled crops: exact plate, last digit, unreadable, wrong day, per-crop latency.

A reading counts as right only when it is ``readable`` (it names a day): an unreadable crop is never
right, and a readable one whose day differs from the plate's is a *wrong day*, the error that matters.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Sequence

import numpy as np

from edgesmith.ocr_plate.confidence_rule import ConfidenceRule
from edgesmith.ocr_plate.plate_format import canonical_plate, full_plate_format, last_digit
from edgesmith.ocr_plate.reading import PlateReader, PlateReading
from edgesmith.ocr_plate.restriction import restriction_day


@dataclasses.dataclass(frozen=True)
class ReaderScore:
    """Accuracy and latency of one reader over ``n`` labelled crops (rates in [0, 1], latency in ms)."""

    reader: str
    n: int
    exact: float
    last_digit: float
    unreadable: float
    wrong_day: float
    valid: float
    mean_confidence: float
    latency_ms_mean: float
    latency_ms_p50: float
    latency_ms_p95: float
    failures: tuple[tuple[str, str], ...] = ()

    def to_dict(self) -> dict[str, object]:
        d = dataclasses.asdict(self)
        d["failures"] = [{"truth": t, "read": r} for t, r in self.failures]
        return d


def score_readings(
    name: str, readings: Sequence[PlateReading], texts: Sequence[str], latencies_ms: Sequence[float]
) -> ReaderScore:
    """Compare readings with ground-truth texts (both canonicalised, so ``ABC123`` equals ``ABC-123``)."""
    if len(readings) != len(texts) or not texts:
        raise ValueError(f"need as many readings as labels (got {len(readings)} and {len(texts)})")
    truth = [canonical_plate(t) or t for t in texts]
    exact = [r.readable and r.text == t for r, t in zip(readings, truth, strict=True)]
    digit = [
        r.readable and r.last_digit is not None and r.last_digit == last_digit(t)
        for r, t in zip(readings, truth, strict=True)
    ]
    wrong = [
        r.readable and r.restriction_day != restriction_day(last_digit(t))
        for r, t in zip(readings, truth, strict=True)
    ]
    lat = np.asarray(latencies_ms, dtype=np.float64)
    return ReaderScore(
        reader=name,
        n=len(texts),
        exact=float(np.mean(exact)),
        last_digit=float(np.mean(digit)),
        unreadable=float(np.mean([not r.readable for r in readings])),
        wrong_day=float(np.mean(wrong)),
        valid=float(np.mean([r.valid for r in readings])),
        mean_confidence=float(np.mean([r.confidence for r in readings])),
        latency_ms_mean=float(lat.mean()),
        latency_ms_p50=float(np.percentile(lat, 50)),
        latency_ms_p95=float(np.percentile(lat, 95)),
        failures=tuple(
            (t, r.text if r.readable else f"{r.text} ({r.reason})")
            for r, t, ok in zip(readings, truth, exact, strict=True)
            if not ok
        ),
    )


def _sure(readings: Sequence[PlateReading]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per reading: its weakest character's confidence, its last one's (-1 unless a full format), and
    whether it is a digits-only plate."""
    full = [full_plate_format(r.text) and len(r.char_confidences) == len(r.text) for r in readings]
    weakest = np.array([r.confidence if f else -1.0 for r, f in zip(readings, full, strict=True)])
    last = np.array([r.char_confidences[-1] if f else -1.0 for r, f in zip(readings, full, strict=True)])
    numeric = np.array([f and r.text.isdigit() for r, f in zip(readings, full, strict=True)])
    return weakest, last, numeric


def threshold_sweep(
    readings: Sequence[PlateReading],
    texts: Sequence[str],
    every: Sequence[float],
    numeric: Sequence[float] | None = None,
    last_digit_thresholds: Sequence[float] | None = None,
    negatives: Sequence[PlateReading] = (),
) -> list[dict[str, float]]:
    """How each :class:`ConfidenceRule` of the grid ``every`` × ``numeric`` × ``last_digit_thresholds``
    (``None``: that threshold unused) does: shares of the plates read ``readable``, ``exact``, with the
    ``right_day`` and the ``wrong_day``, and share of the ``negatives`` (readings of crops of no plate)
    ``invented`` as a plate.

    ``readings`` and ``negatives`` are taken with every threshold at 0 (format check only), so one pass
    serves every rule.
    """
    truth = [canonical_plate(t) or t for t in texts]
    weakest, last, digits_only = _sure(readings)
    n_weakest, n_last, n_digits_only = _sure(negatives)
    exact = np.array([r.text == g for r, g in zip(readings, truth, strict=True)])
    read_digit = [r.last_digit for r in readings]
    right = np.array([d is not None and d == last_digit(g) for d, g in zip(read_digit, truth, strict=True)])
    wrong = np.array(
        [
            d is not None and restriction_day(d) != restriction_day(last_digit(g))
            for d, g in zip(read_digit, truth, strict=True)
        ]
    )

    def passes(rule: ConfidenceRule, low: np.ndarray, end: np.ndarray, digits: np.ndarray) -> np.ndarray:
        floor, need_last = rule.floors(digits)  # ConfidenceRule.reason's thresholds, for every reading
        return (low >= floor) & (end >= need_last) & (end >= 0)

    rows = []
    for t in every:
        for u in [None] if numeric is None else numeric:
            for v in [None] if last_digit_thresholds is None else last_digit_thresholds:
                rule = ConfidenceRule(
                    float(t), None if u is None else float(u), None if v is None else float(v)
                )
                ok = passes(rule, weakest, last, digits_only)
                invented = passes(rule, n_weakest, n_last, n_digits_only)
                rows.append(
                    {
                        **rule.to_dict(),
                        "readable": float(ok.mean()),
                        "exact": float((ok & exact).mean()),
                        "right_day": float((ok & right).mean()),
                        "wrong_day": float((ok & wrong).mean()),
                        "invented": float(invented.mean()) if len(negatives) else 0.0,
                    }
                )
    return rows


def choose_rule(
    sweep: Sequence[dict[str, float]], max_wrong_day: float = 0.005, max_invented: float = 0.001
) -> ConfidenceRule:
    """Of the swept rules with wrong days ≤ ``max_wrong_day`` of the plates and plates invented on
    ≤ ``max_invented`` of the non-plates, the one that names the right day most often (then: more exact
    plates, then the stricter thresholds); with none, the strictest rule swept."""

    def strictness(r: dict[str, float]) -> tuple[float, float, float]:
        return (r["last_digit"] or 0.0, r["numeric"] or 0.0, r["every"])

    allowed = [r for r in sweep if r["wrong_day"] <= max_wrong_day and r["invented"] <= max_invented]
    if allowed:
        best = max(allowed, key=lambda r: (r["right_day"], r["exact"], *strictness(r)))
    else:
        best = max(sweep, key=strictness)
    return ConfidenceRule.from_dict(best)


def evaluate_reader(
    reader: PlateReader,
    crops: Sequence[np.ndarray],
    texts: Sequence[str],
    name: str | None = None,
    progress: Callable[[int], None] | None = None,
) -> ReaderScore:
    """Read every crop once (after one untimed warm-up) and score it; ``progress`` gets the count."""
    reader.read(crops[0])
    readings, latencies = [], []
    for i, crop in enumerate(crops):
        start = time.perf_counter()
        readings.append(reader.read(crop))
        latencies.append((time.perf_counter() - start) * 1e3)
        if progress is not None:
            progress(i + 1)
    return score_readings(name or reader.name, readings, texts, latencies)


__all__ = ["ReaderScore", "choose_rule", "evaluate_reader", "score_readings", "threshold_sweep"]
