"""Comparing two artifacts on the same inputs."""

from __future__ import annotations

import numpy as np
import pytest

from edgesmith.profiling.compare import compare, diff


def test_diff_statistics() -> None:
    a = np.array([[1.0, 2.0, 0.0, -4.0]])
    b = np.array([[1.1, 2.0, 0.0, -4.4]])
    d = diff(a, b, atol=0.05, rtol=0.05)
    assert d.max_abs == pytest.approx(0.4) and d.mean_abs == pytest.approx(0.125)
    assert d.max_rel == pytest.approx(0.1) and d.mean_rel == pytest.approx(0.05)
    assert d.mismatched == pytest.approx(0.5) and not d.passed
    assert diff(a, b, atol=0.5, rtol=0).passed


def test_float_export_is_faithful_and_int8_is_not_bitexact(artifacts, samples) -> None:
    same = compare(artifacts["keras"], artifacts["tflite"], inputs=samples, atol=1e-5, rtol=1e-4)
    assert same.passed and same.samples == 16 and same.outputs[0].shape == (16, 3)
    q = compare(artifacts["keras"], artifacts["int8"], inputs=samples, atol=1e-6, rtol=0)
    assert not q.passed and 0 < q.outputs[0].max_abs < 0.05
    assert "FAIL" in q.to_markdown() and "tflite int8" in q.to_markdown()


def test_compare_shape_mismatch(artifacts, tmp_path) -> None:
    from edgesmith.datasets.tf_runtime import keras
    from edgesmith.profiling import RunnerError

    other = keras.Sequential([keras.Input((8, 8, 1)), keras.layers.Flatten(), keras.layers.Dense(5)])
    path = tmp_path / "other.keras"
    other.save(path)
    with pytest.raises(RunnerError, match="not the same model"):
        compare(artifacts["keras"], path, samples=2)


def test_compare_different_inputs(artifacts, tmp_path) -> None:
    from edgesmith.datasets.tf_runtime import keras
    from edgesmith.profiling import RunnerError

    other = keras.Sequential([keras.Input((4, 4, 3)), keras.layers.Flatten(), keras.layers.Dense(3)])
    path = tmp_path / "rgb.keras"
    other.save(path)
    with pytest.raises(
        RunnerError, match=r"takes inputs \[\(8, 8, 1\)\] but rgb.keras takes \[\(4, 4, 3\)\]"
    ):
        compare(artifacts["keras"], path, samples=2)
