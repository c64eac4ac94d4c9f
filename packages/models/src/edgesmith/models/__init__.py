"""Keras (tf-keras) builders for every architecture of the source documents, training, save/load, counts."""

from edgesmith.models.autoencoder import conv_autoencoder
from edgesmith.models.backbones import BACKBONES, SPECS, BackboneSpec, compact
from edgesmith.models.cifar import cifar10_cnn
from edgesmith.models.errors import ModelError
from edgesmith.models.flops import LayerFlops, count_flops, flops_by_layer
from edgesmith.models.io import count_params, load_model, model_format, save_model, sidecar_path
from edgesmith.models.layers import CUSTOM_OBJECTS, LocalResponseNormalization
from edgesmith.models.solar import (
    TABLE_3_1_BASES,
    MLPSpec,
    mlp_param_count,
    pyramid_topologies,
    solar_map_cnn,
    solar_mlp,
    solar_mlp_family,
)
from edgesmith.models.training import RichProgress, as_dataset, train
from edgesmith.models.transfer import (
    backbone_layers,
    box_regressor,
    freeze_backbone,
    transfer_classifier,
    unfreeze,
)
from edgesmith.models.unet import unet

__all__ = [
    "BACKBONES",
    "CUSTOM_OBJECTS",
    "SPECS",
    "TABLE_3_1_BASES",
    "BackboneSpec",
    "LayerFlops",
    "LocalResponseNormalization",
    "MLPSpec",
    "ModelError",
    "RichProgress",
    "as_dataset",
    "backbone_layers",
    "box_regressor",
    "cifar10_cnn",
    "compact",
    "conv_autoencoder",
    "count_flops",
    "count_params",
    "flops_by_layer",
    "freeze_backbone",
    "load_model",
    "mlp_param_count",
    "model_format",
    "pyramid_topologies",
    "save_model",
    "sidecar_path",
    "solar_map_cnn",
    "solar_mlp",
    "solar_mlp_family",
    "train",
    "transfer_classifier",
    "unet",
    "unfreeze",
]
