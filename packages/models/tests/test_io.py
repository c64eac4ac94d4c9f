"""save_model/load_model round trips in every format, sidecar JSON, one-line errors, no partial artifacts."""

import json

import numpy as np
import pytest

from edgesmith.models import ModelError, cifar10_cnn, count_params, load_model, save_model, sidecar_path


@pytest.fixture(scope="module")
def cnn():
    return cifar10_cnn(filters=8)


@pytest.mark.parametrize("name", ["model.keras", "model.h5", "saved_model_dir"])
def test_round_trip_keeps_outputs_and_custom_lrn(tmp_path, cnn, name):
    x = np.random.default_rng(0).random((2, 24, 24, 3), dtype=np.float32)
    path = save_model(cnn, tmp_path / name, metadata={"note": "test"})
    loaded = load_model(path)
    np.testing.assert_allclose(loaded.predict(x, verbose=0), cnn.predict(x, verbose=0), rtol=1e-5, atol=1e-6)
    assert type(loaded.get_layer("norm1")).__name__ == "LocalResponseNormalization"
    meta = json.loads(sidecar_path(path).read_text())
    assert meta["params"] == count_params(cnn)
    assert meta["format"] in {"keras", "h5", "savedmodel"}
    assert len(meta["sha256"]) == 64 and meta["tools"]["tensorflow"]
    assert meta["metadata"] == {"note": "test"}
    leftovers = [p.name for p in tmp_path.iterdir() if p.name.startswith(".")]
    assert leftovers == []


def test_overwriting_a_saved_model_directory(tmp_path, cnn):
    target = tmp_path / "sm"
    save_model(cnn, target, sidecar=False)
    save_model(cnn, target, sidecar=False)
    assert (target / "saved_model.pb").exists()
    assert not sidecar_path(target).exists()


def test_missing_file_is_a_one_line_model_error(tmp_path):
    with pytest.raises(ModelError, match="not found") as info:
        load_model(tmp_path / "nope.keras")
    assert "\n" not in str(info.value)


@pytest.mark.parametrize("name", ["broken.keras", "broken.h5"])
def test_corrupt_file_is_a_one_line_model_error(tmp_path, name):
    path = tmp_path / name
    path.write_bytes(b"this is not a model" * 10)
    with pytest.raises(ModelError, match="corrupt") as info:
        load_model(path)
    assert "\n" not in str(info.value)


def test_directory_without_saved_model_and_unknown_suffix(tmp_path, cnn):
    (tmp_path / "empty").mkdir()
    with pytest.raises(ModelError, match=r"saved_model\.pb"):
        load_model(tmp_path / "empty")
    with pytest.raises(ModelError, match="unknown model format"):
        save_model(cnn, tmp_path / "model.onnx")
    with pytest.raises(ModelError, match="does not exist"):
        save_model(cnn, tmp_path / "missing" / "model.keras")


def test_failed_save_leaves_nothing_behind(tmp_path, monkeypatch):
    model = cifar10_cnn(filters=4)

    def broken_save(path, **kwargs):
        with open(path, "wb") as handle:
            handle.write(b"partial")
        raise OSError("disk full")

    monkeypatch.setattr(model, "save", broken_save)
    with pytest.raises(ModelError, match="disk full"):
        save_model(model, tmp_path / "model.keras")
    assert list(tmp_path.iterdir()) == []
