"""Transfer-learning heads on named backbones: face classifier (face study), plate box regressor (001)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from edgesmith.datasets.tf_runtime import keras
from edgesmith.models.backbones import build_backbone
from edgesmith.models.errors import ModelError

HEAD_PREFIX = "head_"
_NOT_BACKBONE = ("preprocess",)


def _image_input(input_shape: Sequence[int]) -> Any:
    shape = tuple(int(v) for v in input_shape)
    if len(shape) != 3:
        raise ModelError(f"input_shape must be (height, width, channels), got {tuple(input_shape)}")
    return keras.Input(shape=shape, name="image")


def _resolve_freeze(freeze_base: bool | None, weights: str | None) -> bool:
    return weights is not None if freeze_base is None else bool(freeze_base)


def transfer_classifier(
    backbone: str,
    input_shape: tuple[int, int, int] = (128, 128, 3),
    num_classes: int = 2,
    weights: str | None = None,
    dropout: float = 0.2,
    freeze_base: bool | None = None,
    alpha: float | None = None,
) -> keras.Model:
    """Backbone → global average pooling → dropout → Dense: the face study's face classifier on any backbone.

    Input: float32 images in [0, 1] (the backbone's own preprocessing is a layer inside the model). Output:
    one sigmoid probability when ``num_classes == 2`` (threshold 0.5, as the face study), else a softmax.
    ``weights="imagenet"`` downloads pretrained weights (network needed); ``weights=None`` is random init.
    ``freeze_base`` defaults to True exactly when weights are loaded; call :func:`unfreeze` to fine-tune.
    ``alpha`` is MobileNetV2's width multiplier.
    """
    if num_classes < 2:
        raise ModelError(f"num_classes must be >= 2, got {num_classes}")
    if not 0.0 <= dropout < 1.0:
        raise ModelError(f"dropout must be in [0, 1), got {dropout}")
    inputs = _image_input(input_shape)
    features, _ = build_backbone(backbone, inputs, weights=weights, alpha=alpha)
    x = keras.layers.GlobalAveragePooling2D(name=f"{HEAD_PREFIX}pool")(features)
    x = keras.layers.Dropout(dropout, name=f"{HEAD_PREFIX}dropout")(x)
    if num_classes == 2:
        outputs = keras.layers.Dense(1, activation="sigmoid", name=f"{HEAD_PREFIX}output")(x)
    else:
        outputs = keras.layers.Dense(num_classes, activation="softmax", name=f"{HEAD_PREFIX}output")(x)
    model = keras.Model(inputs, outputs, name=f"{backbone.lower()}_classifier")
    if _resolve_freeze(freeze_base, weights):
        freeze_backbone(model)
    return model


def box_regressor(
    backbone: str,
    input_shape: tuple[int, int, int] = (224, 224, 3),
    weights: str | None = None,
    dense: Sequence[int] = (128, 64, 64),
    dropout: float = 0.0,
    freeze_base: bool | None = None,
    alpha: float | None = None,
) -> keras.Model:
    """Backbone → flatten → Dense 128/64/64 ReLU → 4 sigmoid outputs: the plate study's box regressor.

    Outputs are normalised ``x1, y1, x2, y2`` in [0, 1] (the plate CSV's convention); train with MSE.
    Flatten (not global pooling) keeps where the features are, which box regression needs.
    ``backbone="compact"`` is the small from-scratch network that trains on a CPU; ``freeze_base`` defaults to
    True exactly when pretrained weights are loaded.
    """
    if not 0.0 <= dropout < 1.0:
        raise ModelError(f"dropout must be in [0, 1), got {dropout}")
    inputs = _image_input(input_shape)
    features, _ = build_backbone(backbone, inputs, weights=weights, alpha=alpha)
    x = keras.layers.Flatten(name=f"{HEAD_PREFIX}flatten")(features)
    for i, units in enumerate(dense, start=1):
        x = keras.layers.Dense(int(units), activation="relu", name=f"{HEAD_PREFIX}dense{i}")(x)
        if dropout:
            x = keras.layers.Dropout(dropout, name=f"{HEAD_PREFIX}dropout{i}")(x)
    outputs = keras.layers.Dense(4, activation="sigmoid", name=f"{HEAD_PREFIX}box")(x)
    model = keras.Model(inputs, outputs, name=f"{backbone.lower()}_box_regressor")
    if _resolve_freeze(freeze_base, weights):
        freeze_backbone(model)
    return model


def backbone_layers(model: keras.Model) -> list[keras.layers.Layer]:
    """The layers of a transfer model that belong to its backbone, input to output order."""
    return [
        layer
        for layer in model.layers
        if not isinstance(layer, keras.layers.InputLayer)
        and not layer.name.startswith(HEAD_PREFIX)
        and layer.name not in _NOT_BACKBONE
    ]


def freeze_backbone(model: keras.Model) -> int:
    """Make every backbone layer non-trainable (BatchNorm then runs in inference mode); returns how many."""
    layers = backbone_layers(model)
    for layer in layers:
        layer.trainable = False
    return len(layers)


def unfreeze(
    model: keras.Model,
    n_layers: int | None = None,
    keep_batchnorm_frozen: bool = True,
    learning_rate: float | None = None,
) -> int:
    """Make the last ``n_layers`` backbone layers trainable (all when None) for fine-tuning; returns how many.

    BatchNormalization layers stay frozen by default (the usual Keras fine-tuning practice: their statistics
    do not drift on a small dataset). A compiled model is re-compiled so the change takes effect, with a fresh
    optimizer of the same kind at ``learning_rate`` (default: a tenth of the current one).
    """
    layers = backbone_layers(model)
    if not layers:
        raise ModelError(
            f"{model.name} has no backbone layers; build it with transfer_classifier/box_regressor"
        )
    if n_layers is not None and n_layers < 0:
        raise ModelError(f"n_layers must be >= 0, got {n_layers}")
    chosen = layers if n_layers is None else layers[len(layers) - min(n_layers, len(layers)) :]
    count = 0
    for layer in chosen:
        if keep_batchnorm_frozen and isinstance(layer, keras.layers.BatchNormalization):
            continue
        layer.trainable = True
        count += 1
    if model.optimizer is not None and getattr(model, "compiled_loss", None) is not None:
        _recompile(model, learning_rate)
    return count


def _recompile(model: keras.Model, learning_rate: float | None) -> None:
    old = model.optimizer
    config = old.get_config()
    if learning_rate is None:
        current = keras.backend.get_value(old.learning_rate)
        learning_rate = float(current) / 10.0
    config["learning_rate"] = float(learning_rate)
    optimizer = type(old).from_config(config)
    metrics = getattr(model.compiled_metrics, "_user_metrics", None)
    model.compile(optimizer=optimizer, loss=model.loss, metrics=metrics)
