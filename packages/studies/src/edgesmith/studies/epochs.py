"""One-epoch training time with a warm-up epoch and repeated timed epochs, keeping every step's time.

:func:`edgesmith.models.training_profile.profile_training` reports one mean step time over all epochs, the
warm-up's retracing steps included; the solar study's linearity check t_epoch / (t_step · N_steps) needs the
steps of the timed epochs alone, so this module runs the same per-device fit with the same timer callback
and keeps the per-epoch step lists.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np

from edgesmith.profiling.runner import RunnerError


@dataclasses.dataclass
class EpochTiming:
    """Warm-up epoch, timed epochs (s) and their steps (ms) of one model on one device at one batch size."""

    device: str
    batch_size: int
    samples: int
    warmup_epoch_s: float
    epoch_s: list[float]
    step_ms: list[list[float]]

    @property
    def steps(self) -> int:
        return len(self.step_ms[0])

    @property
    def median_step_ms(self) -> float:
        return float(np.median(np.concatenate(self.step_ms)))

    @property
    def linearity(self) -> float:
        """Median over timed epochs of t_epoch / (median step · N_steps); ≈ 1 when an epoch is its steps."""
        return float(
            np.median(
                [
                    e / (np.median(s) / 1000.0 * len(s))
                    for e, s in zip(self.epoch_s, self.step_ms, strict=True)
                ]
            )
        )


def time_epochs(
    model: Any,
    x: np.ndarray,
    y: np.ndarray,
    batch_size: int,
    repeats: int,
    device: str = "cpu",
    loss: str = "mse",
    optimizer: str = "adam",
    seed: int = 0,
) -> EpochTiming:
    """Fit a copy of ``model`` (same initial weights) 1 + ``repeats`` epochs on ``device``, timing each."""
    from edgesmith.datasets.tf_runtime import GPUS, keras, tf
    from edgesmith.models.training_profile import epoch_timer

    if device == "gpu" and not GPUS:
        raise RunnerError("no GPU visible to TensorFlow; drop 'gpu' from the devices")
    if batch_size < 1 or repeats < 1:
        raise RunnerError(f"need batch size >= 1 and repeats >= 1, got {batch_size} and {repeats}")
    keras.utils.set_random_seed(seed)
    with tf.device("/GPU:0" if device == "gpu" else "/CPU:0"):
        copy = keras.models.clone_model(model)
        copy.set_weights(model.get_weights())
        copy.compile(optimizer=optimizer, loss=loss)
        timer = epoch_timer(keras)
        copy.fit(
            np.asarray(x, np.float32),
            np.asarray(y, np.float32),
            epochs=1 + repeats,
            batch_size=batch_size,
            shuffle=True,
            verbose=0,
            callbacks=[timer],
        )
    del copy
    return EpochTiming(device, batch_size, len(x), timer.epochs[0], timer.epochs[1:], timer.steps[1:])
