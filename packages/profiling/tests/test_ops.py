"""Op-type profiles: the TensorFlow trace on a real Keras model, and the benchmark_model parser."""

from __future__ import annotations

import pytest

from edgesmith.profiling import RunnerError
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


def test_tflite_without_benchmark_model_counts_ops_and_times_the_whole_model(
    artifacts, monkeypatch, tmp_path
):
    monkeypatch.setenv("PATH", str(tmp_path))  # no benchmark_model
    monkeypatch.delenv("EDGESMITH_TFLITE_BENCHMARK", raising=False)
    prof = profile_tflite_ops(artifacts["tflite"], runs=5, threads=1)
    counts = {r.op_type: r.count for r in prof.rows}
    assert counts["CONV_2D"] == 1 and counts["FULLY_CONNECTED"] == 1 and counts["MAX_POOL_2D"] == 1
    assert not prof.timed and prof.total_ms > 0 and "benchmark_model" in prof.source
    assert "| CONV_2D | 1 | | | |" in prof.to_markdown()
    with pytest.raises(RunnerError, match="no such model file"):
        profile_ops(tmp_path / "absent.keras")


def test_onnx_profile_from_onnx_runtime_with_input_shape(dynamic_onnx) -> None:
    with pytest.raises(RunnerError, match="--input-shape x:"):
        profile_ops(dynamic_onnx, runs=2)
    prof = profile_ops(dynamic_onnx, runs=3, threads=1, input_shapes={"x": (2, 3, 16, 16)})
    types = {r.op_type: r for r in prof.rows}
    assert "Conv" in types and types["Conv"].count == 1 and prof.timed
    # (2, 4, 16, 16) float32 per run, or more when ONNX Runtime pads channels to its NCHWc block
    assert types["Conv"].requested_bytes >= 2 * 4 * 16 * 16 * 4
    assert sum(r.share for r in prof.rows) == pytest.approx(1.0) and "ONNX Runtime profiler" in prof.source
