"""Score a reader on labelled crops: exact plate, last digit, format validity, per-crop latency."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Sequence

import numpy as np

from edgesmith.ocr_plate.plate_format import canonical_plate, last_digit
from edgesmith.ocr_plate.reading import PlateReader, PlateReading


@dataclasses.dataclass(frozen=True)
class ReaderScore:
    """Accuracy and latency of one reader over ``n`` labelled crops (rates in [0, 1], latency in ms)."""

    reader: str
    n: int
    exact: float
    last_digit: float
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
    exact = [r.text == t for r, t in zip(readings, truth, strict=True)]
    digit = [
        r.last_digit is not None and r.last_digit == last_digit(t)
        for r, t in zip(readings, truth, strict=True)
    ]
    lat = np.asarray(latencies_ms, dtype=np.float64)
    return ReaderScore(
        reader=name,
        n=len(texts),
        exact=float(np.mean(exact)),
        last_digit=float(np.mean(digit)),
        valid=float(np.mean([r.valid for r in readings])),
        mean_confidence=float(np.mean([r.confidence for r in readings])),
        latency_ms_mean=float(lat.mean()),
        latency_ms_p50=float(np.percentile(lat, 50)),
        latency_ms_p95=float(np.percentile(lat, 95)),
        failures=tuple((t, r.text) for r, t, ok in zip(readings, truth, exact, strict=True) if not ok),
    )


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
