"""Convert a trained CRNN to the TFLite files the reader runs, through edgesmith.quantize (training only).

float32 is a plain conversion; int8 is full-integer post-training quantization with int8 input and
output (edgesmith.quantize checks that every op ended up int8), calibrated on plate crops.
"""

from __future__ import annotations

from typing import Any

import numpy as np

PRECISIONS = ("float32", "int8")


def export_crnn(
    model: Any,
    precision: str = "float32",
    calibration: np.ndarray | None = None,
    calibration_samples: int = 300,
    seed: int = 0,
) -> Any:
    """A ``QuantizedArtifact`` (``.content`` bytes, ``.sidecar()``) of ``model`` in ``precision``.

    ``calibration``: (N, H, W, 1) float32 crops in [0, 1], required for int8; ``calibration_samples`` of
    them are picked with ``seed``.
    """
    from edgesmith.quantize import convert

    if precision not in PRECISIONS:
        raise ValueError(f"unknown precision {precision!r}; use {' or '.join(PRECISIONS)}")
    return convert(
        model,
        precision,
        representative=calibration,
        calibration_samples=calibration_samples,
        seed=seed,
    )


__all__ = ["PRECISIONS", "export_crnn"]
