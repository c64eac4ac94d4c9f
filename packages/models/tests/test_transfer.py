"""Transfer-learning classifier / box regressor heads, freezing and fine-tuning, on every named backbone."""

import numpy as np
import pytest

from edgesmith.datasets.tf_runtime import keras
from edgesmith.models import (
    BACKBONES,
    ModelError,
    backbone_layers,
    box_regressor,
    compact,
    count_params,
    transfer_classifier,
    unfreeze,
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


# (backbone, smallest input keras.applications accepts) — one build + one forward pass each
ALL_BACKBONES = [
    ("mobilenetv2", 32),
    ("resnet50", 32),
    ("resnet152", 32),
    ("xception", 71),
    ("vgg16", 32),
    ("inceptionv3", 75),
]


@pytest.mark.parametrize(("backbone", "size"), ALL_BACKBONES)
def test_classifier_on_every_backbone_is_flat_and_runs(backbone, size):
    model = transfer_classifier(backbone, input_shape=(size, size, 3), weights=None)
    assert not any(isinstance(layer, keras.Model) for layer in model.layers)  # flat: tfmot/tf2onnx friendly
    assert model.get_layer("head_output").activation.__name__ == "sigmoid"
    out = model(np.random.default_rng(0).random((1, size, size, 3), dtype=np.float32)).numpy()
    assert out.shape == (1, 1) and 0.0 < float(out[0, 0]) < 1.0


def test_multiclass_softmax_and_too_small_input():
    model = transfer_classifier("mobilenetv2", input_shape=(32, 32, 3), num_classes=5, alpha=0.35)
    out = model(np.zeros((2, 32, 32, 3), np.float32)).numpy()
    assert out.shape == (2, 5)
    np.testing.assert_allclose(out.sum(axis=1), 1.0, rtol=1e-5)
    with pytest.raises(ModelError, match="at least 71"):
        transfer_classifier("xception", input_shape=(64, 64, 3))
    with pytest.raises(ModelError, match="mobilenetv2 only"):
        transfer_classifier("vgg16", input_shape=(32, 32, 3), alpha=0.5)


def test_alpha_shrinks_mobilenetv2():
    small = box_regressor("mobilenetv2", input_shape=(64, 64, 3), alpha=0.35, dense=(16,))
    full = box_regressor("mobilenetv2", input_shape=(64, 64, 3), dense=(16,))
    assert count_params(small) < count_params(full) / 3
    assert small.output_shape == (None, 4)


def test_caffe_preprocessing_flips_to_bgr_and_subtracts_the_imagenet_mean():
    model = transfer_classifier("vgg16", input_shape=(32, 32, 3))
    pixel = np.zeros((1, 32, 32, 3), np.float32)
    pixel[..., 0] = 1.0  # pure red in [0, 1] RGB
    pre = keras.Model(model.input, model.get_layer("preprocess").output)(pixel).numpy()[0, 0, 0]
    np.testing.assert_allclose(pre, [-103.939, -116.779, 255.0 - 123.68], rtol=1e-5)
    assert not model.get_layer("preprocess").trainable


def test_freeze_then_unfreeze_last_layers_recompiles():
    model = transfer_classifier("mobilenetv2", input_shape=(32, 32, 3), alpha=0.35, freeze_base=True)
    frozen_trainable = count_params(model, trainable_only=True)
    assert frozen_trainable == model.get_layer("head_output").count_params()
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="binary_crossentropy", metrics=["accuracy"])
    count = unfreeze(model, n_layers=10)
    layers = backbone_layers(model)
    tail = layers[-10:]
    assert count == sum(not isinstance(layer, keras.layers.BatchNormalization) for layer in tail)
    assert all(layer.trainable != isinstance(layer, keras.layers.BatchNormalization) for layer in tail)
    assert not any(layer.trainable for layer in layers[:-10])
    assert count_params(model, trainable_only=True) > frozen_trainable
    assert float(keras.backend.get_value(model.optimizer.learning_rate)) == pytest.approx(1e-4)
    logs = model.train_on_batch(np.zeros((4, 32, 32, 3), np.float32), np.ones((4, 1)), return_dict=True)
    assert set(logs) == {"loss", "accuracy"}


def test_compact_box_regressor_learns_boxes_in_seconds():
    """Bright rectangles on noise: the from-scratch compact detector must locate them after a few epochs."""
    from edgesmith.models import train

    rng = np.random.default_rng(0)
    n, size = 256, 64
    x = rng.random((n, size, size, 3), dtype=np.float32) * 0.3
    y = np.zeros((n, 4), np.float32)
    for i in range(n):
        w, h = rng.integers(12, 32), rng.integers(6, 16)
        x0, y0 = rng.integers(0, size - w), rng.integers(0, size - h)
        x[i, y0 : y0 + h, x0 : x0 + w] = 1.0
        y[i] = [x0 / size, y0 / size, (x0 + w) / size, (y0 + h) / size]
    keras.utils.set_random_seed(0)
    model = box_regressor("compact", input_shape=(size, size, 3))
    history = train(
        model,
        (x[:224], y[:224]),
        val=(x[224:], y[224:]),
        epochs=8,
        loss="mse",
        learning_rate=3e-3,
        progress=False,
    )
    baseline = float(np.mean((y[224:] - y[:224].mean(axis=0)) ** 2))  # predicting the mean box
    assert history.history["val_loss"][-1] < 0.3 * baseline
