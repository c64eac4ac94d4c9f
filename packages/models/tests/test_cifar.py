"""CIFAR-10 tutorial CNN (document 003): exact parameter count, knobs, forward pass."""

import numpy as np
import pytest

from edgesmith.models import LocalResponseNormalization, ModelError, cifar10_cnn, count_flops, count_params


def test_default_matches_tutorial_parameter_count():
    model = cifar10_cnn()
    # conv1 4,864 + conv2 102,464 + local3 885,120 + local4 73,920 + logits 1,930 (document 003: 1,068,298)
    assert count_params(model) == 1_068_298
    assert model.output_shape == (None, 10)
    assert sum(isinstance(layer, LocalResponseNormalization) for layer in model.layers) == 2
    out = model(np.zeros((2, 24, 24, 3), np.float32))
    assert out.shape == (2, 10)


def test_default_multiply_adds_hand_computed():
    # conv1 24·24·64·(5·5·3) + conv2 12·12·64·(5·5·64) + 2304·384 + 384·192 + 192·10
    expected = 24 * 24 * 64 * 75 + 12 * 12 * 64 * 1600 + 2304 * 384 + 384 * 192 + 192 * 10
    assert count_flops(cifar10_cnn()) == expected == 18_470_784


@pytest.mark.parametrize(
    ("kwargs", "flatten"),
    [({"conv_stride": 2}, 2 * 2 * 64), ({"conv_stride": 3}, 1 * 1 * 64), ({"filters": 32}, 6 * 6 * 32)],
)
def test_knobs_change_the_graph(kwargs, flatten):
    model = cifar10_cnn(**kwargs)
    assert model.get_layer("flatten").output_shape == (None, flatten)
    assert count_flops(model) < count_flops(cifar10_cnn())


def test_pool_and_lrn_knobs():
    assert cifar10_cnn(pool_size=5).get_layer("pool1").pool_size == (5, 5)
    no_lrn = cifar10_cnn(lrn=False)
    assert not any(isinstance(layer, LocalResponseNormalization) for layer in no_lrn.layers)
    assert count_params(no_lrn) == 1_068_298


def test_bad_knob_is_a_model_error():
    with pytest.raises(ModelError, match="conv_stride"):
        cifar10_cnn(conv_stride=0)
