"""count_flops against hand-computed multiply-adds for every counted layer kind, nested models included."""

import pytest

from edgesmith.datasets.tf_runtime import keras
from edgesmith.models import ModelError, conv_autoencoder, count_flops, flops_by_layer


def test_tiny_model_matches_hand_count():
    inputs = keras.Input(shape=(8, 8, 3))
    x = keras.layers.Conv2D(4, 3, padding="same", name="conv")(inputs)  # 8·8·4·(3·3·3) = 6,912
    x = keras.layers.DepthwiseConv2D(3, strides=2, padding="same", name="dw")(x)  # 4·4·4·9 = 576
    x = keras.layers.SeparableConv2D(6, 3, padding="valid", name="sep")(x)  # 2·2·4·9 + 2·2·4·6 = 240
    x = keras.layers.Conv2DTranspose(2, 2, strides=2, name="tconv")(x)  # 2·2·6·(2·2)·2 = 192
    x = keras.layers.MaxPooling2D(name="pool")(x)  # 0
    x = keras.layers.Dense(5, name="dense_3d")(x)  # applied per pixel: 2·2·2·5 = 40
    x = keras.layers.Flatten()(x)
    outputs = keras.layers.Dense(3, name="dense")(x)  # 20·3 = 60
    model = keras.Model(inputs, outputs)
    per_layer = {row.name: row.macs for row in flops_by_layer(model)}
    assert per_layer["conv"] == 6_912
    assert per_layer["dw"] == 576
    assert per_layer["sep"] == 240
    assert per_layer["tconv"] == 192
    assert per_layer["pool"] == 0
    assert per_layer["dense_3d"] == 40
    assert per_layer["dense"] == 60
    assert count_flops(model) == 6_912 + 576 + 240 + 192 + 40 + 60


def test_nested_model_is_expanded():
    inner_in = keras.Input(shape=(4,))
    inner = keras.Model(inner_in, keras.layers.Dense(8)(inner_in), name="inner")  # 32
    outer_in = keras.Input(shape=(4,))
    outer = keras.Model(outer_in, keras.layers.Dense(2)(inner(outer_in)))  # + 16
    assert count_flops(outer) == 48


def test_autoencoder_multiply_adds():
    # conv 28²·32·9 + 14²·16·288 + 7²·8·144 + 4²·8·72 + 8²·16·72 + 14²·32·144 + 28²·1·288
    expected = 225_792 + 903_168 + 56_448 + 9_216 + 73_728 + 903_168 + 225_792
    assert count_flops(conv_autoencoder()) == expected


def test_unknown_spatial_size_is_a_model_error():
    inputs = keras.Input(shape=(None, None, 3))
    model = keras.Model(inputs, keras.layers.Conv2D(2, 3)(inputs))
    with pytest.raises(ModelError, match="fixed input shape"):
        count_flops(model)
