"""The accuracy/size report: metrics per task, float model next to each artifact, sidecars updated."""

from __future__ import annotations

import json

import numpy as np
import pytest

from edgesmith.datasets.tf_runtime import keras
from edgesmith.quantize import convert, measure_latency, report, sidecar_path
from edgesmith.quantize.metrics import box_iou, infer_task, task_metrics


def test_report_puts_each_artifact_next_to_keras(classifier, converted, data, tmp_path) -> None:
    x, y = data
    f32 = converted["float32"]
    int8 = converted["int8"]
    int8.save(tmp_path / "int8.tflite")
    f32.path = None  # an in-memory artifact is reported by its mode name
    rep = report(classifier, [f32, tmp_path / "int8.tflite"], x, y, latency=True)

    assert rep.task == "classification" and rep.primary == "accuracy_pct" and rep.samples == len(x)
    keras_acc = 100 * np.mean(classifier.predict(x, verbose=0).argmax(1) == y)
    assert rep.row("keras").metrics["accuracy_pct"] == pytest.approx(keras_acc)
    assert rep.row("float32").delta["accuracy_pct"] == pytest.approx(0.0)
    row = rep.row("int8.tflite")
    assert row.mode == "int8" and row.io_dtype == "int8" and row.size_bytes == int8.size_bytes
    assert abs(row.delta["accuracy_pct"]) <= 100 * 3 / len(x)  # at most 3 of 96 samples flip
    assert row.float_ops == [] and rep.row("float32").float_ops
    assert row.latency_ms is not None and row.latency_ms > 0

    side = json.loads(sidecar_path(tmp_path / "int8.tflite").read_text())
    assert side["metrics"]["task"] == "classification"
    assert side["metrics"]["tflite"]["accuracy_pct"] == pytest.approx(row.metrics["accuracy_pct"])
    assert side["metrics"]["keras"]["accuracy_pct"] == pytest.approx(keras_acc)
    assert side["metrics"]["latency_ms_batch1"] == pytest.approx(row.latency_ms)
    assert side["mode"] == "int8"  # conversion facts are kept
    assert json.loads(rep.to_json())["rows"][0]["name"] == "keras"
    assert rep.table().row_count == 3


def test_reconstruction_metrics_for_an_autoencoder(tmp_path) -> None:
    keras.utils.set_random_seed(0)
    inputs = keras.Input((8, 8, 1))
    h = keras.layers.Conv2D(4, 3, padding="same", activation="relu")(inputs)
    outputs = keras.layers.Conv2D(1, 3, padding="same", activation="sigmoid", name="decoded")(h)
    model = keras.Model(inputs, outputs)
    x = np.random.default_rng(1).random((16, 8, 8, 1), dtype=np.float32)
    labels = np.arange(16)  # datasets carry labels; an autoencoder is judged on reconstruction anyway
    rep = report(model, [convert(model, "int8", x)], x, labels)
    assert rep.task == "reconstruction" and rep.primary == "mae"
    keras_mae = float(np.mean(np.abs(model.predict(x, verbose=0) - x)))
    assert rep.row("keras").metrics["mae"] == pytest.approx(keras_mae, rel=1e-5)
    assert "mae_rel_pct" in rep.rows[1].delta


def test_box_iou_and_task_detection() -> None:
    a = np.array([[0.0, 0.0, 0.5, 0.5], [0.0, 0.0, 1.0, 1.0]])
    b = np.array([[0.0, 0.0, 0.5, 0.5], [0.5, 0.5, 1.0, 1.0]])
    np.testing.assert_allclose(box_iou(a, b), [1.0, 0.25])
    m = task_metrics("boxes", np.zeros((2, 4)), a, b)
    assert m == {"mean_iou": pytest.approx(0.625), "iou_over_0.5_pct": pytest.approx(50.0)}
    x = np.zeros((2, 3))
    assert infer_task(x, np.array([0, 1]), (None, 5)) == "classification"
    assert infer_task(x, a, (None, 4)) == "boxes"
    assert infer_task(x, np.zeros((2, 1)), (None, 1)) == "regression"
    assert infer_task(x, None, (None, 3)) == "reconstruction"


def test_binary_accuracy_uses_the_logit_or_sigmoid_threshold() -> None:
    y = np.array([0, 1, 1])
    assert task_metrics("classification", None, y, np.array([[-1.0], [0.2], [3.0]]))["accuracy_pct"] == 100
    probs = np.array([[0.2], [0.6], [0.4]])
    assert task_metrics("classification", None, y, probs, "sigmoid")["accuracy_pct"] == pytest.approx(200 / 3)


def test_latency_is_measured_for_every_model(converted, data) -> None:
    x, _ = data
    models = {"f32": converted["float32"].content, "int8": converted["int8"].content}
    timings = measure_latency(models, x, threads=1, warmup=2, runs=20, rounds=2)
    assert set(timings) == {"f32", "int8"}
    assert all(t.runs == 20 and t.median_ms > 0 for t in timings.values())
