"""The corner regressor's Keras architecture (training only: imports TensorFlow).

A small strided conv net over the whole loose crop (grey, ``CORNER_INPUT``) with a dense head giving the
plate's four corners TL, TR, BR, BL as eight coordinates normalised by the crop's width and height. All
ops convert to full-int8 TFLite builtins.
"""

from __future__ import annotations

from edgesmith.datasets.tf_runtime import keras


def _conv(x, filters: int, stride: int, name: str):
    x = keras.layers.Conv2D(filters, 3, strides=stride, padding="same", use_bias=False, name=f"{name}_conv")(
        x
    )
    x = keras.layers.BatchNormalization(name=f"{name}_bn")(x)
    return keras.layers.ReLU(name=f"{name}_relu")(x)


def build_corner_net(height: int = 48, width: int = 96, filters: tuple[int, ...] = (16, 32, 48, 64, 96)):
    """``(B, H, W, 1) → (B, 8)``: corners x1, y1, … x4, y4 in [0, 1] of the crop (sigmoid would clip the
    slight overhang of a plate cut by the crop edge, so the head is linear)."""
    inputs = keras.Input((height, width, 1), name="crop")
    x = inputs
    for i, f in enumerate(filters):
        x = _conv(x, f, 1, name=f"c{i}a")
        x = _conv(x, f, 2, name=f"c{i}b")
    x = keras.layers.Flatten(name="flat")(x)  # 2×3 cells: where each corner is stays in the features
    x = keras.layers.Dense(128, activation="relu", name="fc")(x)
    outputs = keras.layers.Dense(8, name="corners")(x)
    return keras.Model(inputs, outputs, name="plate_corners")


__all__ = ["build_corner_net"]
