"""The short fine-tuning loop shared by QAT and pruning: arrays, ArrayDataset or tf.data in."""

from __future__ import annotations

from typing import Any

import numpy as np

from edgesmith.datasets.tf_runtime import keras, tf
from edgesmith.quantize.errors import QuantizeError
from edgesmith.quantize.metrics import infer_task, loss_for

TrainData = Any  # (x, y) tuple, an object with .x/.y (ArrayDataset), or a batched tf.data.Dataset


def as_arrays(data: TrainData) -> tuple[np.ndarray, np.ndarray | None] | None:
    """(x, y) arrays from a tuple or an ArrayDataset-like object; None for a tf.data.Dataset."""
    if isinstance(data, tf.data.Dataset):
        return None
    if isinstance(data, tuple) and len(data) == 2:
        x, y = data
    elif hasattr(data, "x"):
        x, y = data.x, getattr(data, "y", None)
    elif isinstance(data, np.ndarray):
        x, y = data, None
    else:
        raise QuantizeError(
            f"training data of type {type(data).__name__} is not supported; pass (x, y), an ArrayDataset "
            "or a batched tf.data.Dataset"
        )
    x = np.asarray(x)
    if x.size == 0:
        raise QuantizeError("training data is empty; pass at least one batch of samples")
    return x, (None if y is None else np.asarray(y))


def fine_tune(
    model: keras.Model,
    data: TrainData,
    *,
    epochs: int,
    batch_size: int = 32,
    learning_rate: float = 1e-4,
    loss: Any = None,
    task: str = "auto",
    callbacks: list[keras.callbacks.Callback] | None = None,
    verbose: int = 0,
) -> keras.callbacks.History:
    """Compile ``model`` with Adam and the task's loss (unless ``loss`` is given) and fit ``epochs``."""
    if epochs < 1:
        raise QuantizeError(f"epochs must be >= 1, got {epochs}")
    arrays = as_arrays(data)
    if arrays is not None and task == "auto":
        task = infer_task(arrays[0], arrays[1], model.output_shape)
    if loss is None:
        if arrays is None:
            raise QuantizeError("a tf.data.Dataset carries no task; pass loss= (e.g. 'mse') to fine-tune")
        loss = loss_for(task, model)
    model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss=loss)
    if arrays is None:
        return model.fit(data, epochs=epochs, callbacks=callbacks or [], verbose=verbose)
    x, y = arrays
    target = x if y is None or task == "reconstruction" else y
    return model.fit(
        x,
        target,
        epochs=epochs,
        batch_size=batch_size,
        shuffle=True,
        callbacks=callbacks or [],
        verbose=verbose,
    )


def steps_per_epoch(data: TrainData, batch_size: int) -> int | None:
    """Optimizer steps in one epoch (None when a tf.data.Dataset has unknown cardinality)."""
    arrays = as_arrays(data)
    if arrays is None:
        card = int(data.cardinality().numpy())
        return card if card > 0 else None
    return int(np.ceil(len(arrays[0]) / batch_size))
