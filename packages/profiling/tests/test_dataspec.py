"""The one data-spec grammar: folders, arrays, CSV, named sets, preprocessing recorded and applied alike."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from edgesmith.profiling.dataspec import DataError, load_data
from edgesmith.profiling.preprocess import Preprocess, PreprocessError


def _photo(path, rgb, size=(40, 30)):
    Image.new("RGB", size, rgb).save(path)
    return path


@pytest.fixture
def class_folder(tmp_path):
    root = tmp_path / "pets"
    for name, rgb in (("cat", (255, 0, 0)), ("dog", (0, 0, 255))):
        (root / name).mkdir(parents=True)
        for i in range(3):
            _photo(root / name / f"{i}.png", rgb)
    return root


def test_class_subfolders_give_labels_and_pixels_follow_the_preprocessing(class_folder) -> None:
    data = load_data(class_folder, "mobilenet", (1, 16, 16, 3))
    assert data.x.shape == (6, 16, 16, 3) and data.classes == ("cat", "dog")
    for x, y in zip(data.x, data.y, strict=True):  # red cats, blue dogs, mapped to [-1, 1]
        assert x[..., 0].mean() == pytest.approx(1.0 if y == 0 else -1.0)
        assert x[..., 2].mean() == pytest.approx(-1.0 if y == 0 else 1.0)
    record = data.to_dict()
    assert record["preprocess"]["spec"] == "resize=16x16,scale=0.007843137255,offset=-1"
    assert record["labeled"] and len(record["hash"]) == 16


def test_flat_folder_is_unlabeled_and_nchw_models_get_channels_first(tmp_path) -> None:
    for i in range(2):
        _photo(tmp_path / f"{i}.jpg", (10 * i, 20, 30))
    data = load_data(tmp_path, None, (1, 3, 8, 12))
    assert data.y is None and data.x.shape == (2, 3, 8, 12)
    assert data.preprocess.layout == "nchw" and not data.preprocess.explicit
    assert data.x[1, 0].mean() == pytest.approx(10 / 255)


def test_shorter_side_then_centre_crop_keeps_the_aspect(tmp_path) -> None:
    img = np.zeros((20, 40, 3), np.uint8)
    img[:, 10:30] = 255  # a white centre band
    Image.fromarray(img).save(tmp_path / "a.png")
    data = load_data(tmp_path, "shorter=10,crop=10,0-1")
    assert data.x.shape == (1, 10, 10, 3) and data.x.min() > 0.5  # only the band survives the crop
    stretched = load_data(tmp_path, "resize=10,0-1")
    assert stretched.x.min() == 0.0  # a stretch keeps the black sides


def test_csv_of_paths_and_box_targets(tmp_path) -> None:
    for i in range(3):
        _photo(tmp_path / f"p{i}.png", (i, i, i))
    rows = ["name,width,x1,y1,x2,y2"] + [f"p{i}.png,40,0.{i},0.1,0.5,0.6" for i in range(3)]
    (tmp_path / "boxes.csv").write_text("\n".join(rows) + "\n")
    data = load_data(f"{tmp_path}/boxes.csv:x1,y1,x2,y2", "resize=8", None)
    assert data.x.shape == (3, 8, 8, 3) and data.y.shape == (3, 4)
    assert data.y[2].tolist() == pytest.approx([0.2, 0.1, 0.5, 0.6])
    labels = tmp_path / "labels.csv"
    labels.write_text("path,label\np0.png,cat\np1.png,dog\np2.png,cat\n")
    named = load_data(labels, "resize=8")
    assert named.y.tolist() == [0, 1, 0] and named.classes == ("cat", "dog")
    with pytest.raises(DataError, match="no column 'x9'"):
        load_data(f"{tmp_path}/boxes.csv:x9", "resize=8")


def test_arrays_uint8_images_are_preprocessed_float_arrays_pass_through(tmp_path) -> None:
    imgs = np.full((4, 6, 6, 3), 255, np.uint8)
    np.savez(tmp_path / "u8.npz", x=imgs, y=np.arange(4))
    data = load_data(tmp_path / "u8.npz", "mobilenet", (1, 12, 12, 3))
    assert data.x.shape == (4, 12, 12, 3) and data.x.max() == pytest.approx(1.0)
    floats = np.random.default_rng(0).random((5, 3), dtype=np.float32)
    np.save(tmp_path / "f.npy", floats)
    same = load_data(tmp_path / "f.npy")
    assert same.preprocess is None and np.array_equal(same.x, floats)
    with pytest.raises(DataError, match="applies to images"):
        load_data(tmp_path / "f.npy", "mobilenet")


def test_named_offline_sets_are_named_for_what_they_are() -> None:
    pytest.importorskip("edgesmith.datasets", reason="the named offline sets come with edgesmith-datasets")
    digits = load_data("digits", None, (1, 32, 32, 3), limit=20)
    assert digits.x.shape == (20, 32, 32, 3) and digits.name.startswith("digits")
    assert digits.y is not None and set(digits.y.tolist()) <= set(range(10))
    photos = load_data("photos", "resize=16", limit=3)
    assert photos.y is None and photos.x.shape == (3, 16, 16, 3)
    with pytest.raises(DataError, match="offline set `digits`"):
        load_data("cifar10")


def test_calibration_and_evaluation_do_not_overlap(class_folder) -> None:
    data = load_data(class_folder, "0-1", (1, 4, 4, 3))
    calib, test = data.split_calibration(100)
    assert len(calib) == 3 and len(test) == 3  # fewer than 2 x 100: half each
    assert calib.preprocess == test.preprocess == data.preprocess
    batches = list(calib.calibration(batch_size=2)())
    assert [len(b) for b in batches] == [2, 1]


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("{tmp}/absent", "no such file or folder"),
        ("{tmp}/empty", "no images"),
        ("{tmp}/broken", "unreadable image"),
        ("{tmp}/bad.npz", "not a readable numpy file"),
    ],
)
def test_bad_data_is_one_clear_error(tmp_path, spec, message) -> None:
    (tmp_path / "empty").mkdir()
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "x.png").write_bytes(b"not a png")
    (tmp_path / "bad.npz").write_bytes(b"garbage")
    with pytest.raises(DataError, match=message) as info:
        load_data(spec.format(tmp=tmp_path), "resize=4")
    assert "\n" not in str(info.value)


def test_preprocess_grammar_round_trips_and_rejects_typos() -> None:
    p = Preprocess.parse("caffe,shorter=256,crop=224,layout=nchw")
    assert (p.channels, p.shorter, p.crop, p.layout, p.mean) == (
        "bgr",
        256,
        (224, 224),
        "nchw",
        (103.939, 116.779, 123.68),
    )
    assert Preprocess.parse(p.describe()) == Preprocess.parse(p.describe())
    assert Preprocess.parse(p.describe()).describe() == p.describe()
    for bad, message in (
        ("resise=224", "unknown preprocessing step"),
        ("scale=abc", "not a number"),
        ("imagenet", "unknown preprocessing preset"),
        ("resize=0", "not a size"),
    ):
        with pytest.raises(PreprocessError, match=message):
            Preprocess.parse(bad)
