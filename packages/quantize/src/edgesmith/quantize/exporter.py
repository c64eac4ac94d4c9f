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
    precisions = ("fp32", "fp16", "dynamic", "int8", "int8-fallback", "int8-guarded")
    opt_in = ("int8-guarded",)  # a per-layer search: the matrix builds it only when --variants names it

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

        if (
            precision == "int8-guarded"
        ):  # options: max_loss, metric, eval_x, eval_y (edgesmith.quantize.guard)
            return self._export_guarded(
                source, out, calibration, io_dtype, calibration_samples, seed, options
            )
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

    def _export_guarded(
        self,
        source: Artifact,
        out: Path,
        calibration: Calibration | None,
        io_dtype: str | None,
        calibration_samples: int,
        seed: int,
        options: dict[str, Any],
    ) -> Artifact:
        """Full-int8 with the fewest layers in float that keep the loss within ``max_loss`` (default 1)."""
        from edgesmith.quantize.errors import CalibrationError
        from edgesmith.quantize.guard import export_guarded

        if calibration is None:
            raise CalibrationError("tflite-int8-guarded needs calibration data (it also scores the layers)")
        export_guarded(
            source.path,
            out,
            calibration_array(calibration),
            max_loss=float(options.get("max_loss", 1.0)),
            metric=str(options.get("metric", "auto")),
            eval_x=options.get("eval_x"),
            eval_y=options.get("eval_y"),
            source_sha256=source.sha256,
            io_dtype=io_dtype or "int8",
            calibration_samples=calibration_samples,
            seed=seed,
        )
        sidecar = load_sidecar(out)
        assert sidecar is not None  # export_guarded wrote it
        made = dataclasses.replace(sidecar, source=source.source_ref(), precision="int8-guarded")
        return Artifact(out, made).save_sidecar()


__all__ = ["MODES", "TFLiteExporter"]
