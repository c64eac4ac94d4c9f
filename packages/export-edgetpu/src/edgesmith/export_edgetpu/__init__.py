"""Edge TPU readiness check of TFLite models, edgetpu_compiler wrapper with its log parsed, Edge TPU runner.

Public API: :func:`check_model` (op-by-op verdict and split point), :func:`compile_models` (runs
``edgetpu_compiler``), :func:`parse_compiler_output` (its log), :class:`EdgeTPURunner` (profiler backend
``edgetpu``, imported lazily so this package imports without the Edge TPU runtime).
"""

from edgesmith.export_edgetpu.check import CheckReport, OpVerdict, check_graph, check_model
from edgesmith.export_edgetpu.compiler import (
    CompileOptions,
    CompilerError,
    CompileResult,
    CompilerNotFound,
    NotQuantized,
    compile_models,
    find_compiler,
)
from edgesmith.export_edgetpu.compiler_log import (
    CompiledModelLog,
    CompilerLog,
    CompilerLogError,
    OperatorStatus,
    parse_compiler_output,
    parse_operator_table,
)
from edgesmith.export_edgetpu.ops_table import LATEST_RUNTIME, RULES
from edgesmith.profiling.tflite_graph import ModelFileError, TFLiteGraph, read_tflite

__all__ = [
    "LATEST_RUNTIME",
    "RULES",
    "CheckReport",
    "CompileOptions",
    "CompileResult",
    "CompiledModelLog",
    "CompilerError",
    "CompilerLog",
    "CompilerLogError",
    "CompilerNotFound",
    "EdgeTPURunner",
    "ModelFileError",
    "NotQuantized",
    "OpVerdict",
    "OperatorStatus",
    "TFLiteGraph",
    "check_graph",
    "check_model",
    "compile_models",
    "find_compiler",
    "parse_compiler_output",
    "parse_operator_table",
    "read_tflite",
]


def __getattr__(name: str) -> object:
    if name == "EdgeTPURunner":  # pulls in the profiling runner contract only when asked for
        from edgesmith.export_edgetpu.runner import EdgeTPURunner

        return EdgeTPURunner
    raise AttributeError(name)
