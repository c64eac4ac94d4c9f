"""Multiply-accumulate (MAC) counts per sample, computed analytically from each layer's shapes and kernel."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from edgesmith.datasets.tf_runtime import keras
from edgesmith.models.errors import ModelError


@dataclass(frozen=True)
class LayerFlops:
    """One layer's multiply-adds per sample."""

    name: str
    kind: str
    macs: int


def _shape(layer: keras.layers.Layer, which: str) -> tuple[int | None, ...]:
    getter = layer.get_input_shape_at if which == "input" else layer.get_output_shape_at
    shape = getter(0)
    if isinstance(shape, list):
        shape = shape[0]
    return tuple(shape)


def _prod(dims: Any, layer: keras.layers.Layer) -> int:
    dims = tuple(dims)
    if any(d is None for d in dims):
        raise ModelError(
            f"layer {layer.name} has an unknown dimension {dims}; count_flops needs a fixed input shape"
        )
    return math.prod(int(d) for d in dims)


def _channels_last(layer: keras.layers.Layer) -> bool:
    return getattr(layer, "data_format", "channels_last") == "channels_last"


def _split(shape: tuple[int | None, ...], layer: keras.layers.Layer) -> tuple[int, int]:
    """(spatial element count, channels) of a conv input/output shape without the batch dimension."""
    dims = shape[1:]
    if _channels_last(layer):
        return _prod(dims[:-1], layer), _prod(dims[-1:], layer)
    return _prod(dims[1:], layer), _prod(dims[:1], layer)


def layer_macs(layer: keras.layers.Layer) -> int:
    """Multiply-adds one sample costs in ``layer`` (0 for layers without a weight product, e.g. pooling)."""
    layers = keras.layers
    if isinstance(layer, layers.SeparableConv2D | layers.SeparableConv1D):
        _, in_c = _split(_shape(layer, "input"), layer)
        out_spatial, out_c = _split(_shape(layer, "output"), layer)
        mid = in_c * int(layer.depth_multiplier)
        return out_spatial * mid * math.prod(layer.kernel_size) + out_spatial * mid * out_c
    if isinstance(layer, layers.DepthwiseConv2D | getattr(layers, "DepthwiseConv1D", layers.DepthwiseConv2D)):
        _, in_c = _split(_shape(layer, "input"), layer)
        out_spatial, _ = _split(_shape(layer, "output"), layer)
        return out_spatial * in_c * int(layer.depth_multiplier) * math.prod(layer.kernel_size)
    if isinstance(layer, layers.Conv1DTranspose | layers.Conv2DTranspose | layers.Conv3DTranspose):
        in_spatial, in_c = _split(_shape(layer, "input"), layer)
        _, out_c = _split(_shape(layer, "output"), layer)
        return in_spatial * in_c * math.prod(layer.kernel_size) * out_c
    if isinstance(layer, layers.Conv1D | layers.Conv2D | layers.Conv3D):
        _, in_c = _split(_shape(layer, "input"), layer)
        out_spatial, out_c = _split(_shape(layer, "output"), layer)
        groups = int(getattr(layer, "groups", 1) or 1)
        return out_spatial * out_c * math.prod(layer.kernel_size) * (in_c // groups)
    if isinstance(layer, layers.Dense):
        in_shape = _shape(layer, "input")
        return _prod(in_shape[1:], layer) * int(layer.units)
    return 0


def flops_by_layer(model: keras.Model) -> list[LayerFlops]:
    """Per-layer multiply-adds per sample, nested sub-models expanded, in layer order."""
    rows: list[LayerFlops] = []
    for layer in model.layers:
        if isinstance(layer, keras.Model):
            rows.extend(flops_by_layer(layer))
            continue
        try:
            macs = layer_macs(layer)
        except (AttributeError, RuntimeError) as exc:
            raise ModelError(
                f"cannot read the shapes of layer {layer.name}: {exc}; build the model first"
            ) from exc
        rows.append(LayerFlops(layer.name, type(layer).__name__, macs))
    return rows


def count_flops(model: keras.Model) -> int:
    """Multiply-adds per sample (batch 1) of Conv/Depthwise/Separable/Transpose/Dense layers; biases excluded.

    This is the "multiply-add operations" figure of the TensorFlow CIFAR-10 tutorial and of MobileNet papers;
    element-wise ops (activations, BN, pooling, LRN) are not counted. Double it for 2·MAC "FLOPs".
    """
    return int(sum(row.macs for row in flops_by_layer(model)))
