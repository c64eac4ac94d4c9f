"""Reader registry: one name → one :class:`~edgesmith.ocr_plate.reading.PlateReader`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from edgesmith.ocr_plate.reading import PlateReader

DEFAULT_READER = "crnn"


def _crnn(**kwargs: Any) -> PlateReader:
    from edgesmith.ocr_plate.crnn_reader import CrnnReader

    return CrnnReader(**kwargs)


def _tesseract(**kwargs: Any) -> PlateReader:
    from edgesmith.ocr_plate.tesseract_reader import TesseractReader

    return TesseractReader(**kwargs)


READERS: dict[str, Callable[..., PlateReader]] = {"crnn": _crnn, "tesseract": _tesseract}


def get_reader(name: str = DEFAULT_READER, **kwargs: Any) -> PlateReader:
    """A ready reader: ``"crnn"`` (default; kwargs ``model``, ``num_threads``) or ``"tesseract"``.

    Both take ``rectifier`` (``corners`` by default, ``contour``, ``margin`` or an object) and ``rule``
    (a :class:`~edgesmith.ocr_plate.confidence_rule.ConfidenceRule`; default: the reader's own).
    """
    factory = READERS.get(name)
    if factory is None:
        raise ValueError(f"unknown plate reader {name!r}; choose one of: {', '.join(READERS)}")
    return factory(**kwargs)


__all__ = ["DEFAULT_READER", "READERS", "get_reader"]
