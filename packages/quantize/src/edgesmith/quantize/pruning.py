"""Magnitude pruning with tfmot (plate study: polynomial decay 20 % → 80 % sparsity, UpdatePruningStep)."""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np

from edgesmith.datasets.tf_runtime import keras
from edgesmith.quantize.errors import QuantizeError
from edgesmith.quantize.sources import ModelSource, load_source
from edgesmith.quantize.training import TrainData, fine_tune, steps_per_epoch

_KERNEL_LAYERS = (keras.layers.Conv2D, keras.layers.Dense, keras.layers.DepthwiseConv2D, keras.layers.Conv1D)


def _kernels(model: keras.Model) -> list[np.ndarray]:
    out = []
    for layer in model.submodules if hasattr(model, "submodules") else model.layers:
        if isinstance(layer, _KERNEL_LAYERS):
            kernel = (
                getattr(layer, "depthwise_kernel", None)
                if isinstance(layer, keras.layers.DepthwiseConv2D)
                else None
            )
            kernel = kernel if kernel is not None else getattr(layer, "kernel", None)
            if kernel is not None:
                out.append(np.asarray(kernel.numpy()))
    return out


def pruning_frequency(span: int, preferred: int = 100) -> int:
    """Largest mask-update interval ≤ ``preferred`` that divides ``span``, so the last update hits end_step.

    tfmot only updates masks every ``frequency`` steps; when ``span`` is not a multiple of it the final
    sparsity is never applied. The Costa Rica plate study's 2,000 steps keep tfmot's default of 100.
    """
    return next(f for f in range(min(preferred, max(span, 1)), 0, -1) if span % f == 0)


def copy_model(model: keras.Model) -> keras.Model:
    """An independent copy with the same weights, so fine-tuning never changes the caller's model."""
    copy = keras.models.clone_model(model)
    copy.set_weights(model.get_weights())
    return copy


def weight_sparsity(model: keras.Model) -> float:
    """Share of exactly-zero values among the conv/dense kernels of a Keras model (biases excluded)."""
    kernels = _kernels(model)
    total = sum(k.size for k in kernels)
    return float(sum(int(np.count_nonzero(k == 0)) for k in kernels) / total) if total else 0.0


@dataclasses.dataclass
class PruneResult:
    """The stripped (export-ready) pruned model, its measured sparsity and the schedule that produced it."""

    model: keras.Model
    sparsity: float
    schedule: dict[str, Any]
    history: dict[str, list[float]]
    source_sha256: str


def prune(
    model: ModelSource,
    train: TrainData,
    *,
    epochs: int = 2,
    batch_size: int = 32,
    initial_sparsity: float = 0.2,
    final_sparsity: float = 0.8,
    begin_step: int = 0,
    end_step: int | None = None,
    learning_rate: float = 1e-4,
    loss: Any = None,
    task: str = "auto",
    callbacks: list[keras.callbacks.Callback] | None = None,
    verbose: int = 0,
) -> PruneResult:
    """Prune conv/dense kernels by magnitude with a polynomial-decay schedule while fine-tuning, then strip.

    ``end_step`` defaults to the last optimizer step of the ``epochs`` (the plate study used 2,000), so the
    final sparsity is reached by the end of training. Layers tfmot cannot prune are left dense.
    """
    import tensorflow_model_optimization as tfmot

    if not 0.0 <= initial_sparsity <= final_sparsity < 1.0:
        raise QuantizeError(
            f"sparsities must satisfy 0 <= initial ({initial_sparsity}) <= final ({final_sparsity}) < 1"
        )
    keras_model, source_hash = load_source(model)
    steps = steps_per_epoch(train, batch_size)
    if end_step is None:
        if steps is None:
            raise QuantizeError("cannot infer the dataset's length; pass end_step= (optimizer steps)")
        end_step = begin_step + max(1, epochs * steps - 1)
    if end_step <= begin_step:
        raise QuantizeError(f"end_step ({end_step}) must be greater than begin_step ({begin_step})")
    frequency = pruning_frequency(end_step - begin_step)
    schedule = tfmot.sparsity.keras.PolynomialDecay(
        initial_sparsity=initial_sparsity,
        final_sparsity=final_sparsity,
        begin_step=begin_step,
        end_step=end_step,
        frequency=frequency,
    )
    from tensorflow_model_optimization.python.core.sparsity.keras.prune_registry import PruneRegistry

    wrapped: list[str] = []

    def wrap(layer: keras.layers.Layer) -> keras.layers.Layer:
        if layer.weights and (
            isinstance(layer, tfmot.sparsity.keras.PrunableLayer) or PruneRegistry.supports(layer)
        ):
            wrapped.append(layer.name)
            return tfmot.sparsity.keras.prune_low_magnitude(layer, pruning_schedule=schedule)
        return layer

    pruned = keras.models.clone_model(copy_model(keras_model), clone_function=wrap)  # wrappers keep weights
    if not wrapped:
        raise QuantizeError(f"model {keras_model.name!r} has no conv/dense layer tfmot can prune")
    history = fine_tune(
        pruned,
        train,
        epochs=epochs,
        batch_size=batch_size,
        learning_rate=learning_rate,
        loss=loss,
        task=task,
        callbacks=[tfmot.sparsity.keras.UpdatePruningStep(), *(callbacks or [])],
        verbose=verbose,
    )
    stripped = tfmot.sparsity.keras.strip_pruning(pruned)
    return PruneResult(
        model=stripped,
        sparsity=weight_sparsity(stripped),
        schedule={
            "kind": "polynomial_decay",
            "initial_sparsity": initial_sparsity,
            "final_sparsity": final_sparsity,
            "begin_step": begin_step,
            "end_step": end_step,
            "frequency": frequency,
            "epochs": epochs,
            "batch_size": batch_size,
            "pruned_layers": wrapped,
        },
        history={k: [float(v) for v in vals] for k, vals in history.history.items()},
        source_sha256=source_hash,
    )
