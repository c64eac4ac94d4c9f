"""Per-layer int8 debugging and accuracy-guarded int8 on a model built to break full-int8."""

from __future__ import annotations

import json

import numpy as np
import pytest
from rich.console import Console

from edgesmith.quantize.debug import debug_int8
from edgesmith.quantize.errors import QuantizeError
from edgesmith.quantize.guard import guarded_artifact, guarded_int8
from edgesmith.quantize.hostile import CONSUMER_LAYER, HOSTILE_LAYER
from edgesmith.quantize.layer_map import keras_layer_names, map_layers
from edgesmith.quantize.quality import resolve_metric
from edgesmith.quantize.selective import calibrate
from edgesmith.quantize.tflite_graph import summarize


@pytest.fixture(scope="module")
def calibrated(hostile):
    return calibrate(hostile.model, hostile.x_train, calibration_samples=64)


@pytest.fixture(scope="module")
def guarded(hostile, hostile_heldout):
    x, y = hostile_heldout
    return guarded_int8(hostile.model, hostile.x_train, x, y, max_loss=1.0, latency=False)


def test_every_compute_layer_is_named_including_the_last(hostile, calibrated) -> None:
    layers = calibrated.layers
    assert len(layers) == 26
    assert layers[0] == "stem" and layers[-1] == "logits"  # the last op is named after the signature
    assert {HOSTILE_LAYER, CONSUMER_LAYER, "block0_add", "gap", "pool1"} <= set(layers)
    assert calibrated.layer_map.producers(CONSUMER_LAYER) == (HOSTILE_LAYER,)
    with pytest.raises(KeyError, match="no_such_layer"):
        calibrated.layer_map.nodes(["no_such_layer"])
    # the float TFLite file maps to the same layers
    assert map_layers(calibrated.float_content, keras_layer_names(hostile.model)).layers == layers


def test_debug_names_the_damaged_layer_and_explains_it(hostile, hostile_heldout) -> None:
    x, y = hostile_heldout
    report = debug_int8(hostile.model, hostile.x_train, x, y, samples=50, calibration_samples=64)
    assert report.worst(1)[0].layer == CONSUMER_LAYER
    assert report.worst(1)[0].share > 0.5
    assert report.loss is not None and report.loss >= 5.0  # points of accuracy lost by plain int8
    wide = next(r for r in report.layers if r.layer == HOSTILE_LAYER)
    assert wide.crushed >= 0.5 and wide.channel_spread >= 1e3  # most channels inside one int8 step
    assert any("outlier channel" in note for note in wide.notes)
    normal = next(r for r in report.layers if r.layer == "stem")
    assert 0.1 < normal.rmse_per_scale < 1.0 and not normal.notes  # rounding-sized error, nothing to explain
    assert json.loads(report.to_json())["worst"][0] == CONSUMER_LAYER
    console = Console(record=True, width=220)
    console.print(report.table(3))
    text = console.export_text()
    assert CONSUMER_LAYER in text and "RMSE/scale" in text and "loss" in text
    assert any(line.startswith(f"{HOSTILE_LAYER}: ") for line in report.explanations())
    assert [r.depth for r in report.layers] == sorted(r.depth for r in report.layers)


def test_guarded_int8_keeps_only_the_two_layers_around_the_wide_tensor(guarded) -> None:
    plain = guarded.steps[0]
    assert plain.phase == "int8" and not plain.float_layers and plain.loss >= 5.0
    assert guarded.met and guarded.chosen.loss <= 1.0
    assert sorted(guarded.float_layers) == sorted([HOSTILE_LAYER, CONSUMER_LAYER])
    assert guarded.float_share <= 0.10
    assert any(s.phase == "prune" and not s.kept for s in guarded.steps)  # the prune pass tried both
    graph = summarize(guarded.content, [HOSTILE_LAYER, CONSUMER_LAYER, "logits", "stem"])
    assert {op.layer for op in graph.float_ops if op.name == "CONV_2D"} == {HOSTILE_LAYER, CONSUMER_LAYER}
    assert graph.input_dtypes == ("int8",)


def test_guarded_artifact_sidecar_lists_float_layers(guarded, hostile, tmp_path) -> None:
    art = guarded_artifact(guarded, hostile.model, "0" * 64)
    path = art.save(tmp_path / "guarded.tflite")
    side = json.loads((tmp_path / "guarded.tflite.json").read_text())
    assert (path.is_file(), side["guard"]["variant"]) == (True, "tflite-int8-guarded")
    assert sorted(side["guard"]["float_layers"]) == sorted([HOSTILE_LAYER, CONSUMER_LAYER])
    assert side["guard"]["steps"][0]["loss"] >= 5.0 and "content" not in side["guard"]["steps"][0]


def test_no_float_layers_when_plain_int8_meets_the_budget(hostile, hostile_heldout) -> None:
    x, y = hostile_heldout
    result = guarded_int8(hostile.model, hostile.x_train, x, y, max_loss=100.0, latency=False)
    assert result.met and result.float_layers == [] and len(result.steps) == 1 and result.ranking == []


def test_metric_losses_and_refusals(hostile_heldout) -> None:
    x, y = hostile_heldout
    acc = resolve_metric("auto", x, y, (None, 4))
    assert acc.name == "accuracy" and acc.loss(90.0, 85.5) == pytest.approx(4.5)
    mae = resolve_metric("mae", x, y.astype(np.float32)[:, None], (None, 1))
    assert not mae.higher_is_better and mae.loss(0.2, 0.25) == pytest.approx(25.0)  # % of the float error
    with pytest.raises(QuantizeError, match="unknown metric 'top5'"):
        resolve_metric("top5", x, y, (None, 4))
    with pytest.raises(QuantizeError, match="needs regression or reconstruction"):
        resolve_metric("mse", x, y, (None, 4))
    with pytest.raises(QuantizeError, match="needs boxes data"):
        resolve_metric("miou", x, y, (None, 4))


def test_fused_ops_are_named_after_the_layer_that_computes_them() -> None:
    from edgesmith.datasets.tf_runtime import keras

    inp = keras.Input((16, 16, 3))
    x = keras.layers.Conv2D(8, 3, use_bias=False, name="conv")(inp)
    x = keras.layers.BatchNormalization(name="conv_BN")(x)
    x = keras.layers.ReLU(name="conv_relu")(x)
    x = keras.layers.DepthwiseConv2D(3, name="dw")(x)
    x = keras.layers.GlobalAveragePooling2D(name="gap")(x)
    model = keras.Model(inp, keras.layers.Dense(1, activation="sigmoid", name="out")(x))
    cal = calibrate(model, np.random.default_rng(0).random((20, 16, 16, 3), dtype=np.float32))
    assert [(op.op, op.layer) for op in cal.layer_map.ops] == [
        ("CONV_2D", "conv"),
        ("DEPTHWISE_CONV_2D", "dw"),
        ("MEAN", "gap"),
        ("FULLY_CONNECTED", "out"),
        ("LOGISTIC", "out"),  # named after the signature, it belongs to the layer feeding it
    ]


def test_unlabeled_data_guards_agreement_with_float(hostile, hostile_heldout) -> None:
    x, _ = hostile_heldout
    report = debug_int8(hostile.model, hostile.x_train, x, None, samples=20, calibration_samples=64)
    assert report.metric.name == "agreement" and report.float_metric == 100.0 and report.loss >= 5.0
