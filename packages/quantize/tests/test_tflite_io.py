"""Quantize/dequantize with a tensor's scale and zero point, as the TFLite interpreter's details give them."""

from __future__ import annotations

import numpy as np

from edgesmith.quantize.tflite_io import dequantize_output, is_quantized, quantize_input


def _detail(dtype: type, scale: float, zero_point: int) -> dict:
    return {
        "dtype": dtype,
        "quantization": (scale, zero_point),
        "quantization_parameters": {
            "scales": np.array([scale], np.float32),
            "zero_points": np.array([zero_point], np.int32),
            "quantized_dimension": 0,
        },
    }


def test_int8_round_trip_is_within_half_a_step() -> None:
    detail = _detail(np.int8, 1 / 255, -128)
    x = np.linspace(0, 1, 101, dtype=np.float32)
    q = quantize_input(x, detail)
    assert q.dtype == np.int8
    assert q[0] == -128 and q[-1] == 127
    np.testing.assert_allclose(dequantize_output(q, detail), x, atol=0.5 / 255 + 1e-7)


def test_uint8_values_outside_the_range_are_clipped() -> None:
    detail = _detail(np.uint8, 0.1, 10)
    q = quantize_input(np.array([-5.0, 0.0, 1.0, 100.0]), detail)
    assert q.dtype == np.uint8
    assert q.tolist() == [0, 10, 20, 255]
    np.testing.assert_allclose(dequantize_output(q, detail), [-1.0, 0.0, 1.0, 24.5], atol=1e-6)


def test_float_tensors_pass_through_as_float32() -> None:
    detail = _detail(np.float32, 0.0, 0)
    x = np.arange(4, dtype=np.float64)
    assert quantize_input(x, detail).dtype == np.float32
    assert not is_quantized(detail)
    assert dequantize_output(x, detail).dtype == np.float32


def test_integer_tensor_without_scale_is_not_rescaled() -> None:
    detail = _detail(np.int32, 0.0, 0)
    assert quantize_input(np.array([3.0, 7.0]), detail).tolist() == [3, 7]


def test_per_axis_parameters_apply_along_the_quantized_dimension() -> None:
    detail = {
        "dtype": np.int8,
        "quantization": (0.0, 0),
        "quantization_parameters": {
            "scales": np.array([0.5, 2.0], np.float32),
            "zero_points": np.array([0, 1], np.int32),
            "quantized_dimension": 1,
        },
    }
    q = np.array([[2, 2], [4, 4]], np.int8)
    np.testing.assert_allclose(dequantize_output(q, detail), [[1.0, 2.0], [2.0, 6.0]])
