"""Representative-dataset generator and data hashing."""

import numpy as np
import pytest

from edgesmith.datasets import DatasetError, data_hash, representative_dataset


def test_yields_batch_one_float32_samples_reproducibly():
    x = np.random.default_rng(0).integers(0, 255, (40, 6, 6, 1)).astype(np.uint8)
    rep = representative_dataset(x, n=10, seed=4)
    samples = [s for (s,) in rep()]
    assert len(samples) == 10 == len(rep)
    assert all(s.shape == (1, 6, 6, 1) and s.dtype == np.float32 for s in samples)
    assert len(set(rep.indices.tolist())) == 10
    np.testing.assert_array_equal(samples[0][0], x[rep.indices[0]].astype(np.float32))
    again = [s for (s,) in representative_dataset(x, n=10, seed=4)()]
    np.testing.assert_array_equal(np.concatenate(samples), np.concatenate(again))
    other = representative_dataset(x, n=10, seed=5)
    assert other.data_hash != rep.data_hash
    assert [b.shape[0] for b in rep.batches(4)] == [4, 4, 2]


def test_n_larger_than_data_uses_everything():
    rep = representative_dataset(np.ones((3, 2)), n=100)
    assert len(list(rep())) == 3


@pytest.mark.filterwarnings("ignore:Statistics for quantized inputs:UserWarning")
def test_tflite_converter_accepts_it():
    from edgesmith.datasets.tf_runtime import keras, tf

    inp = keras.Input((4,))
    model = keras.Model(inp, keras.layers.Dense(2)(inp))
    converter = tf.lite.TFLiteConverter.from_keras_model(model)
    converter.optimizations = [tf.lite.Optimize.DEFAULT]
    converter.representative_dataset = representative_dataset(np.random.default_rng(0).random((20, 4)), n=8)
    converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
    assert len(converter.convert()) > 0


def test_bad_input_is_rejected():
    with pytest.raises(DatasetError, match="stacked on axis 0"):
        representative_dataset(np.arange(5))
    with pytest.raises(DatasetError, match="n >= 1"):
        representative_dataset(np.ones((3, 2)), n=0)


def test_data_hash_is_content_hash():
    a = np.arange(12, dtype=np.float32).reshape(3, 4)
    assert data_hash(a) == data_hash(a.copy()) and len(data_hash(a)) == 64
    assert data_hash(a) == data_hash(np.asfortranarray(a))
    b = a.copy()
    b[0, 0] = 99
    assert data_hash(a) != data_hash(b)
