"""TensorFlow's CIFAR-10 tutorial CNN (the CIFAR-10 study) with the knobs its profiling experiments turned."""

from __future__ import annotations

from edgesmith.datasets.tf_runtime import keras
from edgesmith.models.errors import ModelError
from edgesmith.models.layers import LocalResponseNormalization


def cifar10_cnn(
    conv_stride: int = 1,
    filters: int = 64,
    pool_size: int = 3,
    lrn: bool = True,
    num_classes: int = 10,
    input_shape: tuple[int, int, int] = (24, 24, 3),
) -> keras.Model:
    """conv5×5 → pool → LRN → conv5×5 → LRN → pool → FC384 → FC192 → logits; 1,068,298 params by default.

    ``conv_stride`` is applied to both convolutions (the CIFAR study's stride 2/3/5 runs), ``filters`` to both
    (its 32-filter run), ``pool_size`` is the first pool's window (its "larger first pool" run; both pools
    keep stride 2 and SAME padding) and ``lrn=False`` drops both LRN layers. The output is unscaled logits:
    train with ``SparseCategoricalCrossentropy(from_logits=True)``.
    """
    for name, value in (("conv_stride", conv_stride), ("filters", filters), ("pool_size", pool_size)):
        if int(value) < 1:
            raise ModelError(f"cifar10_cnn: {name} must be >= 1, got {value}")
    if num_classes < 2:
        raise ModelError(f"cifar10_cnn: num_classes must be >= 2, got {num_classes}")
    conv = {"kernel_size": 5, "strides": conv_stride, "padding": "same", "activation": "relu"}
    inputs = keras.Input(shape=tuple(input_shape), name="image")
    x = keras.layers.Conv2D(filters, name="conv1", **conv)(inputs)
    x = keras.layers.MaxPooling2D(pool_size, strides=2, padding="same", name="pool1")(x)
    if lrn:
        x = LocalResponseNormalization(name="norm1")(x)
    x = keras.layers.Conv2D(filters, name="conv2", **conv)(x)
    if lrn:
        x = LocalResponseNormalization(name="norm2")(x)
    x = keras.layers.MaxPooling2D(3, strides=2, padding="same", name="pool2")(x)
    x = keras.layers.Flatten(name="flatten")(x)
    x = keras.layers.Dense(384, activation="relu", name="local3")(x)
    x = keras.layers.Dense(192, activation="relu", name="local4")(x)
    outputs = keras.layers.Dense(num_classes, name="softmax_linear")(x)
    suffix = f"s{conv_stride}_f{filters}_p{pool_size}" + ("" if lrn else "_nolrn")
    return keras.Model(inputs, outputs, name=f"cifar10_cnn_{suffix}")
