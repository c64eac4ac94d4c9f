"""CIFAR-10 binary and python batches written in tmp_path, and the offline stand-in."""

import pickle

import numpy as np
import pytest

from edgesmith.datasets import (
    CIFAR10_CLASSES,
    DatasetError,
    load_cifar10,
    read_cifar_binary,
    write_cifar_binary,
    write_cifar_pickle,
)


def _images(n, seed):
    rng = np.random.default_rng(seed)
    return rng.integers(0, 256, (n, 32, 32, 3), dtype=np.uint8), rng.integers(0, 10, n)


def test_binary_record_layout_is_label_then_rgb_planes(tmp_path):
    img = np.zeros((1, 32, 32, 3), np.uint8)
    img[0, 0, 1, 0], img[0, 0, 0, 1], img[0, 1, 0, 2] = 11, 22, 33
    data = write_cifar_binary(tmp_path / "b.bin", img, [7]).read_bytes()
    assert len(data) == 3073 and data[0] == 7
    assert data[1 + 1] == 11 and data[1 + 1024] == 22 and data[1 + 2048 + 32] == 33
    x, y = read_cifar_binary(tmp_path / "b.bin")
    np.testing.assert_array_equal(x, img)
    assert y.tolist() == [7]


@pytest.mark.parametrize("layout", ["binary", "pickle"])
def test_load_cifar10_from_batches(tmp_path, layout):
    folder = tmp_path / ("cifar-10-batches-bin" if layout == "binary" else "cifar-10-batches-py")
    folder.mkdir()
    parts = [_images(6, seed) for seed in range(5)]
    test_x, test_y = _images(4, 99)
    if layout == "binary":
        for i, (x, y) in enumerate(parts, 1):
            write_cifar_binary(folder / f"data_batch_{i}.bin", x, y)
        write_cifar_binary(folder / "test_batch.bin", test_x, test_y)
        (folder / "batches.meta.txt").write_text("\n".join(CIFAR10_CLASSES) + "\n")
    else:
        for i, (x, y) in enumerate(parts, 1):
            write_cifar_pickle(folder / f"data_batch_{i}", x, y)
        write_cifar_pickle(folder / "test_batch", test_x, test_y)
        with (folder / "batches.meta").open("wb") as fh:
            pickle.dump({b"label_names": [c.encode() for c in CIFAR10_CLASSES]}, fh)
    splits = load_cifar10(tmp_path)  # parent folder is accepted too
    assert splits.name == "cifar10" and splits.info["format"] == layout
    assert splits.sizes() == {"train": 27, "val": 3, "test": 4}
    assert splits.train.classes == CIFAR10_CLASSES
    np.testing.assert_allclose(splits.train.x[0], parts[0][0][0] / 255.0, rtol=1e-6)
    np.testing.assert_allclose(splits.test.x, test_x / 255.0, rtol=1e-6)
    np.testing.assert_array_equal(splits.test.y, test_y)
    cropped = load_cifar10(folder, image_size=24, crop=True)
    assert cropped.test.x.shape == (4, 24, 24, 3)
    np.testing.assert_allclose(cropped.test.x, test_x[:, 4:28, 4:28] / 255.0, rtol=1e-6)
    assert load_cifar10(folder, image_size=16).test.x.shape == (4, 16, 16, 3)


def test_truncated_binary_batch(tmp_path):
    x, y = _images(3, 0)
    path = write_cifar_binary(tmp_path / "data_batch_1.bin", x, y)
    path.write_bytes(path.read_bytes()[:-10])
    with pytest.raises(DatasetError, match="not a whole number of 3073-byte"):
        load_cifar10(tmp_path)


def test_corrupt_pickle_batch(tmp_path):
    (tmp_path / "data_batch_1").write_bytes(b"\x80\x02}q\x00(")
    (tmp_path / "test_batch").write_bytes(b"nope")
    with pytest.raises(DatasetError, match="not a readable CIFAR-10 python batch"):
        load_cifar10(tmp_path)


def test_pickle_with_mismatched_labels(tmp_path):
    x, _ = _images(3, 0)
    with (tmp_path / "data_batch_1").open("wb") as fh:
        pickle.dump({b"data": x.reshape(3, -1), b"labels": [1, 2]}, fh)
    write_cifar_pickle(tmp_path / "test_batch", x, [0, 0, 0])
    with pytest.raises(DatasetError, match="3 images but 2 labels"):
        load_cifar10(tmp_path)


def test_folder_without_batches(tmp_path):
    with pytest.raises(DatasetError, match="no CIFAR-10 batches"):
        load_cifar10(tmp_path)


def test_offline_stand_in_says_what_it_is():
    splits = load_cifar10(image_size=24)
    assert splits.name == "digits-cifar10" and splits.info["offline_stand_in"]
    assert splits.train.x.shape[1:] == (24, 24, 3) and splits.train.x.dtype == np.float32
    np.testing.assert_array_equal(splits.train.x[..., 0], splits.train.x[..., 2])


def test_cifar100_style_batch_is_rejected(tmp_path):
    record = bytes([42]) + bytes(3072)  # label 42: not CIFAR-10
    (tmp_path / "data_batch_1.bin").write_bytes(record)
    (tmp_path / "test_batch.bin").write_bytes(record)
    with pytest.raises(DatasetError, match="label 42 > 9"):
        load_cifar10(tmp_path)
