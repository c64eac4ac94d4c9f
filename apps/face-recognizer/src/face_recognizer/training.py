"""The face study's recipe: detect + crop faces, split 700/300/100-style, flip + rotation augmentation,
transfer learning with a frozen base then fine-tuning, test accuracy, model + sidecar with the face card.
"""

from __future__ import annotations

import dataclasses
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from edgesmith.datasets import DatasetError, Splits, load_image_folder
from edgesmith.datasets.faces import FaceFolderReport, crop_face_folder, face_detector
from edgesmith.profiling.files import remove_on_failure, writable_dir
from face_recognizer.card import SPLITS, FaceAppError, FaceCard, merge_into_sidecar

BACKBONE_CHOICES = ("mobilenetv2", "resnet50", "resnet152", "xception", "vgg16")


@dataclasses.dataclass
class TrainResult:
    """What :func:`train_face_model` produced: the model file, its card, the crop report and timings."""

    model_path: Path
    card: FaceCard
    crops: FaceFolderReport
    sizes: dict[str, int]
    history: dict[str, list[float]]
    seconds: dict[str, float]

    def to_dict(self) -> dict[str, Any]:
        return {
            "model": str(self.model_path),
            "face": self.card.to_dict(),
            "sizes": self.sizes,
            "history": self.history,
            "seconds": self.seconds,
            "crops": {
                "total_images": self.crops.total_images,
                "total_crops": self.crops.total_crops,
                "per_identity": self.crops.crops,
                "no_face": self.crops.no_face,
                "unreadable": self.crops.unreadable,
                "multi_face": len(self.crops.multi_face),
            },
        }


def resolve_weights(weights: str) -> str | None:
    """``none`` → None (random init), ``imagenet`` as is, else an existing weights file path."""
    if weights.lower() == "none":
        return None
    if weights.lower() == "imagenet":
        return "imagenet"
    if not Path(weights).is_file():
        raise FaceAppError(
            f"weights file {weights} does not exist; pass imagenet, none or a .h5 weights file"
        )
    return str(weights)


def crops_dir_for(model_path: Path) -> Path:
    """Where the face crops of a model's training data are kept: ``<model stem>_crops/`` beside it."""
    return model_path.with_name(f"{model_path.stem}_crops")


def load_face_splits(card: FaceCard, crops_dir: str | os.PathLike[str] | None = None) -> Splits:
    """The train/val/test splits a model was trained on (same crops, seed, ratios), resized to its input."""
    folder = crops_dir or card.crops_dir
    if folder is None or not Path(folder).is_dir():
        raise FaceAppError(
            f"face crops {folder} are gone; pass --data with a folder of identity crops "
            "(made by `face-recognizer crop`)"
        )
    try:
        splits = load_image_folder(
            folder,
            (card.image_size, card.image_size),
            val_split=card.val_split,
            test_split=card.test_split,
            seed=card.seed,
        )
    except DatasetError as exc:
        raise FaceAppError(str(exc)) from exc
    if tuple(splits.test.classes or ()) != tuple(card.classes):
        raise FaceAppError(
            f"{folder} has identities {list(splits.test.classes or ())}, "
            f"the model knows {list(card.classes)}; "
            "pass the folder the model was trained on"
        )
    return splits


def _compile(model: Any, num_classes: int, learning_rate: float) -> None:
    from edgesmith.datasets.tf_runtime import keras

    loss = "binary_crossentropy" if num_classes == 2 else "sparse_categorical_crossentropy"
    model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss=loss, metrics=["accuracy"])


def accuracy_pct(model: Any, x: np.ndarray, y: np.ndarray) -> float:
    """Top-1 accuracy in % (sigmoid thresholded at 0.5 for two identities, argmax otherwise)."""
    from edgesmith.profiling.metrics import accuracy

    pred = model.predict(x, batch_size=32, verbose=0)
    return accuracy(y, pred)["accuracy"]


