"""Affine (scale, zero-point) quantize/dequantize so integer models take and return float arrays.

TFLite int8/uint8 tensors store ``real = scale * (q - zero_point)``; runners apply these at the model
boundary so every backend is fed and judged in float32.
"""

from __future__ import annotations

import numpy as np

_INTEGER = {"int8", "uint8", "int16", "int32"}


def is_quantized(dtype: np.dtype | type | str, scale: float) -> bool:
    """Whether a tensor of ``dtype`` with ``scale`` holds affine-quantized values (scale 0 means raw ints)."""
    return scale != 0.0 and np.dtype(dtype).name in _INTEGER


def quantize(x: np.ndarray, scale: float, zero_point: int, dtype: np.dtype | type | str) -> np.ndarray:
    """Float -> integer: ``round(x / scale) + zero_point`` clipped to the dtype's range."""
    dt = np.dtype(dtype)
    info = np.iinfo(dt)
    q = np.round(np.asarray(x, dtype=np.float32) / np.float32(scale)) + zero_point
    return np.clip(q, info.min, info.max).astype(dt)


def dequantize(q: np.ndarray, scale: float, zero_point: int) -> np.ndarray:
    """Integer -> float32: ``scale * (q - zero_point)``."""
    return (np.asarray(q, dtype=np.float32) - np.float32(zero_point)) * np.float32(scale)
