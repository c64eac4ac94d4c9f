"""Parse what ``edgetpu_compiler`` prints (and its ``*_edgetpu.log`` operation log) into report numbers.

The format is the one Coral documents and the compiler prints (versions 2.x to 16.x)::

    Edge TPU Compiler version 16.0.384591198
    Model compiled successfully in 1010 ms.
    Input model: model.tflite
    Input size: 22.24KiB
    Output model: model_edgetpu.tflite
    Output size: 97.66KiB
    On-chip memory used for caching model parameters: 33.50KiB
    On-chip memory remaining for caching model parameters: 7.88MiB
    Off-chip memory used for streaming uncached model parameters: 0.00B
    Number of Edge TPU subgraphs: 1
    Total number of operations: 13
    Operation log: model_edgetpu.log
    Number of operations that will run on Edge TPU: 11
    Number of operations that will run on CPU: 2
    Operator                       Count      Status
    CONV_2D                        7          Mapped to Edge TPU

One block per model (co-compiled models and pipeline segments each get theirs).
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any

from edgesmith.export_edgetpu.errors import EdgeTPUError

MAPPED = "Mapped to Edge TPU"
_UNITS = {"B": 1, "KIB": 1024, "MIB": 1024**2, "GIB": 1024**3, "KB": 1000, "MB": 1000**2, "GB": 1000**3}
_SIZE = re.compile(r"^\s*([0-9]+(?:\.[0-9]+)?)\s*([KMG]?i?B)\s*$", re.IGNORECASE)
_OP_ROW = re.compile(r"^([A-Z][A-Z0-9_]*|[a-z][a-z0-9_-]*-op)\s{2,}(\d+)\s{2,}(\S.*?)\s*$")
_FIELDS = {
    "input model": "input_model",
    "input": "input_model",
    "input size": "input_size_bytes",
    "output model": "output_model",
    "output": "output_model",
    "output size": "output_size_bytes",
    "on-chip memory used for caching model parameters": "on_chip_used_bytes",
    "on-chip memory remaining for caching model parameters": "on_chip_remaining_bytes",
    "off-chip memory used for streaming uncached model parameters": "off_chip_used_bytes",
    "number of edge tpu subgraphs": "subgraphs",
    "total number of operations": "total_ops",
    "operation log": "operation_log",
    "number of operations that will run on edge tpu": "tpu_ops",
    "number of operations that will run on cpu": "cpu_ops",
}
_ERROR_MARKERS = (
    "error",
    "invalid model",
    "model not quantized",
    "compilation failed",
    "internal compiler error",
)


class CompilerLogError(EdgeTPUError, ValueError):
    """The text is not an Edge TPU compiler log."""


def parse_size(text: str) -> int:
    """``'33.50KiB'`` -> 34304 bytes (the compiler prints binary units)."""
    m = _SIZE.match(text)
    if not m:
        raise CompilerLogError(f"not a compiler size: {text!r}")
    return round(float(m.group(1)) * _UNITS[m.group(2).upper()])


@dataclasses.dataclass(frozen=True)
class OperatorStatus:
    """One row of the compiler's operator table: how many ops of a type got which status."""

    operator: str
    count: int
    status: str

    @property
    def on_tpu(self) -> bool:
        return self.status == MAPPED


