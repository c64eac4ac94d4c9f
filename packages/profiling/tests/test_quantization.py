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


def test_pixel_codes_are_the_integers_quantize_input_makes_of_pixels_over_255() -> None:
    from edgesmith.profiling.quantization import pixel_codes, quantize_input

    pixels = np.arange(256, dtype=np.uint8).reshape(1, 16, 16, 1)
    as_float = np.multiply(pixels, np.float32(1 / 255), dtype=np.float32)
    for dtype, zero_point in ((np.uint8, 0), (np.int8, -128)):
        detail = {"dtype": dtype, "quantization": (np.float32(1 / 255), zero_point)}
        codes = pixel_codes(pixels, detail, 1 / 255)
        assert codes is not None and codes.dtype == dtype
        assert np.array_equal(codes, quantize_input(as_float, detail))
    # any other quantization, a float tensor or non-uint8 pixels: no shortcut
    assert pixel_codes(pixels, {"dtype": np.uint8, "quantization": (0.01, 0)}, 1 / 255) is None
    assert pixel_codes(pixels, {"dtype": np.int8, "quantization": (1 / 255, 0)}, 1 / 255) is None
    assert pixel_codes(pixels, {"dtype": np.float32, "quantization": (0.0, 0)}, 1 / 255) is None
    wide = pixels.astype(np.int16)
    assert pixel_codes(wide, {"dtype": np.uint8, "quantization": (1 / 255, 0)}, 1 / 255) is None
