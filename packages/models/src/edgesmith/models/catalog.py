"""The builders by CLI name, with one-line descriptions, and keyword validation against their signatures."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from edgesmith.datasets.tf_runtime import keras
from edgesmith.models.autoencoder import conv_autoencoder
from edgesmith.models.cifar import cifar10_cnn
from edgesmith.models.errors import ModelError
from edgesmith.models.solar import solar_map_cnn, solar_mlp
from edgesmith.models.transfer import box_regressor, transfer_classifier
from edgesmith.models.unet import unet

BUILDERS: dict[str, tuple[Callable[..., keras.Model], str]] = {
    "cifar10-cnn": (cifar10_cnn, "TensorFlow CIFAR-10 tutorial CNN, 24×24×3 → 10 logits (CIFAR-10 study)"),
    "conv-autoencoder": (
        conv_autoencoder,
        "MNIST conv autoencoder, 12,785 params, Edge TPU ops only (Edge TPU study)",
    ),
    "unet": (unet, "U-Net segmentation, 8 Cityscapes category groups (Edge TPU study)"),
    "transfer-classifier": (transfer_classifier, "backbone + GAP + dropout + sigmoid/softmax (face study)"),
    "box-regressor": (box_regressor, "backbone + flatten + dense + 4 sigmoid box coordinates (plate study)"),
    "solar-mlp": (solar_mlp, "pyramidal MLP irradiance regressor, e.g. hidden=3200,1600,832 (solar study)"),
    "solar-map-cnn": (solar_map_cnn, "CNN on 50×50 irradiance maps, 4,352,641 params (solar study)"),
}


def builder(name: str) -> Callable[..., keras.Model]:
    """The builder function for a CLI name; a one-line error lists the known names."""
    if name not in BUILDERS:
        raise ModelError(f"unknown builder {name!r}; choose one of: {', '.join(BUILDERS)}")
    return BUILDERS[name][0]


def builder_params(name: str) -> dict[str, Any]:
    """The builder's keyword arguments and their defaults (``inspect.Parameter.empty`` when required)."""
    return {p.name: p.default for p in inspect.signature(builder(name)).parameters.values()}


def build(name: str, **kwargs: Any) -> keras.Model:
    """Build ``name`` with ``kwargs``, naming unknown or missing keywords in a one-line error."""
    params = builder_params(name)
    unknown = sorted(set(kwargs) - set(params))
    if unknown:
        raise ModelError(f"{name} has no parameter {', '.join(unknown)}; it takes: {', '.join(params)}")
    missing = [k for k, v in params.items() if v is inspect.Parameter.empty and k not in kwargs]
    if missing:
        raise ModelError(f"{name} needs {', '.join(missing)}; pass e.g. --param {missing[0]}=...")
    return builder(name)(**kwargs)
