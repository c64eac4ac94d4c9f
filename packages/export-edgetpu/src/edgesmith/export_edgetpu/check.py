"""Edge TPU readiness of a TFLite model: op by op, against the compiler's documented table and constraints.

The compiler maps ops to the Edge TPU in execution order and partitions the graph only once: at the first op
it cannot map, the TPU part ends and that op and every op after it run on the CPU, even supported ones. A
float QUANTIZE at the graph's input and a DEQUANTIZE at its output run on the CPU without splitting it.
"""

from __future__ import annotations

import dataclasses
import os
from typing import Any

from edgesmith.export_edgetpu import ops_table
from edgesmith.profiling.tflite_graph import Op, TFLiteGraph, read_tflite

MAPPED = "Mapped to Edge TPU"
AFTER_SPLIT = "More than one subgraph is not supported"
NOT_SUPPORTED = "Operation not supported"
BAD_DTYPE = "Operation is working on an unsupported data type"
BAD_RANK = "Tensor has unsupported rank (up to 3 innermost dimensions mapped)"
DYNAMIC = "Operation uses a dynamic-sized tensor"
INPUT_QUANTIZE = "Float input quantization runs on the CPU"
OUTPUT_DEQUANTIZE = "Float output dequantization runs on the CPU"
EDGETPU_CUSTOM_OP = "edgetpu-custom-op"


@dataclasses.dataclass(frozen=True)
class OpVerdict:
    """Where one op will run and why; ``hint`` says how to bring it onto the TPU."""

    index: int
    op: str
    version: int
    placement: str  # "tpu" or "cpu"
    status: str
    reason: str = ""
    hint: str = ""
    tensors: str = ""

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclasses.dataclass(frozen=True)
class CheckReport:
    """The readiness verdict for one model, with the split point and the model-level warnings."""

    model: str
    sha256: str
    size_bytes: int
    min_runtime_version: int
    ops: tuple[OpVerdict, ...]
    split_index: int | None
    warnings: tuple[str, ...] = ()
    compiled: bool = False
    dynamic_batch: bool = False

    @property
    def tpu_ops(self) -> int:
        return sum(v.placement == "tpu" for v in self.ops)

    @property
    def cpu_ops(self) -> int:
        return len(self.ops) - self.tpu_ops

    @property
    def fully_mapped(self) -> bool:
        """Every op except input/output (de)quantization runs on the TPU."""
        return self.split_index is None and self.tpu_ops > 0

    @property
    def ready(self) -> bool:
        """Fully mapped with a static batch: the safe input for edgetpu_compiler (``--strict``)."""
        return self.fully_mapped and not self.dynamic_batch

    @property
    def split_op(self) -> OpVerdict | None:
        return None if self.split_index is None else self.ops[self.split_index]

    def unsupported(self) -> tuple[OpVerdict, ...]:
        """Ops that cannot run on the TPU in their own right (not merely after the split)."""
        return tuple(v for v in self.ops if v.placement == "cpu" and v.status not in (AFTER_SPLIT, MAPPED))

    def hints(self) -> list[str]:
        """Distinct fixes in graph order, each prefixed by the ops it applies to."""
        by_hint: dict[str, list[str]] = {}
        for v in self.ops:
            if v.hint:
                ops = by_hint.setdefault(v.hint, [])
                if v.op not in ops:
                    ops.append(v.op)
        return [f"{', '.join(ops)}: {hint}" for hint, ops in by_hint.items()]

    def summary(self) -> str:
        if self.compiled:
            return f"{self.model}: already compiled for the Edge TPU"
        if self.fully_mapped:
            return f"{self.model}: all {self.tpu_ops} ops map to the Edge TPU"
        if self.split_op is None:
            return f"{self.model}: no op maps to the Edge TPU"
        s = self.split_op
        after = len(self.ops) - s.index - 1
        tail = f"it and the {after} ops after it run on the CPU" if after else "only this last op is on CPU"
        return (
            f"{self.model}: {self.tpu_ops}/{len(self.ops)} ops on the Edge TPU; graph splits at op {s.index} "
            f"{s.op} ({s.reason or s.status}); {tail}"
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "sha256": self.sha256,
            "size_bytes": self.size_bytes,
            "min_runtime_version": self.min_runtime_version,
            "compiled": self.compiled,
            "fully_mapped": self.fully_mapped,
            "ready": self.ready,
            "dynamic_batch": self.dynamic_batch,
            "tpu_ops": self.tpu_ops,
            "cpu_ops": self.cpu_ops,
            "split_index": self.split_index,
            "split_op": self.split_op.op if self.split_op else None,
            "warnings": list(self.warnings),
            "hints": self.hints(),
            "ops": [v.to_dict() for v in self.ops],
        }


def _tensor_text(op: Op) -> str:
    ins = ", ".join(t.describe() for t in op.inputs if not t.constant)
    outs = ", ".join(t.describe() for t in op.outputs)
    return f"{ins} -> {outs}"


def _is_input_quantize(op: Op, graph: TFLiteGraph) -> bool:
    graph_inputs = {t.index for t in graph.inputs}
    return (
        op.name == "QUANTIZE"
        and bool(op.inputs)
        and op.inputs[0].index in graph_inputs
        and op.inputs[0].dtype not in ops_table.QUANTIZED_DTYPES
    )


def _is_output_dequantize(op: Op, graph: TFLiteGraph) -> bool:
    graph_outputs = {t.index for t in graph.outputs}
    return op.name == "DEQUANTIZE" and bool(op.outputs) and op.outputs[0].index in graph_outputs


