"""Batch-1 CPU latency of several TFLite models measured side by side (interleaved rounds, same threads)."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Mapping

import numpy as np

from edgesmith.quantize.evaluate import make_interpreter
from edgesmith.quantize.tflite_io import quantize_input


@dataclasses.dataclass(frozen=True)
class Latency:
    """Per-invoke latency statistics of one model, in milliseconds."""

    median_ms: float
    mean_ms: float
    p90_ms: float
    runs: int
    threads: int | None

    def to_dict(self) -> dict[str, float | int | None]:
        return dataclasses.asdict(self)


def measure_latency(
    models: Mapping[str, bytes],
    sample: np.ndarray,
    *,
    threads: int | None = 2,
    warmup: int = 20,
    runs: int = 200,
    rounds: int = 5,
) -> dict[str, Latency]:
    """Time ``invoke()`` (input set once, batch 1) for every model, alternating models each round.

    Interleaving the rounds spreads any background load on a shared CPU evenly over the models, so the
    ratio between them is trustworthy even when absolute numbers drift. ``runs`` is split across ``rounds``.
    """
    interps = {}
    for name, content in models.items():
        interp = make_interpreter(content, threads)
        detail = interp.get_input_details()[0]
        shape = [1, *detail["shape"][1:]]
        if list(detail["shape"]) != shape:
            interp.resize_tensor_input(detail["index"], shape)
            interp.allocate_tensors()
            detail = interp.get_input_details()[0]
        interp.set_tensor(detail["index"], quantize_input(sample[:1], detail))
        for _ in range(warmup):
            interp.invoke()
        interps[name] = interp
    times: dict[str, list[float]] = {name: [] for name in models}
    per_round = max(1, runs // rounds)
    for _ in range(rounds):
        for name, interp in interps.items():
            for _ in range(per_round):
                t0 = time.perf_counter()
                interp.invoke()
                times[name].append((time.perf_counter() - t0) * 1e3)
    out = {}
    for name, ts in times.items():
        arr = np.asarray(ts)
        out[name] = Latency(
            float(np.median(arr)), float(arr.mean()), float(np.percentile(arr, 90)), len(arr), threads
        )
    return out
