"""One benchmark harness over every backend: runner registry, latency/throughput/memory, the
optimization matrix, op-level and training profiles.

Backends plug in through the ``edgesmith.runners`` entry-point group (see :mod:`.registry`); this package
registers ``keras``, ``tflite`` and ``onnx``. The Python API comes first, the ``edgesmith-profile`` CLI is a
thin layer on top::

    from edgesmith.profiling import bench, open_runner
    with open_runner("model.tflite", threads=2) as runner:
        y = runner.predict(x)                       # float32 in, float32 out, int8 models included
    print(bench("model.tflite", batch_sizes=(1, 8)).to_markdown())

The other tools are re-exported here and live in their own modules: :mod:`.matrix` (``run_matrix``),
:mod:`.compare` (``compare``), :mod:`.ops` (``profile_ops``), :mod:`.training` (``profile_training``),
:mod:`.metrics` (task metrics, usable by apps). Importing this package does not import TensorFlow.
"""

from edgesmith.profiling.bench import BatchStats, BenchResult, bench, latency_cv, make_batch, time_calls
from edgesmith.profiling.compare import CompareResult, compare
from edgesmith.profiling.matrix import MatrixResult, MatrixRow, Variant, run_matrix
from edgesmith.profiling.metrics import METRICS, Metric, get_metric
from edgesmith.profiling.ops import OpProfile, profile_ops
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
from edgesmith.profiling.training import TrainingProfile, profile_training

__all__ = [
    "METRICS",
    "BackendUnavailable",
    "BatchStats",
    "BenchResult",
    "CompareResult",
    "InputMismatch",
    "MatrixResult",
    "MatrixRow",
    "Metric",
    "OpProfile",
    "Runner",
    "RunnerError",
    "RunnerInfo",
    "TensorSpec",
    "TrainingProfile",
    "Variant",
    "artifact_size",
    "availability",
    "backend_for",
    "backends",
    "bench",
    "compare",
    "get_metric",
    "latency_cv",
    "make_batch",
    "open_runner",
    "profile_ops",
    "profile_training",
    "run_matrix",
    "runner_class",
    "time_calls",
]
