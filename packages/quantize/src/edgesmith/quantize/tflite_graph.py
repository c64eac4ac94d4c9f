"""Read a TFLite flatbuffer's ops and tensors: which ops compute in float, weight dtypes, sparsity."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable
from typing import Any

import numpy as np

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


def _interpreter(content: bytes) -> Any:
    from ai_edge_litert.interpreter import Interpreter, OpResolverType

    # Without the default XNNPACK delegate, so ops are listed as converted and constant buffers are readable.
    interp = Interpreter(
        model_content=content, experimental_op_resolver_type=OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES
    )
    interp.allocate_tensors()
    return interp


def summarize(content: bytes, layer_names: Iterable[str] = ()) -> GraphSummary:
    """Ops, float ops (with their Keras layer when ``layer_names`` are given), weight dtypes and sparsity."""
    layer_names = tuple(layer_names)
    interp = _interpreter(content)
    tensors = {t["index"]: t for t in interp.get_tensor_details()}
    ops_details = interp._get_ops_details()  # the public API lists tensors but not ops
    produced = {o: op["index"] for op in ops_details for o in op["outputs"] if o >= 0}
    graph_inputs = {d["index"] for d in interp.get_input_details()}

    def is_constant(i: int) -> bool:
        return i not in produced and i not in graph_inputs

    def is_float_activation(i: int) -> bool:
        return i >= 0 and not is_constant(i) and np.dtype(tensors[i]["dtype"]) == np.float32

    ops: list[OpInfo] = []
    float_tensors: set[str] = set()
    for op in ops_details:
        name = op["op_name"]
        ins = [i for i in op["inputs"] if i >= 0]
        outs = [o for o in op["outputs"] if o >= 0]
        float_io = [i for i in (*ins, *outs) if is_float_activation(i)]
        float_compute = bool(float_io) and name not in _CONVERSION_OPS
        if float_compute:
            float_tensors.update(tensors[i]["name"] for i in float_io)
        out_names = tuple(tensors[o]["name"] for o in outs)
        # Output names usually carry the layer; the model's last op is named after the signature, so its
        # weight tensors' names are tried next.
        candidates = (*out_names, *(tensors[i]["name"] for i in ins))
        layer = next((lay for n in candidates if (lay := layer_of(n, layer_names))), None)
        ops.append(OpInfo(op["index"], name, out_names, float_compute, layer))

    weight_dtypes: list[str] = []
    count = zeros = 0
    seen: set[int] = set()
    for op in ops_details:
        pos = _WEIGHT_OPS.get(op["op_name"])
        if pos is None or len(op["inputs"]) <= pos:
            continue
        w = op["inputs"][pos]
        if w in produced:  # float16 / int8 weights are dequantized by a DEQUANTIZE op: read its input
            src = ops_details[produced[w]]
            if src["op_name"] != "DEQUANTIZE":
                continue
            w = src["inputs"][0]
        if w < 0 or w in seen or not is_constant(w):
            continue
        seen.add(w)
        detail = tensors[w]
        values = interp.get_tensor(w)
        zero_points = detail["quantization_parameters"]["zero_points"]
        if np.dtype(detail["dtype"]).kind in "iu" and zero_points.size > 1 and values.ndim > 0:
            axis = int(detail["quantization_parameters"]["quantized_dimension"])
            shape = [1] * values.ndim
            shape[axis] = zero_points.size
            zeros += int(np.count_nonzero(values == zero_points.reshape(shape)))
        elif np.dtype(detail["dtype"]).kind in "iu" and zero_points.size == 1:
            zeros += int(np.count_nonzero(values == zero_points[0]))
        else:
            zeros += int(np.count_nonzero(values == 0))
        count += int(values.size)
        weight_dtypes.append(np.dtype(detail["dtype"]).name)

    return GraphSummary(
        ops=tuple(ops),
        float_tensors=tuple(sorted(float_tensors)),
        weight_dtypes=tuple(weight_dtypes),
        weight_count=count,
        weight_zeros=zeros,
        input_dtypes=tuple(np.dtype(d["dtype"]).name for d in interp.get_input_details()),
        output_dtypes=tuple(np.dtype(d["dtype"]).name for d in interp.get_output_details()),
    )
