"""Keras model / SavedModel -> ONNX with tf2onnx: dynamic batch, opset choice, checker, ORT-vs-Keras error.

This step runs on any machine (no GPU); its result feeds TensorRT (``engine.build_engine``) and TVM.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from edgesmith.export_trt.errors import ExportError
from edgesmith.profiling.artifacts import atomic_path, file_hash, write_sidecar

DEFAULT_OPSET = 17
KERAS_SUFFIXES = (".keras", ".h5", ".hdf5")


@dataclasses.dataclass(frozen=True)
class OnnxExport:
    """What ``keras_to_onnx`` wrote and how closely ONNX Runtime reproduces the Keras outputs."""

    path: Path
    sidecar: Path
    opset: int
    dynamic_batch: bool
    inputs: tuple[tuple[str, tuple[int | None, ...]], ...]
    outputs: tuple[tuple[str, tuple[int | None, ...]], ...]
    max_abs_error: float | None
    verify_samples: int
    source_hash: str

    def to_dict(self) -> dict[str, Any]:
        out = dataclasses.asdict(self)
        out["path"], out["sidecar"] = str(self.path), str(self.sidecar)
        return out


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def load_keras_model(path: str | os.PathLike[str]) -> Any:
    """Load a ``.keras`` / ``.h5`` file or a Keras SavedModel directory (tf-keras, Keras 2 API)."""
    from edgesmith.datasets.tf_runtime import keras

    p = Path(path)
    if not p.exists():
        raise ExportError(f"{p}: no such model file or directory; check the path")
    if p.is_dir() and not (p / "saved_model.pb").exists():
        raise ExportError(
            f"{p}: a directory without saved_model.pb is not a SavedModel; pass a .keras/.h5 file"
        )
    if p.is_file() and p.suffix.lower() not in KERAS_SUFFIXES:
        raise ExportError(
            f"{p}: unsupported model file type {p.suffix!r}; pass a .keras, .h5 or SavedModel dir"
        )
    try:
        return keras.models.load_model(str(p), compile=False)
    except Exception as exc:
        raise ExportError(
            f"{p}: not a loadable Keras model ({_first_line(exc)}); re-save it with model.save()"
        ) from exc


def weights_hash(model: Any) -> str:
    """SHA-256 over an in-memory model's weights, for sidecars when there is no source file."""
    digest = hashlib.sha256()
    for w in model.get_weights():
        digest.update(np.ascontiguousarray(w).tobytes())
    return digest.hexdigest()


def _shape(dims: Sequence[Any]) -> tuple[int | None, ...]:
    return tuple(int(d) if d is not None else None for d in dims)


def check_onnx(path: str | os.PathLike[str]) -> Any:
    """Load ``path`` and run ``onnx.checker`` (full check); raise a one-line ExportError if it fails."""
    import onnx

    p = Path(path)
    if not p.exists():
        raise ExportError(f"{p}: no such ONNX file; export one with `edgesmith-trt onnx MODEL -o {p.name}`")
    try:
        model = onnx.load(str(p))
    except Exception as exc:
        raise ExportError(f"{p}: not an ONNX protobuf ({_first_line(exc)}); re-export the model") from exc
    try:
        onnx.checker.check_model(model, full_check=True)
    except Exception as exc:
        raise ExportError(f"{p}: fails the ONNX checker ({_first_line(exc)}); re-export the model") from exc
    return model


def onnx_io(
    model: Any,
) -> tuple[list[tuple[str, tuple[int | None, ...]]], list[tuple[str, tuple[int | None, ...]]]]:
    """Graph inputs and outputs as ``(name, shape)`` with ``None`` for symbolic dimensions."""
    init = {t.name for t in model.graph.initializer}

    def dims(v: Any) -> tuple[int | None, ...]:
        return tuple(d.dim_value if d.HasField("dim_value") else None for d in v.type.tensor_type.shape.dim)

    ins = [(v.name, dims(v)) for v in model.graph.input if v.name not in init]
    outs = [(v.name, dims(v)) for v in model.graph.output]
    return ins, outs


