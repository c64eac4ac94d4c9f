"""train(): numpy / ArrayDataset-like / tf.data inputs, learning, early stopping with best-weight restore."""

import numpy as np
import pytest

from edgesmith.datasets import ArrayDataset
from edgesmith.datasets.tf_runtime import keras, tf
from edgesmith.models import ModelError, as_dataset, train


def _linear_model():
    inputs = keras.Input(shape=(4,))
    return keras.Model(inputs, keras.layers.Dense(1)(inputs))


def _linear_data(n=256, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 4)).astype(np.float32)
    y = (x @ np.array([[1.0], [-2.0], [0.5], [3.0]], np.float32)).astype(np.float32)
    return x, y


def test_training_reduces_loss_and_reports_each_epoch():
    model = _linear_model()
    x, y = _linear_data()
    history = train(model, (x, y), epochs=5, batch_size=32, loss="mse", learning_rate=0.05, progress=False)
    assert len(history.history["loss"]) == 5
    assert history.history["loss"][-1] < 0.5 * history.history["loss"][0]


def test_uncompiled_model_without_loss_is_a_model_error():
    with pytest.raises(ModelError, match="not compiled"):
        train(_linear_model(), _linear_data(), progress=False)


def test_array_dataset_without_labels_trains_as_autoencoder():
    inputs = keras.Input(shape=(4,))
    model = keras.Model(inputs, keras.layers.Dense(4)(inputs))
    x, _ = _linear_data(64)
    ds = as_dataset(ArrayDataset(x, None, "toy"), model, batch_size=16)
    xb, yb = next(iter(ds))
    np.testing.assert_array_equal(xb.numpy(), yb.numpy())
    history = train(model, ArrayDataset(x, None, "toy"), epochs=1, loss="mse", progress=False)
    assert np.isfinite(history.history["loss"][0])


def test_array_dataset_augmentation_is_kept():
    model = _linear_model()
    x, y = _linear_data(32)
    calls = []

    def augment(batch, seed):
        calls.append(seed)
        return batch * 0.0

    ds = as_dataset(ArrayDataset(x, y, "toy", augment=augment), model, batch_size=8)
    xb, _ = next(iter(ds))
    assert calls and float(np.abs(xb.numpy()).max()) == 0.0
    with pytest.raises(ModelError, match="expects"):
        as_dataset(ArrayDataset(np.zeros((4, 3), np.float32), None, "bad"), model)


def test_unbatched_tf_dataset_is_batched_and_shape_mismatch_rejected():
    model = _linear_model()
    x, y = _linear_data(40)
    ds = as_dataset(tf.data.Dataset.from_tensor_slices((x, y)), model, batch_size=8)
    assert next(iter(ds))[0].shape == (8, 4)
    with pytest.raises(ModelError, match="expects"):
        as_dataset((np.zeros((4, 5), np.float32), np.zeros((4, 1), np.float32)), model)


def test_early_stopping_restores_best_weights():
    model = _linear_model()
    x, y = _linear_data(128)
    # a learning rate far too high makes validation loss blow up after the first epochs
    history = train(
        model,
        (x, y),
        val=(x, y),
        epochs=30,
        batch_size=128,
        patience=2,
        loss="mse",
        optimizer="sgd",
        learning_rate=0.9,
        progress=False,
    )
    val = history.history["val_loss"]
    assert len(val) < 30
    restored = float(model.evaluate(x, y, verbose=0))
    assert restored == pytest.approx(min(val), rel=1e-4)


def test_progress_display_prints_epoch_lines(capsys):
    from rich.console import Console

    console = Console(force_terminal=False, width=120)
    model = _linear_model()
    train(model, _linear_data(64), epochs=2, loss="mse", console=console)
    err = capsys.readouterr().out
    assert "epoch 1/2" in err and "epoch 2/2" in err and "loss" in err
