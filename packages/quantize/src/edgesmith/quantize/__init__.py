"""TFLite post-training quantization in every mode, QAT and magnitude pruning (tfmot), with a report.

Every artifact is judged against the float Keras model on the same data, through the TFLite interpreter.
"""

from edgesmith.quantize.artifact import QuantizedArtifact, sidecar_path
from edgesmith.quantize.calibration import Calibration, calibration_from
from edgesmith.quantize.converter import convert
from edgesmith.quantize.errors import (
    CalibrationError,
    ModelLoadError,
    OutputPathError,
    QuantizeError,
    UnquantizableOpError,
)
from edgesmith.quantize.evaluate import keras_predict, tflite_predict
from edgesmith.quantize.latency import Latency, measure_latency
from edgesmith.quantize.modes import IoDtype, Mode
from edgesmith.quantize.pruning import PruneResult, prune, weight_sparsity
from edgesmith.quantize.qat import QatResult, quantize_aware_train
from edgesmith.quantize.report import Report, ReportRow, report
from edgesmith.quantize.tflite_graph import GraphSummary, summarize
from edgesmith.quantize.tflite_io import dequantize_output, quantize_input

__all__ = [
    "Calibration",
    "CalibrationError",
    "GraphSummary",
    "IoDtype",
    "Latency",
    "Mode",
    "ModelLoadError",
    "OutputPathError",
    "PruneResult",
    "QatResult",
    "QuantizeError",
    "QuantizedArtifact",
    "Report",
    "ReportRow",
    "UnquantizableOpError",
    "calibration_from",
    "convert",
    "dequantize_output",
    "keras_predict",
    "measure_latency",
    "prune",
    "quantize_aware_train",
    "quantize_input",
    "report",
    "sidecar_path",
    "summarize",
    "tflite_predict",
    "weight_sparsity",
]
