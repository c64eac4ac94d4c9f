"""Exporter registry filled from the ``edgesmith.exporters`` entry-point group, and :func:`export`.

A backend package plugs an exporter in by declaring, in its ``pyproject.toml``::

    [project.entry-points."edgesmith.exporters"]
    tflite = "edgesmith.quantize.exporter:TFLiteExporter"

An app then names the variants it wants and never the tools that make them::

    from edgesmith.profiling.artifacts import Artifact
    from edgesmith.profiling.exporters import export
    keras = Artifact.open("model.keras")
    int8 = export(keras, "tflite-int8", "out/model_int8.tflite", calibration=lambda: iter([x_train[:100]]))
    onnx = export(keras, "onnx", "out/model.onnx")            # precision defaults to the exporter's first
    engine = export(onnx, "tensorrt-fp16", "out/model_fp16.engine")

A variant is ``family-precision`` (``tflite-int8``, ``tensorrt-fp16``); the family is the exporter's name.
"""

from __future__ import annotations

import dataclasses
import functools
import os
from collections.abc import Callable, Iterable
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import numpy as np

from edgesmith.profiling.artifacts import Artifact, CalibrationInfo
from edgesmith.profiling.errors import EdgesmithError, ExitCode
from edgesmith.profiling.plugins import load_plugin

GROUP = "edgesmith.exporters"

Calibration = Callable[[], Iterable[np.ndarray]]
"""A function returning an iterable of float32 batches shaped like the model input, ``(N, ...)``."""


class ExporterError(EdgesmithError, RuntimeError):
    """An export cannot start or failed; the message names the problem and the fix (exit status 2)."""


class ExporterUnavailable(ExporterError):
    """The exporter's tool or hardware is absent; the message says what to install or attach (exit 3)."""

    exit_code = ExitCode.MISSING_DEPENDENCY


@runtime_checkable
class Exporter(Protocol):
    """What every exporter implements; registered under ``edgesmith.exporters``."""

    name: str  # variant family: "tflite", "onnx", "tvm", "tensorrt", "edgetpu"
    sources: tuple[str, ...]  # source formats accepted: "keras", "onnx", "tflite"
    precisions: tuple[str, ...]  # e.g. ("fp32", "fp16", "dynamic", "int8") for tflite

    def unavailable(self) -> str | None:
        """``None`` when usable here, else the reason and what to install."""

    def export(
        self,
        source: Artifact,
        precision: str,
        out: Path,
        *,
        calibration: Calibration | None = None,
        **options: Any,
    ) -> Artifact:
        """Make ``out`` from ``source`` at ``precision``; write its sidecar; leave nothing on failure."""


@functools.cache
def _entry_points() -> dict[str, Any]:
    return {ep.name: ep for ep in entry_points(group=GROUP)}


def exporter_names() -> list[str]:
    """Names of every registered exporter family, usable here or not."""
    return sorted(_entry_points())


@functools.cache
def get_exporter(name: str) -> Exporter:
    """The exporter registered under ``name``; a one-line error lists the known names."""
    none = "none (install an edgesmith backend package)"
    obj = load_plugin(_entry_points(), name, "exporter", ExporterError, none)
    return obj() if isinstance(obj, type) else obj


def available_exporters() -> dict[str, str | None]:
    """Each registered exporter with ``None`` when it can export here, else why not."""
    out: dict[str, str | None] = {}
    for name in exporter_names():
        try:
            out[name] = get_exporter(name).unavailable()
        except ExporterError as exc:
            out[name] = str(exc)
    return out


def variants() -> list[str]:
    """Every ``family-precision`` variant the registered exporters can make (usable here or not)."""
    out = []
    for name in exporter_names():
        try:
            out += [f"{name}-{p}" for p in get_exporter(name).precisions]
        except ExporterError:
            continue
    return out


def parse_variant(variant: str) -> tuple[Exporter, str]:
    """``"tflite-int8"`` -> (the tflite exporter, ``"int8"``); a bare family takes its first precision."""
    family, _, precision = variant.strip().lower().partition("-")
    exporter = get_exporter(family)
    precision = precision or exporter.precisions[0]
    if precision not in exporter.precisions:
        raise ExporterError(
            f"{family} cannot export {precision!r}; choose one of: "
            + ", ".join(f"{family}-{p}" for p in exporter.precisions)
        )
    return exporter, precision


def export(
    source: Artifact | str | os.PathLike[str],
    variant: str,
    out: str | os.PathLike[str],
    *,
    calibration: Calibration | None = None,
    calibration_info: CalibrationInfo | None = None,
    **options: Any,
) -> Artifact:
    """Export ``source`` (an artifact or a path) to ``variant`` at ``out`` and return the new artifact.

    ``calibration`` feeds integer variants; ``calibration_info`` (the data spec and its preprocessing) is
    recorded in the new artifact's sidecar next to the hash and count the exporter measured.
    Backend ``options`` (``opset=``, ``target=``, ``io_dtype=`` ...) go to the exporter unchanged.
    """
    exporter, precision = parse_variant(variant)
    src = source if isinstance(source, Artifact) else Artifact.open(source)
    if src.format not in exporter.sources:
        raise ExporterError(
            f"{src.path}: {exporter.name} exports from {' or '.join(exporter.sources)}, not {src.format}; "
            f"export the model to {exporter.sources[0]} first"
        )
    why = exporter.unavailable()
    if why:
        raise ExporterUnavailable(f"{variant}: {why}")
    out_path = Path(out)
    if out_path.exists() and out_path.resolve() == src.path.resolve():
        raise ExporterError(f"{out_path}: the output would overwrite its source; choose another name")
    if not out_path.parent.is_dir():
        raise ExporterError(f"{out_path}: folder {out_path.parent} does not exist; create it first")
    result = exporter.export(src, precision, out_path, calibration=calibration, **options)
    if calibration_info is not None:
        measured = result.sidecar.calibration or CalibrationInfo()
        merged = dataclasses.replace(
            measured,
            spec=calibration_info.spec or measured.spec,
            preprocess=calibration_info.preprocess or measured.preprocess,
            hash=measured.hash or calibration_info.hash,
            samples=measured.samples if measured.samples is not None else calibration_info.samples,
            details={**dict(calibration_info.details), **dict(measured.details)},
        )
        result = result.save_sidecar(dataclasses.replace(result.sidecar, calibration=merged))
    return result


def calibration_array(calibration: Calibration | None, limit: int | None = None) -> np.ndarray | None:
    """All batches of a calibration function as one float32 ``(N, ...)`` array (first ``limit`` samples)."""
    if calibration is None:
        return None
    batches, total = [], 0
    for batch in calibration():
        arr = np.asarray(batch, dtype=np.float32)
        batches.append(arr)
        total += len(arr)
        if limit is not None and total >= limit:
            break
    if not batches:
        raise ExporterError("the calibration data yielded no batch; pass at least one (100 samples advised)")
    x = np.concatenate(batches)
    return x[:limit] if limit is not None else x


__all__ = [
    "GROUP",
    "Calibration",
    "Exporter",
    "ExporterError",
    "ExporterUnavailable",
    "available_exporters",
    "calibration_array",
    "export",
    "exporter_names",
    "get_exporter",
    "parse_variant",
    "variants",
]
