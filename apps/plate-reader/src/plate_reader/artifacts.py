"""Where each ``--backend`` finds its detector file: the shipped models, or exports made once and cached.

``keras`` and ``tflite-int8`` use the files shipped in ``plate_reader/models``. ``tflite`` (float32),
``onnx``, ``tvm`` and ``tensorrt`` are exported from the shipped Keras model on first use into a cache
folder (``$EDGESMITH_CACHE`` or ``~/.cache/edgesmith``), keyed by the Keras file's hash, each with a sidecar.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from edgesmith.profiling.artifacts import file_hash, read_sidecar, write_sidecar

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
    if backend == "keras":
        return source
    if backend == "tflite-int8":
        if keras_model is not None:
            sibling = source.with_name(source.name.removesuffix(".keras") + "_int8.tflite")
            return _require(sibling)
        return _require(INT8_MODEL)
    _check_available(backend)
    exporter, suffix = _EXPORTERS[backend]
    digest = file_hash(source)
    target = cache_dir() / digest[:16] / f"plate_detector{suffix}"
    if target.exists() and (read_sidecar(target) or {}).get("source_model_sha256") == digest:
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    meta = exporter(source, target)
    # keep what the exporter recorded in its own sidecar (e.g. ONNX max_abs_error), add the provenance
    write_sidecar(target, {**(read_sidecar(target) or {}), **meta, "source_model": str(source),
                           "source_model_sha256": digest})  # fmt: skip
    return target


def _check_available(backend: str) -> None:
    """Refuse early (before exporting anything) when the backend's runner cannot run on this machine."""
    from edgesmith.profiling import RunnerError, runner_class

    try:
        ok, why = runner_class(BACKENDS[backend]).available()
    except RunnerError as exc:
        raise ArtifactError(str(exc)) from exc
    if not ok:
        raise ArtifactError(f"{backend}: {why}" if not why.startswith(backend) else why)


def _export_tflite(source: Path, target: Path) -> dict[str, object]:
    from edgesmith.quantize import convert

    convert(str(source), "float32", output=target)
    return {"format": "tflite", "precision": "fp32", "exporter": "edgesmith.quantize.convert(mode='float32')"}


def _export_onnx(source: Path, target: Path) -> dict[str, object]:
    try:
        from edgesmith.export_trt import keras_to_onnx
    except ImportError as exc:
        raise ArtifactError(
            "onnx backend: edgesmith.export_trt has no keras_to_onnx here; install edgesmith-export-trt"
        ) from exc
    keras_to_onnx(source, target)
    return {"format": "onnx", "precision": "fp32", "exporter": "edgesmith.export_trt.keras_to_onnx"}


def _export_tvm(source: Path, target: Path) -> dict[str, object]:
    onnx_path = detector_artifact("onnx", source)
    try:
        from edgesmith.export_tvm import compile_model
    except ImportError as exc:
        raise ArtifactError(
            "tvm backend: edgesmith.export_tvm has no compile_model here; install edgesmith-export-tvm"
        ) from exc
    compile_model(onnx_path, target)
    return {
        "format": "tvm",
        "precision": "fp32",
        "exporter": "edgesmith.export_tvm.compile_model",
        "from": "onnx",
    }


def _export_tensorrt(source: Path, target: Path) -> dict[str, object]:
    onnx_path = detector_artifact("onnx", source)
    try:
        from edgesmith.export_trt import BuildConfig, build_engine
    except ImportError as exc:
        raise ArtifactError(
            "tensorrt backend: edgesmith.export_trt has no build_engine here; "
            "install edgesmith-export-trt[gpu]"
        ) from exc
    build_engine(onnx_path, target, BuildConfig(precision="fp32", min_batch=1, opt_batch=1, max_batch=8))
    return {"format": "tensorrt", "precision": "fp32", "exporter": "edgesmith.export_trt.build_engine"}


_EXPORTERS: dict[str, tuple[Callable[[Path, Path], dict[str, object]], str]] = {
    "tflite": (_export_tflite, ".tflite"),
    "onnx": (_export_onnx, ".onnx"),
    "tvm": (_export_tvm, ".tvm"),
    "tensorrt": (_export_tensorrt, ".engine"),
}

__all__ = [
    "BACKENDS",
    "INT8_MODEL",
    "KERAS_MODEL",
    "MODELS_DIR",
    "ArtifactError",
    "cache_dir",
    "detector_artifact",
]
