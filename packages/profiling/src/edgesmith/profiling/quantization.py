"""TFLite tensor quantization I/O: float in, float out for every integer model, per-tensor or per-axis.

TFLite int8/uint8 tensors store ``real = scale * (q - zero_point)``. ``detail`` is one entry of
``Interpreter.get_input_details()`` / ``get_output_details()``; runners (TFLite, Edge TPU) apply these at the
model boundary so every backend is fed and judged in float32. Float tensors pass through as float32.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np


def _scale_zero_point(detail: Mapping[str, Any]) -> tuple[np.ndarray, np.ndarray, int]:
    """Per-tensor or per-axis (scales, zero points, axis) of a tensor detail; scale 0 means not quantized."""
    params = detail.get("quantization_parameters") or {}
    scales = np.asarray(params.get("scales", []), dtype=np.float32)
    zero_points = np.asarray(params.get("zero_points", []), dtype=np.int64)
    axis = int(params.get("quantized_dimension", 0))
    if scales.size == 0:
        scale, zero_point = detail.get("quantization", (0.0, 0))
        scales = np.asarray([scale], dtype=np.float32)
        zero_points = np.asarray([zero_point], dtype=np.int64)
    return scales, zero_points, axis


def _broadcast(values: np.ndarray, ndim: int, axis: int) -> np.ndarray:
    if values.size == 1:
        return values.reshape(())
    shape = [1] * ndim
    shape[axis] = values.size
    return values.reshape(shape)


def is_quantized(detail: Mapping[str, Any]) -> bool:
    """True when the tensor is an integer tensor with a non-zero quantization scale."""
    scales, _, _ = _scale_zero_point(detail)
    return np.dtype(detail["dtype"]).kind in "iu" and bool(np.any(scales != 0))


def quantize_input(x: np.ndarray, detail: Mapping[str, Any]) -> np.ndarray:
    """Float batch → the tensor's dtype: ``round(x / scale + zero_point)`` clipped to the dtype's range."""
    dtype = np.dtype(detail["dtype"])
    x = np.asarray(x)
    if dtype.kind == "f":
        return np.ascontiguousarray(x, dtype=dtype)
    if not is_quantized(detail):  # an integer input that is not a quantized real value (ids, lengths)
        return np.ascontiguousarray(x, dtype=dtype)
    scales, zero_points, axis = _scale_zero_point(detail)
    scale = _broadcast(scales, x.ndim, axis)
    zero_point = _broadcast(zero_points, x.ndim, axis)
    info = np.iinfo(dtype)
    # one float32 buffer, worked in place: float64 temporaries of a detector-sized batch are megabytes of
    # fresh pages per call, which cost more than the int8 inference itself once the heap has grown
    q = np.divide(x, np.asarray(scale, np.float32), dtype=np.float32)
    np.round(q, out=q)
    q += np.asarray(zero_point, np.float32)
    np.clip(q, info.min, info.max, out=q)
    return np.ascontiguousarray(q, dtype=dtype)


def pixel_codes(pixels: np.ndarray, detail: Mapping[str, Any], scale: float) -> np.ndarray | None:
    """The tensor's integer codes for uint8 ``pixels`` whose real value is ``pixels * scale``, with no float
    pass: the pixels as they are (uint8, zero point 0) or shifted by 128 (int8, zero point -128) when the
    tensor's own scale is ``scale``; None for any other quantization. The same integers as
    :func:`quantize_input` of ``pixels * scale`` in float32."""
    if np.asarray(pixels).dtype != np.uint8 or not is_quantized(detail):
        return None
    scales, zero_points, _ = _scale_zero_point(detail)
    if scales.size != 1 or not np.isclose(scales[0], scale, rtol=1e-6, atol=0.0):
        return None
    dtype, zero_point = np.dtype(detail["dtype"]), int(zero_points[0])
    if dtype == np.uint8 and zero_point == 0:
        return np.ascontiguousarray(pixels)
    if dtype == np.int8 and zero_point == -128:  # flipping the top bit is u - 128 in two's complement
        return np.ascontiguousarray(pixels).view(np.int8) ^ np.int8(-128)
    return None


def dequantize_output(y: np.ndarray, detail: Mapping[str, Any]) -> np.ndarray:
    """Tensor values → float32: ``(y - zero_point) * scale`` when quantized, a float32 copy otherwise."""
    y = np.asarray(y)
    if not is_quantized(detail):
        return y.astype(np.float32, copy=True)
    scales, zero_points, axis = _scale_zero_point(detail)
    scale = _broadcast(scales, y.ndim, axis)
    zero_point = _broadcast(zero_points, y.ndim, axis)
    return ((y.astype(np.float32) - zero_point.astype(np.float32)) * scale).astype(np.float32)


def quantize(x: np.ndarray, scale: float, zero_point: int, dtype: np.dtype | type | str) -> np.ndarray:
    """Float -> integer with one scale and zero point: ``round(x / scale) + zero_point``, clipped."""
    return quantize_input(x, {"dtype": dtype, "quantization": (scale, zero_point)})


def dequantize(q: np.ndarray, scale: float, zero_point: int) -> np.ndarray:
    """Integer -> float32 with one scale and zero point: ``scale * (q - zero_point)``."""
    q = np.asarray(q)
    return dequantize_output(q, {"dtype": q.dtype, "quantization": (scale, zero_point)})


def tensor_is_quantized(dtype: np.dtype | type | str, scale: float) -> bool:
    """Whether a tensor of ``dtype`` with ``scale`` holds affine-quantized values (scale 0 means raw ints)."""
    return is_quantized({"dtype": dtype, "quantization": (scale, 0)})


__all__ = [
    "dequantize",
    "dequantize_output",
    "is_quantized",
    "pixel_codes",
    "quantize",
    "quantize_input",
    "tensor_is_quantized",
]
