"""One benchmark harness over every backend: runner registry, latency/throughput/memory, the
optimization matrix, op-level and training profiles.

Backends plug in through the ``edgesmith.runners`` entry-point group (see :mod:`.registry`).
"""

from edgesmith.profiling.registry import availability, backend_for, backends, open_runner, runner_class
from edgesmith.profiling.runner import (
    BackendUnavailable,
    InputMismatch,
    Runner,
    RunnerError,
    RunnerInfo,
    TensorSpec,
    artifact_size,
)

__all__ = [
    "BackendUnavailable",
    "InputMismatch",
    "Runner",
    "RunnerError",
    "RunnerInfo",
    "TensorSpec",
    "artifact_size",
    "availability",
    "backend_for",
    "backends",
    "open_runner",
    "runner_class",
]
