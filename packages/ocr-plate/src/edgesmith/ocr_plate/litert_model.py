"""One TFLite model run in-process by ai-edge-litert, with its sidecar, int8 I/O (de)quantised for the caller.

Both shipped networks (the CRNN and the corner regressor) are run this way: no TensorFlow at read time.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from edgesmith.ocr_plate.reading import OcrError, ReaderUnavailable
from edgesmith.profiling.native_logs import quiet_native_stderr
from edgesmith.profiling.quantization import dequantize_output, quantize_input

WEIGHTS_DIR = Path(__file__).parent / "weights"
RETRAIN_HINT = "reinstall edgesmith-ocr-plate or retrain with: uv run python tools/train_plate_ocr.py"


def _interpreter_class() -> Any:
    """ai-edge-litert's Interpreter, imported lazily with an install hint."""
    try:
        from ai_edge_litert.interpreter import Interpreter
    except ImportError as exc:
        raise ReaderUnavailable(
            "reading plates needs the LiteRT interpreter: pip install ai-edge-litert"
        ) from exc
    return Interpreter


def read_sidecar(path: Path, required: tuple[str, ...] = ()) -> dict[str, Any]:
    """The ``<model>.json`` sidecar of a shipped TFLite file, checked for the ``required`` keys."""
    sidecar = path.with_name(path.name + ".json")
    if not sidecar.is_file():
        raise OcrError(f"sidecar {sidecar} is missing; {RETRAIN_HINT}")
    try:
        meta = json.loads(sidecar.read_text())
        for key in required:
            meta[key]
    except (ValueError, KeyError, TypeError) as exc:
        raise OcrError(f"sidecar {sidecar} is corrupt ({exc}); {RETRAIN_HINT}") from exc
    return meta


class TfliteModel:
    """A loaded TFLite file: ``run(x)`` takes one float32 sample (no batch axis) and returns float32."""

    def __init__(self, path: Path, num_threads: int = 1, what: str = "model") -> None:
        self.path = Path(path)
        if not self.path.is_file():
            raise OcrError(f"{what} weights {self.path} not found; {RETRAIN_HINT}")
        interpreter_cls = _interpreter_class()
        try:
            with quiet_native_stderr():  # the delegate is created, and announced, on the first invoke
                self._interp = interpreter_cls(model_path=str(self.path), num_threads=num_threads)
                self._interp.allocate_tensors()
                self._interp.invoke()
        except (ValueError, RuntimeError) as exc:
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise OcrError(f"cannot load {what} weights {self.path} ({first}); {RETRAIN_HINT}") from exc
        self._in = self._interp.get_input_details()[0]
        self._out = self._interp.get_output_details()[0]

    @property
    def input_shape(self) -> tuple[int, ...]:
        return tuple(int(v) for v in self._in["shape"])

    def run(self, x: np.ndarray) -> np.ndarray:
        """Output for one sample ``x`` (float32, the input shape without its batch axis)."""
        x = np.asarray(x, np.float32)[None]
        self._interp.set_tensor(self._in["index"], quantize_input(x, self._in))
        self._interp.invoke()
        return dequantize_output(self._interp.get_tensor(self._out["index"])[0], self._out)


__all__ = ["RETRAIN_HINT", "WEIGHTS_DIR", "TfliteModel", "quiet_native_stderr", "read_sidecar"]
