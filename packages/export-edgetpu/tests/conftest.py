"""Tiny real TFLite models converted from Keras, shared by the export-edgetpu tests (seconds in total)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

FIXTURES = Path(__file__).parent / "fixtures"


def _convert(model, path: Path, *, int8: bool, int8_io: bool = True) -> Path:
    from edgesmith.datasets.tf_runtime import tf

    converter = tf.lite.TFLiteConverter.from_keras_model(model)
    if int8:
        rng = np.random.default_rng(0)
        shape = (1, *model.input_shape[1:])
        converter.optimizations = [tf.lite.Optimize.DEFAULT]
        converter.representative_dataset = lambda: ([rng.random(shape, dtype=np.float32)] for _ in range(8))
        converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
        if int8_io:
            converter.inference_input_type = tf.int8
            converter.inference_output_type = tf.int8
    path.write_bytes(converter.convert())
    return path


def _tiny_autoencoder(leaky: bool = False):
    """Document 004's layer types at toy size (Conv2D / MaxPool / UpSampling), static batch 1."""
    from edgesmith.datasets.tf_runtime import keras

    layers = keras.layers
    inputs = keras.Input((8, 8, 1), batch_size=1)
    x = layers.Conv2D(4, 3, padding="same", activation="relu")(inputs)
    if leaky:
        x = layers.LeakyReLU()(x)
    x = layers.MaxPooling2D(2)(x)
    x = layers.Conv2D(4, 3, padding="same", activation="relu")(x)
    x = layers.UpSampling2D(2)(x)
    outputs = layers.Conv2D(1, 3, padding="same", activation="sigmoid")(x)
    return keras.Model(inputs, outputs)


@pytest.fixture(scope="session")
def convert():
    """``convert(keras_model, path, int8=True, int8_io=True)`` -> path of the written .tflite."""
    return _convert


@pytest.fixture(scope="session")
def tflite_models(tmp_path_factory) -> dict[str, Path]:
    """``int8``: every op maps; ``leaky``: int8 with an unsupported op; ``float``: no quantization;
    ``float_io``: int8 compute with float input/output."""
    from edgesmith.datasets.tf_runtime import keras

    keras.utils.set_random_seed(0)
    root = tmp_path_factory.mktemp("tflite")
    clean, leaky = _tiny_autoencoder(), _tiny_autoencoder(leaky=True)
    return {
        "int8": _convert(clean, root / "cae_int8.tflite", int8=True),
        "float_io": _convert(clean, root / "cae_float_io.tflite", int8=True, int8_io=False),
        "float": _convert(clean, root / "cae_float.tflite", int8=False),
        "leaky": _convert(leaky, root / "leaky_int8.tflite", int8=True),
    }