def train_face_model(
    data_dir: str | os.PathLike[str],
    output: str | os.PathLike[str],
    backbone: str = "mobilenetv2",
    weights: str = "imagenet",
    image_size: int = 128,
    epochs: int = 5,
    fine_tune_epochs: int = 3,
    fine_tune_layers: int | None = 30,
    batch_size: int = 32,
    learning_rate: float = 1e-3,
    threshold: float = 0.6,
    detector_model: str | None = None,
    detector_config: str | None = None,
    seed: int = 0,
    progress: bool = True,
    val_split: float = SPLITS["val_split"],
    test_split: float = SPLITS["test_split"],
    on_crop: Callable[[int, int], None] | None = None,
) -> TrainResult:
    """Train a face classifier on ``data_dir/<identity>/`` photos and save it to ``output`` (.keras/.h5).

    Faces are detected and cropped square (128×128, kept in ``<stem>_crops/``), then split per identity with
    the face study's ratios (``val_split``/``test_split`` override them). With pretrained ``weights`` the
    base is frozen for ``epochs`` and its last
    ``fine_tune_layers`` are then fine-tuned for ``fine_tune_epochs`` at a tenth of the learning rate; with
    ``weights="none"`` the whole network trains from scratch for ``epochs`` (nothing to fine-tune).
    """
    from edgesmith.models import (
        ModelError,
        refresh_batchnorm,
        save_model,
        train,
        transfer_classifier,
        unfreeze,
    )

    out = Path(output)
    if out.suffix not in (".keras", ".h5"):
        raise FaceAppError(f"model output {out} must end in .keras or .h5")
    if backbone not in BACKBONE_CHOICES:
        raise FaceAppError(f"unknown backbone {backbone!r}; choose one of {', '.join(BACKBONE_CHOICES)}")
    if not 0.5 <= threshold < 1.0:
        raise FaceAppError(f"threshold {threshold} must be in [0.5, 1): the minimum confidence of a match")
    if image_size < 32:
        raise FaceAppError(
            f"--image-size {image_size} is too small; use 32 pixels or more (the face study: 128)"
        )
    writable_dir(out.parent, create=True)  # a read-only folder fails now, not after minutes of training
    if not crops_dir_for(out).exists():
        remove_on_failure(crops_dir_for(out))  # a failed command leaves no crops behind
    resolved = resolve_weights(weights)
    times: dict[str, float] = {}
    t0 = time.perf_counter()
    try:
        detector = face_detector(detector_model, detector_config)
        crops = crop_face_folder(data_dir, crops_dir_for(out), detector, progress=on_crop)
    except DatasetError as exc:
        raise FaceAppError(str(exc)) from exc
    times["crop_s"] = time.perf_counter() - t0
    card = FaceCard(
        backbone=backbone,
        classes=(),
        image_size=image_size,
        threshold=threshold,
        weights=weights if resolved in (None, "imagenet") else Path(weights).name,
        crops_dir=str(crops_dir_for(out).resolve()),
        seed=seed,
        val_split=val_split,
        test_split=test_split,
    )
    try:
        splits = load_image_folder(
            card.crops_dir,
            (image_size, image_size),
            val_split=card.val_split,
            test_split=card.test_split,
            seed=seed,
            augment=True,
        )
    except DatasetError as exc:
        raise FaceAppError(str(exc)) from exc
    card.classes = tuple(splits.train.classes or ())
    n = len(card.classes)
    try:
        model = transfer_classifier(backbone, (image_size, image_size, 3), num_classes=n, weights=resolved)
    except ModelError as exc:
        hint = "; offline? pass --weights none (or a weights file)" if resolved == "imagenet" else ""
        raise FaceAppError(f"{exc}{hint}") from exc
    _compile(model, n, learning_rate)
    history: dict[str, list[float]] = {}
    t0 = time.perf_counter()
    hist = train(
        model, splits.train, splits.val, epochs=epochs, batch_size=batch_size, progress=progress, seed=seed
    )
    times["train_s"] = time.perf_counter() - t0
    for k, v in hist.history.items():
        history[k] = [float(x) for x in v]
    if resolved is not None and fine_tune_epochs > 0:
        unfreeze(model, fine_tune_layers, learning_rate=learning_rate / 10.0)
        t0 = time.perf_counter()
        hist = train(
            model, splits.train, splits.val, epochs=fine_tune_epochs, batch_size=batch_size,
            progress=progress, seed=seed + 1,
        )  # fmt: skip
        times["fine_tune_s"] = time.perf_counter() - t0
        for k, v in hist.history.items():
            history[f"fine_tune_{k}"] = [float(x) for x in v]
    if resolved is None:
        times["precise_bn_layers"] = refresh_batchnorm(model, splits.train.x)
    card.metrics = {
        "test_accuracy": accuracy_pct(model, splits.test.x, splits.test.y),
        "val_accuracy": accuracy_pct(model, splits.val.x, splits.val.y) if splits.val is not None else None,
        "train_accuracy_last_epoch": 100.0 * history["accuracy"][-1] if "accuracy" in history else None,
    }
    result = TrainResult(out, card, crops, splits.sizes(), history, times)
    save_model(model, out, metadata={"training": result.to_dict()})
    merge_into_sidecar(out, {"face": card.to_dict()})
    return result
