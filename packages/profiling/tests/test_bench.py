"""The benchmark core: statistics, budget, inputs, memory readings and failure reporting."""

from __future__ import annotations

import json
import time

import numpy as np
import pytest

from edgesmith.profiling import BatchStats, RunnerError, TensorSpec, bench, latency_cv, make_batch, time_calls
from edgesmith.profiling.memory import PeakRss


def test_time_calls_counts_and_budget() -> None:
    calls = []
    times, hit = time_calls(lambda: calls.append(1), warmup=3, runs=20)
    assert len(calls) == 23 and len(times) == 20 and not hit
    times, hit = time_calls(lambda: time.sleep(0.01), warmup=0, runs=1000, budget_s=0.05)
    # the loop stops at the first call that takes the timed total past the budget, however slow the host
    assert hit and len(times) <= 10
    assert times[:-1].sum() <= 0.05e9 < times.sum()
    assert times.min() >= 10_000_000  # each call slept at least 10 ms


def test_batch_stats_from_known_times() -> None:
    s = BatchStats.from_times(np.array([1, 2, 3, 4], dtype=np.int64) * 1_000_000, 2, 0, 100.0)
    assert s.mean_ms == pytest.approx(2.5)
    assert s.p50_ms == pytest.approx(2.5)
    assert s.throughput == pytest.approx(4 * 2 / 0.010)
    assert s.cv == pytest.approx(np.std([1, 2, 3, 4], ddof=1) / 2.5)


def test_make_batch_tiles_real_data_and_fills_noise() -> None:
    data = np.arange(3 * 2, dtype=np.float32).reshape(3, 2)
    (b,) = make_batch([TensorSpec("x", (None, 2))], 5, data)
    assert b[:, 0].tolist() == [0, 2, 4, 0, 2]
    (n,) = make_batch([TensorSpec("x", (None, 4, 4))], 2)
    assert n.shape == (2, 4, 4) and n.dtype == np.float32 and n.min() >= 0 and n.max() < 1
    with pytest.raises(RunnerError, match="dynamic dimensions"):
        make_batch([TensorSpec("x", (None, None))], 2)


def test_peak_rss_sees_an_allocation() -> None:
    with PeakRss() as m:
        block = np.ones(80 * 1024 * 1024, dtype=np.uint8)
        del block
    assert m.reading is not None and m.reading.growth_mb > 60


def test_bench_tflite_end_to_end(artifacts, samples, tmp_path) -> None:
    result = bench(artifacts["tflite"], batch_sizes=(1, 4), warmup=5, runs=50, inputs=samples, threads=1)
    assert [b.batch_size for b in result.batches] == [1, 4]
    b1, b4 = result.batches
    assert b1.runs == 50 and b1.min_ms <= b1.p50_ms <= b1.p90_ms <= b1.p99_ms <= b1.max_ms
    assert b4.throughput == pytest.approx(4 * 50 / b4.total_s)
    assert (result.runner["backend"], result.runner["size_bytes"] > 0) == ("tflite", True)
    assert result.host["cores_logical"] >= 1 and "ai-edge-litert" in result.host["libraries"]
    assert result.peak_rss_mb >= result.rss_before_mb
    out = tmp_path / "r.json"
    result.to_json(out)
    loaded = json.loads(out.read_text())
    assert loaded["batches"][1]["batch_size"] == 4 and "cv" in loaded["batches"][0]
    assert "| 4 | 50 |" in result.to_markdown()
    assert latency_cv([result, result]) == 0.0


def test_bench_reports_runner_failure_with_batch_size(artifacts) -> None:
    from edgesmith.quantize.runner import TFLiteRunner

    class Flaky(TFLiteRunner):
        n = 0

        def infer_impl(self, inputs):
            self.n += 1
            if self.n > 3:
                raise RuntimeError("device lost")
            return super().infer_impl(inputs)

    with pytest.raises(RunnerError, match=r"failed at batch size 2: RuntimeError: device lost"):
        bench(Flaky(artifacts["tflite"]), batch_sizes=(2,), warmup=1, runs=10)


def test_bench_rejects_bad_settings(artifacts) -> None:
    with pytest.raises(RunnerError, match="batch sizes must be positive"):
        bench(artifacts["tflite"], batch_sizes=(0,))
    with pytest.raises(RunnerError, match="no such model file"):
        bench(artifacts["tflite"].with_name("nope.tflite"))
