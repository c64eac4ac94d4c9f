"""The TFLite exporter (``edgesmith.exporters`` entry point ``tflite``): Keras -> TFLite in every
post-training precision, through :func:`edgesmith.quantize.convert`."""

from __future__ import annotations

import dataclasses
import importlib.util
from pathlib import Path
from typing import Any

from edgesmith.profiling.artifacts import Artifact, load_sidecar
from edgesmith.profiling.exporters import Calibration, calibration_array

MODES = {"fp32": "float32", "fp16": "float16", "dynamic": "dynamic", "int8": "int8"}
"""Variant precision -> :class:`edgesmith.quantize.Mode` value (``int8-fallback`` keeps its name)."""


class TFLiteExporter:
    """Keras model -> ``.tflite`` (fp32, fp16, dynamic-range, full-integer int8 with calibration)."""

    name = "tflite"
    sources = ("keras",)
    precisions = ("fp32", "fp16", "dynamic", "int8", "int8-fallback")

    def unavailable(self) -> str | None:
        if importlib.util.find_spec("tensorflow") is None:  # found, not imported: that takes seconds
            return "TensorFlow is not installed; pip install edgesmith-quantize"
        return None

    def export(
        self,
        source: Artifact,
        precision: str,
        out: Path,
        *,
        calibration: Calibration | None = None,
        io_dtype: str | None = None,
        calibration_samples: int = 100,
        seed: int = 0,
        static_batch: int | None = None,
        **options: Any,
    ) -> Artifact:
        """Options: ``io_dtype`` (int8 / uint8 / float32 for full-integer models), ``calibration_samples``
        (picked at random with ``seed`` from the calibration data), ``static_batch`` (fix the batch size,
        e.g. 1 for the Edge TPU compiler, which rejects dynamic shapes), ``training`` (a recipe to record)."""
        from edgesmith.quantize.converter import convert

        mode = MODES.get(precision, precision)
        representative = calibration_array(calibration) if mode in ("int8", "int8-fallback") else None
        model: Any = source.path
        if static_batch is not None:
            from edgesmith.models import load_model, with_static_batch

            model = with_static_batch(load_model(source.path, compile=False), static_batch)
        convert(  # its QuantizeError subclasses (bad calibration, unquantizable op) reach the caller
            model,
            mode,
            representative,
            io_dtype,
            calibration_samples=calibration_samples,
            seed=seed,
            output=out,
            training=options.get("training"),
            source_sha256=source.sha256,
        )
        sidecar = load_sidecar(out)
        assert sidecar is not None  # convert wrote it
        made = Artifact(out, dataclasses.replace(sidecar, source=source.source_ref()))
        return made.save_sidecar()


__all__ = ["MODES", "TFLiteExporter"]
