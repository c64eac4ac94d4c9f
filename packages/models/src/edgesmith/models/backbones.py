"""Feature-extractor backbones by name: the keras.applications nets of the face study/001 plus "compact"."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from edgesmith.datasets.tf_runtime import keras
from edgesmith.models.errors import ModelError

# BGR channel means (0-255 scale) that Caffe-style ImageNet weights (ResNet, VGG) were trained with.
_CAFFE_BGR_MEAN = (103.939, 116.779, 123.68)


def compact(
    include_top: bool = False,
    weights: str | None = None,
    input_tensor: Any = None,
    input_shape: tuple[int, int, int] | None = None,
    pooling: str | None = None,
    width: int = 32,
) -> keras.Model:
    """Small from-scratch backbone (~200k params at ``width=32``) that trains in minutes on 2 CPU cores.

    A stride-2 3×3 conv stem then six depthwise-separable blocks (MobileNetV1 style: depthwise 3×3 + BN +
    ReLU, pointwise 1×1 + BN + ReLU) doubling channels as the grid halves: output stride 32,
    ``8·width`` channels.
    Same keyword interface as ``keras.applications`` builders; ``weights`` may only be None or a weights file.
    BatchNorm momentum is 0.8 (not 0.99) so inference statistics keep up within a few short epochs.
    """
    if include_top:
        raise ModelError("compact backbone has no classification top; use include_top=False")
    if weights == "imagenet":
        raise ModelError("compact backbone has no ImageNet weights; use weights=None (trained from scratch)")
    if input_tensor is None:
        inputs = keras.Input(shape=input_shape or (128, 128, 3), name="image")
        x = inputs
    else:
        inputs = keras.utils.get_source_inputs(input_tensor)
        x = input_tensor

    def conv_bn(x: Any, filters: int, kernel: int, stride: int, name: str) -> Any:
        x = keras.layers.Conv2D(filters, kernel, strides=stride, padding="same", use_bias=False, name=name)(x)
        x = keras.layers.BatchNormalization(momentum=0.8, name=f"{name}_bn")(x)
        return keras.layers.ReLU(name=f"{name}_relu")(x)

    x = conv_bn(x, width, 3, 2, "compact_stem")
    blocks = ((2, 2), (4, 2), (4, 1), (8, 2), (8, 1), (8, 2))
    for i, (mult, stride) in enumerate(blocks, start=1):
        name = f"compact_block{i}"
        x = keras.layers.DepthwiseConv2D(
            3, strides=stride, padding="same", use_bias=False, name=f"{name}_dw"
        )(x)
        x = keras.layers.BatchNormalization(momentum=0.8, name=f"{name}_dw_bn")(x)
        x = keras.layers.ReLU(name=f"{name}_dw_relu")(x)
        x = conv_bn(x, width * mult, 1, 1, f"{name}_pw")
    if pooling == "avg":
        x = keras.layers.GlobalAveragePooling2D(name="compact_avg_pool")(x)
    elif pooling == "max":
        x = keras.layers.GlobalMaxPooling2D(name="compact_max_pool")(x)
    model = keras.Model(inputs, x, name="compact")
    if weights is not None:
        model.load_weights(weights)
    return model


@dataclass(frozen=True)
class BackboneSpec:
    """How to build a backbone and what its (ImageNet) weights expect as input."""

    builder: Callable[..., keras.Model]
    preprocess: str | None  # "tf" ([-1, 1]), "caffe" (BGR, mean-subtracted 0-255) or None ([0, 1] as is)
    min_size: int  # smallest input height/width keras.applications accepts


SPECS: dict[str, BackboneSpec] = {
    "mobilenetv2": BackboneSpec(keras.applications.MobileNetV2, "tf", 32),
    "resnet50": BackboneSpec(keras.applications.ResNet50, "caffe", 32),
    "resnet152": BackboneSpec(keras.applications.ResNet152, "caffe", 32),
    "xception": BackboneSpec(keras.applications.Xception, "tf", 71),
    "vgg16": BackboneSpec(keras.applications.VGG16, "caffe", 32),
    "inceptionv3": BackboneSpec(keras.applications.InceptionV3, "tf", 75),
    "compact": BackboneSpec(compact, None, 32),
}

BACKBONES: dict[str, Callable[..., keras.Model]] = {name: spec.builder for name, spec in SPECS.items()}


def backbone_spec(name: str) -> BackboneSpec:
    """The spec of a backbone by (case-insensitive) name; a one-line error lists the known names."""
    key = str(name).lower().replace("_", "").replace("-", "")
    if key not in SPECS:
        raise ModelError(f"unknown backbone {name!r}; choose one of: {', '.join(SPECS)}")
    return SPECS[key]


def preprocess_layer(mode: str | None, channels: int) -> keras.layers.Layer | None:
    """A frozen 1×1 Conv2D mapping [0, 1] images to what the backbone's weights expect (None: nothing to do).

    "tf" scales to [-1, 1]; "caffe" flips RGB → BGR, scales to 0-255 and subtracts the ImageNet mean. A plain
    convolution (not Rescaling or a Lambda) keeps the model made of layers that tfmot pruning/QAT, TFLite,
    tf2onnx and the Edge TPU compiler all support.
    """
    if mode is None:
        return None
    kernel = np.zeros((1, 1, channels, channels), dtype=np.float32)
    if mode == "tf":
        for c in range(channels):
            kernel[0, 0, c, c] = 2.0
        bias = np.full((channels,), -1.0, dtype=np.float32)
    elif mode == "caffe":
        if channels != 3:
            raise ModelError(f"caffe-style preprocessing needs RGB input (3 channels), got {channels}")
        for out_channel, in_channel in enumerate((2, 1, 0)):
            kernel[0, 0, in_channel, out_channel] = 255.0
        bias = -np.asarray(_CAFFE_BGR_MEAN, dtype=np.float32)
    else:
        raise ModelError(f"unknown preprocessing mode {mode!r}; use 'tf', 'caffe' or None")
    return keras.layers.Conv2D(
        channels,
        1,
        name="preprocess",
        trainable=False,
        kernel_initializer=keras.initializers.Constant(kernel),
        bias_initializer=keras.initializers.Constant(bias),
    )


def build_backbone(
    name: str,
    inputs: Any,
    weights: str | None = None,
    alpha: float | None = None,
) -> tuple[Any, BackboneSpec]:
    """Build backbone ``name`` on the [0, 1] image tensor ``inputs``; returns its feature tensor and spec.

    The backbone's layers are added to the caller's graph (no nested sub-model), so tfmot pruning/QAT and
    tf2onnx see one flat functional model.
    """
    spec = backbone_spec(name)
    height, width, channels = (int(d) if d is not None else None for d in inputs.shape[1:])
    if height is None or width is None:
        raise ModelError(f"{name}: input height/width must be fixed, got {tuple(inputs.shape[1:])}")
    if min(height, width) < spec.min_size:
        raise ModelError(
            f"{name} needs inputs of at least {spec.min_size}×{spec.min_size}, got {height}×{width}; "
            "use a larger input_shape"
        )
    if weights == "imagenet" and channels != 3:
        raise ModelError(f"{name}: ImageNet weights need 3-channel input, got {channels}; use weights=None")
    kwargs: dict[str, Any] = {"include_top": False, "weights": weights}
    if alpha is not None:
        if spec.builder is not keras.applications.MobileNetV2:
            raise ModelError(f"alpha (width multiplier) applies to mobilenetv2 only, not {name}")
        kwargs["alpha"] = float(alpha)
    layer = preprocess_layer(spec.preprocess, channels or 3)
    x = layer(inputs) if layer is not None else inputs
    try:
        base = spec.builder(input_tensor=x, **kwargs)
    except (ValueError, OSError) as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        hint = " (ImageNet weights are downloaded: check the network)" if weights == "imagenet" else ""
        raise ModelError(f"cannot build backbone {name}: {reason}{hint}") from exc
    return base.output, spec
