"""Read a TFLite flatbuffer into plain Python objects (ops in execution order, tensors, constants).

The one TFLite graph reader of the project: the Edge TPU checker and the quantizer's float-op summary both
read models through it. It uses the flatbuffer schema bindings that ship inside ``ai-edge-litert``
(``schema_py_generated``; install ``edgesmith-profiling[tflite]``), so reading a model needs neither
TensorFlow nor an interpreter.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from edgesmith.profiling.errors import InputError, MissingDependency

TFLITE_IDENTIFIER = b"TFL3"
_NUMPY_DTYPES = {
    "float32": np.float32,
    "float16": np.float16,
    "float64": np.float64,
    "int8": np.int8,
    "uint8": np.uint8,
    "int16": np.int16,
    "uint16": np.uint16,
    "int32": np.int32,
    "uint32": np.uint32,
    "int64": np.int64,
    "uint64": np.uint64,
    "bool": np.bool_,
}


class ModelFileError(InputError, ValueError):
    """A model file is missing, unreadable or not a TFLite flatbuffer; the message names the fix."""


@cache
def _schema() -> Any:
    try:
        from ai_edge_litert import schema_py_generated
    except ImportError as exc:
        raise MissingDependency(
            "reading a .tflite file needs ai-edge-litert, which is not installed",
            fix="pip install 'edgesmith-profiling[tflite]'",
        ) from exc
    return schema_py_generated


@cache
def _enum_names(enum_name: str) -> dict[int, str]:
    enum = getattr(_schema(), enum_name)
    return {v: k for k, v in vars(enum).items() if not k.startswith("_") and isinstance(v, int)}


@dataclasses.dataclass(frozen=True)
class Tensor:
    """A tensor of the main subgraph: dtype, static shape, shape signature (-1 = dynamic), constant data."""

    index: int
    name: str
    dtype: str
    shape: tuple[int, ...]
    signature: tuple[int, ...]
    data: bytes | None = dataclasses.field(default=None, repr=False)
    scales: tuple[float, ...] = ()
    zero_points: tuple[int, ...] = ()
    quantized_dimension: int = 0

    @property
    def constant(self) -> bool:
        return self.data is not None

    @property
    def rank(self) -> int:
        return len(self.shape)

    def dynamic_axes(self) -> tuple[int, ...]:
        """Axes whose size is only known at run time (``-1`` in the shape signature)."""
        return tuple(i for i, d in enumerate(self.signature) if d < 0)

    def values(self) -> np.ndarray | None:
        """The constant's values as a numpy array, or ``None`` for activations and exotic dtypes."""
        if self.data is None or self.dtype not in _NUMPY_DTYPES:
            return None
        arr = np.frombuffer(self.data, dtype=_NUMPY_DTYPES[self.dtype])
        return arr.reshape(self.shape) if arr.size == int(np.prod(self.shape, dtype=np.int64)) else arr

    def describe(self) -> str:
        dims = "x".join("?" if s < 0 else str(d) for d, s in zip(self.shape, self.signature, strict=False))
        return f"{self.dtype}[{dims or 'scalar'}]"


@dataclasses.dataclass(frozen=True)
class Op:
    """One operator in execution order, with its resolved tensors and builtin options object."""

    index: int
    name: str
    version: int
    inputs: tuple[Tensor, ...]
    outputs: tuple[Tensor, ...]
    options: Any = dataclasses.field(default=None, repr=False)
    custom: bool = False

    def activations(self) -> tuple[Tensor, ...]:
        """Non-constant input and output tensors (what flows between ops)."""
        return tuple(t for t in (*self.inputs, *self.outputs) if not t.constant)

    def option(self, name: str, default: Any = None) -> Any:
        return getattr(self.options, name, default) if self.options is not None else default


@dataclasses.dataclass(frozen=True)
class TFLiteGraph:
    """The main subgraph of a ``.tflite`` file, ready for compatibility checks."""

    path: Path
    size_bytes: int
    sha256: str
    ops: tuple[Op, ...]
    inputs: tuple[Tensor, ...]
    outputs: tuple[Tensor, ...]
    num_subgraphs: int

    def op_counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for op in self.ops:
            counts[op.name] = counts.get(op.name, 0) + 1
        return counts


