"""What a TFLite model computes in float, its weight dtypes and sparsity (the quantizer's report, sidecar)."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from edgesmith.profiling.tflite_graph import Tensor

# Ops that only convert between float and integer at the model's edges; they do no float compute themselves.
_CONVERSION_OPS = frozenset({"QUANTIZE", "DEQUANTIZE"})
# Ops whose input 1 is the weight (kernel) tensor counted in weight sparsity.
_WEIGHT_OPS = {"CONV_2D": 1, "DEPTHWISE_CONV_2D": 1, "FULLY_CONNECTED": 1, "TRANSPOSE_CONV": 1, "CONV_3D": 1}


@dataclasses.dataclass(frozen=True)
class OpInfo:
    """One op of the graph: builtin name, the tensor names it writes, and whether it computes in float."""

    index: int
    name: str
    outputs: tuple[str, ...]
    float_compute: bool
    layer: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclasses.dataclass(frozen=True)
class GraphSummary:
    """What a TFLite file holds, for the report and the sidecar."""

    ops: tuple[OpInfo, ...]
    float_tensors: tuple[str, ...]
    weight_dtypes: tuple[str, ...]
    weight_count: int
    weight_zeros: int
    input_dtypes: tuple[str, ...]
    output_dtypes: tuple[str, ...]

    @property
    def float_ops(self) -> tuple[OpInfo, ...]:
        """Ops (other than QUANTIZE/DEQUANTIZE at the edges) that read or write float32 activations."""
        return tuple(op for op in self.ops if op.float_compute)

    @property
    def weight_sparsity(self) -> float:
        """Share of exactly-zero values among conv/dense kernel weights (0.0 when there are none)."""
        return self.weight_zeros / self.weight_count if self.weight_count else 0.0

    def op_counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for op in self.ops:
            counts[op.name] = counts.get(op.name, 0) + 1
        return counts

    def to_dict(self) -> dict[str, Any]:
        return {
            "op_counts": self.op_counts(),
            "float_ops": [
                {"op": op.name, "layer": op.layer, "output": op.outputs[0] if op.outputs else ""}
                for op in self.float_ops
            ],
            "float_tensors": list(self.float_tensors),
            "weight_dtypes": sorted(set(self.weight_dtypes)),
            "weight_count": self.weight_count,
            "weight_sparsity": round(self.weight_sparsity, 6),
            "input_dtypes": list(self.input_dtypes),
            "output_dtypes": list(self.output_dtypes),
        }


def layer_of(tensor_name: str, layer_names: Iterable[str]) -> str | None:
    """The Keras layer a TFLite tensor came from: the longest layer name that is a segment of its name."""
    segments = set(re.split(r"[/;:@]", tensor_name))
    matches = [name for name in layer_names if name in segments]
    return max(matches, key=len) if matches else None


def summarize(content: bytes, layer_names: Iterable[str] = ()) -> GraphSummary:
    """Ops, float ops (with their Keras layer when ``layer_names`` are given), weight dtypes and sparsity.

    Read through the project's one TFLite graph reader (:mod:`edgesmith.profiling.tflite_graph`).
    """
    from edgesmith.profiling.tflite_graph import parse_tflite

    layer_names = tuple(layer_names)
    graph = parse_tflite(content)
    produced = {t.index: op for op in graph.ops for t in op.outputs}

    def is_float_activation(t: Tensor) -> bool:
        return not t.constant and t.dtype == "float32"

    ops: list[OpInfo] = []
    float_tensors: set[str] = set()
    for op in graph.ops:
        float_io = [t for t in (*op.inputs, *op.outputs) if is_float_activation(t)]
        float_compute = bool(float_io) and op.name not in _CONVERSION_OPS
        if float_compute:
            float_tensors.update(t.name for t in float_io)
        out_names = tuple(t.name for t in op.outputs)
        # Output names usually carry the layer; the model's last op is named after the signature, so its
        # weight tensors' names are tried next.
        candidates = (*out_names, *(t.name for t in op.inputs))
        layer = next((lay for n in candidates if (lay := layer_of(n, layer_names))), None)
        ops.append(OpInfo(op.index, op.name, out_names, float_compute, layer))

    weight_dtypes: list[str] = []
    count = zeros = 0
    seen: set[int] = set()
    for op in graph.ops:
        pos = _WEIGHT_OPS.get(op.name)
        if pos is None or len(op.inputs) <= pos:
            continue
        w = op.inputs[pos]
        if w.index in produced:  # float16 / int8 weights are dequantized by a DEQUANTIZE op: read its input
            src = produced[w.index]
            if src.name != "DEQUANTIZE" or not src.inputs:
                continue
            w = src.inputs[0]
        values = w.values()
        if w.index in seen or values is None:  # None: not a constant (an activation or a graph input)
            continue
        seen.add(w.index)
        zero_points = np.asarray(w.zero_points, dtype=np.int64)
        if values.dtype.kind in "iu" and zero_points.size > 1 and values.ndim > 0:
            shape = [1] * values.ndim
            shape[w.quantized_dimension] = zero_points.size
            zeros += int(np.count_nonzero(values == zero_points.reshape(shape)))
        elif values.dtype.kind in "iu" and zero_points.size == 1:
            zeros += int(np.count_nonzero(values == zero_points[0]))
        else:
            zeros += int(np.count_nonzero(values == 0))
        count += int(values.size)
        weight_dtypes.append(values.dtype.name)

    return GraphSummary(
        ops=tuple(ops),
        float_tensors=tuple(sorted(float_tensors)),
        weight_dtypes=tuple(weight_dtypes),
        weight_count=count,
        weight_zeros=zeros,
        input_dtypes=tuple(t.dtype for t in graph.inputs),
        output_dtypes=tuple(t.dtype for t in graph.outputs),
    )
