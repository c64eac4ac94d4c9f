"""The default reader: the project's CRNN as a TFLite model, run in-process by ai-edge-litert + CTC decode.

No TensorFlow and no system binary at run time. The shipped weights live in ``weights/`` as
``crnn_float.tflite`` and ``crnn_int8.tflite``, each with a ``<model>.json`` sidecar that carries
the alphabet and input size the reader needs, plus the training seed, data and metrics. The reader
gets the plate already rectified (:meth:`PlateReader.read` does it with the corner regressor).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from edgesmith.ocr_plate.confidence_rule import CRNN_RULE, ConfidenceRule
from edgesmith.ocr_plate.ctc import greedy_decode
from edgesmith.ocr_plate.litert_model import RETRAIN_HINT, WEIGHTS_DIR, TfliteModel
from edgesmith.ocr_plate.litert_model import read_sidecar as _read_sidecar
from edgesmith.ocr_plate.preprocess import crnn_input
from edgesmith.ocr_plate.reading import OcrError, PlateReader, PlateReading, make_reading

SHIPPED = {"float": "crnn_float.tflite", "int8": "crnn_int8.tflite"}


def weights_path(model: str | Path = "int8") -> Path:
    """Resolve ``"float"``/``"int8"`` to the shipped weights, or return ``model`` as a path."""
    if isinstance(model, str) and model in SHIPPED:
        return WEIGHTS_DIR / SHIPPED[model]
    return Path(model)


def read_sidecar(path: Path) -> dict[str, Any]:
    """The ``<model>.json`` sidecar of a CRNN TFLite file (alphabet, input size, provenance, metrics)."""
    return _read_sidecar(path, ("alphabet", "input_height", "input_width"))


def sidecar_rule(meta: dict[str, Any]) -> ConfidenceRule:
    """The confidence rule a CRNN sidecar records (``min_confidence``), or ``CRNN_RULE`` without one."""
    chosen = meta.get("min_confidence")
    if not isinstance(chosen, dict) or "every" not in chosen:
        return CRNN_RULE
    return ConfidenceRule.from_dict(chosen)


class CrnnReader(PlateReader):
    """CTC-decoding conv reader on LiteRT; ``model``: ``"int8"`` (default), ``"float"`` or a path.

    ``rectifier``: a rectifier object or name (:func:`~edgesmith.ocr_plate.rectify.get_rectifier`);
    ``rule``: how sure the characters must be for the reading to name a day (default: the one the
    weights' sidecar records, chosen on their validation crops by tools/train_plate_ocr.py; else
    ``CRNN_RULE``).
    """

    name = "crnn"

    def __init__(
        self,
        model: str | Path = "int8",
        num_threads: int = 1,
        rectifier: Any = None,
        rule: ConfidenceRule | None = None,
    ) -> None:
        from edgesmith.ocr_plate.rectify import get_rectifier

        self.path = weights_path(model)
        if not self.path.is_file():
            raise OcrError(f"CRNN weights {self.path} not found; {RETRAIN_HINT}")
        self.meta = read_sidecar(self.path)
        self.alphabet: str = self.meta["alphabet"]
        self.height, self.width = int(self.meta["input_height"]), int(self.meta["input_width"])
        self._model = TfliteModel(self.path, num_threads=num_threads, what="CRNN")
        expected = (1, self.height, self.width, 1)
        if self._model.input_shape != expected:
            raise OcrError(
                f"CRNN weights {self.path} take input {self._model.input_shape}, sidecar says {expected}; "
                f"{RETRAIN_HINT}"
            )
        self.rectifier = get_rectifier(rectifier, num_threads=num_threads)
        self.rule = rule or sidecar_rule(self.meta)

    def probabilities(self, plate: np.ndarray) -> np.ndarray:
        """Per-column class probabilities ``(T, classes)`` for one upright uint8 RGB plate."""
        return self._model.run(crnn_input(plate, self.height, self.width))

    def read_plate(self, plate: np.ndarray) -> PlateReading:
        """Read one upright plate (uint8 RGB, as rectified by :meth:`read`)."""
        text, confs = greedy_decode(self.probabilities(plate), self.alphabet)
        return make_reading(text, confs, self.name, self.rule)

    def info(self) -> dict[str, Any]:
        return {
            "reader": self.name,
            "engine": "ai-edge-litert",
            "weights": str(self.path),
            "precision": self.meta.get("precision", "unknown"),
            "size_bytes": self.path.stat().st_size,
            "rectifier": self.rectifier.info(),
            "min_confidence": self.rule.to_dict(),
        }


__all__ = ["SHIPPED", "WEIGHTS_DIR", "CrnnReader", "read_sidecar", "sidecar_rule", "weights_path"]
