"""The largest inference batch that fits in memory, probed by doubling with an upper bound and a guard."""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import numpy as np
import psutil

from edgesmith.profiling.bench import make_batch
from edgesmith.profiling.runner import Runner


@dataclasses.dataclass
class CapacityProbe:
    """Largest batch that ran on ``device``; ``stopped_by`` says why probing ended (OOM, bound, guard)."""

    model: str
    device: str
    largest_batch: int
    stopped_by: str
    activation_mb_per_sample: float


def activation_bytes_per_sample(model: Any) -> int:
    """float32 bytes of every layer's output for one sample: a lower bound on inference working memory."""
    total = 0
    for layer in model.layers:
        shapes = layer.output_shape if isinstance(layer.output_shape, list) else [layer.output_shape]
        for shape in shapes:
            total += 4 * math.prod(int(d) for d in shape[1:] if d is not None)
    return total


def probe_largest_batch(
    runner: Runner,
    model: Any,
    inputs: np.ndarray,
    start: int,
    bound: int,
    memory_fraction: float = 0.25,
) -> CapacityProbe:
    """Predict at ``start``, 2·start, … up to ``bound`` samples on an active runner until one fails.

    Out-of-memory errors (TensorFlow's ResourceExhaustedError, MemoryError) end the probe; so does a batch
    whose activations alone would take more than ``memory_fraction`` of the available RAM on a CPU, since
    an operating-system OOM kill cannot be caught.
    """
    from edgesmith.datasets.tf_runtime import tf

    per_sample = activation_bytes_per_sample(model)
    specs = runner.input_specs()
    largest, batch = 0, max(int(start), 1)
    stopped = f"probe bound {bound} reached"
    while batch <= bound:
        if (
            runner.device == "cpu"
            and batch * per_sample > memory_fraction * psutil.virtual_memory().available
        ):
            stopped = (
                f"memory guard: {batch} samples need ~{batch * per_sample / 1024**3:.1f} GB of activations"
            )
            break
        (x,) = make_batch(specs, batch, inputs)
        try:
            runner.predict(x)
        except (tf.errors.ResourceExhaustedError, MemoryError) as exc:
            stopped = f"out of memory at {batch}: {type(exc).__name__}"
            break
        largest = batch
        batch *= 2
    return CapacityProbe(runner.artifact.name, runner.device, largest, stopped, per_sample / 1024**2)
