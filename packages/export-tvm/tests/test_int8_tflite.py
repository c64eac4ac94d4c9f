"""TVM built from a full-integer TFLite model computes what TFLite does, in real values at the boundary."""

from __future__ import annotations

import json

import numpy as np

from edgesmith.export_tvm import compile_model, load_compiled
from edgesmith.export_tvm.runner import TVMRunner
from edgesmith.profiling.registry import open_runner


def _cosine(a: np.ndarray, b: np.ndarray) -> float:
    a, b = a.astype(np.float64).ravel(), b.astype(np.float64).ravel()
    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))


def test_int8_tflite_matches_tflite_through_the_runners(tmp_path, int8_tflite_model):
    compiled = compile_model(int8_tflite_model, tmp_path / "q.tvm", target="native")
    meta = json.loads((compiled.path / "meta.json").read_text())
    assert meta["inputs"][0]["dtype"] == "int8" and meta["inputs"][0]["quantization"]["scales"][0] > 0
    assert meta["output_quantization"][0]["scales"][0] > 0
    x = np.random.default_rng(5).random((4, 8, 8, 3), dtype=np.float32)  # real values, as fed to any runner
    tvm_runner, tfl_runner = TVMRunner(compiled.path), open_runner(int8_tflite_model)
    tvm_runner.activate()
    tfl_runner.activate()
    got = np.asarray(tvm_runner.predict(x))
    want = np.asarray(tfl_runner.predict(x))
    assert got.dtype == np.float32 and got.shape == want.shape == (4, 5)
    assert _cosine(got, want) > 0.99
    # in integer steps: TVM's float requantization may round a value one step off TFLite's fixed point
    step = meta["output_quantization"][0]["scales"][0]
    assert np.max(np.abs(got - want)) <= 2 * step + 1e-7


def test_int8_library_takes_and_returns_integers_directly(tmp_path, int8_tflite_model):
    compiled = compile_model(int8_tflite_model, tmp_path / "q.tvm", target="native")
    q = np.random.default_rng(6).integers(-128, 127, size=(1, 8, 8, 3), endpoint=True).astype(np.int8)
    (y,) = load_compiled(compiled.path)(q)
    assert y.dtype == np.int8 and y.shape == (1, 5)
