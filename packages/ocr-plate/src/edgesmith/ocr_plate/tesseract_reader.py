"""Document 001's reader: preprocessed crop → Tesseract (pytesseract), last digit re-read with ``--psm 10``.

The whole plate is read as one text line (``--psm 7``) restricted to the plate alphabet; the last
glyph is then cut out and read again as a single character with the digits-only whitelist, exactly
the call the Costa Rica plate study used for the restriction digit. Tesseract reports confidence per
word, so each character gets its word's confidence, and the last one the ``--psm 10`` confidence.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Iterator
from typing import Any

import cv2
import numpy as np

from edgesmith.ocr_plate.confidence_rule import ConfidenceRule
from edgesmith.ocr_plate.plate_format import DIGITS, PLATE_ALPHABET
from edgesmith.ocr_plate.preprocess import prepare_for_tesseract
from edgesmith.ocr_plate.reading import (
    OcrError,
    PlateReader,
    PlateReading,
    ReaderUnavailable,
    make_reading,
)

TESSERACT_RULE = ConfidenceRule.single(0.55)
"""Confidence every Tesseract character needs before a day is named: the value all readers shared until
the CRNN's own validation sweep chose its thresholds (``CRNN_RULE``); Tesseract's confidences are on
another scale, so the CRNN's choice does not carry over."""

LINE_CONFIG = f"--psm 7 --oem 3 -c tessedit_char_whitelist={PLATE_ALPHABET}"
DIGIT_CONFIG = f"--psm 10 --oem 3 -c tessedit_char_whitelist={DIGITS}"
INSTALL_HINT = (
    "install the Debian package tesseract-ocr (sudo apt-get install tesseract-ocr tesseract-ocr-eng) "
    "or use the crnn reader, which needs no system binary"
)


def _pytesseract() -> Any:
    """Import pytesseract lazily, with the install hint when it is absent."""
    try:
        import pytesseract
    except ImportError as exc:  # pragma: no cover - declared dependency
        raise ReaderUnavailable(
            f"pytesseract is not installed: pip install pytesseract, then {INSTALL_HINT}"
        ) from exc
    return pytesseract


def last_glyph_box(binary: np.ndarray) -> tuple[int, int, int, int] | None:
    """``(x, y, w, h)`` of the rightmost text-height ink blob in a dark-on-white binary image, or ``None``."""
    ink = (binary < 128).astype(np.uint8)
    count, _labels, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    if count <= 1:
        return None
    boxes = stats[1:, :4]
    tallest = boxes[:, 3].max()
    glyphs = boxes[(boxes[:, 3] >= 0.6 * tallest) & (stats[1:, 4] > 10)]
    if len(glyphs) == 0:
        return None
    x, y, w, h = glyphs[np.argmax(glyphs[:, 0] + glyphs[:, 2])]
    return int(x), int(y), int(w), int(h)


class TesseractReader(PlateReader):
    """Tesseract through pytesseract: line read with the plate whitelist + ``--psm 10`` digit read."""

    name = "tesseract"

    def __init__(
        self,
        tesseract_cmd: str | None = None,
        text_height: int = 48,
        rectifier: Any = None,
        rule: ConfidenceRule = TESSERACT_RULE,
    ) -> None:
        from edgesmith.ocr_plate.rectify import get_rectifier

        self.rectifier = get_rectifier(rectifier)
        self.rule = rule
        self._pt = _pytesseract()
        # pytesseract keeps the binary in a module global: remember ours and set it only around our calls,
        # so one reader built with another binary does not change every other reader in the process.
        self.tesseract_cmd = tesseract_cmd or self._pt.pytesseract.tesseract_cmd
        missing = f"Tesseract binary {self.tesseract_cmd!r} not found: {INSTALL_HINT}"
        if shutil.which(self.tesseract_cmd) is None:
            raise ReaderUnavailable(missing)
        try:
            with self._binary():
                self.version = str(self._pt.get_tesseract_version())
        except self._pt.TesseractNotFoundError as exc:
            raise ReaderUnavailable(missing) from exc
        self.text_height = text_height
        # Tesseract's OpenMP threads cost more than they give on one small line (measured 2.5× slower)
        os.environ.setdefault("OMP_THREAD_LIMIT", "1")

    @contextlib.contextmanager
    def _binary(self) -> Iterator[None]:
        """Point pytesseract at this reader's binary for the duration of one call."""
        module = self._pt.pytesseract
        previous, module.tesseract_cmd = module.tesseract_cmd, self.tesseract_cmd
        try:
            yield
        finally:
            module.tesseract_cmd = previous

    def _data(self, image: np.ndarray, config: str) -> tuple[str, list[float]]:
        """Run ``image_to_data``: the text read and one confidence in [0, 1] per character."""
        try:
            with self._binary():
                data = self._pt.image_to_data(image, config=config, output_type=self._pt.Output.DICT)
        except self._pt.TesseractError as exc:
            raise OcrError(f"Tesseract failed on a crop: {str(exc).strip().splitlines()[-1]}") from exc
        text, confs = "", []
        for word, conf in zip(data["text"], data["conf"], strict=True):
            word = str(word).strip()
            if not word:
                continue
            text += word
            confs.extend([max(0.0, float(conf)) / 100.0] * len(word))
        return text, confs

    def read_plate(self, plate: np.ndarray) -> PlateReading:
        """Read an upright uint8 RGB plate; the last character is re-read as a digit (``--psm 10``)."""
        binary = prepare_for_tesseract(plate, text_height=self.text_height)
        text, confs = self._data(binary, LINE_CONFIG)
        box = last_glyph_box(binary)
        if box is not None and text:
            x, y, w, h = box
            pad = max(4, h // 4)
            glyph = cv2.copyMakeBorder(
                binary[y : y + h, x : x + w], pad, pad, pad, pad, cv2.BORDER_CONSTANT, value=255
            )
            digit, digit_confs = self._data(glyph, DIGIT_CONFIG)
            if len(digit) == 1:
                text = text[:-1] + digit
                confs = [*confs[:-1], digit_confs[0]]
        return make_reading(text, tuple(confs), self.name, self.rule)

    def info(self) -> dict[str, Any]:
        return {
            "reader": self.name,
            "engine": f"tesseract {self.version}",
            "line_config": LINE_CONFIG,
            "rectifier": self.rectifier.info(),
            "min_confidence": self.rule.to_dict(),
        }


__all__ = ["DIGIT_CONFIG", "LINE_CONFIG", "TesseractReader", "last_glyph_box"]
