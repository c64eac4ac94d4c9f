"""Tiny models and data shared by the quantize tests (built in memory, seeded, a few KB each)."""

from __future__ import annotations

import numpy as np
import pytest

from edgesmith.datasets.tf_runtime import keras, tf


def tiny_classifier(name: str = "tiny_cls") -> keras.Model:
    """8×8×1 → conv 8 → dense 32 → 3 logits; the 9,216-weight dense kernel is big enough for dynamic range."""
    keras.utils.set_random_seed(0)
    inputs = keras.Input((8, 8, 1), name="image")
    x = keras.layers.Conv2D(8, 3, activation="relu", name="conv")(inputs)
    x = keras.layers.Flatten(name="flatten")(x)
    x = keras.layers.Dense(32, activation="relu", name="hidden")(x)
    outputs = keras.layers.Dense(3, name="logits")(x)
    return keras.Model(inputs, outputs, name=name)


@pytest.fixture
def sin_model() -> keras.Model:
    """A model whose SIN op has a float TFLite kernel but no int8 one."""
    keras.utils.set_random_seed(0)
    inputs = keras.Input((16,), name="features")
    x = keras.layers.Dense(16, name="dense_in")(inputs)
    x = keras.layers.Lambda(tf.math.sin, name="wave")(x)
    outputs = keras.layers.Dense(2, name="head")(x)
    return keras.Model(inputs, outputs, name="sin_model")


@pytest.fixture(scope="session")
def data() -> tuple[np.ndarray, np.ndarray]:
    """96 samples of 8×8×1 in [0, 1]; the label is which third of the image is brightest (learnable)."""
    rng = np.random.default_rng(0)
    x = rng.random((96, 8, 8, 1), dtype=np.float32) * 0.5
    y = rng.integers(0, 3, 96)
    for i, label in enumerate(y):
        x[i, :, label * 2 : label * 2 + 3, 0] += 0.5
    return x, y.astype(np.int64)


@pytest.fixture(scope="session")
def classifier(data: tuple[np.ndarray, np.ndarray]) -> keras.Model:
    """The tiny classifier trained a few epochs, so accuracy comparisons mean something."""
    model = tiny_classifier()
    model.compile(
        optimizer=keras.optimizers.Adam(1e-2),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
    )
    x, y = data
    model.fit(x, y, epochs=15, batch_size=32, verbose=0)
    return model


@pytest.fixture(scope="session")
def converted(classifier, data) -> dict:
    """The trained classifier converted once per mode (in memory), shared by tests that only read them."""
    from edgesmith.quantize import convert

    x, _ = data
    return {
        mode: convert(classifier, mode, x if "int8" in mode else None)
        for mode in ("float32", "float16", "dynamic", "int8")
    }


@pytest.fixture(scope="session")
def hostile():
    """The int8-hostile quadrant classifier (26 compute layers, one activation spanning 1e4), trained once."""
    from edgesmith.quantize.hostile import hostile_classifier

    return hostile_classifier()


@pytest.fixture(scope="session")
def hostile_heldout() -> tuple[np.ndarray, np.ndarray]:
    """Quadrant images from a seed the training set never used."""
    from edgesmith.quantize.hostile import quadrant_images

    return quadrant_images(300, seed=77)
