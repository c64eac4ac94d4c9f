"""Quantize inputs and dequantize outputs of a TFLite model with each tensor's scale and zero point.

``detail`` is one entry of ``Interpreter.get_input_details()`` / ``get_output_details()``. Float tensors pass
through as float32, so callers can treat every TFLite model as float-in, float-out.
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
    q = np.round(x.astype(np.float32) / scale) + zero_point
    return np.ascontiguousarray(np.clip(q, info.min, info.max), dtype=dtype)


def dequantize_output(y: np.ndarray, detail: Mapping[str, Any]) -> np.ndarray:
    """Tensor values → float32: ``(y - zero_point) * scale`` when quantized, a float32 copy otherwise."""
    y = np.asarray(y)
    if not is_quantized(detail):
        return y.astype(np.float32, copy=True)
    scales, zero_points, axis = _scale_zero_point(detail)
    scale = _broadcast(scales, y.ndim, axis)
    zero_point = _broadcast(zero_points, y.ndim, axis)
    return ((y.astype(np.float32) - zero_point.astype(np.float32)) * scale).astype(np.float32)


__all__ = ["dequantize_output", "is_quantized", "quantize_input"]
