"""Train, quantize and write the detector with sidecars: shared by ``plate-reader train`` and tools/."""

from __future__ import annotations

import dataclasses
import hashlib
import time
from pathlib import Path
from typing import Any

import numpy as np

from edgesmith.profiling.artifacts import file_hash, write_sidecar
from plate_reader.detector import (
    DETECTOR_INPUT,
    box_metrics,
    build_detector,
    predict_boxes,
    train_detector,
)

KERAS_NAME = "plate_detector.keras"
INT8_NAME = "plate_detector_int8.tflite"


@dataclasses.dataclass
class TrainedDetector:
    """The written artifacts and their held-out metrics."""

    keras_path: Path
    int8_path: Path
    float_metrics: dict[str, float]
    int8_metrics: dict[str, float]
    train_seconds: float


def data_hash(x: np.ndarray) -> str:
    """sha256 hex of an array's bytes (edgesmith.datasets.data_hash when present, same definition)."""
    try:
        from edgesmith.datasets import data_hash as shared  # type: ignore[attr-defined]
    except ImportError:
        return hashlib.sha256(np.ascontiguousarray(x).tobytes()).hexdigest()
    return shared(x)


def train_and_export(
    x_train: np.ndarray,
    y_train: np.ndarray,
    out_dir: str | Path,
    *,
    val: tuple[np.ndarray, np.ndarray] | None = None,
    test: tuple[np.ndarray, np.ndarray] | None = None,
    epochs: int = 20,
    batch_size: int = 64,
    learning_rate: float = 2e-3,
    calib_n: int = 200,
    seed: int = 0,
    meta: dict[str, Any] | None = None,
    verbose: int = 2,
) -> TrainedDetector:
    """Train a fresh detector on uint8 images, write float ``.keras`` and int8 ``.tflite`` plus sidecars.

    ``test`` (held-out, never trained on) gives the metrics recorded in the sidecars; without it the
    validation set is used, and without that the training set (the sidecar says which).
    """
    from edgesmith.datasets.tf_runtime import keras, versions
    from edgesmith.profiling import open_runner
    from edgesmith.quantize import convert

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    model, builder = build_detector(DETECTOR_INPUT)
    t0 = time.perf_counter()
    history = train_detector(model, x_train, y_train, val=val, epochs=epochs, batch_size=batch_size,
                             learning_rate=learning_rate, seed=seed, verbose=verbose)  # fmt: skip
    train_s = time.perf_counter() - t0
    eval_name, (x_eval, y_eval) = next(
        (name, d)
        for name, d in (("test", test), ("val", val), ("train", (x_train, y_train)))
        if d is not None
    )
    float_metrics = box_metrics(predict_boxes(lambda b: model(b, training=False).numpy(), x_eval), y_eval)

    keras_path = out / KERAS_NAME
    tmp = out / f".{KERAS_NAME}.tmp.keras"
    inference_model = keras.models.clone_model(model)  # uncompiled: no optimizer state, no custom loss
    inference_model.set_weights(model.get_weights())
    inference_model.save(tmp)
    tmp.replace(keras_path)

    rng = np.random.default_rng(seed)
    calib = x_train[np.sort(rng.choice(len(x_train), size=min(calib_n, len(x_train)), replace=False))]
    calib_f = calib.astype(np.float32) / 255.0
    int8_path = out / INT8_NAME
    convert(inference_model, "int8", calib_f, calibration_samples=len(calib), seed=seed, output=int8_path)
    int8_path.chmod(0o644)
    with open_runner(int8_path, backend="tflite") as runner:
        int8_metrics = box_metrics(predict_boxes(runner.predict, x_eval, batch_size=1), y_eval)

    common = {
        "task": "licence-plate box regression (x1, y1, x2, y2 normalised, sigmoid head)",
        "builder": builder,
        "input": {"shape": list(DETECTOR_INPUT), "dtype": "float32", "range": [0.0, 1.0],
                  "preprocess": "whole RGB photo resized (bilinear) to 128x128, divided by 255"},
        "params": int(model.count_params()),
        "train_data": {"n": len(x_train), "hash": data_hash(x_train), **(meta or {}).get("train_data", {})},
        "eval_data": {"split": eval_name, "n": len(x_eval), "hash": data_hash(x_eval),
                      **(meta or {}).get("eval_data", {})},
        "training": {"epochs": epochs, "batch_size": batch_size, "lr": learning_rate, "seed": seed,
                     "loss": "4*smooth_l1(beta=0.02) + (1 - IoU)", "seconds": round(train_s, 1),
                     "final_loss": float(history.history["loss"][-1])},
        "tool_versions": {**versions(), "numpy": np.__version__},
        **{k: v for k, v in (meta or {}).items() if k not in ("train_data", "eval_data")},
    }  # fmt: skip
    keras_sha = file_hash(keras_path)
    write_sidecar(keras_path, {**common, "precision": "fp32", "format": "keras", "sha256": keras_sha,
                               "metrics": float_metrics})  # fmt: skip
    write_sidecar(int8_path, {**common, "precision": "int8", "format": "tflite",
                              "quantizer": "edgesmith.quantize.convert(mode='int8', io int8)",
                              "source_model_sha256": keras_sha,
                              "calibration": {"samples": len(calib), "data_hash": data_hash(calib_f),
                                              "seed": seed},
                              "sha256": file_hash(int8_path), "metrics": int8_metrics,
                              "float_metrics": float_metrics})  # fmt: skip
    return TrainedDetector(keras_path, int8_path, float_metrics, int8_metrics, train_s)


