"""The edgesmith kernel: one benchmark harness over every backend (runner registry, latency, throughput,
memory, the optimization matrix, op-level profiles), the exporter registry and the artifact sidecar schema.

Backends plug in through entry points and this package names none of them: runners under
``edgesmith.runners`` (:mod:`.registry`; ``keras`` comes with edgesmith-models, ``tflite`` with
edgesmith-quantize, ``onnx``/``tensorrt`` with edgesmith-export-trt, ``tvm`` and ``edgetpu`` with their export
packages), exporters under ``edgesmith.exporters`` (:mod:`.exporters`). Every artifact carries one sidecar
(:mod:`.artifacts`). The Python API comes first, the ``edgesmith-profile`` CLI is a thin layer on top::

    from edgesmith.profiling import bench, open_runner
    with open_runner("model.tflite", threads=2) as runner:
        y = runner.predict(x)                       # float32 in, float32 out, int8 models included
    print(bench("model.tflite", batch_sizes=(1, 8)).to_markdown())

The other tools are re-exported here and live in their own modules: :mod:`.matrix` (``run_matrix``),
:mod:`.compare` (``compare``), :mod:`.ops` (``profile_ops``), :mod:`.metrics` (task metrics, usable by apps).
Training-time profiles live with the Keras models (``edgesmith.models.profile_training``). The hard
dependencies are numpy, psutil, rich and typer: importing this package never imports a framework.
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
    "run_matrix",
    "runner_class",
    "time_calls",
]
