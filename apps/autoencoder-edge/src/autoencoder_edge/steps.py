"""The pipeline's steps as plain functions over package APIs: data, train, quantize, check, compile.

Each step reads its inputs from and writes its outputs to a :class:`RunLayout`, so the CLI verbs can run
them one at a time or all together (``pipeline``).
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

import numpy as np

from autoencoder_edge.artifacts import RunLayout
from edgesmith.profiling.errors import EdgesmithError
from edgesmith.profiling.files import remove_on_failure, writable_dir


class AppError(EdgesmithError, RuntimeError):
    """A step cannot run; the message names the problem and the fix (printed as one line by the CLI)."""


def load_images(
    data_dir: str | os.PathLike[str] | None = None,
    limit: int | None = None,
    seed: int = 0,
    model: str = "cae",
    image_size: tuple[int, int] | None = None,
) -> Any:
    """The model's splits: MNIST IDX (or the offline digits) for ``cae``, Cityscapes for ``unet``."""
    from autoencoder_edge.tasks import TaskError, get_task

    try:
        return get_task(model).load(data_dir, limit, seed, image_size)
    except TaskError as exc:
        raise AppError(str(exc)) from exc


def check_image_shape(x: np.ndarray, expected: tuple[int | None, ...], what: str) -> None:
    """Refuse images whose size differs from the model's input, saying how to fix it."""
    want = tuple(int(d) for d in expected[1:] if d is not None)
    if x.ndim != len(expected) or tuple(x.shape[1:]) != want:
        got = "x".join(map(str, x.shape[1:]))
        raise AppError(
            f"{what}: images are {got} but the model expects {'x'.join(map(str, want))}; resize the images "
            "(or retrain the model on this size)"
        )


def train_model(
    layout: RunLayout,
    data_dir: str | os.PathLike[str] | None = None,
    model_name: str = "cae",
    epochs: int = 50,
    batch_size: int = 32,
    patience: int | None = 5,
    learning_rate: float = 3e-4,
    limit: int | None = None,
    seed: int = 0,
    progress: bool = True,
    image_size: tuple[int, int] | None = None,
    base_filters: int = 16,
) -> dict[str, Any]:
    """Train the TPU study's conv autoencoder (MSE, Adam) or U-Net, save it with a sidecar, return metrics."""
    from autoencoder_edge.tasks import get_task
    from edgesmith.datasets.tf_runtime import keras
    from edgesmith.models import ModelError, count_params, save_model, train

    task = get_task(model_name)
    if not layout.root.exists():
        remove_on_failure(layout.root)  # a run folder this command made goes again if it fails
    writable_dir(layout.root, create=True)  # a read-only --out fails now, not after training
    splits = load_images(data_dir, limit, seed, model_name, image_size)
    keras.utils.set_random_seed(seed)
    try:
        model = task.build(tuple(splits.train.x.shape[1:]), base_filters)
    except ModelError as exc:
        raise AppError(str(exc)) from exc
    check_image_shape(splits.train.x, tuple(model.input_shape), "train")
    started = time.perf_counter()
    try:
        history = train(
            model,
            task.targets(splits.train),
            task.targets(splits.val) if splits.val is not None else None,
            epochs=epochs,
            batch_size=batch_size,
            patience=patience if splits.val is not None else None,
            progress=progress,
            loss=task.loss,
            optimizer="adam",
            learning_rate=learning_rate,
            metrics=list(task.train_metrics),
            seed=seed,
        )
    except ModelError as exc:
        raise AppError(str(exc)) from exc
    seconds = time.perf_counter() - started
    test_pred = model.predict(splits.test.x, batch_size=64, verbose=0)
    if task.name == "cae" and float(np.std(test_pred)) < 1e-3:
        raise AppError(
            "training collapsed to a constant output (dead ReLUs); retrain with a lower --learning-rate "
            f"(now {learning_rate:g}) or another --seed"
        )
    metrics = {
        "dataset": splits.name,
        "train_samples": len(splits.train),
        "test_samples": len(splits.test),
        "epochs_run": len(history.history.get("loss", [])),
        "learning_rate": learning_rate,
        "train_seconds": round(seconds, 2),
        "final_loss": float(history.history["loss"][-1]),
        **{f"test_{k}": v for k, v in task.score(test_pred, splits.test.x, splits.test.y).items()},
        "params": count_params(model),
        "model": model_name,
    }
    layout.ensure()
    save_model(model, layout.keras, metadata={"training": metrics, "data": {"name": splits.name}})
    return metrics


