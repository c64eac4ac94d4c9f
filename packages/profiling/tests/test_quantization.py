"""Affine quantize/dequantize math against hand-computed values."""

from __future__ import annotations

import numpy as np

from edgesmith.profiling.quantization import dequantize, quantize, tensor_is_quantized


def test_quantize_rounds_shifts_and_clips() -> None:
    q = quantize(np.array([0.0, 0.2, 1.0, -10.0, 10.0]), scale=1 / 255, zero_point=-128, dtype=np.int8)
    assert q.dtype == np.int8
    assert q.tolist() == [-128, -77, 127, -128, 127]


def test_roundtrip_error_within_half_a_step() -> None:
    x = np.linspace(0, 1, 101, dtype=np.float32)
    for dtype, zp in ((np.int8, -128), (np.uint8, 0)):
        y = dequantize(quantize(x, 1 / 255, zp, dtype), 1 / 255, zp)
        assert np.abs(y - x).max() <= 0.5 / 255 + 1e-7


def test_is_quantized() -> None:
    assert tensor_is_quantized(np.int8, 0.1)
    assert not tensor_is_quantized(np.int8, 0.0)
    assert not tensor_is_quantized(np.float32, 0.1)
