"""Keras (tf-keras) builders for every architecture of the source documents, training, save/load, counts.

Names load on first use (PEP 562), so the Keras runner's entry point (``edgesmith.models.runner``) and the
runner registry's suffix checks never import TensorFlow.
"""

from __future__ import annotations

from edgesmith.profiling.lazy import lazy_exports

_EXPORTS = {
    "BACKBONES": "edgesmith.models.backbones",
    "BackboneSpec": "edgesmith.models.backbones",
    "CUSTOM_OBJECTS": "edgesmith.models.layers",
    "LayerFlops": "edgesmith.models.flops",
    "LocalResponseNormalization": "edgesmith.models.layers",
    "MLPSpec": "edgesmith.models.solar",
    "ModelError": "edgesmith.models.errors",
    "RichProgress": "edgesmith.models.training",
    "SPECS": "edgesmith.models.backbones",
    "TABLE_3_1_BASES": "edgesmith.models.solar",
    "as_dataset": "edgesmith.models.training",
    "backbone_layers": "edgesmith.models.transfer",
    "box_regressor": "edgesmith.models.transfer",
    "cifar10_cnn": "edgesmith.models.cifar",
    "compact": "edgesmith.models.backbones",
    "conv_autoencoder": "edgesmith.models.autoencoder",
    "count_flops": "edgesmith.models.flops",
    "count_params": "edgesmith.models.io",
    "flops_by_layer": "edgesmith.models.flops",
    "freeze_backbone": "edgesmith.models.transfer",
    "load_model": "edgesmith.models.io",
    "mlp_param_count": "edgesmith.models.solar",
    "model_format": "edgesmith.models.io",
    "pyramid_topologies": "edgesmith.models.solar",
    "save_model": "edgesmith.models.io",
    "sidecar_path": "edgesmith.models.io",
    "solar_map_cnn": "edgesmith.models.solar",
    "solar_mlp": "edgesmith.models.solar",
    "solar_mlp_family": "edgesmith.models.solar",
    "TrainingProfile": "edgesmith.models.training_profile",
    "profile_training": "edgesmith.models.training_profile",
    "refresh_batchnorm": "edgesmith.models.surgery",
    "with_static_batch": "edgesmith.models.surgery",
    "KerasRunner": "edgesmith.models.runner",
    "train": "edgesmith.models.training",
    "transfer_classifier": "edgesmith.models.transfer",
    "unet": "edgesmith.models.unet",
    "unfreeze": "edgesmith.models.transfer",
}
"""Public name -> the module that defines it (imported on first use)."""


__all__ = [
    "BACKBONES",
    "CUSTOM_OBJECTS",
    "SPECS",
    "TABLE_3_1_BASES",
    "BackboneSpec",
    "KerasRunner",
    "LayerFlops",
    "LocalResponseNormalization",
    "MLPSpec",
    "ModelError",
    "RichProgress",
    "TrainingProfile",
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
    "profile_training",
    "pyramid_topologies",
    "refresh_batchnorm",
    "save_model",
    "sidecar_path",
    "solar_map_cnn",
    "solar_mlp",
    "solar_mlp_family",
    "train",
    "transfer_classifier",
    "unet",
    "unfreeze",
    "with_static_batch",
]

__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, __all__)
