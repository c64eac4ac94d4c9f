"""A small training entry point: numpy/ArrayDataset/tf.data input, rich per-epoch progress, early stopping."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

import numpy as np
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from edgesmith.datasets.tf_runtime import keras, tf
from edgesmith.models.errors import ModelError


def _format_logs(logs: dict[str, Any] | None) -> str:
    return "  ".join(f"{key} {float(value):.4g}" for key, value in (logs or {}).items())


class RichProgress(keras.callbacks.Callback):
    """Keras callback showing a rich progress bar per epoch and one summary line per finished epoch."""

    def __init__(self, console: Console | None = None) -> None:
        super().__init__()
        self.console = console or Console(stderr=True)
        self._progress: Progress | None = None
        self._task: Any = None
        self._epochs = 0
        self._started = 0.0

    def on_train_begin(self, logs: dict[str, Any] | None = None) -> None:
        self._epochs = int(self.params.get("epochs") or 0)
        self._progress = Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            TextColumn("{task.fields[metrics]}"),
            console=self.console,
            transient=True,
        )
        self._progress.start()

    def on_epoch_begin(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        assert self._progress is not None
        self._started = time.perf_counter()
        self._task = self._progress.add_task(
            f"epoch {epoch + 1}/{self._epochs}", total=self.params.get("steps"), metrics=""
        )

    def on_train_batch_end(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        if self._progress is not None and self._task is not None:
            self._progress.update(self._task, completed=batch + 1, metrics=_format_logs(logs))

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        if self._progress is None:
            return
        if self._task is not None:
            self._progress.remove_task(self._task)
            self._task = None
        elapsed = time.perf_counter() - self._started
        self._progress.console.print(
            f"epoch {epoch + 1}/{self._epochs}  {_format_logs(logs)}  [dim]({elapsed:.1f} s)[/dim]"
        )

    def on_train_end(self, logs: dict[str, Any] | None = None) -> None:
        if self._progress is not None:
            self._progress.stop()
            self._progress = None


def _input_rank(model: keras.Model) -> int:
    return len(model.inputs[0].shape) if model.inputs else 0


def as_dataset(
    data: Any,
    model: keras.Model,
    batch_size: int = 32,
    shuffle: bool = False,
    seed: int = 0,
) -> tf.data.Dataset:
    """A batched ``tf.data.Dataset`` of (x, y) from a tf.data.Dataset, an ArrayDataset or an (x, y) pair.

    An ArrayDataset goes through its own ``to_tf`` (keeping its augmentation); one whose ``y`` is None trains
    as an autoencoder (targets = inputs). An unbatched ``tf.data.Dataset`` is batched to ``batch_size``.
    """
    if batch_size < 1:
        raise ModelError(f"batch_size must be >= 1, got {batch_size}")
    if isinstance(data, tf.data.Dataset):
        spec = data.element_spec
        first = spec[0] if isinstance(spec, tuple) else spec
        rank = len(first.shape) if first.shape.rank is not None else None
        if rank is not None and rank == _input_rank(model) - 1:
            data = data.batch(batch_size)
        return data
    if hasattr(data, "x") and hasattr(data, "y"):
        x, y = data.x, data.y
    elif isinstance(data, tuple | list) and len(data) == 2:
        x, y = data
    else:
        raise ModelError(
            f"cannot train on {type(data).__name__}; pass an ArrayDataset, tf.data.Dataset or (x, y) pair"
        )
    x = np.asarray(x)
    _check_inputs(x, model)
    if hasattr(data, "to_tf"):  # an ArrayDataset: keep its own pipeline (e.g. training-split augmentation)
        ds = data.to_tf(batch_size=batch_size, shuffle=shuffle, seed=seed)
        return ds.map(lambda xb: (xb, xb)) if y is None else ds
    y = x if y is None else np.asarray(y)
    if len(x) != len(y):
        raise ModelError(f"x has {len(x)} samples but y has {len(y)}; they must match")
    ds = tf.data.Dataset.from_tensor_slices((x, y))
    if shuffle:
        ds = ds.shuffle(min(len(x), 10_000), seed=seed, reshuffle_each_iteration=True)
    return ds.batch(batch_size).prefetch(tf.data.AUTOTUNE)


def _check_inputs(x: np.ndarray, model: keras.Model) -> None:
    if len(x) == 0:
        raise ModelError("the dataset is empty")
    expected = tuple(model.inputs[0].shape[1:])
    sample = tuple(x.shape[1:])
    if len(expected) != len(sample) or any(
        e is not None and e != a for e, a in zip(expected, sample, strict=True)
    ):
        raise ModelError(f"inputs have shape {sample} but {model.name} expects {expected}; resize the data")


def _is_compiled(model: keras.Model) -> bool:
    return bool(getattr(model, "_is_compiled", model.optimizer is not None))


def train(
    model: keras.Model,
    train: Any,
    val: Any = None,
    epochs: int = 1,
    batch_size: int = 32,
    patience: int | None = None,
    progress: bool = True,
    *,
    loss: Any = None,
    optimizer: Any = "adam",
    learning_rate: float | None = None,
    metrics: Sequence[Any] | None = None,
    seed: int = 0,
    callbacks: Sequence[keras.callbacks.Callback] = (),
    console: Console | None = None,
) -> keras.callbacks.History:
    """Fit ``model`` on ``train`` (shuffled each epoch), validating on ``val``; returns the Keras History.

    Compile the model first, or pass ``loss`` (and optionally ``optimizer``, ``learning_rate``, ``metrics``)
    and it is compiled here. ``patience`` enables early stopping on ``val_loss`` (``loss`` without ``val``)
    and restores the best epoch's weights at the end. ``progress`` shows a rich bar per epoch on stderr.
    """
    if epochs < 1:
        raise ModelError(f"epochs must be >= 1, got {epochs}")
    if patience is not None and patience < 0:
        raise ModelError(f"patience must be >= 0, got {patience}")
    if loss is not None:
        if isinstance(optimizer, str):
            optimizer = keras.optimizers.get(optimizer)
        if learning_rate is not None:
            optimizer.learning_rate = learning_rate
        model.compile(optimizer=optimizer, loss=loss, metrics=list(metrics or []))
    elif not _is_compiled(model):
        raise ModelError(
            f"{model.name} is not compiled: pass loss=... to train() (e.g. 'mse') or call model.compile()"
        )
    keras.utils.set_random_seed(seed)
    train_ds = as_dataset(train, model, batch_size=batch_size, shuffle=True, seed=seed)
    val_ds = as_dataset(val, model, batch_size=batch_size) if val is not None else None
    all_callbacks = list(callbacks)
    if patience is not None:
        all_callbacks.append(
            keras.callbacks.EarlyStopping(
                monitor="val_loss" if val_ds is not None else "loss",
                patience=patience,
                restore_best_weights=True,
            )
        )
    if progress:
        all_callbacks.append(RichProgress(console))
    if int(train_ds.cardinality().numpy()) == 0:
        raise ModelError("the training dataset has no batches")
    return model.fit(train_ds, validation_data=val_ds, epochs=epochs, callbacks=all_callbacks, verbose=0)
