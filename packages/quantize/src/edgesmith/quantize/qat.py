"""Quantization-aware training with tfmot, sparsity-preserving when the model was pruned first."""

from __future__ import annotations

import dataclasses
from typing import Any

from edgesmith.datasets.tf_runtime import keras
from edgesmith.quantize.errors import QuantizeError
from edgesmith.quantize.pruning import copy_model, weight_sparsity
from edgesmith.quantize.sources import ModelSource, load_source
from edgesmith.quantize.training import TrainData, fine_tune


@dataclasses.dataclass
class QatResult:
    """The fake-quantized Keras model (convert with ``convert(..., mode="int8")``) and its training."""

    model: keras.Model
    float_layers: tuple[str, ...]
    training: dict[str, Any]
    history: dict[str, list[float]]
    source_sha256: str


def quantize_aware_train(
    model: ModelSource,
    train: TrainData,
    *,
    epochs: int = 1,
    batch_size: int = 32,
    learning_rate: float = 1e-4,
    loss: Any = None,
    task: str = "auto",
    preserve_sparsity: bool | None = None,
    callbacks: list[keras.callbacks.Callback] | None = None,
    verbose: int = 0,
) -> QatResult:
    """Insert fake-quant nodes with tfmot (``quantize_annotate_layer`` + ``quantize_apply``) and fine-tune.

    Layers tfmot's default 8-bit registry does not support (custom layers such as LRN) are left unannotated
    and listed in ``float_layers``. ``preserve_sparsity`` (default: when the model is already ≥ 10 % sparse)
    uses tfmot's pruning-preserving scheme so the zeros of a pruned model survive QAT.
    """
    import tensorflow_model_optimization as tfmot
    from tensorflow_model_optimization.python.core.quantization.keras.default_8bit import (
        default_8bit_quantize_registry,
    )

    keras_model, source_hash = load_source(model)
    sparsity_before = weight_sparsity(keras_model)
    if preserve_sparsity is None:
        preserve_sparsity = sparsity_before >= 0.10
    registry = default_8bit_quantize_registry.Default8BitQuantizeRegistry()
    skipped: list[str] = []

    def annotate(layer: keras.layers.Layer) -> keras.layers.Layer:
        if isinstance(layer, keras.layers.InputLayer):
            return layer
        if registry.supports(layer):
            return tfmot.quantization.keras.quantize_annotate_layer(layer)
        skipped.append(layer.name)
        return layer

    annotated = keras.models.clone_model(copy_model(keras_model), clone_function=annotate)
    scheme = (
        tfmot.experimental.combine.Default8BitPrunePreserveQuantizeScheme()
        if preserve_sparsity
        else tfmot.quantization.keras.default_8bit.Default8BitQuantizeScheme()
    )
    try:
        with tfmot.quantization.keras.quantize_scope():
            qat_model = tfmot.quantization.keras.quantize_apply(annotated, scheme)
    except (ValueError, RuntimeError, TypeError) as exc:
        raise QuantizeError(
            f"tfmot cannot quantize {keras_model.name!r}: {str(exc).splitlines()[0]}"
        ) from exc
    history = fine_tune(
        qat_model,
        train,
        epochs=epochs,
        batch_size=batch_size,
        learning_rate=learning_rate,
        loss=loss,
        task=task,
        callbacks=callbacks,
        verbose=verbose,
    )
    return QatResult(
        model=qat_model,
        float_layers=tuple(skipped),
        training={
            "kind": "qat",
            "scheme": "prune_preserve_8bit" if preserve_sparsity else "default_8bit",
            "epochs": epochs,
            "batch_size": batch_size,
            "learning_rate": learning_rate,
            "sparsity_before": round(sparsity_before, 6),
            "unannotated_layers": list(skipped),
        },
        history={k: [float(v) for v in vals] for k, vals in history.history.items()},
        source_sha256=source_hash,
    )
