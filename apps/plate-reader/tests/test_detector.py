"""Detector maths and training: IoU, the box loss, annotation loading, and a tiny train → int8 export."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from edgesmith.models import box_regressor
from edgesmith.profiling.metrics import box_iou
from plate_reader.detector import (
    AnnotationError,
    box_loss,
    box_metrics,
    load_annotated_images,
    read_annotations,
)


def test_box_iou_known_values() -> None:
    a = np.array([[0, 0, 2, 2], [0, 0, 1, 1], [0, 0, 1, 1]], float)
    b = np.array([[1, 1, 3, 3], [0, 0, 1, 1], [2, 2, 3, 3]], float)
    assert np.allclose(box_iou(a, b), [1 / 7, 1.0, 0.0])


def test_box_metrics_counts_iou_over_half() -> None:
    truth = np.tile([0.2, 0.2, 0.6, 0.6], (4, 1))
    pred = truth.copy()
    pred[1] = [0.2, 0.2, 0.6, 0.45]  # IoU 0.625
    pred[2] = [0.2, 0.2, 0.39, 0.6]  # IoU 0.475
    pred[3] = [0.7, 0.7, 0.9, 0.9]  # IoU 0
    m = box_metrics(pred, truth)
    assert m["pct_iou_50"] == pytest.approx(50.0)
    assert m["mean_iou"] == pytest.approx((1 + 0.625 + 0.475 + 0) / 4)
    assert m["n"] == 4


def test_box_loss_is_zero_for_perfect_boxes_and_grows_with_error() -> None:
    loss = box_loss()
    truth = np.array([[0.2, 0.3, 0.6, 0.5]], np.float32)
    near = truth + np.float32(0.01)
    far = np.array([[0.5, 0.5, 0.9, 0.9]], np.float32)
    values = [float(loss(truth, p).numpy()[0]) for p in (truth, near, far)]
    assert values[0] == pytest.approx(0.0, abs=1e-5)
    assert values[0] < values[1] < values[2]


def test_read_annotations_errors_name_the_problem(tmp_path: Path) -> None:
    with pytest.raises(AnnotationError, match="no such annotation CSV"):
        read_annotations(tmp_path / "missing.csv")
    bad = tmp_path / "bad.csv"
    bad.write_text("name,width,height,x1,y1,x2,y2\na.jpg,10,10,0.5,0.5,0.2,0.9\n")
    with pytest.raises(AnnotationError, match="x2<=x1"):
        read_annotations(bad)


def test_load_annotated_images_from_generated_set(tmp_path: Path) -> None:
    from edgesmith.datasets.plate_synth import generate_dataset

    csv_path = generate_dataset(tmp_path, n=3, seed=5, size=(160, 120))
    x, y, names = load_annotated_images(csv_path, size=(64, 64))
    assert x.shape == (3, 64, 64, 3) and x.dtype == np.uint8
    assert y.shape == (3, 4) and np.all(y[:, 2] > y[:, 0])
    (tmp_path / names[1]).write_bytes(b"not a jpeg")
    with pytest.raises(AnnotationError, match="not a readable image"):
        load_annotated_images(csv_path, size=(64, 64))


def test_compact_regressor_outputs_sigmoid_boxes() -> None:
    model = box_regressor("compact", input_shape=(64, 64, 3))
    out = model(np.random.default_rng(0).random((2, 64, 64, 3), dtype=np.float32)).numpy()
    assert out.shape == (2, 4) and np.all((out > 0) & (out < 1))


def test_train_and_export_writes_float_int8_and_sidecars(tmp_path: Path) -> None:
    from edgesmith.datasets.plate_synth import generate_dataset
    from plate_reader.training import train_and_export

    csv_path = generate_dataset(tmp_path / "data", n=24, seed=11, size=(160, 120))
    x, y, _ = load_annotated_images(csv_path)
    result = train_and_export(x[:16], y[:16], tmp_path / "out", test=(x[16:], y[16:]), epochs=1,
                              batch_size=8, calib_n=8, verbose=0)  # fmt: skip
    assert result.keras_path.is_file() and result.int8_path.is_file()
    meta = json.loads(result.int8_path.with_name(result.int8_path.name + ".json").read_text())
    assert meta["precision"] == "int8" and meta["calibration"]["samples"] == 8
    assert meta["eval_data"]["split"] == "test" and meta["eval_data"]["n"] == 8
    assert 0.0 <= meta["metrics"]["mean_iou"] <= 1.0
    keras_meta = json.loads(result.keras_path.with_name(result.keras_path.name + ".json").read_text())
    assert keras_meta["sha256"] == meta["source"]["sha256"]
    assert not list((tmp_path / "out").glob("*.tmp*"))
