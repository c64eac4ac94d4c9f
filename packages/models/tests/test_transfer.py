"""Transfer-learning classifier / box regressor heads, freezing and fine-tuning, on every named backbone."""

import numpy as np
import pytest

from edgesmith.models import (
    BACKBONES,
    ModelError,
    backbone_layers,
    box_regressor,
    compact,
    count_params,
    transfer_classifier,
)


def test_compact_backbone_size_and_box_regressor_at_128():
    assert 100_000 <= count_params(compact(input_shape=(128, 128, 3))) <= 300_000
    model = box_regressor("compact", input_shape=(128, 128, 3))
    out = model(np.random.default_rng(0).random((2, 128, 128, 3), dtype=np.float32)).numpy()
    assert out.shape == (2, 4)
    assert (out > 0).all() and (out < 1).all()
    # random init: nothing frozen by default, the whole network trains
    assert all(layer.trainable for layer in backbone_layers(model))


def test_compact_has_no_imagenet_weights():
    with pytest.raises(ModelError, match="ImageNet"):
        box_regressor("compact", input_shape=(128, 128, 3), weights="imagenet")


def test_unknown_backbone_lists_choices():
    with pytest.raises(ModelError, match="mobilenetv2"):
        transfer_classifier("alexnet")
    assert {"mobilenetv2", "resnet50", "resnet152", "xception", "vgg16", "inceptionv3", "compact"} <= set(
        BACKBONES
    )
