"""tools/bench_harness.py: its interleaved timing and a full run on a tiny model."""

from __future__ import annotations

import importlib.util
import json
import time
from pathlib import Path

import numpy as np
import pytest

TOOL = Path(__file__).resolve().parents[3] / "tools" / "bench_harness.py"


@pytest.fixture(scope="module")
def tool():
    pytest.importorskip(
        "edgesmith.quantize.runner", reason="the tool times the tflite runner (edgesmith-quantize)"
    )
    spec = importlib.util.spec_from_file_location("bench_harness_tool", TOOL)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_interleaved_times_each_callable(tool) -> None:
    fast, slow = tool.interleaved_ns([lambda: None, lambda: time.sleep(0.002)], runs=6)
    assert len(fast) == len(slow) == 6
    assert slow.min() >= 2_000_000 > fast.max()


def test_full_run_writes_figures(tool, artifacts, tmp_path) -> None:
    from typer.testing import CliRunner

    out = tmp_path / "h.json"
    res = CliRunner().invoke(
        tool.app,
        [
            "--tflite",
            str(artifacts["tflite"]),
            "--threads",
            "1",
            "--rounds",
            "2",
            "--runs",
            "20",
            "--warmup",
            "2",
            "--output",
            str(out),
        ],
    )
    assert res.exit_code == 0, res.output
    figures = json.loads(out.read_text())
    assert len(figures["per_round_overhead_pct"]) == 2 and len(figures["repeat_means_ms"]) == 3
    assert figures["paired_calls"] == 20 and np.isfinite(figures["repeat_cv_pct"])
    assert "CV of the 3 repeated means" in res.stdout
