"""MNIST IDX files (plain and .gz) written in tmp_path, and the digits stand-in."""

import gzip

import numpy as np
import pytest

from edgesmith.datasets import DatasetError, load_digits_mnist, load_mnist, read_idx, write_idx


def _write_mnist(folder, n_train=30, n_test=10, gz=False):
    rng = np.random.default_rng(0)
    suffix = ".gz" if gz else ""
    train = rng.integers(0, 256, (n_train, 28, 28), dtype=np.uint8)
    test = rng.integers(0, 256, (n_test, 28, 28), dtype=np.uint8)
    write_idx(folder / f"train-images-idx3-ubyte{suffix}", train)
    write_idx(folder / f"train-labels-idx1-ubyte{suffix}", rng.integers(0, 10, n_train, dtype=np.uint8))
    write_idx(folder / f"t10k-images-idx3-ubyte{suffix}", test)
    write_idx(folder / f"t10k-labels-idx1-ubyte{suffix}", rng.integers(0, 10, n_test, dtype=np.uint8))
    return train, test


@pytest.mark.parametrize("gz", [False, True])
def test_load_mnist_from_idx_files(tmp_path, gz):
    train, test = _write_mnist(tmp_path, gz=gz)
    splits = load_mnist(tmp_path)
    assert splits.name == "mnist"
    assert splits.sizes() == {"train": 27, "val": 3, "test": 10}
    assert splits.train.x.shape == (27, 28, 28, 1) and splits.train.x.dtype == np.float32
    np.testing.assert_allclose(splits.train.x[0, ..., 0], train[0] / 255.0, rtol=1e-6)
    np.testing.assert_allclose(splits.val.x[-1, ..., 0], train[-1] / 255.0, rtol=1e-6)
    np.testing.assert_allclose(splits.test.x[..., 0], test / 255.0, rtol=1e-6)
    assert splits.train.y.dtype == np.int64


def test_idx_header_bytes_are_the_published_format(tmp_path):
    path = write_idx(tmp_path / "labels", np.array([3, 1, 4], dtype=np.uint8))
    assert path.read_bytes() == bytes.fromhex("00000801 00000003 030104".replace(" ", ""))
    roundtrip = read_idx(write_idx(tmp_path / "f.idx", np.arange(6, dtype=np.float32).reshape(2, 3)))
    np.testing.assert_array_equal(roundtrip, np.arange(6, dtype=np.float32).reshape(2, 3))


def test_truncated_file(tmp_path):
    path = write_idx(tmp_path / "x", np.zeros((4, 28, 28), np.uint8))
    path.write_bytes(path.read_bytes()[:-100])
    with pytest.raises(DatasetError, match="truncated"):
        read_idx(path)


def test_truncated_gzip(tmp_path):
    path = tmp_path / "x.gz"
    path.write_bytes(gzip.compress(b"\x00\x00\x08\x01" + b"\x00" * 200)[:20])
    with pytest.raises(DatasetError, match="corrupt gzip"):
        read_idx(path)


def test_wrong_magic_number(tmp_path):
    path = tmp_path / "train-images-idx3-ubyte"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
    with pytest.raises(DatasetError, match="magic number 0x89504e47"):
        read_idx(path)


def test_mismatched_label_count(tmp_path):
    _write_mnist(tmp_path)
    write_idx(tmp_path / "t10k-labels-idx1-ubyte", np.zeros(9, np.uint8))
    with pytest.raises(DatasetError, match="10 images but t10k-labels-idx1-ubyte has 9 labels"):
        load_mnist(tmp_path)


def test_missing_dir_and_missing_file(tmp_path):
    with pytest.raises(DatasetError, match="does not exist"):
        load_mnist(tmp_path / "nope")
    with pytest.raises(DatasetError, match="train-images-idx3-ubyte"):
        load_mnist(tmp_path)


def test_digits_stand_in_is_mnist_shaped():
    splits = load_digits_mnist()
    assert splits.name == "digits-mnist" and splits.info["offline_stand_in"]
    x = np.concatenate([splits.train.x, splits.val.x, splits.test.x])
    assert x.shape == (1797, 28, 28, 1) and x.dtype == np.float32
    assert x.min() >= 0.0 and x.max() <= 1.0 and x.max() > 0.9
    assert x[:, :4].max() == 0.0 and x[:, -4:].max() == 0.0  # 4-pixel border like MNIST
    y = np.concatenate([splits.train.y, splits.val.y, splits.test.y])
    assert sorted(set(y.tolist())) == list(range(10))
    assert load_mnist().sizes() == splits.sizes()


def test_truncated_header_and_wrong_rank(tmp_path):
    (tmp_path / "short").write_bytes(b"\x00\x00\x08\x03\x00\x00")
    with pytest.raises(DatasetError, match="truncated inside its IDX header"):
        read_idx(tmp_path / "short")
    _write_mnist(tmp_path)
    write_idx(tmp_path / "train-images-idx3-ubyte", np.zeros((30, 784), np.uint8))
    with pytest.raises(DatasetError, match=r"expected images \(N, rows, cols\)"):
        load_mnist(tmp_path)
