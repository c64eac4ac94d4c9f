"""Export a trained face model to every format the face study deploys: SavedModel, ONNX, TFLite
float32/float16/int8 and, where TensorRT exists, FP32/FP16/INT8 engines calibrated on the training crops.
Each artifact's sidecar gets the face card; ``manifest.json`` lists them with their test accuracy.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from edgesmith.profiling.artifacts import Artifact, file_hash, load_sidecar
from face_recognizer.card import FaceAppError, FaceCard, merge_into_sidecar, read_card, write_json
from face_recognizer.training import load_face_splits

PLAN: dict[str, tuple[tuple[str, str, str], ...]] = {
    "onnx": (("ONNX Runtime", "onnx-fp32", ".onnx"),),
    "tflite-float32": (("TFLite float32", "tflite-fp32", "_float32.tflite"),),
    "tflite-float16": (("TFLite float16", "tflite-fp16", "_float16.tflite"),),
    "tflite-int8": (("TFLite int8", "tflite-int8", "_int8.tflite"),),
    "tensorrt": tuple((f"TensorRT {p}", f"tensorrt-{p}", f"_{p}.engine") for p in ("fp32", "fp16", "int8")),
}
"""``--formats`` name -> the artifacts it makes: (table name, exporter variant, file-name suffix)."""

OPTIONS: dict[str, dict[str, Any]] = {
    "tensorrt": {
        "max_batch": 32,
        "opt_batch": 8,
        "calibration_batch": 8,
        "cache_path": "{dir}/{stem}.calib.cache",
    },
}
"""Exporter options per variant family (document 000: engines for batches up to 32, calibrated 8 at a time,
one INT8 calibration cache per model reused across builds). Every variant gets the training crops as
calibration data: integer variants calibrate on them, the ONNX export checks itself against Keras on 4."""

FORMATS = ("savedmodel", *PLAN)
DEFAULT_FORMATS = tuple(PLAN)


@dataclasses.dataclass
class ExportedArtifact:
    """One exported file: its format, precision, the backend that runs it, and its test accuracy (%).

    ``choice`` is the ``--formats`` name that made it (``keras`` for the Keras copy), so ``bench
    --variants`` can select by it."""

    name: str
    path: str | None
    backend: str
    precision: str
    size_bytes: int | None = None
    accuracy: float | None = None
    skipped: str | None = None
    choice: str = "keras"

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
    from edgesmith.models import ModelError, load_model, save_model

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
        source = load_sidecar(src)
        source_meta = dict(source.extra.get("metadata") or {}) if source else {}
        save_model(keras_model, keras_copy, metadata={**source_meta, "source_sha256": file_hash(src)})
        merge_into_sidecar(keras_copy, face)
    arts.append(ExportedArtifact("Keras", str(keras_copy), "keras", "fp32", _size(keras_copy)))
    # the Keras copy is always first: bench measures every speed-up against it
    if "savedmodel" in formats:
        step("savedmodel")
        path = save_model(keras_model, out / f"{stem}_savedmodel")
        merge_into_sidecar(path, face)
        arts.append(
            ExportedArtifact("SavedModel", str(path), "keras", "fp32", _size(path), choice="savedmodel")
        )
    made = {"keras": Artifact.open(keras_copy)}
    calib = splits.train.x
    for fmt in (f for f in formats if f in PLAN):
        step(fmt)
        for name, variant, suffix in PLAN[fmt]:
            arts.append(
                _export_one(made, name, variant, out / f"{stem}{suffix}", stem, calib, calibration_samples)
            )
            if arts[-1].path is not None:
                merge_into_sidecar(arts[-1].path, face)
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


def _export_one(
    made: dict[str, Artifact], name: str, variant: str, path: Path, stem: str, calib: Any, n: int
) -> ExportedArtifact:
    """One variant through the exporter registry, from the first format it accepts that was made already
    (Keras, or the ONNX file for TensorRT); an exporter that cannot run here gives a skipped row."""
    from edgesmith.profiling.exporters import ExporterError, export, parse_variant

    exporter, precision = parse_variant(variant)
    why = exporter.unavailable()
    if why:
        return ExportedArtifact(name, None, exporter.name, precision, skipped=str(why).splitlines()[0])
    source = next((made[f] for f in exporter.sources if f in made), None)
    if source is None:
        raise FaceAppError(
            f"{name} is built from {' or '.join(exporter.sources)}; "
            f"add it to --formats before {exporter.name}"
        )
    options = {
        k: v.format(dir=path.parent, stem=stem) if isinstance(v, str) else v
        for k, v in OPTIONS.get(exporter.name, {}).items()
    }
    try:
        art = export(
            source, variant, path, calibration=lambda: iter([calib]), calibration_samples=n, **options
        )
    except (ExporterError, ValueError, RuntimeError) as exc:
        raise FaceAppError(f"export failed: {str(exc).splitlines()[0]}") from exc
    made.setdefault(art.format, art)
    return ExportedArtifact(name, str(path), art.format, art.precision, _size(path))
