"""Op-type profiles: the TensorFlow trace on a real Keras model, and the benchmark_model parser."""

from __future__ import annotations

import pytest

from edgesmith.profiling import BackendUnavailable, RunnerError
from edgesmith.profiling.ops import op_type_of, parse_benchmark_model_output, profile_ops, profile_tflite_ops

BENCHMARK_MODEL_OUTPUT = """
Profiling Info for Benchmark Initialization:
============================== Summary by node type ==============================
\t             [Node type]\t  [count]\t  [avg ms]\t    [avg %]\t    [cdf %]\t  [mem KB]\t[times called]
\t AllocateTensors\t        1\t     0.100\t   100.000%\t   100.000%\t     0.000\t        1

Operator-wise Profiling Info for Regular Benchmark Runs:
============================== Summary by node type ==============================
\t             [Node type]\t  [count]\t  [avg ms]\t    [avg %]\t    [cdf %]\t  [mem KB]\t[times called]
\t                 CONV_2D\t       13\t     1.200\t    60.000%\t    60.000%\t     2.000\t       13
\t       DEPTHWISE_CONV_2D\t       13\t     0.500\t    25.000%\t    85.000%\t     0.000\t       13
\t                     ADD\t       10\t     0.300\t    15.000%\t   100.000%\t     0.000\t       10

Timings (microseconds): count=50 first=2100 curr=2000 min=1900 max=2300 avg=2000 std=80
"""


def test_kernel_names_map_to_op_types() -> None:
    assert op_type_of("_MklNativeConv2D") == "Conv2D"
    assert op_type_of("_MklMatMul") == "MatMul"
    assert op_type_of("Relu") == "Relu"


def test_keras_profile_finds_conv_and_shares_add_up(artifacts) -> None:
    prof = profile_ops(artifacts["keras"], batch_size=4, runs=3, threads=1)
    types = {r.op_type for r in prof.rows}
    assert {"Conv2D", "MaxPool"} <= types
    assert sum(r.share for r in prof.rows) == pytest.approx(1.0)
    assert prof.rows[-1].cumulative == pytest.approx(1.0)
    assert [r.time_ms for r in prof.rows] == sorted((r.time_ms for r in prof.rows), reverse=True)
    conv = next(r for r in prof.rows if r.op_type == "Conv2D")
    assert conv.count == 1 and conv.requested_bytes == 4 * 6 * 6 * 4 * 4  # batch 4, 6x6x4 float32 output
    by_name = prof.sorted("name")
    assert [r.op_type for r in by_name.rows] == sorted(types)
    assert "| Conv2D | 1 |" in prof.to_markdown() and prof.to_csv().startswith("op_type,count")
    with pytest.raises(ValueError, match="unknown sort key"):
        prof.sorted("speed")


def test_benchmark_model_summary_is_parsed() -> None:
    prof = parse_benchmark_model_output(BENCHMARK_MODEL_OUTPUT, "m.tflite", 50)
    assert [r.op_type for r in prof.rows] == ["CONV_2D", "DEPTHWISE_CONV_2D", "ADD"]
    assert prof.total_ms == pytest.approx(2.0)
    assert prof.share_of("CONV_2D") == pytest.approx(0.6)
    assert prof.rows[1].cumulative == pytest.approx(0.85)
    assert prof.rows[0].requested_bytes == 2048
    with pytest.raises(RunnerError, match="no op profile"):
        parse_benchmark_model_output("Timings only")


def test_tflite_without_benchmark_binary_says_how_to_fix(artifacts, monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.delenv("EDGESMITH_TFLITE_BENCHMARK", raising=False)
    with pytest.raises(BackendUnavailable, match="benchmark_model binary"):
        profile_tflite_ops(artifacts["tflite"])
    with pytest.raises(RunnerError, match="no such model file"):
        profile_ops(tmp_path / "absent.keras")
