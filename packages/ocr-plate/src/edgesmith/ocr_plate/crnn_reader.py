"""The default reader: the project's CRNN as a TFLite model, run in-process by ai-edge-litert + CTC decode.

No TensorFlow and no system binary at run time. The shipped weights live in ``weights/`` as
``crnn_float.tflite`` and ``crnn_int8.tflite``, each with a ``<model>.json`` sidecar that carries
the alphabet and input size the reader needs, plus the training seed, data and metrics.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from edgesmith.ocr_plate.ctc import greedy_decode
from edgesmith.ocr_plate.preprocess import crnn_input
from edgesmith.ocr_plate.reading import OcrError, PlateReader, PlateReading, ReaderUnavailable, make_reading

WEIGHTS_DIR = Path(__file__).parent / "weights"
SHIPPED = {"float": "crnn_float.tflite", "int8": "crnn_int8.tflite"}
RETRAIN_HINT = "reinstall edgesmith-ocr-plate or retrain with: uv run python tools/train_plate_ocr.py"


def weights_path(model: str | Path = "int8") -> Path:
    """Resolve ``"float"``/``"int8"`` to the shipped weights, or return ``model`` as a path."""
    if isinstance(model, str) and model in SHIPPED:
        return WEIGHTS_DIR / SHIPPED[model]
    return Path(model)


@contextlib.contextmanager
def _quiet_native_stderr() -> Iterator[None]:
    """Hide LiteRT's native "INFO: Created TensorFlow Lite XNNPACK delegate" line (file descriptor 2)."""
    try:
        saved = os.dup(2)
    except OSError:  # no usable stderr
        yield
        return
    sys.stderr.flush()
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(devnull)
        os.close(saved)


def _interpreter_class() -> Any:
    """ai-edge-litert's Interpreter, imported lazily with an install hint."""
    try:
        from ai_edge_litert.interpreter import Interpreter
    except ImportError as exc:
        raise ReaderUnavailable(
            "the crnn reader needs the LiteRT interpreter: pip install ai-edge-litert"
        ) from exc
    return Interpreter


def read_sidecar(path: Path) -> dict[str, Any]:
    """The ``<model>.json`` sidecar of a CRNN TFLite file (alphabet, input size, provenance, metrics)."""
    sidecar = path.with_name(path.name + ".json")
    if not sidecar.is_file():
        raise OcrError(f"CRNN sidecar {sidecar} is missing (it holds the alphabet); {RETRAIN_HINT}")
    try:
        meta = json.loads(sidecar.read_text())
        meta["alphabet"], meta["input_height"], meta["input_width"]
    except (ValueError, KeyError) as exc:
        raise OcrError(f"CRNN sidecar {sidecar} is corrupt ({exc}); {RETRAIN_HINT}") from exc
    return meta


class CrnnReader(PlateReader):
    """CTC-decoding conv reader on LiteRT; ``model``: ``"int8"`` (default), ``"float"`` or a path."""

    name = "crnn"

    def __init__(self, model: str | Path = "int8", num_threads: int = 1) -> None:
        self.path = weights_path(model)
        if not self.path.is_file():
            raise OcrError(f"CRNN weights {self.path} not found; {RETRAIN_HINT}")
        self.meta = read_sidecar(self.path)
        self.alphabet: str = self.meta["alphabet"]
        self.height, self.width = int(self.meta["input_height"]), int(self.meta["input_width"])
        interpreter_cls = _interpreter_class()
        try:
            with _quiet_native_stderr():  # the delegate is created, and announced, on the first invoke
                self._interp = interpreter_cls(model_path=str(self.path), num_threads=num_threads)
                self._interp.allocate_tensors()
                self._interp.invoke()
        except (ValueError, RuntimeError) as exc:
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise OcrError(f"cannot load CRNN weights {self.path} ({first}); {RETRAIN_HINT}") from exc
        self._in = self._interp.get_input_details()[0]
        self._out = self._interp.get_output_details()[0]
        expected = (1, self.height, self.width, 1)
        if tuple(self._in["shape"]) != expected:
            raise OcrError(
                f"CRNN weights {self.path} take input {tuple(self._in['shape'])}, sidecar says {expected}; "
                f"{RETRAIN_HINT}"
            )

    def probabilities(self, crop: np.ndarray) -> np.ndarray:
        """Per-column class probabilities ``(T, classes)`` for one uint8 RGB crop."""
        x = crnn_input(crop, self.height, self.width)[None]
        scale, zero = self._in["quantization"]
        if self._in["dtype"] != np.float32:
            info = np.iinfo(self._in["dtype"])
            x = np.clip(np.round(x / scale + zero), info.min, info.max).astype(self._in["dtype"])
        self._interp.set_tensor(self._in["index"], x)
        self._interp.invoke()
        y = self._interp.get_tensor(self._out["index"])[0]
        scale, zero = self._out["quantization"]
        if self._out["dtype"] != np.float32:
            y = (y.astype(np.float32) - zero) * scale
        return y

    def read(self, crop: np.ndarray) -> PlateReading:
        """Read one crop (H×W×3 uint8 RGB, as cut by the detector)."""
        text, confs = greedy_decode(self.probabilities(crop), self.alphabet)
        return make_reading(text, confs, reader=self.name)

    def info(self) -> dict[str, Any]:
        return {
            "reader": self.name,
            "engine": "ai-edge-litert",
            "weights": str(self.path),
            "precision": self.meta.get("precision", "unknown"),
            "size_bytes": self.path.stat().st_size,
        }


__all__ = ["SHIPPED", "WEIGHTS_DIR", "CrnnReader", "read_sidecar", "weights_path"]
