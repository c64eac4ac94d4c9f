"""Run a TFLite model through ai-edge-litert (float in, float out) and the Keras model on the same data."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np

from edgesmith.datasets.native_logs import quiet_native_stderr
from edgesmith.datasets.tf_runtime import keras
from edgesmith.quantize.errors import QuantizeError
from edgesmith.quantize.tflite_io import dequantize_output, quantize_input


def load_tflite(model: bytes | str | os.PathLike) -> bytes:
    """The flatbuffer bytes of a ``.tflite`` path (or the bytes themselves); clear error when unreadable."""
    if isinstance(model, bytes | bytearray):
        return bytes(model)
    path = Path(model)
    if not path.is_file():
        raise QuantizeError(f"{path}: no such TFLite file; check the path or convert the model first")
    return path.read_bytes()


def make_interpreter(content: bytes, threads: int | None = None) -> Any:
    """An allocated ai-edge-litert Interpreter (default XNNPACK delegate) for ``content``."""
    from ai_edge_litert.interpreter import Interpreter

    try:
        with quiet_native_stderr():  # "INFO: Created TensorFlow Lite XNNPACK delegate for CPU."
            interp = Interpreter(model_content=content, num_threads=threads)
            interp.allocate_tensors()
    except (ValueError, RuntimeError) as exc:
        raise QuantizeError(f"not a valid TFLite model ({str(exc).splitlines()[0]}); re-convert it") from exc
    return interp


def tflite_predict(
    model: bytes | str | os.PathLike, x: np.ndarray, *, threads: int | None = None, batch_size: int = 64
) -> np.ndarray:
    """Float32 predictions of a single-input, single-output TFLite model for every row of ``x``."""
    content = load_tflite(model)
    interp = make_interpreter(content, threads)
    inp = interp.get_input_details()
    if len(inp) != 1:
        raise QuantizeError(f"TFLite model has {len(inp)} inputs; evaluation supports single-input models")
    signature = inp[0].get("shape_signature", inp[0]["shape"])
    expected = tuple(int(d) for d in signature[1:])
    if x.ndim - 1 != len(expected) or any(
        d > 0 and d != g for d, g in zip(expected, x.shape[1:], strict=True)
    ):
        want = "x".join("N" if d < 0 else str(d) for d in expected)
        got = "x".join(str(d) for d in x.shape[1:])
        raise QuantizeError(f"evaluation data has shape {got} per sample, model expects {want}; reshape it")
    n_out = len(interp.get_output_details())
    if n_out != 1:
        raise QuantizeError(f"TFLite model has {n_out} outputs; evaluation supports single-output models")
    dynamic = int(signature[0]) == -1
    step = batch_size if dynamic else int(inp[0]["shape"][0])
    outputs: list[np.ndarray] = []
    current = -1
    for start in range(0, len(x), step):
        batch = x[start : start + step]
        n = len(batch)
        if dynamic and n != current:
            interp.resize_tensor_input(inp[0]["index"], [n, *batch.shape[1:]])
            interp.allocate_tensors()
            current = n
        elif not dynamic and n != step:
            batch = np.concatenate([batch, np.repeat(batch[-1:], step - n, axis=0)])
        in_detail = interp.get_input_details()[0]
        interp.set_tensor(in_detail["index"], quantize_input(batch, in_detail))
        interp.invoke()
        out_detail = interp.get_output_details()[0]
        outputs.append(dequantize_output(interp.get_tensor(out_detail["index"]), out_detail)[:n])
    return np.concatenate(outputs)


def keras_predict(model: keras.Model, x: np.ndarray, *, batch_size: int = 64) -> np.ndarray:
    """Float32 predictions of the Keras model (inference mode, no progress bar)."""
    return np.asarray(model.predict(x, batch_size=batch_size, verbose=0), dtype=np.float32)
