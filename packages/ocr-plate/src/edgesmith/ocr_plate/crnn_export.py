"""Convert a trained CRNN to the TFLite files the reader runs (training only: imports TensorFlow).

float32 is a plain conversion; int8 is full-integer post-training quantization with int8 input and
output (every op an int8 builtin, so it also suits integer-only accelerators), calibrated on crops.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from edgesmith.datasets.tf_runtime import keras, tf


def to_tflite(model: keras.Model, precision: str = "float32", calibration: np.ndarray | None = None) -> bytes:
    """TFLite flatbuffer of ``model``; ``precision`` float32 | int8 (int8 needs ``calibration`` inputs)."""
    converter = tf.lite.TFLiteConverter.from_keras_model(model)
    if precision == "float32":
        return converter.convert()
    if precision != "int8":
        raise ValueError(f"unknown precision {precision!r}; use float32 or int8")
    if calibration is None or len(calibration) == 0:
        raise ValueError("int8 conversion needs calibration crops (N, H, W, 1) float32 in [0, 1]")
    samples = np.asarray(calibration, dtype=np.float32)

    def representative() -> Iterator[list[np.ndarray]]:
        for sample in samples:
            yield [sample[None]]

    converter.optimizations = [tf.lite.Optimize.DEFAULT]
    converter.representative_dataset = representative
    converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
    converter.inference_input_type = tf.int8
    converter.inference_output_type = tf.int8
    return converter.convert()


__all__ = ["to_tflite"]
