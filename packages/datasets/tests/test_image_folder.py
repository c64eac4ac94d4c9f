"""Class-subfolder image datasets written as real PNG/JPEG files, split by ratio or by folder."""

import numpy as np
import pytest
from PIL import Image

from edgesmith.datasets import DatasetError, FlipRotate, load_image_folder


def _write_class_images(root, counts, size=(20, 30)):
    for cls, n in counts.items():
        (root / cls).mkdir(parents=True)
        value = 255 if cls.startswith("nico") else 0
        for i in range(n):
            img = np.full((size[0], size[1], 3), value, np.uint8)
            img[0, 0] = (i, i, i)
            suffix = ".png" if i % 2 else ".jpg"
            Image.fromarray(img).save(root / cls / f"img{i:03d}{suffix}")


def test_ratio_split_is_stratified_and_resized(tmp_path):
    _write_class_images(tmp_path, {"nico": 20, "not_nico": 20})
    (tmp_path / "nico" / ".DS_Store").write_bytes(b"junk")
    splits = load_image_folder(tmp_path, image_size=(16, 8), val_split=0.2, test_split=0.1, seed=1)
    assert splits.train.classes == ("nico", "not_nico")
    assert splits.sizes() == {"train": 28, "val": 8, "test": 4}
    for _, part in splits:
        assert part.x.shape[1:] == (16, 8, 3) and part.x.dtype == np.float32
        assert np.bincount(part.y).tolist() == [len(part) // 2] * 2  # balanced per split
        # label 0 = nico = white images, label 1 = black images
        np.testing.assert_allclose(part.x[part.y == 0].mean(axis=(1, 2, 3)), 1.0, atol=0.02)
        np.testing.assert_allclose(part.x[part.y == 1].mean(axis=(1, 2, 3)), 0.0, atol=0.02)
    again = load_image_folder(tmp_path, image_size=(16, 8), val_split=0.2, test_split=0.1, seed=1)
    np.testing.assert_array_equal(splits.test.x, again.test.x)


def test_folder_splits(tmp_path):
    _write_class_images(tmp_path / "train", {"nico": 4, "not_nico": 3})
    _write_class_images(tmp_path / "validation", {"nico": 2, "not_nico": 2})
    _write_class_images(tmp_path / "test", {"nico": 1, "not_nico": 1})
    splits = load_image_folder(tmp_path, image_size=(8, 8))
    assert splits.sizes() == {"train": 7, "val": 4, "test": 2}
    assert splits.info["split"] == "folders"
    assert splits.test.y.tolist() == [0, 1]


def test_unknown_class_in_test_folder(tmp_path):
    _write_class_images(tmp_path / "train", {"a": 2, "b": 2})
    _write_class_images(tmp_path / "test", {"a": 1, "c": 1})
    with pytest.raises(DatasetError, match=r"class folders \['c'\]"):
        load_image_folder(tmp_path, image_size=(8, 8))


def test_augmentation_is_attached_to_train_only_and_changes_images(tmp_path):
    _write_class_images(tmp_path, {"nico": 5, "not_nico": 5}, size=(16, 16))
    splits = load_image_folder(tmp_path, image_size=(16, 16), val_split=0.0, test_split=0.2, augment=True)
    assert isinstance(splits.train.augment, FlipRotate) and splits.test.augment is None
    ramp = np.tile(np.linspace(0, 1, 16, dtype=np.float32), (16, 1))[None, ..., None].repeat(3, axis=-1)
    flipped = FlipRotate(max_degrees=0.0)(np.repeat(ramp, 16, axis=0), seed=3).numpy()
    assert any(np.allclose(img, ramp[0, :, ::-1]) for img in flipped)
    assert any(np.allclose(img, ramp[0]) for img in flipped)
    rotated = FlipRotate(max_degrees=30.0, flip=False).numpy(np.repeat(ramp, 4, axis=0), seed=0)
    assert rotated.shape == (4, 16, 16, 3) and not np.allclose(rotated, ramp)
    xb, yb = next(iter(splits.train.to_tf(batch_size=8).as_numpy_iterator()))
    assert xb.shape == (8, 16, 16, 3) and yb.shape == (8,)


def test_bad_folders(tmp_path):
    with pytest.raises(DatasetError, match="does not exist"):
        load_image_folder(tmp_path / "missing")
    _write_class_images(tmp_path / "one", {"only": 3})
    with pytest.raises(DatasetError, match="1 class subfolder"):
        load_image_folder(tmp_path / "one")
    _write_class_images(tmp_path / "one", {"other": 3})
    (tmp_path / "empty" / "a").mkdir(parents=True)
    (tmp_path / "empty" / "b").mkdir()
    with pytest.raises(DatasetError, match="no images"):
        load_image_folder(tmp_path / "empty")
    _write_class_images(tmp_path / "bad", {"a": 2, "b": 2})
    (tmp_path / "bad" / "a" / "broken.png").write_bytes(b"\x89PNG truncated")
    with pytest.raises(DatasetError, match=r"broken\.png is not a readable image"):
        load_image_folder(tmp_path / "bad", image_size=(8, 8), val_split=0.0, test_split=0.5)
    with pytest.raises(DatasetError, match="too few"):
        load_image_folder(tmp_path / "one", val_split=0.0, test_split=0.1)


def test_progress_reports_every_image(tmp_path):
    _write_class_images(tmp_path / "train", {"a": 3, "b": 2})
    _write_class_images(tmp_path / "test", {"a": 1, "b": 1})
    calls = []
    load_image_folder(tmp_path, image_size=(8, 8), progress=lambda done, total: calls.append((done, total)))
    assert calls == [(i, 7) for i in range(1, 8)]
