"""The Edge TPU exporter (``edgesmith.exporters`` entry point ``edgetpu``): an int8 TFLite model ->
``*_edgetpu.tflite`` through Google's ``edgetpu_compiler`` (absent here: the exporter says how to get it)."""

from __future__ import annotations

import dataclasses
import os
import tempfile
from pathlib import Path
from typing import Any

from edgesmith.profiling.artifacts import Artifact, load_sidecar, sidecar_path
from edgesmith.profiling.exporters import Calibration, ExporterError


class EdgeTPUExporter:
    """Full-integer ``.tflite`` -> Edge TPU compiled ``.tflite`` (int8 only), with the compiler log parsed."""

    name = "edgetpu"
    sources = ("tflite",)
    precisions = ("int8",)

    def unavailable(self) -> str | None:
        from edgesmith.export_edgetpu.compiler import INSTALL_HINT, find_compiler

        return None if find_compiler() else INSTALL_HINT

    def export(
        self,
        source: Artifact,
        precision: str,
        out: Path,
        *,
        calibration: Calibration | None = None,
        **options: Any,
    ) -> Artifact:
        """Options are :class:`~edgesmith.export_edgetpu.CompileOptions` fields (``min_runtime_version``,
        ``num_segments``, ``search_delegate`` ...). The compiler's log lands beside ``out`` as ``.log``."""
        from edgesmith.export_edgetpu.compiler import CompileOptions, compile_models

        if source.precision not in ("unknown", "int8"):
            raise ExporterError(
                f"{source.path}: the Edge TPU runs full-integer models, this one is {source.precision}; "
                "export tflite-int8 first"
            )
        out.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix=".edgetpu-export-", dir=out.parent) as tmp:
            result = compile_models([source.path], tmp, CompileOptions(**options))
            model = next(p for p in result.outputs if p.name.endswith("_edgetpu.tflite"))
            log = next((p for p in result.outputs if p.suffix == ".log"), None)
            os.replace(model, out)
            if log is not None:
                os.replace(log, out.with_suffix(".log"))
            side = load_sidecar(model)
            assert side is not None  # compile_models wrote it
            sidecar_path(model).unlink(missing_ok=True)
        made = dataclasses.replace(side, artifact=out.name, source=source.source_ref())
        return Artifact(out, made).save_sidecar()


__all__ = ["EdgeTPUExporter"]
