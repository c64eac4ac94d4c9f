"""ONNX/TFLite -> TVM Relax compiled for llvm/cuda/ARM targets (named presets), MetaSchedule tuning into a
reusable log, default schedules for untuned kernels, saved libraries and a ``tvm`` runner for the profiler.
TVM itself is imported on first use.
"""

from edgesmith.export_tvm.compile import CompiledModel, LoadedModel, compile_model, load_compiled
from edgesmith.export_tvm.errors import TVMExportError
from edgesmith.export_tvm.frontends import ImportedModel, import_model
from edgesmith.export_tvm.targets import host_cpu, parse_target, target_dict
from edgesmith.export_tvm.tuning import TaskResult, TuneReport, compact_log, open_log, tune_model

__version__ = "0.1.0"

__all__ = [
    "CompiledModel",
    "ImportedModel",
    "LoadedModel",
    "TVMExportError",
    "TaskResult",
    "TuneReport",
    "compact_log",
    "compile_model",
    "host_cpu",
    "import_model",
    "load_compiled",
    "open_log",
    "parse_target",
    "target_dict",
    "tune_model",
]
