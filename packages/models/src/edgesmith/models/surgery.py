"""Keras model surgery an export needs: precise BatchNorm statistics and a static batch dimension."""

from __future__ import annotations

from typing import Any

import numpy as np


def refresh_batchnorm(model: Any, x: np.ndarray, samples: int = 128) -> int:
    """Set every trainable BatchNormalization layer's moving mean/variance to the statistics of ``samples``
    training images ("precise BN"); returns how many layers changed.

    Keras' MobileNetV2 keeps BN momentum at 0.999, so after the few hundred steps a from-scratch run on a
    small face set takes, the moving statistics are still near their initial values and inference-mode
    outputs are wrong even when training accuracy is high. Weights are not touched.
    """
    from edgesmith.datasets.tf_runtime import keras

    layers = [
        layer
        for layer in model.layers
        if isinstance(layer, keras.layers.BatchNormalization) and layer.trainable
    ]
    if not layers:
        return 0
    momenta = [layer.momentum for layer in layers]
    try:
        for layer in layers:
            layer.momentum = 0.0
        model(np.asarray(x[:samples], dtype=np.float32), training=True)
    finally:
        for layer, m in zip(layers, momenta, strict=True):
            layer.momentum = m
    return len(layers)


def with_static_batch(model: Any, batch: int = 1) -> Any:
    """A copy of ``model`` whose input has a fixed batch size (weights shared by value).

    Compilers that reject dynamic-sized tensors (the Edge TPU compiler) need it; TFLite files converted from
    the copy carry the static shape.
    """
    from edgesmith.datasets.tf_runtime import keras

    fixed = keras.models.clone_model(
        model, input_tensors=keras.Input(batch_shape=(batch, *model.input_shape[1:]))
    )
    fixed.set_weights(model.get_weights())
    return fixed


__all__ = ["refresh_batchnorm", "with_static_batch"]
