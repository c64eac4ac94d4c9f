"""U-Net for semantic segmentation (Edge TPU study's Cityscapes model), with Edge-TPU-friendly up-sampling."""

from __future__ import annotations

from typing import Any

from edgesmith.datasets.tf_runtime import keras
from edgesmith.models.errors import ModelError


def _double_conv(x: Any, filters: int, batchnorm: bool, name: str) -> Any:
    for i in (1, 2):
        x = keras.layers.Conv2D(filters, 3, padding="same", use_bias=not batchnorm, name=f"{name}_conv{i}")(x)
        if batchnorm:
            x = keras.layers.BatchNormalization(name=f"{name}_bn{i}")(x)
        x = keras.layers.ReLU(name=f"{name}_relu{i}")(x)
    return x


def unet(
    input_shape: tuple[int, int, int] = (128, 256, 3),
    num_classes: int = 8,
    base_filters: int = 16,
    depth: int = 4,
    batchnorm: bool = True,
    upsample: str = "upsampling",
) -> keras.Model:
    """Encoder of ``depth`` double-conv + max-pool levels, mirrored decoder with skip concatenations.

    Channels double per level from ``base_filters``. ``upsample="upsampling"`` (UpSampling2D + 2×2 conv, the
    Edge TPU-compatible choice of the Edge TPU study) or ``"transpose"`` (Conv2DTranspose). Output: per-pixel
    softmax over ``num_classes`` (8 = Cityscapes category groups), or one sigmoid channel when 1 class.
    """
    height, width, channels = (int(v) for v in input_shape)
    factor = 2**depth
    if depth < 1:
        raise ModelError(f"depth must be >= 1, got {depth}")
    if height % factor or width % factor:
        raise ModelError(
            f"unet: input {height}×{width} must be divisible by 2**depth = {factor}; resize or lower depth"
        )
    if upsample not in ("upsampling", "transpose"):
        raise ModelError(f"upsample must be 'upsampling' or 'transpose', got {upsample!r}")
    if num_classes < 1:
        raise ModelError(f"num_classes must be >= 1, got {num_classes}")
    inputs = keras.Input(shape=(height, width, channels), name="image")
    skips = []
    x = inputs
    for level in range(depth):
        x = _double_conv(x, base_filters * 2**level, batchnorm, f"down{level + 1}")
        skips.append(x)
        x = keras.layers.MaxPooling2D(2, name=f"down{level + 1}_pool")(x)
    x = _double_conv(x, base_filters * factor, batchnorm, "bottleneck")
    for level in reversed(range(depth)):
        filters = base_filters * 2**level
        name = f"up{level + 1}"
        if upsample == "transpose":
            x = keras.layers.Conv2DTranspose(filters, 2, strides=2, padding="same", name=f"{name}_transpose")(
                x
            )
        else:
            x = keras.layers.UpSampling2D(2, name=f"{name}_upsample")(x)
            x = keras.layers.Conv2D(filters, 2, padding="same", activation="relu", name=f"{name}_upconv")(x)
        x = keras.layers.Concatenate(name=f"{name}_concat")([x, skips[level]])
        x = _double_conv(x, filters, batchnorm, name)
    activation = "sigmoid" if num_classes == 1 else "softmax"
    outputs = keras.layers.Conv2D(num_classes, 1, activation=activation, name="segmentation")(x)
    return keras.Model(inputs, outputs, name=f"unet_d{depth}_f{base_filters}")