def _read_bytes(path: Path) -> bytes:
    if not path.exists():
        raise ModelFileError(f"{path}: no such file; check the path or convert the model to TFLite first")
    if path.is_dir():
        raise ModelFileError(f"{path}: is a directory; pass the .tflite file itself")
    return path.read_bytes()


def _buffer_bytes(buffer: Any, raw: bytes) -> bytes | None:
    if buffer is None:
        return None
    data = getattr(buffer, "data", None)
    if data is not None and len(data):
        return np.asarray(data, dtype=np.uint8).tobytes()
    offset, size = getattr(buffer, "offset", 0) or 0, getattr(buffer, "size", 0) or 0
    if offset > 1 and size > 0:  # models over 2 GB keep constants after the flatbuffer
        return raw[offset : offset + size]
    return None


def read_tflite(path: str | os.PathLike[str]) -> TFLiteGraph:
    """Parse ``path`` into a :class:`TFLiteGraph`; raise :class:`ModelFileError` if it is not TFLite."""
    path = Path(path)
    return parse_tflite(_read_bytes(path), path)


def parse_tflite(raw: bytes, path: str | os.PathLike[str] = "<memory>") -> TFLiteGraph:
    """Parse the bytes of a ``.tflite`` model (e.g. a converter's output before it is written)."""
    path = Path(path)
    if len(raw) < 8 or raw[4:8] != TFLITE_IDENTIFIER:
        raise ModelFileError(
            f"{path}: not a TFLite flatbuffer (no 'TFL3' identifier); convert the model to .tflite first"
        )
    schema = _schema()
    try:
        model = schema.ModelT.InitFromPackedBuf(raw, 0)
    except Exception as exc:  # truncated or corrupt flatbuffer
        raise ModelFileError(f"{path}: corrupt TFLite flatbuffer ({exc}); re-export the model") from exc
    if not model.subgraphs:
        raise ModelFileError(f"{path}: the model has no subgraph; re-export the model")
    op_names, type_names = _enum_names("BuiltinOperator"), _enum_names("TensorType")
    sub = model.subgraphs[0]
    buffers = model.buffers or []

    tensors: list[Tensor] = []
    for i, t in enumerate(sub.tensors or []):
        shape = tuple(int(d) for d in (t.shape if t.shape is not None else ()))
        sig = tuple(int(d) for d in t.shapeSignature) if t.shapeSignature is not None else shape
        buf = buffers[t.buffer] if 0 < t.buffer < len(buffers) else None
        name = t.name.decode() if isinstance(t.name, bytes) else str(t.name or "")
        q = t.quantization
        tensors.append(
            Tensor(
                i,
                name,
                type_names.get(t.type, f"type{t.type}").lower(),
                shape,
                sig,
                _buffer_bytes(buf, raw),
                tuple(float(v) for v in (q.scale if q is not None and q.scale is not None else ())),
                tuple(int(v) for v in (q.zeroPoint if q is not None and q.zeroPoint is not None else ())),
                int(q.quantizedDimension) if q is not None else 0,
            )
        )

    ops: list[Op] = []
    codes = model.operatorCodes or []
    for i, o in enumerate(sub.operators or []):
        code = codes[o.opcodeIndex]
        builtin = max(int(code.builtinCode), int(code.deprecatedBuiltinCode))
        name = op_names.get(builtin, f"BUILTIN_{builtin}")
        custom = name == "CUSTOM"
        if custom:
            cc = code.customCode
            name = cc.decode() if isinstance(cc, bytes) else str(cc)
        ins = tuple(tensors[j] for j in (o.inputs if o.inputs is not None else ()) if j >= 0)
        outs = tuple(tensors[j] for j in (o.outputs if o.outputs is not None else ()) if j >= 0)
        ops.append(Op(i, name, int(code.version), ins, outs, o.builtinOptions, custom))

    return TFLiteGraph(
        path=path,
        size_bytes=len(raw),
        sha256=hashlib.sha256(raw).hexdigest(),
        ops=tuple(ops),
        inputs=tuple(tensors[j] for j in (sub.inputs if sub.inputs is not None else ())),
        outputs=tuple(tensors[j] for j in (sub.outputs if sub.outputs is not None else ())),
        num_subgraphs=len(model.subgraphs),
    )
