"""Every conversion mode on a tiny model: convert, run in ai-edge-litert, compare with Keras, sidecar."""

from __future__ import annotations

import json

import numpy as np
import pytest

from edgesmith.quantize import IoDtype, Mode, convert, sidecar_path, tflite_predict

# Tolerances on the max |TFLite − Keras| logit difference, as a share of the Keras logits' range:
# - float32: the same float math in other kernels (XNNPACK) → only summation-order rounding (1e-5).
# - float16: weights rounded to 11-bit mantissas (relative error ≤ 2^-11 ≈ 5e-4 per weight) → 1 %.
# - dynamic: int8 weights (per-channel) and activations quantized on the fly per batch → 3 %.
# - int8: weights and every activation on 256 levels; each of the 3 quantized layers adds up to about half a
#   step (≈ 0.2 % of its range) that the next layer can amplify → 5 % of the output range.
TOLERANCE = {
    Mode.FLOAT32: 1e-5,
    Mode.FLOAT16: 0.01,
    Mode.DYNAMIC: 0.03,
    Mode.INT8: 0.05,
    Mode.INT8_FALLBACK: 0.05,
}

CASES = [
    (Mode.FLOAT32, None, "float32"),
    (Mode.FLOAT16, None, "float32"),
    (Mode.DYNAMIC, None, "float32"),
    (Mode.INT8, None, "int8"),
    (Mode.INT8, IoDtype.UINT8, "uint8"),
    (Mode.INT8, IoDtype.FLOAT32, "float32"),
    (Mode.INT8_FALLBACK, None, "float32"),
]


@pytest.mark.parametrize(("mode", "io", "io_name"), CASES, ids=[f"{m.value}-{n}" for m, _, n in CASES])
def test_mode_converts_runs_and_matches_keras(classifier, data, tmp_path, mode, io, io_name) -> None:
    x, _ = data
    out = tmp_path / f"tiny_{mode.value}_{io_name}.tflite"
    art = convert(classifier, mode, x if mode.needs_calibration else None, io, output=out)

    assert out.is_file() and out.stat().st_size == art.size_bytes
    assert art.graph.input_dtypes == (io_name,) and art.graph.output_dtypes == (io_name,)
    ref = classifier.predict(x, verbose=0)
    pred = tflite_predict(out, x)
    assert pred.shape == ref.shape
    span = float(ref.max() - ref.min())
    assert np.max(np.abs(pred - ref)) <= TOLERANCE[mode] * span

    side = json.loads(sidecar_path(out).read_text())
    assert side["mode"] == mode.value and side["io_dtype"] == io_name
    assert len(side["source"]["sha256"]) == 64
    assert side["tools"]["tensorflow"].startswith("2.") and side["tools"]["ai-edge-litert"] != "absent"
    assert side["metrics"]["size_bytes"] == art.size_bytes
    if mode.needs_calibration:
        assert side["calibration"]["samples"] == len(x)  # fewer than the default 100: all are used
        assert len(side["calibration"]["hash"]) == 64
    else:
        assert side["calibration"] is None


def test_weight_storage_per_mode(converted) -> None:
    f32, f16, dyn, int8 = (converted[m] for m in ("float32", "float16", "dynamic", "int8"))
    assert set(f32.graph.weight_dtypes) == {"float32"}
    assert set(f16.graph.weight_dtypes) == {"float16"}
    assert "int8" in dyn.graph.weight_dtypes  # the 9,216-weight dense kernel; tiny ones may stay float
    assert set(int8.graph.weight_dtypes) == {"int8"}
    assert int8.graph.float_ops == ()
    assert len(f32.graph.float_ops) == len(f32.graph.ops)
    assert f16.size_bytes < 0.6 * f32.size_bytes
    assert int8.size_bytes < 0.4 * f32.size_bytes


def test_calibration_count_and_seed_are_recorded(classifier, data) -> None:
    x, _ = data
    a = convert(classifier, "int8", x, calibration_samples=10, seed=1)
    b = convert(classifier, "int8", x, calibration_samples=10, seed=2)
    assert a.calibration["samples"] == 10 and a.calibration["seed"] == 1
    assert a.calibration["data_hash"] != b.calibration["data_hash"]


def test_representative_dataset_from_the_datasets_package(classifier, data) -> None:
    from edgesmith.datasets import data_hash, representative_dataset

    x, _ = data
    rep = representative_dataset(x, n=20, seed=3)
    art = convert(classifier, "int8", rep)
    assert art.calibration["samples"] == 20
    assert art.calibration["data_hash"] == data_hash(rep.samples)


def test_model_file_is_loaded_and_hashed(classifier, tmp_path) -> None:
    from edgesmith.models import save_model
    from edgesmith.quantize.sources import file_sha256

    path = save_model(classifier, tmp_path / "tiny.keras", sidecar=False)
    art = convert(path, "float32")
    assert art.source_sha256 == file_sha256(path)
