"""ArrayDataset / Splits behaviour, including the tf.data conversion."""

import numpy as np
import pytest

from edgesmith.datasets import ArrayDataset, DatasetError, Splits, split_dataset, split_indices


def test_mismatched_label_count_is_rejected():
    with pytest.raises(DatasetError, match="5 samples but 4 labels"):
        ArrayDataset(np.zeros((5, 2)), np.zeros(4), "bad")


def test_split_indices_cover_everything_once():
    tr, va, te = split_indices(100, 0.2, 0.1, seed=3)
    assert (len(tr), len(va), len(te)) == (70, 20, 10)
    assert sorted(np.concatenate([tr, va, te]).tolist()) == list(range(100))
    tr, va, te = split_indices(10, 0.2, 0.2, seed=None)
    assert tr.tolist() == list(range(6)) and te.tolist() == [8, 9]


@pytest.mark.parametrize(("val", "test"), [(0.6, 0.5), (-0.1, 0.1), (0.0, 1.0)])
def test_bad_ratios_are_rejected(val, test):
    with pytest.raises(DatasetError, match="must each be in"):
        split_indices(10, val, test)


def test_split_dataset_keeps_pairs_aligned():
    x = np.arange(50, dtype=np.float32)[:, None]
    ds = ArrayDataset(x, np.arange(50), "toy", ("a",))
    splits = split_dataset(ds, 0.2, 0.2, seed=1)
    assert isinstance(splits, Splits)
    assert splits.sizes() == {"train": 30, "val": 10, "test": 10}
    for _, part in splits:
        np.testing.assert_array_equal(part.x[:, 0], part.y)
        assert part.classes == ("a",)


def test_to_tf_batches_and_shuffles_reproducibly():
    x = np.arange(10, dtype=np.float32).reshape(10, 1)
    ds = ArrayDataset(x, np.arange(10), "toy")
    batches = list(ds.to_tf(batch_size=4).as_numpy_iterator())
    assert [len(b[0]) for b in batches] == [4, 4, 2]
    np.testing.assert_array_equal(np.concatenate([b[1] for b in batches]), np.arange(10))
    first = np.concatenate([b[1] for b in ds.to_tf(4, shuffle=True, seed=7).as_numpy_iterator()])
    again = np.concatenate([b[1] for b in ds.to_tf(4, shuffle=True, seed=7).as_numpy_iterator()])
    np.testing.assert_array_equal(first, again)
    assert sorted(first.tolist()) == list(range(10)) and first.tolist() != list(range(10))
    x_only = ArrayDataset(x, None, "unlabelled").to_tf(batch_size=5)
    assert [b.shape for b in x_only.as_numpy_iterator()] == [(5, 1), (5, 1)]
