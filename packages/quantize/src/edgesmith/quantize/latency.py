"""Batch-1 CPU latency of several TFLite models measured side by side (interleaved rounds, same threads)."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

import numpy as np

from edgesmith.profiling.bench import time_calls
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
        time_calls(interp.invoke, warmup, 0)
        interps[name] = interp
    times: dict[str, list[np.ndarray]] = {name: [] for name in models}
    per_round = max(1, runs // rounds)
    for _ in range(rounds):
        for name, interp in interps.items():
            ns, _ = time_calls(interp.invoke, 0, per_round)  # the profiler's one timing loop
            times[name].append(ns / 1e6)
    out = {}
    for name, ts in times.items():
        arr = np.concatenate(ts)
        out[name] = Latency(
            float(np.median(arr)), float(arr.mean()), float(np.percentile(arr, 90)), len(arr), threads
        )
    return out
