"""Score a reader on labelled crops: exact plate, last digit, unreadable, wrong day, per-crop latency.

A reading counts as right only when it is ``readable`` (it names a day): an unreadable crop is never
right, and a readable one whose day differs from the plate's is a *wrong day*, the error that matters.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Sequence

import numpy as np

from edgesmith.ocr_plate.plate_format import canonical_plate, last_digit
from edgesmith.ocr_plate.reading import PlateReader, PlateReading, full_plate_format
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


def threshold_sweep(
    readings: Sequence[PlateReading], texts: Sequence[str], thresholds: Sequence[float]
) -> list[dict[str, float]]:
    """Readable / exact / wrong-day shares if every character needed confidence ≥ t, for each t.

    ``readings`` are taken with the threshold at 0 (format check only), so one pass serves every t.
    """
    truth = [canonical_plate(t) or t for t in texts]
    rows = []
    for t in thresholds:
        ok = [full_plate_format(r.text) and bool(r.char_confidences) and r.confidence >= t for r in readings]
        wrong = [
            k and r.last_digit is not None and restriction_day(r.last_digit) != restriction_day(last_digit(g))
            for k, r, g in zip(ok, readings, truth, strict=True)
        ]
        exact = [k and r.text == g for k, r, g in zip(ok, readings, truth, strict=True)]
        n = len(readings)
        rows.append(
            {
                "threshold": float(t),
                "readable": sum(ok) / n,
                "exact": sum(exact) / n,
                "wrong_day": sum(wrong) / n,
            }
        )
    return rows


def choose_threshold(sweep: Sequence[dict[str, float]], max_wrong_day: float = 0.005) -> float:
    """The lowest swept threshold with a wrong-day share ≤ ``max_wrong_day`` (else the highest one)."""
    for row in sorted(sweep, key=lambda r: r["threshold"]):
        if row["wrong_day"] <= max_wrong_day:
            return float(row["threshold"])
    return float(max(r["threshold"] for r in sweep))


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


__all__ = ["ReaderScore", "evaluate_reader", "score_readings"]
