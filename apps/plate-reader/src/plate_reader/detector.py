"""The plate detector: a box regressor (backbone + sigmoid x1,y1,x2,y2 head), its loss, IoU and training.

Document 001 regressed the four normalised box corners with a sigmoid head on VGG16 and scored "% IoU", the
share of images whose predicted box overlaps the annotation with IoU > 0.5. This module keeps that model shape
and metric; the backbone is a compact CNN that trains from scratch on 2 CPU cores (no ImageNet download).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from edgesmith.models.box_losses import box_loss, mean_iou_metric
from edgesmith.profiling.metrics import box_iou

DETECTOR_INPUT = (128, 128, 3)
"""Height, width, channels the shipped detector takes (float32 RGB in [0, 1]; the photo resized, not cut)."""


class AnnotationError(ValueError):
    """An annotation CSV or its images cannot be used; the message names the file and the fix."""


def build_detector(input_shape: tuple[int, int, int] = DETECTOR_INPUT) -> tuple[Any, str]:
    """The detector and the name of its builder: edgesmith.models' compact from-scratch box regressor."""
    from edgesmith.models import box_regressor

    return box_regressor("compact", input_shape=input_shape), 'edgesmith.models.box_regressor("compact")'


def box_metrics(pred: np.ndarray, true: np.ndarray) -> dict[str, float]:
    """Document 001's detector metrics: mean IoU and "% IoU" (share of boxes with IoU > 0.5, in percent)."""
    iou = box_iou(pred, true)
    return {
        "mean_iou": float(iou.mean()),
        "pct_iou_50": float((iou > 0.5).mean() * 100),
        "pct_iou_75": float((iou > 0.75).mean() * 100),
        "n": int(iou.size),
    }


def to_input(image: Image.Image, size: tuple[int, int] = DETECTOR_INPUT[:2]) -> np.ndarray:
    """An RGB photo as the detector's input: resized to ``size`` (h, w), float32 in [0, 1], (h, w, 3)."""
    h, w = size
    resized = image.convert("RGB").resize((w, h), Image.BILINEAR)
    return np.asarray(resized, dtype=np.float32) / 255.0


def read_annotations(csv_path: str | os.PathLike[str]) -> list[tuple[str, np.ndarray]]:
    """Rows of an annotation CSV (name, width, height, x1, y1, x2, y2 normalised) as (name, box) pairs."""
    from edgesmith.datasets import DatasetError, read_plate_csv

    path = Path(csv_path)
    if not path.is_file():
        raise AnnotationError(f"{path}: no such annotation CSV; make one with `plate-reader synth DIR`")
    try:
        return [(b.name, b.coords) for b in read_plate_csv(path)]
    except DatasetError as exc:
        raise AnnotationError(str(exc)) from exc


def load_annotated_images(
    csv_path: str | os.PathLike[str],
    images_dir: str | os.PathLike[str] | None = None,
    size: tuple[int, int] = DETECTOR_INPUT[:2],
    progress: Callable[[int], None] | None = None,
) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Images of an annotation CSV resized to ``size`` (h, w) as uint8 (N, h, w, 3), boxes (N, 4) and names.

    edgesmith.datasets.load_plate_dataset reads them (uint8 keeps 10k training images at 0.5 GB);
    ``images_dir`` defaults to the CSV's folder. Errors become :class:`AnnotationError`.
    """
    from edgesmith.datasets import DatasetError, load_plate_dataset

    names = [name for name, _ in read_annotations(csv_path)]
    root = Path(images_dir) if images_dir is not None else Path(csv_path).parent
    step = (lambda done, _total: progress(done)) if progress is not None else None
    try:
        data = load_plate_dataset(csv_path, root, image_size=size, progress=step, dtype="uint8")
    except DatasetError as exc:
        raise AnnotationError(str(exc)) from exc
    return data.x, data.y.astype(np.float32), names


def train_detector(
    model: Any,
    x: np.ndarray,
    y: np.ndarray,
    val: tuple[np.ndarray, np.ndarray] | None = None,
    epochs: int = 20,
    batch_size: int = 64,
    learning_rate: float = 2e-3,
    seed: int = 0,
    verbose: int = 1,
    bn_momentum: float = 0.9,
) -> Any:
    """Train ``model`` on uint8 images ``x`` and boxes ``y`` with Adam and cosine decay; return the History.

    Augmentation: brightness/contrast jitter (box-preserving) and horizontal flips with the box mirrored.
    BatchNorm momentum is lowered to ``bn_momentum``: with Keras' 0.99 the moving statistics lag a network
    trained from scratch for a few hundred steps, and inference-mode boxes collapse (IoU 0.05 vs 0.7).
    """
    from edgesmith.datasets.tf_runtime import keras, tf

    tf.keras.utils.set_random_seed(seed)
    for layer in model.layers:
        if isinstance(layer, keras.layers.BatchNormalization):
            layer.momentum = bn_momentum
    steps = max(1, int(np.ceil(len(x) / batch_size))) * epochs
    schedule = keras.optimizers.schedules.CosineDecay(learning_rate, decay_steps=steps, alpha=0.02)
    model.compile(optimizer=keras.optimizers.Adam(schedule), loss=box_loss(), metrics=[mean_iou_metric()])

    def augment(img: Any, box: Any) -> tuple[Any, Any]:
        img = tf.cast(img, tf.float32) / 255.0
        img = tf.image.random_brightness(img, 0.1)
        img = tf.image.random_contrast(img, 0.8, 1.2)
        flip = tf.random.uniform(()) < 0.5
        img = tf.cond(flip, lambda: tf.image.flip_left_right(img), lambda: img)
        box = tf.cond(flip, lambda: tf.stack([1 - box[2], box[1], 1 - box[0], box[3]]), lambda: box)
        return tf.clip_by_value(img, 0.0, 1.0), box

    ds = (
        tf.data.Dataset.from_tensor_slices((x, y))
        .shuffle(len(x), seed=seed, reshuffle_each_iteration=True)
        .map(augment, num_parallel_calls=tf.data.AUTOTUNE)
        .batch(batch_size)
        .prefetch(tf.data.AUTOTUNE)
    )
    val_ds = None
    if val is not None:
        val_ds = tf.data.Dataset.from_tensor_slices((val[0].astype(np.float32) / 255.0, val[1])).batch(256)
    return model.fit(ds, validation_data=val_ds, epochs=epochs, verbose=verbose)


def predict_boxes(
    predict: Callable[[np.ndarray], np.ndarray], x: np.ndarray, batch_size: int = 64
) -> np.ndarray:
    """Boxes for uint8 or float images ``x`` through any ``predict(batch) -> (n, 4)`` (runner or model)."""
    out = []
    for i in range(0, len(x), batch_size):
        batch = x[i : i + batch_size]
        if batch.dtype == np.uint8:
            batch = batch.astype(np.float32) / 255.0
        out.append(np.asarray(predict(batch), np.float32).reshape(-1, 4).copy())
    return np.concatenate(out) if out else np.empty((0, 4), np.float32)


__all__ = [
    "DETECTOR_INPUT",
    "AnnotationError",
    "box_loss",
    "box_metrics",
    "build_detector",
    "load_annotated_images",
    "mean_iou_metric",
    "predict_boxes",
    "read_annotations",
    "to_input",
    "train_detector",
]
