"""ONNX/TFLite -> TVM Relax compiled for llvm/cuda/ARM targets, schedule tuning with a reusable database,
saved libraries and a ``tvm`` runner for the profiler. TVM itself is imported on first use.
"""

from edgesmith.export_tvm.compile import CompiledModel, LoadedModel, compile_model, load_compiled
from edgesmith.export_tvm.errors import TVMExportError
from edgesmith.export_tvm.frontends import ImportedModel, import_model
from edgesmith.export_tvm.targets import host_cpu, parse_target, target_dict
from edgesmith.export_tvm.tuning import ScheduleStore, TuneReport, apply_store, tune_module

__version__ = "0.1.0"

__all__ = [
    "CompiledModel",
    "ImportedModel",
    "LoadedModel",
    "ScheduleStore",
    "TVMExportError",
    "TuneReport",
    "apply_store",
    "compile_model",
    "host_cpu",
    "import_model",
    "load_compiled",
    "parse_target",
    "target_dict",
    "tune_module",
]