def prune_and_export(
    keras_path: str | Path,
    x_train: np.ndarray,
    y_train: np.ndarray,
    out_dir: str | Path,
    *,
    test: tuple[np.ndarray, np.ndarray],
    epochs: int = 2,
    batch_size: int = 64,
    final_sparsity: float = 0.8,
    end_fraction: float = 0.6,
    calib_n: int = 200,
    seed: int = 0,
    meta: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Prune a trained detector (the Costa Rica plate study: 20 % → ``final_sparsity``, polynomial decay) with
    edgesmith.quantize, fine-tuning on uint8 ``x_train``; write float and int8 pruned files + sidecars.

    The schedule reaches ``final_sparsity`` at ``end_fraction`` of the fine-tune; the remaining steps let
    the pruned network recover (reaching 80 % at the very last step cost 40 IoU points here).
    """
    from edgesmith.datasets.tf_runtime import keras, versions
    from edgesmith.profiling import open_runner
    from edgesmith.quantize import convert, prune
    from plate_reader.detector import box_loss

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    model = keras.models.load_model(keras_path, compile=False)
    xf = x_train.astype(np.float32) / 255.0
    t0 = time.perf_counter()
    result = prune(model, (xf, y_train), epochs=epochs, batch_size=batch_size, initial_sparsity=0.2,
                   final_sparsity=final_sparsity, learning_rate=5e-4, loss=box_loss(),
                   end_step=max(2, int(np.ceil(len(xf) / batch_size) * epochs * end_fraction)))  # fmt: skip
    seconds = time.perf_counter() - t0
    pruned = result.model
    x_test, y_test = test
    float_metrics = box_metrics(predict_boxes(lambda b: pruned(b, training=False).numpy(), x_test), y_test)
    keras_out = out / "plate_detector_pruned.keras"
    tmp = out / ".plate_detector_pruned.tmp.keras"
    pruned.save(tmp)
    tmp.replace(keras_out)
    rng = np.random.default_rng(seed)
    calib = xf[np.sort(rng.choice(len(xf), size=min(calib_n, len(xf)), replace=False))]
    int8_out = out / "plate_detector_pruned_int8.tflite"
    convert(pruned, "int8", calib, calibration_samples=len(calib), seed=seed, output=int8_out)
    int8_out.chmod(0o644)
    with open_runner(int8_out, backend="tflite") as runner:
        int8_metrics = box_metrics(predict_boxes(runner.predict, x_test, batch_size=1), y_test)
    common = {
        "source_model": str(keras_path), "source_model_sha256": file_hash(keras_path),
        "pruning": {**result.schedule, "sparsity": result.sparsity, "seconds": round(seconds, 1),
                    "tool": "edgesmith.quantize.prune"},
        "train_data": {"n": len(x_train), "hash": data_hash(x_train)},
        "eval_data": {"n": len(x_test), "hash": data_hash(x_test)},
        "tool_versions": {**versions(), "numpy": np.__version__}, **(meta or {}),
    }  # fmt: skip
    write_sidecar(keras_out, {**common, "precision": "fp32", "pruned": True, "metrics": float_metrics,
                              "sha256": file_hash(keras_out)})  # fmt: skip
    write_sidecar(int8_out, {**common, "precision": "int8", "pruned": True, "metrics": int8_metrics,
                             "calibration": {"samples": len(calib), "data_hash": data_hash(calib)},
                             "sha256": file_hash(int8_out)})  # fmt: skip
    return {"keras": str(keras_out), "int8": str(int8_out), "sparsity": result.sparsity,
            "float_metrics": float_metrics, "int8_metrics": int8_metrics}  # fmt: skip


__all__ = ["INT8_NAME", "KERAS_NAME", "TrainedDetector", "data_hash", "prune_and_export", "train_and_export"]
