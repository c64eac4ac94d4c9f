""".tflite -> ONNX with tf2onnx's TFLite frontend, checked against the TFLite interpreter.

A user who only has a ``.tflite`` (MediaPipe's, a vendor's) still gets ONNX Runtime, TensorRT and
TVM-from-ONNX rows: the converted graph is what those backends read.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from edgesmith.export_trt.errors import ExportError
from edgesmith.export_trt.onnx_export import (
    DEFAULT_OPSET,
    _first_line,
    check_onnx,
    max_abs_error,
    onnx_io,
)
from edgesmith.profiling.artifacts import atomic_path, file_hash, write_sidecar
from edgesmith.profiling.native_logs import quiet_native_stderr


def _interpreter(path: Path) -> Any:
    """TensorFlow's own TFLite interpreter: TensorFlow is here already, so no second runtime is installed."""
    from edgesmith.datasets.tf_runtime import tf

    # its deprecation notice names a package this one does not need; loading its library re-prints
    # TensorFlow's start-up lines
    with warnings.catch_warnings(), quiet_native_stderr():
        warnings.simplefilter("ignore", UserWarning)
        interp = tf.lite.Interpreter(model_path=str(path))
    interp.allocate_tensors()
    return interp


def _per_sample(
    run: Callable[[list[np.ndarray]], list[np.ndarray]], inputs: Sequence[np.ndarray]
) -> list[np.ndarray]:
    """``run`` on one sample at a time (TFLite models, and the ONNX made from them, usually fix batch 1),
    outputs stacked."""
    outs = [run([x[i : i + 1] for x in inputs]) for i in range(len(inputs[0]))]
    return [np.concatenate([o[k] for o in outs]) for k in range(len(outs[0]))]


def tflite_outputs(interp: Any, inputs: Sequence[np.ndarray]) -> list[np.ndarray]:
    """Run the interpreter one sample at a time and stack the outputs."""
    details = interp.get_input_details()

    def run(xs: list[np.ndarray]) -> list[np.ndarray]:
        for d, x in zip(details, xs, strict=True):
            interp.set_tensor(d["index"], x.astype(d["dtype"]))
        interp.invoke()
        return [np.array(interp.get_tensor(o["index"])) for o in interp.get_output_details()]

    return _per_sample(run, inputs)


def _onnx_outputs(path: Path, inputs: Sequence[np.ndarray]) -> list[np.ndarray]:
    """ONNX Runtime on the same samples, one at a time, through one session."""
    import onnxruntime as ort

    sess = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    names = [i.name for i in sess.get_inputs()]
    return _per_sample(lambda xs: list(sess.run(None, dict(zip(names, xs, strict=True)))), inputs)


def _samples(interp: Any, samples: np.ndarray | None, seed: int) -> list[np.ndarray]:
    """The calibration samples when they fit the single input, else seeded random inputs of its dtype."""
    rng = np.random.default_rng(seed)
    out = []
    for d in interp.get_input_details():
        shape = tuple(int(s) for s in d["shape"])
        dtype = np.dtype(d["dtype"])
        if samples is not None and len(out) == 0 and tuple(np.shape(samples)[1:]) == shape[1:]:
            out.append(np.asarray(samples[:2]))
        elif dtype.kind == "f":
            out.append(rng.uniform(-1, 1, (2, *shape[1:])).astype(dtype))
        else:
            info = np.iinfo(dtype)
            out.append(rng.integers(info.min, info.max, (2, *shape[1:]), endpoint=True).astype(dtype))
    return out


def tflite_to_onnx(
    model: str | os.PathLike[str],
    output: str | os.PathLike[str],
    *,
    opset: int = DEFAULT_OPSET,
    samples: np.ndarray | None = None,
    verify: bool = True,
    seed: int = 0,
) -> Path:
    """Convert ``model`` (.tflite) to ONNX at ``output`` with its sidecar; nothing is left on failure.

    With ``verify``, ONNX Runtime and the TFLite interpreter run the same inputs (``samples`` when they fit,
    else two seeded random ones) and ``max_abs_error_vs_tflite`` records the largest difference.
    """
    from edgesmith.datasets.tf_runtime import versions as tf_versions  # TensorFlow first, quietly

    with quiet_native_stderr():  # tf2onnx loads more of TensorFlow's libraries, which log at start-up
        import onnx
        import tf2onnx

    src = Path(model)
    interp = _interpreter(src)
    try:
        with warnings.catch_warnings(), quiet_native_stderr():  # it runs the same interpreter
            warnings.simplefilter("ignore", UserWarning)
            proto, _ = tf2onnx.convert.from_tflite(str(src), opset=opset)
    except Exception as exc:
        raise ExportError(
            f"tf2onnx could not convert {src.name} ({_first_line(exc)}); try another opset "
            "or measure the .tflite with its own runtime"
        ) from exc
    out_path = Path(output)
    err = None
    inputs = _samples(interp, samples, seed) if verify else []
    with atomic_path(out_path) as tmp:
        onnx.save(proto, str(tmp))
        checked = check_onnx(tmp)
        if verify:
            err = max_abs_error(tflite_outputs(interp, inputs), _onnx_outputs(tmp, inputs))
        ins, outs = onnx_io(checked)
    payload = {
        "artifact": out_path.name,
        "format": "onnx",
        "source_model_hash": file_hash(src),
        "precision": "fp32",
        "opset": opset,
        "dynamic_batch": False,
        "inputs": {n: s for n, s in ins},
        "outputs": {n: s for n, s in outs},
        "tool_versions": {**tf_versions(), "tf2onnx": tf2onnx.__version__, "onnx": onnx.__version__},
        "metrics": {"max_abs_error_vs_tflite": err, "verify_samples": len(inputs[0]) if inputs else 0},
    }
    write_sidecar(out_path, payload)
    return out_path


__all__ = ["tflite_outputs", "tflite_to_onnx"]
