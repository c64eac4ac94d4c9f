"""Where each ``--backend`` finds its detector file: the shipped models, or exports made once and cached.

``keras`` and ``tflite-int8`` use the files shipped in ``plate_reader/models``. ``tflite`` (float32),
``onnx``, ``tvm`` and ``tensorrt`` are exported from the shipped Keras model on first use into a cache
folder (``$EDGESMITH_CACHE`` or ``~/.cache/edgesmith``), keyed by the Keras file's hash, each with a sidecar.
"""

from __future__ import annotations

import os
from pathlib import Path

from edgesmith.profiling.artifacts import Artifact, file_hash, load_sidecar, update_sidecar

MODELS_DIR = Path(__file__).resolve().parent / "models"
KERAS_MODEL = MODELS_DIR / "plate_detector.keras"
INT8_MODEL = MODELS_DIR / "plate_detector_int8.tflite"

BACKENDS: dict[str, str] = {
    "keras": "keras",
    "tflite": "tflite",
    "tflite-int8": "tflite",
    "onnx": "onnx",
    "tvm": "tvm",
    "tensorrt": "tensorrt",
}
"""``--backend`` choice → edgesmith.profiling runner-registry name."""

SHIPPED: dict[str, str] = {"keras": ".keras", "tflite-int8": "_int8.tflite"}
"""``--backend`` served by a file shipped beside the Keras model → its name after the Keras stem."""

EXPORTED: dict[str, tuple[str, str, dict[str, object]]] = {
    "tflite": ("tflite-fp32", ".tflite", {}),
    "onnx": ("onnx-fp32", ".onnx", {}),
    "tvm": ("tvm-fp32", ".tvm", {}),
    "tensorrt": ("tensorrt-fp32", ".engine", {"min_batch": 1, "opt_batch": 1, "max_batch": 8}),
}
"""``--backend`` exported on first use → (exporter variant, file suffix, exporter options)."""


class ArtifactError(RuntimeError):
    """A detector file is missing or cannot be exported for a backend; the message names the fix."""


def cache_dir() -> Path:
    """Folder for exported detector variants: ``$EDGESMITH_CACHE`` (or ``~/.cache/edgesmith``)/plate-reader"""
    root = os.environ.get("EDGESMITH_CACHE") or Path.home() / ".cache" / "edgesmith"
    return Path(root) / "plate-reader"


def _require(path: Path) -> Path:
    if not path.is_file():
        raise ArtifactError(
            f"{path}: detector model missing; reinstall plate-reader or retrain it with "
            "`uv run python tools/train_plate_detector.py`"
        )
    return path


def detector_artifact(backend: str, keras_model: str | os.PathLike[str] | None = None) -> Path:
    """The detector file for ``backend`` (exporting and caching it from the Keras model when needed)."""
    if backend not in BACKENDS:
        raise ArtifactError(f"unknown backend {backend!r}; choose one of: {', '.join(BACKENDS)}")
    source = _require(Path(keras_model) if keras_model is not None else KERAS_MODEL)
    if backend in SHIPPED:  # plate_detector.keras, plate_detector_int8.tflite (or a retrained pair)
        return _require(source.with_name(source.name.removesuffix(".keras") + SHIPPED[backend]))
    _check_available(backend)
    variant, suffix, options = EXPORTED[backend]
    digest = file_hash(source)
    target = cache_dir() / digest[:16] / f"plate_detector{suffix}"
    cached = load_sidecar(target) if target.exists() else None
    if cached is not None and cached.extra.get("keras_source_sha256") == digest:
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    _export(source, variant, target, options)
    update_sidecar(target, extra={"keras_source_sha256": digest})  # the cache key, whatever the chain
    return target


def _export(source: Path, variant: str, target: Path, options: dict[str, object]) -> None:
    """Export through the exporter registry; a variant that cannot start from Keras starts from ONNX."""
    from edgesmith.profiling.exporters import ExporterError, export, parse_variant

    try:
        exporter, _ = parse_variant(variant)
        start = Artifact.open(source, format="keras")
        if start.format not in exporter.sources:
            start = Artifact.open(detector_artifact("onnx", source))
        export(start, variant, target, **options)
    except ExporterError as exc:
        raise ArtifactError(str(exc)) from exc


def _check_available(backend: str) -> None:
    """Refuse early (before exporting anything) when the backend's runner cannot run on this machine."""
    from edgesmith.profiling import RunnerError, runner_class

    try:
        ok, why = runner_class(BACKENDS[backend]).available()
    except RunnerError as exc:
        raise ArtifactError(str(exc)) from exc
    if not ok:
        raise ArtifactError(f"{backend}: {why}" if not why.startswith(backend) else why)


__all__ = [
    "BACKENDS",
    "EXPORTED",
    "INT8_MODEL",
    "KERAS_MODEL",
    "MODELS_DIR",
    "SHIPPED",
    "ArtifactError",
    "cache_dir",
    "detector_artifact",
]
