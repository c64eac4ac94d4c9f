"""A small classifier built to break full-int8, for checking that an int8 pipeline catches the damage.

One convolution's output spans five orders of magnitude: after training, one of its channels is scaled by
``outlier`` and the next layer's weights for that channel by ``1/outlier``, which leaves the float model's
function unchanged (ReLU is positively homogeneous) but stretches the single per-tensor int8 scale of that
activation until every other channel rounds to zero. Plain int8 then collapses to chance, while keeping the
two layers around that tensor in float restores it. The task: find which quadrant of a noisy image holds a
bright square.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from edgesmith.datasets.tf_runtime import keras

HOSTILE_LAYER = "wide_range"  # the layer whose output spans five orders of magnitude
CONSUMER_LAYER = "after_wide_range"  # the layer reading it


def quadrant_images(n: int, size: int = 24, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """``n`` noisy grey images (size×size×1, float32) with a bright square in one of 4 quadrants (label)."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 4, n)
    x = rng.normal(0.0, 0.3, (n, size, size, 1)).astype(np.float32)
    half, side = size // 2, max(2, size // 6)
    for i, label in enumerate(y):
        top = int(rng.integers(0, half - side)) + (half if label >= 2 else 0)
        left = int(rng.integers(0, half - side)) + (half if label % 2 else 0)
        x[i, top : top + side, left : left + side, 0] += 1.0
    return x, y.astype(np.int64)


@dataclasses.dataclass
class HostileModel:
    """The trained model and the data it was trained on (evaluate on other seeds)."""

    model: keras.Model
    x_train: np.ndarray
    y_train: np.ndarray


def hostile_classifier(
    *,
    size: int = 24,
    width: int = 16,
    blocks: int = 6,
    outlier: float = 1e4,
    train_samples: int = 1500,
    epochs: int = 3,
    seed: int = 0,
) -> HostileModel:
    """Train the quadrant classifier (``3 * blocks + 8`` compute layers), then make it int8-hostile."""
    keras.utils.set_random_seed(seed)
    x, y = quadrant_images(train_samples, size, seed=seed + 1)
    conv = {"padding": "same", "activation": "relu", "kernel_initializer": "he_normal"}
    inp = keras.Input((size, size, 1), name="image")
    h = keras.layers.Conv2D(width, 3, name="stem", **conv)(inp)
    h = keras.layers.MaxPooling2D(name="pool0")(h)
    for b in range(blocks):
        r = keras.layers.Conv2D(width, 3, name=f"block{b}_a", **conv)(h)
        r = keras.layers.Conv2D(width, 3, name=f"block{b}_b", **conv)(r)
        h = keras.layers.Add(name=f"block{b}_add")([h, r])
        if b == 1:
            h = keras.layers.MaxPooling2D(name="pool1")(h)
        if b == blocks // 2:
            h = keras.layers.Conv2D(width, 3, name=HOSTILE_LAYER, **conv)(h)
            h = keras.layers.Conv2D(width, 1, name=CONSUMER_LAYER, **conv)(h)
    h = keras.layers.GlobalAveragePooling2D(name="gap")(h)
    h = keras.layers.Dense(32, activation="relu", name="fc")(h)
    out = keras.layers.Dense(4, name="logits")(h)
    model = keras.Model(inp, out, name="hostile_classifier")
    model.compile(
        keras.optimizers.Adam(2e-3),
        keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
    )
    model.fit(x, y, epochs=epochs, batch_size=32, verbose=0)
    wide, after = model.get_layer(HOSTILE_LAYER), model.get_layer(CONSUMER_LAYER)
    kernel, bias = wide.get_weights()
    kernel[..., 0] *= outlier
    bias[0] *= outlier
    wide.set_weights([kernel, bias])
    kernel, bias = after.get_weights()
    kernel[:, :, 0, :] /= outlier
    after.set_weights([kernel, bias])
    return HostileModel(model, x, y)
