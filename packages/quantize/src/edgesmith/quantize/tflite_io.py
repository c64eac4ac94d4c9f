"""Quantize inputs and dequantize outputs of a TFLite model with each tensor's scale and zero point.

The one implementation (per-tensor and per-axis) lives in the kernel, :mod:`edgesmith.profiling.quantization`,
so the Edge TPU runner shares it without installing TensorFlow; it is re-exported here for quantize users.
"""

from edgesmith.profiling.quantization import dequantize_output, is_quantized, quantize_input

__all__ = ["dequantize_output", "is_quantized", "quantize_input"]
