"""Which variant to ship: the loss budget, the objective, the Pareto front and the caveats."""

from __future__ import annotations

import pytest

from edgesmith.profiling.decision import decide, metric_loss, pareto_front
from edgesmith.profiling.matrix import MatrixRow


def _rows() -> list[MatrixRow]:
    return [
        MatrixRow(
            "keras (source)", "m.keras", "keras", latency_ms=13.0, metric=90.0, size_mb=14.0, memory_mb=80
        ),
        MatrixRow("tflite-fp32", "a", "tflite", latency_ms=3.6, metric=90.0, size_mb=8.9, memory_mb=20),
        MatrixRow("tflite-int8", "b", "tflite", latency_ms=2.1, metric=89.4, size_mb=2.7, memory_mb=12),
        MatrixRow("tflite-fp16", "c", "tflite", latency_ms=3.9, metric=90.0, size_mb=4.5, memory_mb=25),
        MatrixRow(
            "tvm-fp32",
            "d",
            "tvm",
            latency_ms=160.0,
            metric=90.0,
            size_mb=9.0,
            extra={"caveats": ["TVM ran untuned"]},
        ),
        MatrixRow("tensorrt-fp16", "", "tensorrt", error="not built: TensorRT needs an NVIDIA GPU"),
    ]


def test_fastest_within_the_loss_budget_is_chosen() -> None:
    d = decide(_rows(), "keras (source)", True, "accuracy", max_loss=1.0, optimize="latency")
    assert "loses at most 1 point of accuracy" in d.reason and "6.19x" in d.reason
    edge = decide(_rows(), "keras (source)", True, "accuracy", max_loss=0.6)  # a loss equal to the budget
    stricter = decide(_rows(), "keras (source)", True, "accuracy", max_loss=0.5)
    assert (d.chosen, edge.chosen, stricter.chosen) == ("tflite-int8", "tflite-int8", "tflite-fp32")
    assert "loses 0.6 points" in stricter.rejected["tflite-int8"]
    assert stricter.rejected["tensorrt-fp16"] == "did not run"


def test_size_and_memory_objectives() -> None:
    by_size = decide(_rows(), "keras (source)", True, "accuracy", 0.1, "size")
    by_memory = decide(_rows(), "keras (source)", True, "accuracy", 1.0, "memory")
    assert (by_size.chosen, by_memory.chosen) == ("tflite-fp16", "tflite-int8")
    with pytest.raises(ValueError, match="unknown objective"):
        decide(_rows(), "keras (source)", True, "accuracy", 1.0, "speed")


def test_lower_is_better_metrics_lose_in_percent_of_the_baseline() -> None:
    assert metric_loss(0.0202, 0.020, "mae", higher_is_better=False) == pytest.approx(1.0)
    assert metric_loss(88.0, 90.0, "accuracy", higher_is_better=True) == pytest.approx(2.0)
    rows = [
        MatrixRow("src", "", latency_ms=10, metric=0.020),
        MatrixRow("int8", "", latency_ms=2, metric=0.023),
    ]
    d = decide(rows, "src", False, "mae", max_loss=10.0)
    assert d.chosen == "src" and "loses 15" in d.rejected["int8"]


def test_pareto_front_and_untuned_tvm_warning() -> None:
    rows = _rows()
    assert pareto_front(rows, higher_is_better=True) == ["tflite-int8", "tflite-fp32"]
    d = decide(rows, "keras (source)", True, "accuracy")
    assert any("tvm-fp32: TVM ran untuned" in w for w in d.warnings)
    assert d.summary().splitlines()[0] == "ship: tflite-int8"
