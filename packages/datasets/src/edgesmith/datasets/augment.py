"""Image augmentation used by the face task (the face study): random horizontal flip and slight rotation."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from edgesmith.datasets.errors import DatasetError


@dataclass
class FlipRotate:
    """Random horizontal flip and rotation by up to ``max_degrees``, on NHWC float batches.

    Call it on a ``tf`` batch inside a ``tf.data`` pipeline (``ArrayDataset.to_tf`` does), or use
    :meth:`numpy` for arrays. ``seed`` makes a pipeline reproducible.
    """

    max_degrees: float = 10.0
    flip: bool = True
    fill_mode: str = "reflect"
    _layers: dict[int, Any] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not 0 <= self.max_degrees <= 180:
            raise DatasetError(f"max_degrees={self.max_degrees} must be in [0, 180]")

    def _pipeline(self, seed: int) -> Any:
        if seed not in self._layers:
            from edgesmith.datasets.tf_runtime import keras

            layers = []
            if self.flip:
                layers.append(keras.layers.RandomFlip("horizontal", seed=seed))
            if self.max_degrees > 0:
                layers.append(
                    keras.layers.RandomRotation(self.max_degrees / 360.0, fill_mode=self.fill_mode, seed=seed)
                )
            self._layers[seed] = keras.Sequential(layers, name="flip_rotate")
        return self._layers[seed]

    def __call__(self, batch: Any, seed: int = 0) -> Any:
        """Augment one TensorFlow batch (N, H, W, C) in training mode."""
        return self._pipeline(seed)(batch, training=True)

    def numpy(self, x: np.ndarray, seed: int = 0) -> np.ndarray:
        """Augment a numpy batch (N, H, W, C) without TensorFlow (scikit-image rotation)."""
        from skimage.transform import rotate

        rng = np.random.default_rng(seed)
        out = np.empty_like(x, dtype=np.float32)
        mode = {"reflect": "symmetric", "constant": "constant", "nearest": "edge", "wrap": "wrap"}.get(
            self.fill_mode, "symmetric"
        )
        for i, img in enumerate(np.asarray(x, dtype=np.float32)):
            if self.flip and rng.random() < 0.5:
                img = img[:, ::-1]
            if self.max_degrees > 0:
                angle = rng.uniform(-self.max_degrees, self.max_degrees)
                img = rotate(img, angle, mode=mode, preserve_range=True, order=1)
            out[i] = img
        return out


__all__ = ["FlipRotate"]
