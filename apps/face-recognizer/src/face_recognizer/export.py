"""Export a trained face model to every format the face study deploys: SavedModel, ONNX, TFLite
float32/float16/int8 and, where TensorRT exists, FP32/FP16/INT8 engines calibrated on the training crops.
Each artifact's sidecar gets the face card; ``manifest.json`` lists them with their test accuracy.
"""

from __future__ import annotations

import dataclasses
import json
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from face_recognizer.card import FaceAppError, FaceCard, merge_into_sidecar, read_card, sidecar_of, write_json
from face_recognizer.training import load_face_splits

FORMATS = ("savedmodel", "onnx", "tflite-float32", "tflite-float16", "tflite-int8", "tensorrt")
DEFAULT_FORMATS = ("onnx", "tflite-float32", "tflite-float16", "tflite-int8", "tensorrt")


@dataclasses.dataclass
class ExportedArtifact:
    """One exported file: its format, precision, the backend that runs it, and its test accuracy (%)."""

    name: str
    path: str | None
    backend: str
    precision: str
    size_bytes: int | None = None
    accuracy: float | None = None
    skipped: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclasses.dataclass
class ExportResult:
    """All artifacts of one export, the float reference and where the manifest is."""

    manifest: Path
    card: FaceCard
    artifacts: list[ExportedArtifact]
    test_samples: int
    calibration_samples: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "manifest": str(self.manifest),
            "face": self.card.to_dict(),
            "test_samples": self.test_samples,
            "calibration_samples": self.calibration_samples,
            "artifacts": [a.to_dict() for a in self.artifacts],
        }


def _size(path: Path) -> int:
    return (
        sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
        if path.is_dir()
        else path.stat().st_size
    )


def _accuracy(path: Path, x: Any, y: Any) -> float:
    from edgesmith.profiling import RunnerError, open_runner
    from edgesmith.profiling.evaluation import evaluate

    try:
        with open_runner(path) as runner:
            return evaluate(runner, (x, y), "accuracy")["accuracy"]
    except (RunnerError, ValueError) as exc:
        raise FaceAppError(f"cannot score {path.name}: {str(exc).splitlines()[0]}") from exc


def export_face_model(
    model: str | os.PathLike[str],
    out_dir: str | os.PathLike[str],
    formats: Sequence[str] = DEFAULT_FORMATS,
    calibration_samples: int = 100,
    crops_dir: str | os.PathLike[str] | None = None,
    evaluate: bool = True,
    on_step: Callable[[str], None] | None = None,
) -> ExportResult:
    """Export ``model`` (a ``face-recognizer train`` output) to ``out_dir`` in ``formats`` and score each
    artifact on the model's test split. int8 artifacts are calibrated on ``calibration_samples`` training
    crops. A format that cannot be built here (TensorRT without a GPU) is listed as skipped, with why.
    """
    from edgesmith.export_trt import ExportError, file_hash, keras_to_onnx
    from edgesmith.models import ModelError, load_model, save_model
    from edgesmith.quantize import QuantizeError, convert

    unknown = sorted(set(formats) - set(FORMATS))
    if unknown:
        raise FaceAppError(f"unknown export format(s) {unknown}; choose from {', '.join(FORMATS)}")
    src = Path(model)
    card = read_card(src)
    splits = load_face_splits(card, crops_dir)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    try:
        keras_model = load_model(src, compile=False)  # inference copy: no optimizer state in the artifact
    except ModelError as exc:
        raise FaceAppError(str(exc)) from exc
    stem = src.stem
    face = {"face": card.to_dict()}
    step = on_step or (lambda name: None)
    arts: list[ExportedArtifact] = []

    step("keras")
    keras_copy = out / src.name
    if keras_copy.resolve() != src.resolve():
        source_meta = json.loads(sidecar_of(src).read_text()).get("metadata", {})
        save_model(keras_model, keras_copy, metadata={**source_meta, "source_sha256": file_hash(src)})
    arts.append(ExportedArtifact("Keras", str(keras_copy), "keras", "fp32", _size(keras_copy)))
    calib = splits.train.x
    try:
        for fmt in formats:
            step(fmt)
            if fmt == "savedmodel":
                path = save_model(keras_model, out / f"{stem}_savedmodel", metadata=face)
                arts.append(ExportedArtifact("SavedModel", str(path), "keras", "fp32", _size(path)))
            elif fmt == "onnx":
                path = out / f"{stem}.onnx"
                keras_to_onnx(keras_model, path, samples=splits.test.x[:4])
                merge_into_sidecar(path, face)
                arts.append(ExportedArtifact("ONNX Runtime", str(path), "onnx", "fp32", _size(path)))
            elif fmt.startswith("tflite-"):
                mode = fmt.removeprefix("tflite-")
                path = out / f"{stem}_{mode}.tflite"
                convert(
                    keras_model,
                    mode,
                    calib if mode == "int8" else None,
                    calibration_samples=calibration_samples,
                    output=path,
                )
                merge_into_sidecar(path, face)
                precision = {"float32": "fp32", "float16": "fp16", "int8": "int8"}[mode]
                arts.append(ExportedArtifact(f"TFLite {mode}", str(path), "tflite", precision, _size(path)))
            elif fmt == "tensorrt":
                arts.extend(_tensorrt(out, stem, calib, calibration_samples, face))
    except (ExportError, QuantizeError, ModelError) as exc:
        raise FaceAppError(f"export failed: {str(exc).splitlines()[0]}") from exc
    if evaluate:
        for a in arts:
            if a.path is not None and a.skipped is None:
                step(f"accuracy {a.name}")
                a.accuracy = _accuracy(Path(a.path), splits.test.x, splits.test.y)
                merge_into_sidecar(a.path, {"test_accuracy": a.accuracy, "test_samples": len(splits.test)})
    result = ExportResult(
        out / "manifest.json", card, arts, len(splits.test), min(calibration_samples, len(calib))
    )
    write_json(result.manifest, {**result.to_dict(), "source": str(src.resolve())})
    return result


def _tensorrt(out: Path, stem: str, calib: Any, n: int, face: dict[str, Any]) -> list[ExportedArtifact]:
    """FP32/FP16/INT8 engines from the ONNX file, sharing one calibration cache; skipped without TensorRT."""
    from edgesmith.export_trt import BuildConfig, CalibrationBatcher, TensorRTUnavailable, build_engine
    from edgesmith.export_trt.gpu import import_tensorrt

    try:
        import_tensorrt()
    except TensorRTUnavailable as exc:
        why = str(exc).splitlines()[0]
        return [
            ExportedArtifact(f"TensorRT {p}", None, "tensorrt", p, skipped=why)
            for p in ("fp32", "fp16", "int8")
        ]
    onnx_path = out / f"{stem}.onnx"
    if not onnx_path.is_file():
        raise FaceAppError(
            "TensorRT engines are built from the ONNX file; add onnx to --formats before tensorrt"
        )
    arts = []
    cache = out / f"{stem}.calib.cache"
    for precision in ("fp32", "fp16", "int8"):
        path = out / f"{stem}_{precision}.engine"
        cfg = BuildConfig(precision=precision, max_batch=32, opt_batch=8, cache_path=cache)
        if precision == "int8":
            cfg.calibration = CalibrationBatcher(calib, batch_size=8, max_samples=n)
        build_engine(onnx_path, path, cfg)
        merge_into_sidecar(path, face)
        arts.append(ExportedArtifact(f"TensorRT {precision}", str(path), "tensorrt", precision, _size(path)))
    return arts