def quantize_model(
    layout: RunLayout,
    data_dir: str | os.PathLike[str] | None = None,
    samples: int = 100,
    limit: int | None = None,
    seed: int = 0,
    model_name: str = "cae",
    image_size: tuple[int, int] | None = None,
) -> dict[str, Any]:
    """Convert the trained model to TFLite float32 and full-integer int8 (``samples`` calibration images)."""
    from edgesmith.datasets import data_hash
    from edgesmith.profiling.artifacts import Artifact
    from edgesmith.profiling.exporters import ExporterError, export
    from edgesmith.quantize import QuantizeError

    if not layout.keras.exists():
        raise AppError(f"{layout.keras}: no trained model; run 'autoencoder-edge train' first")
    if samples < 1:
        raise AppError(f"--samples must be >= 1, got {samples}")
    splits = load_images(data_dir, limit, seed, model_name, image_size)
    keras = Artifact.open(layout.keras, format="keras")
    if keras.sidecar.inputs:  # recorded by save_model; otherwise the converter checks the calibration shape
        check_image_shape(splits.train.x, (None, *keras.sidecar.inputs[0].shape[1:]), "quantize")
    calib = splits.train.x
    try:  # static batch 1: the Edge TPU compiler rejects dynamic-sized tensors
        f32 = export(keras, "tflite-fp32", layout.tflite_float, static_batch=1)
        i8 = export(
            keras,
            "tflite-int8",
            layout.tflite_int8,
            calibration=lambda: iter([calib]),
            io_dtype="int8",
            calibration_samples=samples,
            seed=seed,
            static_batch=1,
        )
    except (QuantizeError, ExporterError) as exc:
        raise AppError(str(exc)) from exc
    return {
        "float32": {"path": str(layout.tflite_float), "size_bytes": f32.sidecar.size_bytes},
        "int8": {
            "path": str(layout.tflite_int8),
            "size_bytes": i8.sidecar.size_bytes,
            "calibration_samples": min(samples, len(calib)),
            "calibration_pool_hash": data_hash(calib),
        },
    }


def check_edgetpu(layout: RunLayout) -> Any:
    """Edge TPU readiness of the int8 model, saved as JSON beside it."""
    from edgesmith.export_edgetpu import check_model

    if not layout.tflite_int8.exists():
        raise AppError(f"{layout.tflite_int8}: no int8 model; run 'autoencoder-edge quantize' first")
    report = check_model(layout.tflite_int8)
    write_json(layout.check_json, report.to_dict())
    return report


def compile_edgetpu(
    layout: RunLayout, min_runtime: int | None = None, timeout_s: int = 180
) -> dict[str, Any]:
    """Compile the int8 model with edgetpu_compiler; when it is absent, say so instead of failing."""
    from edgesmith.export_edgetpu import CompileOptions, CompilerError, CompilerNotFound, compile_models

    if not layout.tflite_int8.exists():
        raise AppError(f"{layout.tflite_int8}: no int8 model; run 'autoencoder-edge quantize' first")
    try:
        result = compile_models(
            [layout.tflite_int8], layout.root, CompileOptions(min_runtime, timeout_s=timeout_s)
        )
    except CompilerNotFound as exc:
        summary = {"compiled": False, "reason": str(exc)}
    except CompilerError as exc:
        raise AppError(str(exc)) from exc
    else:
        summary = {"compiled": True, **result.to_dict()}
    write_json(layout.compile_json, summary)
    return summary


def write_json(path: Path, payload: dict[str, Any]) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(payload, indent=2, default=str) + "\n")
    os.replace(tmp, path)
