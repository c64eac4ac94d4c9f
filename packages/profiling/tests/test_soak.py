"""RSS soak in bench: loop growth per 1,000 runs is measured apart from the model load's growth."""

from __future__ import annotations

import math

from edgesmith.profiling import bench
from edgesmith.profiling.memory import MB, RssTrace


def test_trace_slope_is_growth_per_1k_runs() -> None:
    trace = RssTrace()
    trace.runs = [0, 1000, 2000, 3000]
    trace.rss = [100 * MB, 101 * MB, 102 * MB, 103 * MB]
    assert math.isclose(trace.per_1k_runs_mb or 0, 1.0) and math.isclose(trace.growth_mb or 0, 3.0)
    trace.rss = [100 * MB] * 4
    assert trace.per_1k_runs_mb == 0.0 and trace.growth_mb == 0.0


def test_bench_reports_load_and_loop_growth(artifacts) -> None:
    result = bench(artifacts["tflite"], runs=2000, warmup=10)
    stats = result.stats()
    assert stats.loop_rss_growth_mb is not None and stats.rss_growth_per_1k_runs_mb is not None
    assert result.load_rss_growth_mb is not None and result.load_rss_growth_mb >= 0
    memory = result.to_dict()["memory"]
    assert set(memory) >= {"load_rss_growth_mb", "loop_rss_growth_per_1k_runs_mb"}
