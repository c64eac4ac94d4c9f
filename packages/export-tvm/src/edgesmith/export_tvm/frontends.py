"""ONNX and TFLite -> TVM Relax modules with weights detached (so they can be saved beside the library).

TVM 0.27 ships Relax frontends for both formats (``relax.frontend.onnx.from_onnx``,
``relax.frontend.tflite.from_tflite``; the latter reads the flatbuffer through the ``tflite`` package).
Ops a frontend cannot convert are named in a one-line error before any conversion work.
"""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path
from typing import Any

import numpy as np

from edgesmith.export_tvm.errors import TVMExportError

FORMATS = {".onnx": "onnx", ".tflite": "tflite"}


@dataclasses.dataclass
class ImportedModel:
    """A Relax module whose ``main`` takes the model inputs then ``params`` (the detached weights)."""

    mod: Any
    params: list[Any]
    inputs: list[tuple[str, tuple[int, ...], str]]
    source_format: str
    source: Path
    # TFLite integer models: each input's and output's affine quantization (None for a float tensor), so a
    # runner feeds and returns real values like the TFLite interpreter's users do
    input_quantization: list[dict[str, Any] | None] = dataclasses.field(default_factory=list)
    output_quantization: list[dict[str, Any] | None] = dataclasses.field(default_factory=list)


def _first_line(exc: BaseException) -> str:
    lines = [ln.strip() for ln in str(exc).strip().splitlines() if ln.strip()]
    return lines[-1] if lines else type(exc).__name__


def _static(shape: tuple[int | None, ...], batch: int, name: str) -> tuple[int, ...]:
    dims = []
    for i, d in enumerate(shape):
        if d is None or d <= 0:
            if i != 0:
                raise TVMExportError(
                    f"input {name!r} has a dynamic dim {i} in {shape}; export with fixed sizes"
                )
            d = batch
        dims.append(int(d))
    return tuple(dims)


def unsupported_onnx_ops(model: Any) -> list[str]:
    """ONNX op types in ``model`` that TVM's Relax ONNX frontend has no converter for."""
    from tvm.relax.frontend.onnx.onnx_frontend import _get_convert_map

    known = set(_get_convert_map())
    ops = {n.op_type for n in model.graph.node if n.domain in ("", "ai.onnx")}
    return sorted(ops - known)


def bind_small_params(mod: Any, params: list[Any], max_elements: int = 64) -> tuple[Any, list[Any]]:
    """Fold scalar-sized weights (clip bounds, epsilons) into the module as constants; detach the rest.

    Keeping such scalars as runtime inputs leaves un-foldable scalar blocks inside fused kernels, which
    MetaSchedule's design-space rules reject; large weights stay separate so they ship as parameters.
    """
    from tvm import relax

    func = mod["main"]
    num_input = int(func.attrs["num_input"])
    weight_vars = list(func.params)[num_input:]
    if len(weight_vars) != len(params):  # the frontend embedded the weights as constants already
        return mod, [] if not weight_vars else params
    small = {v: p for v, p in zip(weight_vars, params, strict=True) if int(np.prod(p.shape)) <= max_elements}
    if not small:
        return mod, params
    keep = [p for v, p in zip(weight_vars, params, strict=True) if v not in small]
    bound = relax.transform.BindParams("main", dict(small))(mod)
    return bound, keep


def import_onnx(path: Path, batch: int = 1) -> ImportedModel:
    """Relax module from an ONNX file, dynamic batch fixed to ``batch``; checks the file and its ops first."""
    import onnx
    from tvm import relax
    from tvm.relax.frontend.onnx import from_onnx

    try:
        model = onnx.load(str(path))
        onnx.checker.check_model(model)
    except Exception as exc:
        raise TVMExportError(f"{path}: not a valid ONNX model ({_first_line(exc)}); re-export it") from exc
    missing = unsupported_onnx_ops(model)
    if missing:
        raise TVMExportError(
            f"{path.name}: TVM's ONNX frontend does not support op(s) {', '.join(missing)}; "
            "replace them in the model or export through TFLite"
        )
    init = {t.name for t in model.graph.initializer}
    inputs = []
    for v in model.graph.input:
        if v.name in init:
            continue
        dims = tuple(d.dim_value if d.HasField("dim_value") else None for d in v.type.tensor_type.shape.dim)
        dtype = onnx.helper.tensor_dtype_to_np_dtype(v.type.tensor_type.elem_type).name
        inputs.append((v.name, _static(dims, batch, v.name), dtype))
    try:
        mod = from_onnx(
            model,
            shape_dict={n: list(s) for n, s, _ in inputs},
            dtype_dict={n: d for n, _, d in inputs},
            keep_params_in_input=True,
        )
    except Exception as exc:
        raise TVMExportError(f"{path.name}: TVM's ONNX frontend failed ({_first_line(exc)})") from exc
    mod, params = relax.frontend.detach_params(mod)
    mod, weights = bind_small_params(mod, list(params.get("main", [])))
    return ImportedModel(mod, weights, inputs, "onnx", path)


