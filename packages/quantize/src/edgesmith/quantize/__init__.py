"""TFLite post-training quantization in every mode, QAT and magnitude pruning (tfmot), with a report.

Every artifact is judged against the float Keras model on the same data, through the TFLite interpreter.

Names load on first use (PEP 562), so the TFLite runner and exporter entry points
(``edgesmith.quantize.runner``, ``edgesmith.quantize.exporter``) never import TensorFlow.
"""

from __future__ import annotations

from edgesmith.profiling.lazy import lazy_exports

_EXPORTS = {
    "Calibration": "edgesmith.quantize.calibration",
    "DebugReport": "edgesmith.quantize.debug",
    "GuardResult": "edgesmith.quantize.guard",
    "LayerError": "edgesmith.quantize.layer_stats",
    "debug_int8": "edgesmith.quantize.debug",
    "guarded_artifact": "edgesmith.quantize.guard",
    "guarded_int8": "edgesmith.quantize.guard",
    "CalibrationError": "edgesmith.quantize.errors",
    "GraphSummary": "edgesmith.quantize.tflite_graph",
    "IoDtype": "edgesmith.quantize.modes",
    "Latency": "edgesmith.quantize.latency",
    "Mode": "edgesmith.quantize.modes",
    "ModelLoadError": "edgesmith.quantize.errors",
    "OutputPathError": "edgesmith.quantize.errors",
    "PruneResult": "edgesmith.quantize.pruning",
    "QatResult": "edgesmith.quantize.qat",
    "QuantizeError": "edgesmith.quantize.errors",
    "QuantizedArtifact": "edgesmith.quantize.artifact",
    "Report": "edgesmith.quantize.report",
    "ReportRow": "edgesmith.quantize.report",
    "UnquantizableOpError": "edgesmith.quantize.errors",
    "calibration_from": "edgesmith.quantize.calibration",
    "convert": "edgesmith.quantize.converter",
    "dequantize_output": "edgesmith.quantize.tflite_io",
    "keras_predict": "edgesmith.quantize.evaluate",
    "measure_latency": "edgesmith.quantize.latency",
    "prune": "edgesmith.quantize.pruning",
    "quantize_aware_train": "edgesmith.quantize.qat",
    "quantize_input": "edgesmith.quantize.tflite_io",
    "report": "edgesmith.quantize.report",
    "sidecar_path": "edgesmith.quantize.artifact",
    "summarize": "edgesmith.quantize.tflite_graph",
    "tflite_predict": "edgesmith.quantize.evaluate",
    "weight_sparsity": "edgesmith.quantize.pruning",
}
"""Public name -> the module that defines it (imported on first use)."""


__all__ = [
    "Calibration",
    "CalibrationError",
    "DebugReport",
    "GraphSummary",
    "GuardResult",
    "IoDtype",
    "Latency",
    "LayerError",
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
    "debug_int8",
    "dequantize_output",
    "guarded_artifact",
    "guarded_int8",
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

__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, __all__)
