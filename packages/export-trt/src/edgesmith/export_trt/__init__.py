"""Keras/SavedModel -> ONNX (tf2onnx) and ONNX -> TensorRT engines (FP32/FP16/INT8 with a calibration cache).

Importing this package needs neither TensorFlow nor TensorRT: heavy modules load on first use.
"""

from edgesmith.export_trt.calibration import CalibrationBatcher, CalibrationCache, load_calibration_array
from edgesmith.export_trt.engine import PRECISIONS, BuildConfig, EngineBuild, build_engine
from edgesmith.export_trt.errors import INSTALL_HINT, ExportError, TensorRTUnavailable
from edgesmith.export_trt.onnx_export import (
    DEFAULT_OPSET,
    OnnxExport,
    check_onnx,
    keras_to_onnx,
    load_keras_model,
)
from edgesmith.profiling.artifacts import file_hash, read_sidecar, write_sidecar

__version__ = "0.1.0"

__all__ = [
    "DEFAULT_OPSET",
    "INSTALL_HINT",
    "PRECISIONS",
    "BuildConfig",
    "CalibrationBatcher",
    "CalibrationCache",
    "EngineBuild",
    "ExportError",
    "OnnxExport",
    "TensorRTUnavailable",
    "build_engine",
    "check_onnx",
    "file_hash",
    "keras_to_onnx",
    "load_calibration_array",
    "load_keras_model",
    "read_sidecar",
    "write_sidecar",
]
