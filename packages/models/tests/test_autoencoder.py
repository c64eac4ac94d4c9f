"""Document 004's MNIST conv autoencoder: exactly 12,785 parameters, only Edge-TPU-friendly layer types."""

import numpy as np
import pytest

from edgesmith.datasets.tf_runtime import keras
from edgesmith.models import ModelError, conv_autoencoder, count_params


def test_parameter_count_latent_and_reconstruction_shape():
    model = conv_autoencoder()
    assert count_params(model) == 12_785
    assert model.get_layer("latent").output_shape == (None, 4, 4, 8)
    out = model(np.random.default_rng(0).random((3, 28, 28, 1), dtype=np.float32)).numpy()
    assert out.shape == (3, 28, 28, 1)
    assert out.min() >= 0.0 and out.max() <= 1.0


def test_only_conv_pool_upsampling_layers():
    allowed = (
        keras.layers.InputLayer,
        keras.layers.Conv2D,
        keras.layers.MaxPooling2D,
        keras.layers.UpSampling2D,
    )
    model = conv_autoencoder()
    assert all(isinstance(layer, allowed) for layer in model.layers)
    assert not any(isinstance(layer, keras.layers.Conv2DTranspose) for layer in model.layers)


def test_wrong_input_size_is_a_model_error():
    with pytest.raises(ModelError, match="28×28"):
        conv_autoencoder(input_shape=(32, 32, 1))
