"""Map the ops of a TFLite flatbuffer back to the Keras layers that produced them.

TFLite tensor names carry the Keras layer path (``model/block_1_expand/Conv2D;...``), except the model's last
op, which is named after the signature (``StatefulPartitionedCall:0``); its weight tensors still carry the
layer, so constant inputs are tried before giving up. Activation inputs are never used: they name the layer
*before*.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Sequence
from typing import Any

# Ops that only move values between float and integer; they belong to no layer's computation.
CONVERSION_OPS = frozenset({"QUANTIZE", "DEQUANTIZE", "NumericVerify", "DELEGATE"})
# A fused op names every layer folded into it (conv + batch norm + activation): name it after the layer whose
# Keras class computes it.
_OP_CLASSES = {
    "CONV_2D": ("Conv2D", "Conv1D"),
    "DEPTHWISE_CONV_2D": ("DepthwiseConv2D",),
    "FULLY_CONNECTED": ("Dense",),
    "TRANSPOSE_CONV": ("Conv2DTranspose",),
}


def _layer_of(tensor_name: str, op: str, layer_names: Sequence[str], kinds: dict[str, str]) -> str | None:
    segments = set(re.split(r"[/;:@]", tensor_name))
    matches = [name for name in layer_names if name in segments]
    if not matches:
        return None
    fitting = [name for name in matches if kinds.get(name) in _OP_CLASSES.get(op, ())]
    return max(fitting or matches, key=len)


@dataclasses.dataclass(frozen=True)
class MappedOp:
    """One compute op: its index, builtin name, output tensor names (denylist nodes) and Keras layer."""

    index: int
    op: str
    outputs: tuple[str, ...]
    inputs: tuple[int, ...]
    output_indices: tuple[int, ...]
    layer: str | None


@dataclasses.dataclass(frozen=True)
class LayerMap:
    """The compute ops of a TFLite model grouped by Keras layer, in graph (execution) order."""

    ops: tuple[MappedOp, ...]

    @property
    def layers(self) -> tuple[str, ...]:
        """Keras layers that own at least one op, in the order their first op runs (depth order)."""
        seen: dict[str, None] = {}
        for op in self.ops:
            if op.layer is not None:
                seen.setdefault(op.layer, None)
        return tuple(seen)

    def depth(self, layer: str) -> int:
        """0-based position of ``layer`` in execution order."""
        return self.layers.index(layer)

    def ops_of(self, layer: str) -> tuple[MappedOp, ...]:
        return tuple(op for op in self.ops if op.layer == layer)

    def nodes(self, layers: Iterable[str]) -> list[str]:
        """Output tensor names of every op of ``layers``: the converter's ``denylisted_nodes``."""
        wanted = set(layers)
        unknown = wanted - set(self.layers)
        if unknown:
            raise KeyError(f"no TFLite op comes from layer(s) {', '.join(sorted(unknown))}")
        return [name for op in self.ops if op.layer in wanted for name in op.outputs]

    def producers(self, layer: str) -> tuple[str, ...]:
        """Layers whose ops write a tensor that an op of ``layer`` reads (its inputs' layers)."""
        writer = {i: op.layer for op in self.ops for i in op.output_indices}
        found: dict[str, None] = {}
        for op in self.ops_of(layer):
            for i in op.inputs:
                source = writer.get(i)
                if source is not None and source != layer:
                    found.setdefault(source, None)
        return tuple(found)

    def layer_of_tensor(self, tensor_index: int) -> str | None:
        return next((op.layer for op in self.ops if tensor_index in op.output_indices), None)


def keras_layer_kinds(model: Any) -> dict[str, str]:
    """Layer name → Keras class name (``Conv2D``, ``BatchNormalization`` ...), nested layers included."""
    from edgesmith.datasets.tf_runtime import keras

    out: dict[str, str] = {}
    stack = list(model.layers)
    while stack:
        layer = stack.pop(0)
        out[layer.name] = type(layer).__name__
        if isinstance(layer, keras.Model):
            stack.extend(layer.layers)
        inner = getattr(layer, "layer", None)
        if isinstance(inner, keras.layers.Layer):
            out[inner.name] = type(inner).__name__
    return out


def keras_layer_names(model: Any) -> list[str]:
    """Every layer name of a Keras model, nested models and tfmot wrappers included."""
    from edgesmith.datasets.tf_runtime import keras

    out: list[str] = []
    stack = list(model.layers)
    while stack:
        layer = stack.pop(0)
        out.append(layer.name)
        if isinstance(layer, keras.Model):
            stack.extend(layer.layers)
        inner = getattr(layer, "layer", None)
        if isinstance(inner, keras.layers.Layer):
            out.append(inner.name)
    return out


def map_interpreter(interp: Any, layer_names: Sequence[str], kinds: dict[str, str] | None = None) -> LayerMap:
    """The :class:`LayerMap` of an allocated interpreter (ai-edge-litert or tf.lite); ``kinds`` (layer →
    Keras class) names a fused conv + batch-norm op after the convolution."""
    kinds = kinds or {}
    ops_details = interp._get_ops_details()  # the public API lists tensors but not ops
    produced = {o for op in ops_details for o in op["outputs"] if o >= 0}
    graph_inputs = {d["index"] for d in interp.get_input_details()}

    def name(i: int) -> str:
        return interp._get_tensor_details(i, 0)["name"]

    mapped: list[MappedOp] = []
    for op in ops_details:
        if op["op_name"] in CONVERSION_OPS:
            continue
        outs = [o for o in op["outputs"] if o >= 0]
        ins = [i for i in op["inputs"] if i >= 0]
        constants = [i for i in ins if i not in produced and i not in graph_inputs]
        candidates = [name(o) for o in outs] + [name(i) for i in constants]
        layer = next(
            (lay for n in candidates if (lay := _layer_of(n, op["op_name"], layer_names, kinds))), None
        )
        mapped.append(
            MappedOp(
                index=int(op["index"]),
                op=op["op_name"],
                outputs=tuple(name(o) for o in outs),
                inputs=tuple(ins),
                output_indices=tuple(outs),
                layer=layer,
            )
        )
    # An op that names no layer (the model's last activation, named after the signature) belongs to the
    # layer that feeds it: Dense(activation="sigmoid") converts to FULLY_CONNECTED + LOGISTIC.
    writer = {i: op for op in mapped for i in op.output_indices}
    for k, op in enumerate(mapped):
        if op.layer is None:
            source = next((writer[i] for i in op.inputs if i in writer), None)
            if source is not None and source.layer is not None:
                mapped[k] = dataclasses.replace(op, layer=source.layer)
    return LayerMap(tuple(mapped))


def map_layers(content: bytes, layer_names: Sequence[str], kinds: dict[str, str] | None = None) -> LayerMap:
    """The :class:`LayerMap` of a TFLite flatbuffer (no delegate, so every op is listed as converted)."""
    from ai_edge_litert.interpreter import Interpreter, OpResolverType

    interp = Interpreter(
        model_content=content, experimental_op_resolver_type=OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES
    )
    interp.allocate_tensors()
    return map_interpreter(interp, layer_names, kinds)
