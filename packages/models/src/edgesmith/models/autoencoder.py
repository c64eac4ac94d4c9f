"""The TPU study's MNIST convolutional autoencoder: Conv2D / MaxPool / UpSampling only, for the Edge TPU."""

from __future__ import annotations

from edgesmith.datasets.tf_runtime import keras
from edgesmith.models.errors import ModelError


def conv_autoencoder(input_shape: tuple[int, int, int] = (28, 28, 1)) -> keras.Model:
    """28×28×1 → 4×4×8 latent → 28×28×1 sigmoid reconstruction; exactly 12,785 parameters.

    Encoder conv 32/16/8 (3×3, ReLU) each followed by a 2×2 max-pool (28 → 14 → 7 → 4); decoder conv 8/16/32
    with 2×2 up-sampling (4 → 8 → 16, a VALID conv to 14, → 28) and a 3×3 sigmoid conv back to the channels.
    UpSampling + Conv2D replaces Conv2DTranspose so every op maps onto the Edge TPU. Train with MSE and Adam.
    """
    height, width, channels = (int(v) for v in input_shape)
    if (height, width) != (28, 28):
        raise ModelError(
            f"conv_autoencoder: input must be 28×28×C (the layer sizes are fixed by the Edge TPU study), "
            f"got {height}×{width}×{channels}; resize the images to 28×28"
        )
    conv = {"kernel_size": 3, "activation": "relu", "padding": "same"}
    inputs = keras.Input(shape=(height, width, channels), name="image")
    x = keras.layers.Conv2D(32, name="enc_conv1", **conv)(inputs)
    x = keras.layers.MaxPooling2D(2, padding="same", name="enc_pool1")(x)
    x = keras.layers.Conv2D(16, name="enc_conv2", **conv)(x)
    x = keras.layers.MaxPooling2D(2, padding="same", name="enc_pool2")(x)
    x = keras.layers.Conv2D(8, name="enc_conv3", **conv)(x)
    latent = keras.layers.MaxPooling2D(2, padding="same", name="latent")(x)
    x = keras.layers.Conv2D(8, name="dec_conv1", **conv)(latent)
    x = keras.layers.UpSampling2D(2, name="dec_up1")(x)
    x = keras.layers.Conv2D(16, name="dec_conv2", **conv)(x)
    x = keras.layers.UpSampling2D(2, name="dec_up2")(x)
    x = keras.layers.Conv2D(32, kernel_size=3, activation="relu", padding="valid", name="dec_conv3")(x)
    x = keras.layers.UpSampling2D(2, name="dec_up3")(x)
    outputs = keras.layers.Conv2D(
        channels, kernel_size=3, activation="sigmoid", padding="same", name="output"
    )(x)
    return keras.Model(inputs, outputs, name="conv_autoencoder")