def ort_outputs(
    path: str | os.PathLike[str], inputs: Sequence[np.ndarray], threads: int | None = None
) -> list[np.ndarray]:
    """Run an ONNX file once with ONNX Runtime on CPU and return its outputs."""
    import onnxruntime as ort

    opts = ort.SessionOptions()
    if threads:
        opts.intra_op_num_threads = threads
    sess = ort.InferenceSession(str(path), sess_options=opts, providers=["CPUExecutionProvider"])
    feed = {m.name: x for m, x in zip(sess.get_inputs(), inputs, strict=True)}
    return [np.asarray(o) for o in sess.run(None, feed)]


def keras_outputs(model: Any, inputs: Sequence[np.ndarray]) -> list[np.ndarray]:
    """Run a Keras model in inference mode and return its outputs as a list of arrays."""
    out = model(inputs[0] if len(inputs) == 1 else list(inputs), training=False)
    outs = out if isinstance(out, (list, tuple)) else [out]
    return [np.asarray(o) for o in outs]


def max_abs_error(a: Sequence[np.ndarray], b: Sequence[np.ndarray]) -> float:
    """Largest absolute difference over paired outputs; shape mismatches are an error, not a number."""
    if len(a) != len(b):
        raise ExportError(
            f"output count differs ({len(a)} vs {len(b)}); the export changed the model's outputs"
        )
    worst = 0.0
    for x, y in zip(a, b, strict=True):
        x, y = np.asarray(x, np.float64), np.asarray(y, np.float64)
        if x.shape != y.shape:
            raise ExportError(f"output shape differs ({x.shape} vs {y.shape}); the export changed the model")
        if x.size:
            worst = max(worst, float(np.max(np.abs(x - y))))
    return worst


def random_inputs(model: Any, batch: int = 2, seed: int = 0) -> list[np.ndarray]:
    """Uniform [0, 1) float32 inputs matching the model's input shapes (dynamic non-batch dims fail)."""
    rng = np.random.default_rng(seed)
    arrays = []
    for t in model.inputs:
        dims = list(t.shape)[1:]
        if any(d is None for d in dims):
            raise ExportError(f"input {t.name!r} has dynamic non-batch dims {t.shape}; pass --samples data")
        arrays.append(rng.random((batch, *dims), dtype=np.float32))
    return arrays


def _check_sample_shapes(model: Any, inputs: Sequence[np.ndarray]) -> None:
    """Refuse samples whose count or shape does not fit the model's inputs, before any conversion work."""
    wanted = [tuple(t.shape) for t in model.inputs]
    if len(inputs) != len(wanted):
        raise ExportError(f"got {len(inputs)} sample arrays for a model with {len(wanted)} inputs")
    for x, shape in zip(inputs, wanted, strict=True):
        want = "(N, " + ", ".join("?" if d is None else str(d) for d in shape[1:]) + ")"
        fits = x.ndim == len(shape) and all(
            d is None or d == n for d, n in zip(shape[1:], x.shape[1:], strict=True)
        )
        if not fits:
            raise ExportError(
                f"--samples have shape {tuple(int(n) for n in x.shape)}; the model takes {want}",
                fix="pass samples of the model's input shape",
            )
        if not np.issubdtype(x.dtype, np.number):
            raise ExportError(f"--samples are {x.dtype}, not numbers", fix="pass a float32 .npy array")


