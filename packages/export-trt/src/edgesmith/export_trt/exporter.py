"""The ONNX and TensorRT exporters (``edgesmith.exporters`` entry points ``onnx`` and ``tensorrt``):
Keras -> ONNX through tf2onnx, ONNX -> TensorRT engine at fp32/fp16/int8 with a calibration cache."""

from __future__ import annotations

import dataclasses
import importlib.util
from pathlib import Path
from typing import Any

from edgesmith.profiling.artifacts import Artifact, load_sidecar
from edgesmith.profiling.exporters import Calibration, calibration_array


def _made(out: Path, source: Artifact) -> Artifact:
    sidecar = load_sidecar(out)
    assert sidecar is not None  # the builder wrote it
    return Artifact(out, dataclasses.replace(sidecar, source=source.source_ref())).save_sidecar()


class OnnxExporter:
    """Keras or TFLite model -> ``.onnx`` (fp32), checked against its source on a few samples; ONNX model ->
    the same graph with its ``input_shapes`` fixed and simplified by onnxslim (what TVM and TensorRT need)."""

    name = "onnx"
    sources = ("keras", "onnx", "tflite")
    precisions = ("fp32",)

    def unavailable(self) -> str | None:
        missing = [m for m in ("tensorflow", "tf2onnx", "onnx") if importlib.util.find_spec(m) is None]
        return f"{', '.join(missing)} not installed; pip install edgesmith-export-trt" if missing else None

    def export(
        self,
        source: Artifact,
        precision: str,
        out: Path,
        *,
        calibration: Calibration | None = None,
        opset: int | None = None,
        batch: int | None = None,
        samples: Any = None,
        verify: bool = True,
        **options: Any,
    ) -> Artifact:
        """Options: ``opset``, ``batch`` (None: dynamic), ``samples`` (inputs the Keras/ORT check runs on;
        default: the first calibration batch, else random inputs), ``verify``."""
        convert = {"keras": _keras_to_onnx, "onnx": _fix_onnx, "tflite": _tflite_to_onnx}[source.format]
        convert(
            source,
            out,
            calibration=calibration,
            opset=opset,
            batch=batch,
            samples=samples,
            verify=verify,
            input_shapes=options.get("input_shapes"),
        )
        return _made(out, source)


def _keras_to_onnx(
    source: Artifact,
    out: Path,
    *,
    calibration: Calibration | None,
    opset: int | None,
    batch: int | None,
    samples: Any,
    verify: bool,
    **_: Any,
) -> None:
    """tf2onnx conversion, checked against Keras on the first calibration samples (or random inputs)."""
    from edgesmith.export_trt.onnx_export import DEFAULT_OPSET, keras_to_onnx

    if samples is None and calibration is not None:
        samples = calibration_array(calibration, limit=4)
    keras_to_onnx(source.path, out, opset=opset or DEFAULT_OPSET, batch=batch, samples=samples, verify=verify)


def _tflite_to_onnx(
    source: Artifact,
    out: Path,
    *,
    calibration: Calibration | None,
    opset: int | None,
    samples: Any,
    verify: bool,
    **_: Any,
) -> None:
    """tf2onnx's TFLite frontend, checked against the TFLite interpreter on the first calibration samples."""
    from edgesmith.export_trt.onnx_export import DEFAULT_OPSET
    from edgesmith.export_trt.tflite_onnx import tflite_to_onnx

    if samples is None and calibration is not None:
        samples = calibration_array(calibration, limit=2)
    tflite_to_onnx(source.path, out, opset=opset or DEFAULT_OPSET, samples=samples, verify=verify)


def _fix_onnx(
    source: Artifact, out: Path, *, input_shapes: dict[str, tuple[int, ...]] | None, **_: Any
) -> None:
    """The user's ONNX with its input shapes fixed and simplified by onnxslim."""
    from edgesmith.export_trt.onnx_shapes import prepare_onnx

    prepare_onnx(source.path, out, input_shapes)


class TensorRTExporter:
    """ONNX model -> TensorRT ``.engine`` (fp32, fp16, int8 with an entropy calibrator and cache)."""

    name = "tensorrt"
    sources = ("onnx",)
    precisions = ("fp32", "fp16", "int8")

    def unavailable(self) -> str | None:
        from edgesmith.export_trt.errors import TensorRTUnavailable
        from edgesmith.export_trt.gpu import import_tensorrt

        try:
            import_tensorrt()
        except TensorRTUnavailable as exc:
            return str(exc).splitlines()[0]
        return None

    def export(
        self,
        source: Artifact,
        precision: str,
        out: Path,
        *,
        calibration: Calibration | None = None,
        max_batch: int = 8,
        opt_batch: int = 1,
        min_batch: int = 1,
        workspace_mib: int = 1024,
        cache_path: str | Path | None = None,
        calibration_batch: int = 8,
        calibration_samples: int | None = None,
        **options: Any,
    ) -> Artifact:
        """Options: the batch profile (``min_batch``/``opt_batch``/``max_batch``), ``workspace_mib``,
        ``cache_path`` (an int8 calibration cache reused across builds), ``calibration_batch`` and
        ``calibration_samples`` (a seeded subset of the calibration data)."""
        from edgesmith.export_trt.calibration import CalibrationBatcher
        from edgesmith.export_trt.engine import BuildConfig, build_engine

        cfg = BuildConfig(
            precision=precision,
            min_batch=min_batch,
            opt_batch=opt_batch,
            max_batch=max_batch,
            workspace_mib=workspace_mib,
            cache_path=Path(cache_path) if cache_path else None,
        )
        if precision == "int8" and calibration is not None:
            x = calibration_array(calibration)
            cfg.calibration = CalibrationBatcher(
                x, batch_size=calibration_batch, max_samples=calibration_samples
            )
        build_engine(source.path, out, cfg)
        return _made(out, source)


__all__ = ["OnnxExporter", "TensorRTExporter"]