def tflite_quantization(tensor: Any, dtype: str) -> dict[str, Any] | None:
    """Scales, zero points and axis of an int8/uint8 TFLite tensor (per-tensor or per-axis), else None."""
    q = tensor.Quantization()
    if dtype not in ("int8", "uint8") or q is None or not q.ScaleLength():
        return None
    scales = [float(v) for v in q.ScaleAsNumpy()]
    if not any(scales):
        return None
    zero_points = [int(v) for v in q.ZeroPointAsNumpy()] if q.ZeroPointLength() else [0] * len(scales)
    return {"scales": scales, "zero_points": zero_points, "axis": int(q.QuantizedDimension())}


def import_tflite(path: Path, batch: int = 1) -> ImportedModel:
    """Relax module from a ``.tflite`` flatbuffer (float or quantized), batch dim set to ``batch``."""
    import tflite
    import tvm
    from tvm import relax
    from tvm.relax.frontend.tflite import from_tflite

    from edgesmith.export_tvm.tflite_ops import tflite_converter

    buf = path.read_bytes()
    try:
        model = tflite.Model.GetRootAsModel(buf, 0)
        subgraph = model.Subgraphs(0)
    except Exception as exc:  # the flatbuffer reader's own words (struct offsets) mean nothing to a user
        raise TVMExportError(
            f"{path}: not a TFLite flatbuffer (truncated, or another kind of file); re-convert the model"
        ) from exc
    if subgraph is None:
        raise TVMExportError(f"{path}: the TFLite model has no subgraph; re-convert it")
    type_names = {v: k.lower() for k, v in vars(tflite.TensorType).items() if not k.startswith("_")}

    def dtype_of(t: Any) -> str:
        return {"float32": "float32", "int8": "int8", "uint8": "uint8"}.get(
            type_names.get(t.Type(), ""), "float32"
        )

    inputs, in_quant = [], []
    for idx in subgraph.InputsAsNumpy():
        t = subgraph.Tensors(int(idx))
        name = t.Name().decode()
        shape = tuple(
            int(d) for d in (t.ShapeSignatureAsNumpy() if t.ShapeSignatureLength() else t.ShapeAsNumpy())
        )
        dtype = dtype_of(t)
        inputs.append((name, _static(shape, batch, name), dtype))
        in_quant.append(tflite_quantization(t, dtype))
    out_quant = [
        tflite_quantization(subgraph.Tensors(int(i)), dtype_of(subgraph.Tensors(int(i))))
        for i in subgraph.OutputsAsNumpy()
    ]
    try:
        mod = from_tflite(
            model,
            shape_dict={n: s for n, s, _ in inputs},
            dtype_dict={n: d for n, _, d in inputs},
            op_converter=tflite_converter(batch),
        )
    except tvm.error.OpNotImplemented as exc:
        ops = " ".join(str(exc).split())
        raise TVMExportError(
            f"{path.name}: TVM's TFLite frontend cannot convert it ({ops}); convert without those ops "
            "(e.g. without SELECT_TF_OPS) or export to ONNX"
        ) from exc
    except Exception as exc:
        raise TVMExportError(f"{path.name}: TVM's TFLite frontend failed ({_first_line(exc)})") from exc
    mod, params = relax.frontend.detach_params(mod)
    mod, weights = bind_small_params(mod, list(params.get("main", [])))
    return ImportedModel(mod, weights, inputs, "tflite", path, in_quant, out_quant)


def import_model(path: str | os.PathLike[str], batch: int = 1) -> ImportedModel:
    """Relax module from ``.onnx`` or ``.tflite``, chosen by suffix."""
    p = Path(path)
    fmt = FORMATS.get(p.suffix.lower())
    if fmt is None:
        raise TVMExportError(f"{p}: unsupported model type {p.suffix!r}; TVM export takes .onnx or .tflite")
    if not p.exists():
        raise TVMExportError(f"{p}: no such model file; pass an .onnx or .tflite file")
    if batch < 1:
        raise TVMExportError(f"batch must be >= 1, got {batch}")
    return _IMPORTERS[fmt](p, batch)


_IMPORTERS = {"onnx": import_onnx, "tflite": import_tflite}
"""Source format (``FORMATS`` value) → the frontend that imports it."""


__all__ = ["FORMATS", "ImportedModel", "import_model", "import_onnx", "import_tflite", "unsupported_onnx_ops"]
