"""The optimization matrix: real variants measured, ratios to baseline, failures kept as rows, outputs."""

from __future__ import annotations

import csv
import io
import json

import numpy as np
import pytest

from edgesmith.profiling.matrix import MatrixRow, Variant, _ratios, run_matrix


def test_variant_parse() -> None:
    v = Variant.parse("TFLite INT8=m/int8.tflite,backend=tflite,pruned,threads=2,precision=int8")
    assert (v.name, str(v.artifact), v.backend, v.pruned, v.options, v.precision) == (
        "TFLite INT8",
        "m/int8.tflite",
        "tflite",
        True,
        {"threads": 2},
        "int8",
    )
    assert Variant.parse("a/b.onnx").name == "b.onnx"
    with pytest.raises(ValueError, match="unknown variant option 'fast'"):
        Variant.parse("x=a.onnx,fast")


def test_ratios_against_baseline() -> None:
    base = MatrixRow("a", "a", latency_ms=10.0, metric=80.0, size_mb=4.0)
    fast = MatrixRow("b", "b", latency_ms=2.5, metric=78.5, size_mb=1.0)
    broken = MatrixRow("c", "c", error="boom")
    _ratios([base, fast, broken], base)
    assert (fast.speedup, fast.size_ratio, fast.metric_delta) == (4.0, 0.25, -1.5)
    assert base.speedup == 1.0 and broken.speedup is None


def test_ratios_and_tables_per_batch_size() -> None:
    from edgesmith.profiling.matrix import MatrixResult

    rows = [
        MatrixRow("src", "s", latency_ms=10.0, throughput=100.0, metric=80.0, size_mb=4.0, batch_size=1),
        MatrixRow("src", "s", latency_ms=40.0, throughput=800.0, metric=80.0, size_mb=4.0, batch_size=32),
        MatrixRow("int8", "i", latency_ms=5.0, throughput=200.0, metric=79.0, size_mb=1.0, batch_size=1),
        MatrixRow("int8", "i", latency_ms=8.0, throughput=4000.0, metric=79.0, size_mb=1.0, batch_size=32),
        MatrixRow("trt", "", error="not built: no GPU", batch_size=1),
    ]
    _ratios(rows, rows[0])
    assert [r.speedup for r in rows[:4]] == [1.0, 1.0, 2.0, 5.0]  # each against the source at its batch
    result = MatrixResult(rows, "accuracy", "accuracy", True, "d", 4, 1, "src", {}, batch_sizes=(1, 32))
    md = result.to_markdown()
    assert "| int8 |  |  |  | 32 | 8.000 |  | 4000.0 | 5.00× |" in md and "at batch 1, 32" in md
    assert len({line.count("|") for line in md.splitlines() if line.startswith("|")}) == 1  # one width
    assert [r.variant for r in result.at_batch().rows] == ["src", "int8", "trt"]
    assert result.at_batch(32).batch_size == 32 and not result.at_batch(32).multi_batch
    header = result.to_csv().splitlines()[0]
    assert header.startswith("variant,backend,precision,pruned,batch_size,latency_ms")
    single = MatrixResult(rows[:1], "accuracy", "accuracy", True, "d", 4, 1, "src", {}, batch_sizes=(1,))
    assert "batch_size" not in single.to_csv() and "| batch |" not in single.to_markdown()


def test_matrix_end_to_end(artifacts, samples, tmp_path) -> None:
    from edgesmith.profiling import open_runner

    with open_runner(artifacts["keras"]) as r:
        labels = r.predict(samples).argmax(1)  # labels the float model gets 100 % on
    labels[:4] = (labels[:4] + 1) % 3  # ... except four
    variants = [
        Variant("Keras FP32", artifacts["keras"], baseline=True),
        Variant("TFLite FP32", artifacts["tflite"], options={"threads": 1}),
        Variant("TFLite INT8", artifacts["int8"]),
        Variant("missing", tmp_path / "absent.tflite"),
    ]
    result = run_matrix(variants, (samples, labels), "accuracy", warmup=2, runs=20, budget_s=5)
    keras_row, tfl, int8, missing = result.rows
    assert keras_row.metric == pytest.approx(100 * 12 / 16)
    assert tfl.metric == pytest.approx(keras_row.metric)
    assert int8.precision == "int8" and int8.size_mb < tfl.size_mb
    assert keras_row.speedup == 1.0 and tfl.speedup and tfl.speedup > 0
    assert missing.error and "no such model file" in missing.error
    assert result.baseline == "Keras FP32"

    md = result.to_markdown()
    assert "| TFLite INT8 | tflite | int8 |" in md and "failed: " in md and "Δ accuracy" in md
    rows = list(csv.DictReader(io.StringIO(result.to_csv(tmp_path / "m.csv"))))
    assert [r["variant"] for r in rows] == ["Keras FP32", "TFLite FP32", "TFLite INT8", "missing"]
    assert float(rows[1]["accuracy"]) == pytest.approx(75.0)
    data = json.loads(result.to_json(tmp_path / "m.json"))
    assert data["rows"][3]["error"] and (tmp_path / "m.csv").exists()
    png = result.plot(tmp_path / "m.png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_reconstruction_metric_uses_inputs(artifacts, samples) -> None:
    from edgesmith.datasets.tf_runtime import keras

    model = keras.Sequential([keras.Input((8, 8, 1)), keras.layers.Rescaling(0.5)])
    path = artifacts["keras"].with_name("half.keras")
    model.save(path)
    result = run_matrix([str(path)], (samples, None), "reconstruction", warmup=1, runs=5)
    assert result.rows[0].error is None, result.rows[0].error
    assert result.rows[0].metric == pytest.approx(float(np.mean(samples)) * 0.5, rel=1e-5)


def test_isolated_variants_run_in_their_own_process(artifacts, samples) -> None:
    labels = np.zeros(len(samples), dtype=np.int64)
    result = run_matrix(
        [Variant("int8", artifacts["int8"])], (samples, labels), "accuracy", warmup=1, runs=5, isolate=True
    )
    (row,) = result.rows
    assert row.ok, row.error
    assert result.isolated and row.memory_mb is not None and row.latency_ms > 0


def test_a_failing_metric_marks_the_row_instead_of_aborting(artifacts, samples) -> None:
    labels = np.zeros(len(samples), dtype=np.int64)
    result = run_matrix(
        [Variant("ok", artifacts["tflite"]), Variant("ok2", artifacts["int8"])],
        (samples, labels),
        "iou",
        warmup=0,
        runs=2,
    )
    assert all(not r.ok and r.error.startswith("ValueError") for r in result.rows)
    assert result.baseline is None and "failed: ValueError" in result.to_markdown()
