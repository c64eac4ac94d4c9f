"""Keep chosen Keras layers in FP32 inside an INT8/FP16 TensorRT engine (per-layer precision constraints).

tf2onnx names ONNX nodes after the Keras layer path (``model/block_3_expand/Conv2D``) and TensorRT's ONNX
parser names network layers after the nodes, so a Keras layer found by ``edgesmith-quantize debug`` or
``convert --max-loss`` maps to the TensorRT layers whose name holds it as a path segment. Those layers get
``precision`` and output types FP32, and the builder is told to obey them (``OBEY_PRECISION_CONSTRAINTS``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from edgesmith.export_trt.errors import ExportError

_SEGMENT = re.compile(r"[/;:@ +]+")


def match_layers(trt_layer_names: Sequence[str], keras_layers: Iterable[str]) -> dict[str, list[str]]:
    """Keras layer → the TensorRT layer names that come from it (the name is one of their path segments).

    Raises :class:`ExportError` naming the Keras layers no TensorRT layer comes from.
    """
    wanted = list(dict.fromkeys(keras_layers))
    found: dict[str, list[str]] = {name: [] for name in wanted}
    for trt_name in trt_layer_names:
        segments = set(_SEGMENT.split(trt_name))
        for name in wanted:
            if name in segments:
                found[name].append(trt_name)
    missing = [name for name, hits in found.items() if not hits]
    if missing:
        raise ExportError(
            f"no TensorRT layer comes from Keras layer(s) {', '.join(missing)}; check the names against "
            "`edgesmith-quantize debug` (ONNX exported with tf2onnx keeps Keras layer paths)"
        )
    return found


def keep_fp32(trt: Any, network: Any, config: Any, keras_layers: Iterable[str]) -> list[str]:
    """Pin every TensorRT layer of ``keras_layers`` to FP32; returns the TensorRT layer names pinned."""
    layers = [network.get_layer(i) for i in range(network.num_layers)]
    by_name = {layer.name: layer for layer in layers}
    matched = match_layers(list(by_name), keras_layers)
    floating = (trt.float32, trt.float16, trt.int8)
    pinned: list[str] = []
    for names in matched.values():
        for name in names:
            layer = by_name[name]
            outputs = [layer.get_output(i) for i in range(layer.num_outputs)]
            if not outputs or any(t.dtype not in floating for t in outputs):
                continue  # shape and index layers have no precision to choose
            layer.precision = trt.float32
            for i in range(layer.num_outputs):
                layer.set_output_type(i, trt.float32)
            pinned.append(name)
    if pinned:
        config.set_flag(trt.BuilderFlag.OBEY_PRECISION_CONSTRAINTS)
    return pinned


__all__ = ["keep_fp32", "match_layers"]