def _op_problem(op: Op, runtime: int) -> tuple[str, str, str] | None:
    """(status, reason, hint) if ``op`` cannot be mapped on its own, else ``None``."""
    rule = ops_table.RULES.get(op.name)
    if rule is None:
        hint = (
            ops_table.FLOAT_HINT
            if op.name == "DEQUANTIZE"
            else ops_table.hint_for("CUSTOM" if op.custom else op.name)
        )
        return NOT_SUPPORTED, f"{op.name} is not in the Edge TPU op table", hint
    for t in op.activations():
        if t.dtype in ("int32", "int64"):
            return (
                BAD_DTYPE,
                f"tensor {t.name!r} is {t.dtype} (run-time shape arithmetic)",
                ops_table.SHAPE_HINT,
            )
        if t.dtype not in ops_table.QUANTIZED_DTYPES:
            return BAD_DTYPE, f"tensor {t.name!r} is {t.dtype}", ops_table.FLOAT_HINT
    for t in op.inputs:
        if t.constant and t.dtype not in ops_table.CONSTANT_DTYPES:
            return BAD_DTYPE, f"constant {t.name!r} is {t.dtype}", ops_table.FLOAT_HINT
    for t in op.activations():
        if any(a != 0 for a in t.dynamic_axes()):
            return DYNAMIC, f"tensor {t.name!r} has a dynamic shape {t.describe()}", ops_table.DYNAMIC_HINT
        if t.rank > 3 and any(d > 1 for d in t.shape[: t.rank - 3]):
            return BAD_RANK, f"tensor {t.name!r} is {t.describe()}", ops_table.RANK_HINT
    if rule.min_runtime > runtime:
        return (
            f"Operation needs Edge TPU runtime {rule.min_runtime}",
            f"{op.name} needs runtime >= {rule.min_runtime}, target is {runtime}",
            ops_table.hint_for(op.name)
            if op.name in ops_table.OP_HINTS
            else ops_table.RUNTIME_HINT.format(need=rule.min_runtime),
        )
    if rule.check is not None:
        why = rule.check(op, runtime)
        if why:
            hint = ops_table.FUSED_HINT if "fused activation" in why else ops_table.hint_for(op.name)
            if op.name not in ops_table.OP_HINTS and "fused activation" not in why:  # generic limit text
                hint = f"keep within the documented limit: {rule.limitation}"
            return (
                "Operation is otherwise supported, but not mapped due to a documented limitation",
                why,
                hint,
            )
    return None


def check_graph(graph: TFLiteGraph, min_runtime_version: int = ops_table.LATEST_RUNTIME) -> CheckReport:
    """Walk the ops in execution order and place each on the TPU or the CPU as the compiler would."""
    verdicts: list[OpVerdict] = []
    split: int | None = None
    warnings: list[str] = []
    compiled = any(op.name == EDGETPU_CUSTOM_OP for op in graph.ops)
    if compiled:
        warnings.append("model already holds an edgetpu-custom-op: it was compiled; check the source .tflite")
    if graph.num_subgraphs > 1:
        warnings.append(
            f"model has {graph.num_subgraphs} subgraphs (control flow); the compiler maps only the main one"
        )
    dynamic_batch = any(t.dynamic_axes() == (0,) for t in graph.inputs)
    if dynamic_batch:
        warnings.append(
            "the input has a dynamic batch dimension; edgetpu_compiler fails on 'dynamic-sized tensors' "
            "as soon as an op derives a shape from it; " + ops_table.DYNAMIC_HINT
        )

    for op in graph.ops:
        text = _tensor_text(op)
        if op.name == EDGETPU_CUSTOM_OP:
            verdicts.append(
                OpVerdict(op.index, op.name, op.version, "tpu", MAPPED, "compiled TPU subgraph", "", text)
            )
            continue
        if (
            split is None
            and not any(v.placement == "tpu" for v in verdicts)
            and _is_input_quantize(op, graph)
        ):
            verdicts.append(
                OpVerdict(
                    op.index, op.name, op.version, "cpu", INPUT_QUANTIZE, "", ops_table.FLOAT_IO_HINT, text
                )
            )
            continue
        if _is_output_dequantize(op, graph):
            verdicts.append(
                OpVerdict(
                    op.index, op.name, op.version, "cpu", OUTPUT_DEQUANTIZE, "", ops_table.FLOAT_IO_HINT, text
                )
            )
            continue
        problem = _op_problem(op, min_runtime_version)
        if split is not None:
            status, reason, hint = problem if problem else (AFTER_SPLIT, f"after the split at op {split}", "")
            verdicts.append(OpVerdict(op.index, op.name, op.version, "cpu", status, reason, hint, text))
        elif problem:
            split = op.index
            verdicts.append(OpVerdict(op.index, op.name, op.version, "cpu", *problem, text))
        else:
            verdicts.append(OpVerdict(op.index, op.name, op.version, "tpu", MAPPED, "", "", text))
    return CheckReport(
        model=str(graph.path),
        sha256=graph.sha256,
        size_bytes=graph.size_bytes,
        min_runtime_version=min_runtime_version,
        ops=tuple(verdicts),
        split_index=split,
        warnings=tuple(warnings),
        compiled=compiled,
        dynamic_batch=dynamic_batch,
    )


def check_model(
    path: str | os.PathLike[str], min_runtime_version: int = ops_table.LATEST_RUNTIME
) -> CheckReport:
    """Read a ``.tflite`` file and report, op by op, whether the Edge TPU compiler can map it."""
    return check_graph(read_tflite(path), min_runtime_version)
