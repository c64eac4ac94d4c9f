"""The two models of the TPU study as tasks: what to build, which data, which loss, how to score and draw.

``cae``: the MNIST conv autoencoder (targets = inputs, scored by MAE/MSE). ``unet``: the Cityscapes U-Net
(targets = category maps, scored by pixel accuracy and mean IoU).
"""

from __future__ import annotations

import dataclasses
import os
from typing import Any

import numpy as np

from edgesmith.profiling.errors import EdgesmithError

# RGB colours of the 8 Cityscapes categories (cityscapesScripts' category colours), for pictures.
CATEGORY_COLORS = np.array(
    [[0, 0, 0], [128, 64, 128], [70, 70, 70], [153, 153, 153], [107, 142, 35], [70, 130, 180],
     [220, 20, 60], [0, 0, 142]],
    dtype=np.uint8,
)  # fmt: skip


def colorize(categories: np.ndarray) -> np.ndarray:
    """Category map (H, W) -> RGB float image in [0, 1]."""
    return CATEGORY_COLORS[np.clip(categories, 0, len(CATEGORY_COLORS) - 1)].astype(np.float32) / 255.0


class TaskError(EdgesmithError, ValueError):
    """Bad task name or data for a task."""


@dataclasses.dataclass(frozen=True)
class Task:
    """Everything the steps need to know about one model family."""

    name: str
    loss: str
    train_metrics: tuple[str, ...]
    primary: str  # metric compared across variants
    higher_is_better: bool
    metric: str  # the edgesmith.profiling metric that scores it (targets = inputs for the autoencoder)

    def load(self, data_dir: str | os.PathLike[str] | None, limit: int | None, seed: int,
             image_size: tuple[int, int] | None = None) -> Any:  # fmt: skip
        """Train/val/test splits for this task."""
        from edgesmith.datasets import DatasetError, Splits, load_cityscapes, load_mnist

        if self.name == "cae":
            try:
                splits = load_mnist(data_dir)
            except DatasetError as exc:
                raise TaskError(str(exc)) from exc
        else:
            if data_dir is None:
                raise TaskError(
                    "the U-Net needs Cityscapes-format data: pass --data ROOT holding leftImg8bit/ and "
                    "gtFine/ (cityscapes-dataset.com; downloads need an account)"
                )
            try:
                splits = load_cityscapes(data_dir, image_size or (128, 256), val_split=0.1, seed=seed)
            except DatasetError as exc:
                raise TaskError(str(exc)) from exc
        if limit is None:
            return splits
        rng = np.random.default_rng(seed)

        def cap(ds: Any) -> Any:
            if ds is None or len(ds) <= limit:
                return ds
            return ds.subset(np.sort(rng.choice(len(ds), limit, replace=False)))

        return Splits(cap(splits.train), cap(splits.val), cap(splits.test), splits.name, splits.info)

    def build(self, sample_shape: tuple[int, ...], base_filters: int = 16) -> Any:
        """The Keras model; ``base_filters`` sets the U-Net's width (channels double per level)."""
        from edgesmith.models import conv_autoencoder
        from edgesmith.models.unet import unet

        if self.name == "cae":
            return conv_autoencoder(tuple(sample_shape))
        return unet(tuple(sample_shape), num_classes=8, base_filters=base_filters)

    def targets(self, ds: Any) -> Any:
        """Training targets: the images themselves for the autoencoder, the category maps for the U-Net."""
        from edgesmith.datasets import ArrayDataset

        return ArrayDataset(ds.x, None if self.name == "cae" else ds.y, ds.name, ds.classes)

    def score(self, pred: np.ndarray, x: np.ndarray, y: np.ndarray | None) -> dict[str, float]:
        """Quality of ``pred`` on one split, by the task's metric."""
        from edgesmith.profiling.metrics import get_metric

        m = get_metric(self.metric)
        if m.targets_are_inputs:
            return m.compute(x, pred)
        assert y is not None
        return m.compute(y, pred)

    def display(self, pred: np.ndarray) -> np.ndarray:
        """Predictions as pictures: reconstructions as they are, segmentations as category colours."""
        if self.name == "cae":
            return pred
        return np.stack([colorize(p) for p in np.argmax(pred, axis=-1)])

    def ground_truth(self, x: np.ndarray, y: np.ndarray | None) -> np.ndarray | None:
        if self.name == "cae" or y is None:
            return None
        return np.stack([colorize(t) for t in y])


TASKS = {
    "cae": Task("cae", "mse", ("mae",), "mae", False, "reconstruction"),
    "unet": Task(
        "unet", "sparse_categorical_crossentropy", ("accuracy",), "pixel_accuracy", True, "segmentation"
    ),
}


def get_task(name: str) -> Task:
    if name not in TASKS:
        raise TaskError(f"unknown model {name!r}; choose one of: {', '.join(TASKS)}")
    return TASKS[name]