def keras_to_onnx(
    model: Any,
    output: str | os.PathLike[str],
    *,
    opset: int = DEFAULT_OPSET,
    batch: int | None = None,
    samples: Sequence[np.ndarray] | np.ndarray | None = None,
    verify: bool = True,
    seed: int = 0,
) -> OnnxExport:
    """Convert a Keras model (object or path) to ONNX at ``output`` and write ``<output>.json``.

    ``batch=None`` makes axis 0 dynamic (named ``batch``); an int fixes it. The file is checked with
    ``onnx.checker`` and, if ``verify``, run with ONNX Runtime on ``samples`` (default: 2 seeded uniform
    samples) against the Keras outputs; ``max_abs_error`` records the difference. Nothing is left at
    ``output`` if any step fails.
    """
    # TensorFlow first, through tf_runtime, so it starts quietly before tf2onnx imports it.
    from edgesmith.datasets.tf_runtime import tf  # noqa: I001
    from edgesmith.datasets.tf_runtime import versions as tf_versions
    import onnx
    import tf2onnx

    if not 7 <= opset <= 21:
        raise ExportError(
            f"opset {opset} is outside what tf2onnx emits (7-21); pick e.g. --opset {DEFAULT_OPSET}"
        )
    if batch is not None and batch < 1:
        raise ExportError(f"batch must be >= 1 or omitted for a dynamic batch, got {batch}")
    source_hash = None
    if isinstance(model, (str, os.PathLike)):
        source_hash = file_hash(model) if Path(model).exists() else None
        model = load_keras_model(model)
    source_hash = source_hash or weights_hash(model)

    if samples is not None:
        arrays = samples if isinstance(samples, list | tuple) else [samples]
        _check_sample_shapes(model, [np.asarray(s) for s in arrays])

    signature = tuple(
        tf.TensorSpec((batch, *list(t.shape)[1:]), t.dtype, name=t.name.split(":")[0]) for t in model.inputs
    )
    try:
        proto, _ = tf2onnx.convert.from_keras(model, input_signature=signature, opset=opset)
    except Exception as exc:
        raise ExportError(
            f"tf2onnx could not convert the model ({_first_line(exc)}); try another --opset"
        ) from exc

    if samples is None:
        inputs = random_inputs(model, batch=batch or 2, seed=seed) if verify else []
    else:
        inputs = (
            [np.asarray(samples, np.float32)]
            if isinstance(samples, np.ndarray)
            else [np.asarray(s, np.float32) for s in samples]
        )

    out_path = Path(output)
    err = None
    with atomic_path(out_path) as tmp:
        onnx.save(proto, str(tmp))
        checked = check_onnx(tmp)
        if verify:
            err = max_abs_error(keras_outputs(model, inputs), ort_outputs(tmp, inputs))
        ins, outs = onnx_io(checked)
    payload = {
        "artifact": out_path.name,
        "format": "onnx",
        "source_model_hash": source_hash,
        "precision": "fp32",
        "opset": opset,
        "dynamic_batch": batch is None,
        "inputs": {n: s for n, s in ins},
        "outputs": {n: s for n, s in outs},
        "tool_versions": {
            **tf_versions(),
            "tf2onnx": tf2onnx.__version__,
            "onnx": onnx.__version__,
            "onnxruntime": _ort_version(),
        },
        "metrics": {
            "max_abs_error_vs_keras": err,
            "verify_samples": int(inputs[0].shape[0]) if inputs else 0,
        },
    }
    sidecar = write_sidecar(out_path, payload)
    return OnnxExport(
        path=out_path,
        sidecar=sidecar,
        opset=opset,
        dynamic_batch=batch is None,
        inputs=tuple(ins),
        outputs=tuple(outs),
        max_abs_error=err,
        verify_samples=int(inputs[0].shape[0]) if inputs else 0,
        source_hash=source_hash,
    )


def _ort_version() -> str:
    import onnxruntime

    return onnxruntime.__version__


__all__ = [
    "DEFAULT_OPSET",
    "OnnxExport",
    "check_onnx",
    "keras_outputs",
    "keras_to_onnx",
    "load_keras_model",
    "max_abs_error",
    "onnx_io",
    "ort_outputs",
    "random_inputs",
    "weights_hash",
]
