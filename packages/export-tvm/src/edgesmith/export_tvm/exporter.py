"""The TVM exporter (``edgesmith.exporters`` entry point ``tvm``): ONNX or TFLite -> a compiled ``.tvm``
library folder through :func:`edgesmith.export_tvm.compile_model`."""

from __future__ import annotations

import dataclasses
import importlib.util
from pathlib import Path
from typing import Any, ClassVar

from edgesmith.profiling.artifacts import Artifact, load_sidecar
from edgesmith.profiling.exporters import Calibration, ExporterError


class TVMExporter:
    """ONNX/TFLite model -> ``.tvm`` folder; TVM compiles the precision the source already has."""

    name = "tvm"
    sources = ("onnx", "tflite")
    precisions = ("fp32", "int8")
    # The own-model matrix builds these only when --variants names them, and says why in their row.
    on_request: ClassVar[dict[str, str]] = {
        "int8": "TVM runs a TFLite int8 model in float between its quantize/dequantize ops (slower than "
        "tvm-fp32, and MobileNetV2's compile takes minutes); name tvm-int8 in --variants to build it",
    }

    def unavailable(self) -> str | None:
        if importlib.util.find_spec("tvm") is None:  # found, not imported: that takes seconds
            return "Apache TVM is not installed; pip install edgesmith-export-tvm"
        return None

    def export(
        self,
        source: Artifact,
        precision: str,
        out: Path,
        *,
        calibration: Calibration | None = None,
        **options: Any,
    ) -> Artifact:
        """Options go to ``compile_model``: ``target`` (default ``native``: this CPU's vector units, as the
        ``edgesmith-tvm`` commands; plain ``llvm`` leaves AVX unused and runs several times slower),
        ``opt_level``, ``batch``, ``tuning_log``, ``cc``."""
        from edgesmith.export_tvm.compile import compile_model

        fp16_weights = source.precision == "fp16" and precision == "fp32"  # dequantized, computed in fp32
        if source.precision not in ("unknown", precision) and not fp16_weights:
            raise ExporterError(
                f"{source.path}: TVM compiles the model as it is ({source.precision}); ask for "
                f"tvm-{source.precision} or export a {precision} source first"
            )
        compile_model(source.path, out, **options)
        sidecar = load_sidecar(out)
        assert sidecar is not None  # compile_model wrote it
        made = dataclasses.replace(sidecar, source=source.source_ref())
        return Artifact(out, made).save_sidecar()


__all__ = ["TVMExporter"]
