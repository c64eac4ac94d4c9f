"""INT8 calibration feeding and cache reuse, tested without TensorRT (the batcher is its own class)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from edgesmith.datasets import data_hash
from edgesmith.export_trt import CalibrationBatcher, CalibrationCache, ExportError, load_calibration_array


def _samples(n: int = 10) -> np.ndarray:
    return np.random.default_rng(0).random((n, 4, 4, 3)).astype(np.float64)


def test_fixed_size_batches_drop_the_remainder():
    b = CalibrationBatcher(_samples(10), batch_size=4)
    batches = list(b)
    assert [x.shape for x in batches] == [(4, 4, 4, 3), (4, 4, 4, 3)]
    assert all(x.dtype == np.float32 and x.flags.c_contiguous for x in batches)
    assert len(b) == 2 and b.samples_used == 8
    assert b.batch_nbytes == 4 * 4 * 4 * 3 * 4
    np.testing.assert_array_equal(np.concatenate(batches), b.samples[:8])


def test_next_batch_is_exhausted_then_reset():
    b = CalibrationBatcher(_samples(6), batch_size=3)
    first = b.next_batch()
    assert b.next_batch() is not None and b.next_batch() is None
    b.reset()
    np.testing.assert_array_equal(b.next_batch(), first)


def test_subset_is_seeded_and_hashed():
    x = _samples(50)
    a = CalibrationBatcher(x, batch_size=5, max_samples=20, seed=3)
    b = CalibrationBatcher(x, batch_size=5, max_samples=20, seed=3)
    c = CalibrationBatcher(x, batch_size=5, max_samples=20, seed=4)
    assert len(a.samples) == 20 and a.data_hash == b.data_hash != c.data_hash
    assert a.data_hash == data_hash(a.samples)


def test_batch_larger_than_data_shrinks_to_the_data():
    b = CalibrationBatcher(_samples(3), batch_size=8)
    assert b.batch_size == 3 and len(b) == 1


def test_bad_calibration_data():
    with pytest.raises(ExportError, match="stacked samples"):
        CalibrationBatcher(np.zeros(5), batch_size=2)
    with pytest.raises(ExportError, match="model input is Nx8x8x3"):
        CalibrationBatcher(_samples(4), batch_size=2, input_shape=(None, 8, 8, 3))
    with pytest.raises(ExportError, match="batch size must be >= 1"):
        CalibrationBatcher(_samples(4), batch_size=0)


def test_cache_is_reused_only_for_the_same_data(tmp_path):
    cache = CalibrationCache(tmp_path / "m.calib.cache")
    assert cache.read("abc") is None and not cache.reused
    cache.write(b"TRT-8601-EntropyCalibration2\ninput: 3c010a14\n", data_hash="abc", samples=96)
    meta = json.loads(cache.meta_path.read_text())
    assert meta == {"data_hash": "abc", "samples": 96, "bytes": 45}
    assert CalibrationCache(cache.path).read("other") is None
    again = CalibrationCache(cache.path)
    assert again.read("abc").startswith(b"TRT-") and again.reused
    anydata = CalibrationCache(cache.path)
    assert anydata.read(None) is not None  # no data given: an existing cache is the calibration


def test_foreign_cache_without_metadata_is_used(tmp_path):
    path = tmp_path / "old.cache"
    path.write_bytes(b"TRT-cache")
    assert CalibrationCache(path).read("anything") == b"TRT-cache"


def test_load_calibration_array(tmp_path):
    np.save(tmp_path / "x.npy", _samples(4))
    np.savez(tmp_path / "d.npz", other=np.zeros((2, 2)), x=_samples(3))
    assert load_calibration_array(tmp_path / "x.npy").dtype == np.float32
    assert load_calibration_array(tmp_path / "d.npz").shape == (3, 4, 4, 3)
    with pytest.raises(ExportError, match="no such calibration data"):
        load_calibration_array(tmp_path / "absent.npy")
    (tmp_path / "bad.npy").write_bytes(b"nope")
    with pytest.raises(ExportError, match=r"not a \.npy/\.npz"):
        load_calibration_array(tmp_path / "bad.npy")
