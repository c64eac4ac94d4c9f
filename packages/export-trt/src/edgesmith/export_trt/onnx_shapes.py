"""Fix a dynamic ONNX model's input shapes and simplify it with onnxslim, before TVM and TensorRT see it.

Models such as PP-OCR's detector declare height and width as symbols; TVM's ONNX frontend then meets shape
sub-graphs (Shape → Gather → Concat → Resize) that nobody constant-folded. Setting the input dimensions and
running onnxslim (constant folding, shape inference, dead-node removal — a maintained library, not folding
written here) gives a static graph that every backend imports::

    from edgesmith.export_trt.onnx_shapes import prepare_onnx
    prepare_onnx("det.onnx", "det_640.onnx", {"x": (1, 3, 640, 640)})
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from edgesmith.export_trt.errors import ExportError
from edgesmith.profiling.artifacts import (
    Sidecar,
    SourceRef,
    TensorInfo,
    atomic_path,
    file_hash,
    path_size,
    tool_versions,
    write_sidecar,
)


def _onnx() -> Any:
    import onnx

    return onnx


def input_dims(model: Any) -> list[tuple[str, tuple[int | None, ...]]]:
    """``(name, dims)`` of each real graph input (initializers excluded); ``None`` for symbolic dims."""
    inits = {i.name for i in model.graph.initializer}
    out = []
    for vi in model.graph.input:
        if vi.name in inits:
            continue
        dims = tuple(
            d.dim_value if d.HasField("dim_value") and d.dim_value > 0 else None
            for d in vi.type.tensor_type.shape.dim
        )
        out.append((vi.name, dims))
    return out


def is_dynamic(model: Any) -> bool:
    """Whether any input dimension other than the batch is symbolic."""
    return any(d is None for _, dims in input_dims(model) for d in dims[1:])


def fix_input_shapes(model: Any, shapes: Mapping[str, tuple[int, ...]]) -> Any:
    """Set the named inputs' dimensions in place (ranks must match) and re-infer shapes; returns the model."""
    onnx = _onnx()
    known = dict(input_dims(model))
    for name, dims in shapes.items():
        if name not in known:
            raise ExportError(f"no input named {name!r}; the model's inputs are {', '.join(known)}")
        if len(dims) != len(known[name]):
            raise ExportError(f"input {name!r} has rank {len(known[name])}, the shape given has {len(dims)}")
    for vi in model.graph.input:
        if vi.name in shapes:
            for d, value in zip(vi.type.tensor_type.shape.dim, shapes[vi.name], strict=True):
                d.Clear()
                d.dim_value = int(value)
    for vi in model.graph.output:  # stale symbolic output shapes would contradict the fixed inputs
        for d in vi.type.tensor_type.shape.dim:
            if not d.HasField("dim_value"):
                d.Clear()
    del model.graph.value_info[:]
    try:
        return onnx.shape_inference.infer_shapes(model, strict_mode=False)
    except Exception as exc:  # onnx raises its own InferenceError subclasses
        raise ExportError(f"shape inference failed with the given input shapes: {exc}") from exc


def simplify(model: Any) -> Any:
    """onnxslim's constant folding + shape inference + dead-code removal; the model is returned simplified."""
    try:
        import onnxslim
    except ImportError as exc:  # pragma: no cover - declared dependency
        raise ExportError("ONNX simplification needs onnxslim: `uv add onnxslim`") from exc
    try:
        return onnxslim.slim(model)
    except Exception as exc:  # onnxslim surfaces onnx/onnxruntime errors of many kinds
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ExportError(f"onnxslim could not simplify the model ({first})") from exc


def prepare_onnx(
    source: str | os.PathLike[str],
    out: str | os.PathLike[str],
    shapes: Mapping[str, tuple[int, ...]] | None = None,
    *,
    slim: bool = True,
) -> Path:
    """Write ``out``: ``source`` with ``shapes`` fixed and (by default) simplified, plus its sidecar."""
    onnx = _onnx()
    src = Path(source)
    if not src.is_file():
        raise ExportError(f"{src}: no such ONNX file; check the path")
    try:
        model = onnx.load(str(src))
    except Exception as exc:
        raise ExportError(f"{src}: not a readable ONNX model ({type(exc).__name__}); re-export it") from exc
    before = len(model.graph.node)
    if shapes:
        model = fix_input_shapes(model, shapes)
    if slim:
        model = simplify(model)
    dest = Path(out)
    with atomic_path(dest) as tmp:
        onnx.save(model, str(tmp))
    write_sidecar(
        dest,
        Sidecar(
            format="onnx",
            precision="fp32",
            artifact=dest.name,
            sha256=file_hash(dest),
            size_bytes=path_size(dest),
            source=SourceRef(str(src), file_hash(src), "onnx"),
            inputs=tuple(TensorInfo(n, d) for n, d in input_dims(model)),
            tools=tool_versions("onnx", "onnxslim"),
            extra={
                "input_shapes": {k: list(v) for k, v in (shapes or {}).items()},
                "simplified": "onnxslim" if slim else None,
                "nodes": {"before": before, "after": len(model.graph.node)},
            },
        ),
    )
    return dest


__all__ = ["fix_input_shapes", "input_dims", "is_dynamic", "prepare_onnx", "simplify"]