@dataclasses.dataclass
class CompiledModelLog:
    """What the compiler says about one output model."""

    input_model: str = ""
    output_model: str = ""
    input_size_bytes: int | None = None
    output_size_bytes: int | None = None
    on_chip_used_bytes: int | None = None
    on_chip_remaining_bytes: int | None = None
    off_chip_used_bytes: int | None = None
    subgraphs: int | None = None
    total_ops: int | None = None
    tpu_ops: int | None = None
    cpu_ops: int | None = None
    operation_log: str = ""
    operators: list[OperatorStatus] = dataclasses.field(default_factory=list)

    def finalize(self) -> None:
        """Fill TPU/CPU op counts from the operator table, or from the total when everything mapped."""
        if self.operators:
            tpu = sum(o.count for o in self.operators if o.on_tpu)
            cpu = sum(o.count for o in self.operators if not o.on_tpu)
            self.tpu_ops = tpu if self.tpu_ops is None else self.tpu_ops
            self.cpu_ops = cpu if self.cpu_ops is None else self.cpu_ops
            if self.total_ops is None:
                self.total_ops = tpu + cpu
        elif self.tpu_ops is None and self.cpu_ops is None and self.total_ops is not None:
            # The compiler only prints per-device counts when some op stays on the CPU.
            self.tpu_ops, self.cpu_ops = self.total_ops, 0

    @property
    def params_fit_on_chip(self) -> bool | None:
        return None if self.off_chip_used_bytes is None else self.off_chip_used_bytes == 0

    def cpu_operators(self) -> list[OperatorStatus]:
        return [o for o in self.operators if not o.on_tpu]

    def to_dict(self) -> dict[str, Any]:
        d = dataclasses.asdict(self)
        d["params_fit_on_chip"] = self.params_fit_on_chip
        return d


@dataclasses.dataclass
class CompilerLog:
    """The whole compiler run: version, success, time and one :class:`CompiledModelLog` per output model."""

    compiler_version: str = ""
    success: bool = False
    compile_ms: int | None = None
    models: list[CompiledModelLog] = dataclasses.field(default_factory=list)
    errors: list[str] = dataclasses.field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "compiler_version": self.compiler_version,
            "success": self.success,
            "compile_ms": self.compile_ms,
            "errors": list(self.errors),
            "models": [m.to_dict() for m in self.models],
        }


def parse_operator_table(text: str) -> list[OperatorStatus]:
    """Rows of every ``Operator  Count  Status`` table in ``text`` (stdout with ``-s``, or the .log file)."""
    rows: list[OperatorStatus] = []
    in_table = False
    for line in text.splitlines():
        if re.match(r"^\s*Operator\s+Count\s+Status\s*$", line):
            in_table = True
            continue
        if not in_table or not line.strip():
            continue
        m = _OP_ROW.match(line.strip())
        if m:
            rows.append(OperatorStatus(m.group(1), int(m.group(2)), m.group(3)))
        else:
            in_table = False
    return rows


def parse_compiler_output(text: str) -> CompilerLog:
    """Parse the compiler's stdout/stderr (or an operation log) into a :class:`CompilerLog`."""
    log = CompilerLog()
    current: CompiledModelLog | None = None
    table_lines: list[str] = []
    seen_header = False

    def close() -> None:
        nonlocal current, table_lines
        if current is not None:
            current.operators = parse_operator_table("\n".join(table_lines))
            current.finalize()
            log.models.append(current)
        current, table_lines = None, []

    for raw in text.splitlines():
        line = raw.strip()
        m = re.match(r"^Edge TPU Compiler version\s+(\S+)", line)
        if m:
            log.compiler_version, seen_header = m.group(1), True
            continue
        m = re.match(r"^Models? compiled successfully in\s+(\d+)\s*ms", line)
        if m:
            log.success, log.compile_ms = True, int(m.group(1))
            continue
        if line in ("Compilation succeeded!",):
            log.success = True
            continue
        key, sep, value = line.partition(":")
        field = _FIELDS.get(key.strip().lower()) if sep else None
        if field is not None:
            if field == "input_model":
                close()
                current = CompiledModelLog()
            if current is None:
                current = CompiledModelLog()
            value = value.strip()
            if field.endswith("_bytes"):
                setattr(current, field, parse_size(value))
            elif field in ("subgraphs", "total_ops", "tpu_ops", "cpu_ops"):
                setattr(current, field, int(value))
            else:
                setattr(current, field, value)
            continue
        if current is not None:
            table_lines.append(raw)
        if line and any(line.lower().startswith(k) for k in _ERROR_MARKERS):
            log.errors.append(line)
    close()
    if not seen_header and not log.models:
        raise CompilerLogError("no 'Edge TPU Compiler version' header and no model block: not a compiler log")
    if log.errors and not any(m.output_model for m in log.models):
        log.success = False
    elif log.models and not log.errors and any(m.output_model for m in log.models):
        # Operation logs (*.log) carry no "compiled successfully" line: a model block is success.
        log.success = log.success or log.compile_ms is None
    return log
