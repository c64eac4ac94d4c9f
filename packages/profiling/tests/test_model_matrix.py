"""A user's own model to a decision: variants planned from the installed exporters, built, cached."""

from __future__ import annotations

import json
from types import SimpleNamespace

import numpy as np
import pytest

from edgesmith.profiling.model_matrix import MatrixError, plan_variants, profile_model, source_format


def _exp(sources, precisions, why=None):
    return SimpleNamespace(sources=sources, precisions=precisions, unavailable=lambda: why)


FOUND = {
    "onnx": _exp(("keras", "onnx"), ("fp32",)),
    "tflite": _exp(("keras",), ("fp32", "int8")),
    "tvm": _exp(("onnx", "tflite"), ("fp32", "int8")),
    "tensorrt": _exp(
        ("onnx",), ("fp16",), why="TensorRT needs an NVIDIA GPU; pip install edgesmith-export-trt[gpu]"
    ),
}


def test_plan_reaches_each_family_through_another_or_says_why_not() -> None:
    keras = {p.name: p for p in plan_variants("keras", FOUND)}
    # TVM int8 goes through the family that has the same precision
    vias = (keras["tflite-int8"].via, keras["tvm-fp32"].via, keras["tvm-int8"].via)
    assert vias == (None, "onnx-fp32", "tflite-int8")
    assert "NVIDIA GPU" in keras["tensorrt-fp16"].why_not
    onnx = {p.name: p for p in plan_variants("onnx", FOUND)}
    assert (onnx["tvm-fp32"].via,) == ("onnx-fp32",)  # TVM reads the fixed, simplified ONNX
    assert onnx["tflite-int8"].why_not == "needs a keras source (this model is onnx)"
    tflite = {p.name: p for p in plan_variants("tflite", FOUND, ["tvm"])}
    assert set(tflite) == {"tvm-fp32", "tvm-int8"} and tflite["tvm-fp32"].via is None
    assert plan_variants("keras", FOUND, ["none"]) == []
    with pytest.raises(MatrixError, match="unknown variant 'tflite-int4'"):
        plan_variants("keras", FOUND, ["tflite-int4"])


def test_a_named_family_whose_package_is_absent_is_a_row_saying_what_to_install() -> None:
    found = {k: v for k, v in FOUND.items() if k != "tvm"}
    plans = {p.name: p for p in plan_variants("keras", found, ["tflite-fp32", "tvm-fp32", "tensorrt"])}
    assert plans["tvm-fp32"].why_not == "no tvm exporter is installed here: pip install edgesmith-export-tvm"
    assert plans["tflite-fp32"].why_not is None and "NVIDIA GPU" in plans["tensorrt-fp16"].why_not
    with pytest.raises(MatrixError, match="unknown variant 'tvmm-fp32'"):
        plan_variants("keras", found, ["tvmm-fp32"])


def test_a_variant_built_on_request_is_a_row_saying_how_to_ask_for_it() -> None:
    found = dict(FOUND, tvm=SimpleNamespace(**vars(FOUND["tvm"]), on_request={"int8": "slow; name it"}))
    plans = {p.name: p for p in plan_variants("keras", found)}
    assert (plans["tvm-int8"].why_not, plans["tvm-fp32"].why_not) == ("on request: slow; name it", None)
    named = {p.name: p for p in plan_variants("keras", found, ["tvm-int8"])}
    assert (named["tvm-int8"].why_not, named["tvm-int8"].via) == (None, "tflite-int8")


def test_guarded_int8_is_planned_when_named_or_when_a_loss_budget_is_given() -> None:
    found = {"tflite": SimpleNamespace(**vars(FOUND["tflite"]), opt_in=("int8-guarded",))}
    found["tflite"].precisions = ("fp32", "int8", "int8-guarded")
    assert "tflite-int8-guarded" not in {p.name for p in plan_variants("keras", found)}
    assert "tflite-int8-guarded" in {p.name for p in plan_variants("keras", found, opt_in=True)}
    assert [p.name for p in plan_variants("keras", found, ["tflite-int8-guarded"])] == ["tflite-int8-guarded"]
    assert "tflite-int8-guarded" not in {p.name for p in plan_variants("keras", found, ["tflite-int8"])}


def test_source_formats(tmp_path, artifacts) -> None:
    assert (source_format(artifacts["keras"]), source_format(artifacts["int8"])) == ("keras", "tflite")
    (tmp_path / "m.pt").write_bytes(b"x")
    with pytest.raises(MatrixError, match="unknown model format"):
        source_format(tmp_path / "m.pt")


@pytest.fixture
def labelled(tmp_path, artifacts, samples):
    from edgesmith.profiling import open_runner

    with open_runner(artifacts["keras"]) as r:
        y = r.predict(samples).argmax(1)
    path = tmp_path / "data.npz"
    np.savez(path, x=samples, y=y)
    return path


@pytest.mark.slow
def test_keras_model_to_decision_then_cached(artifacts, labelled, tmp_path) -> None:
    pytest.importorskip("edgesmith.quantize")
    out = tmp_path / "rep"
    kw = {"variants": ["tflite-fp32", "tflite-int8", "onnx"], "out": out, "runs": 5, "budget_s": 2.0}
    kw["calibration_samples"] = 8
    first = profile_model(artifacts["keras"], str(labelled), max_loss=100.0, **kw)
    rows = {r.variant: r for r in first.result.rows}
    assert set(rows) == {"keras (source)", "tflite-fp32", "tflite-int8", "onnx-fp32"}
    assert all(r.ok for r in rows.values()), [r.error for r in rows.values()]
    assert rows["keras (source)"].metric == 100.0  # labels are the source's own predictions ...
    assert rows["tflite-fp32"].metric == pytest.approx(100.0)  # ... on the 8 samples not calibrated on
    assert (
        rows["tflite-int8"].precision == "int8" and rows["tflite-int8"].size_mb < rows["tflite-fp32"].size_mb
    )
    assert first.calibration["samples"] == 8 and first.data["samples"] == 8
    assert first.decision.chosen in rows and first.decision.pareto
    assert "--variants tflite-int8" in rows["tflite-int8"].command
    sidecar = json.loads(next(out.glob("artifacts/*tflite-int8.tflite.json")).read_text())
    assert sidecar["calibration"]["spec"] == str(labelled) and sidecar["calibration"]["samples"] == 8
    assert sidecar["calibration"]["preprocess"] == first.calibration["preprocess"]
    assert all(r.extra["build_s"] > 0 for r in first.result.rows[1:])  # each conversion's wall time
    paths = first.write(out)
    assert {p.name for p in paths} >= {"matrix.md", "matrix.csv", "matrix.json"}
    assert (
        "| tflite-int8 | " + f"{rows['tflite-int8'].extra['build_s']:.1f} s |"
        in (out / "matrix.md").read_text()
    )
    again = profile_model(artifacts["keras"], str(labelled), max_loss=100.0, **kw)
    assert all(r.extra.get("cached") for r in again.result.rows[1:])  # nothing rebuilt
    assert "| tflite-int8 | cache |" in again.to_markdown()


def test_dynamic_onnx_with_input_shape_and_unlabeled_agreement(dynamic_onnx, tmp_path) -> None:
    pytest.importorskip("onnxslim")
    from PIL import Image

    photos = tmp_path / "photos"
    photos.mkdir()
    for i in range(4):
        Image.fromarray(np.random.default_rng(i).integers(0, 255, (30, 40, 3), np.uint8)).save(
            photos / f"{i}.png"
        )
    result = profile_model(
        dynamic_onnx,
        str(photos),
        input_shape={"x": (1, 3, 24, 32)},
        variants=["onnx"],
        out=tmp_path / "rep",
        runs=5,
        budget_s=2.0,
    )
    source, fixed = result.result.rows
    assert result.data["shape"] == [3, 24, 32] and result.input_shapes == {"x": [1, 3, 24, 32]}
    # no labels: compare with the source (fidelity when the source gives every photo the same class)
    assert result.result.metric in ("agreement", "fidelity") and source.reference
    assert fixed.ok, fixed.error
    assert fixed.metrics["top1_agreement"] == 100.0 and fixed.metrics["max_abs_error"] < 1e-4
    assert fixed.metrics["cosine"] == pytest.approx(1.0, abs=1e-6)
    import onnx

    graph = onnx.load(str(next((tmp_path / "rep" / "artifacts").glob("*.onnx")))).graph
    assert [d.dim_value for d in graph.input[0].type.tensor_type.shape.dim] == [1, 3, 24, 32]
    assert "Shape" not in {n.op_type for n in graph.node}


def test_data_that_does_not_fit_the_model_is_refused(artifacts, tmp_path) -> None:
    np.save(tmp_path / "x.npy", np.zeros((4, 5, 5, 1), np.float32))
    with pytest.raises(Exception, match="takes 8x8x1"):
        profile_model(artifacts["keras"], str(tmp_path / "x.npy"), variants=["none"], out=tmp_path / "r")


def test_arrays_in_memory_at_several_batch_sizes_with_user_artifacts(artifacts, samples, tmp_path) -> None:
    from edgesmith.profiling import open_runner
    from edgesmith.profiling.matrix import Variant

    with open_runner(artifacts["keras"]) as r:
        y = r.predict(samples).argmax(1)
    extra = [
        Variant("my tflite", artifacts["tflite"]),
        Variant("my engine", tmp_path / "none.engine", why_not="TensorRT needs an NVIDIA GPU"),
    ]
    result = profile_model(
        artifacts["keras"],
        (samples, y),
        metric="accuracy",
        variants=["none"],
        extra=extra,
        batch_sizes=(1, 4),
        eval_batch_size=1,
        runs=3,
        warmup=1,
        budget_s=None,
        source_name="Keras",
        out=tmp_path / "rep",
    )
    rows = {(r.variant, r.batch_size): r for r in result.result.rows}
    assert set(rows) == {(v, b) for v in ("Keras", "my tflite", "my engine") for b in (1, 4)}
    for b in (1, 4):
        keras, mine = rows[("Keras", b)], rows[("my tflite", b)]
        assert keras.ok and mine.ok, (keras.error, mine.error)
        assert keras.metric == 100.0 and mine.metric == pytest.approx(100.0)  # labels: the source's own
        assert keras.speedup == pytest.approx(1.0) and keras.runs == 3 and mine.runs == 3
        assert mine.speedup == pytest.approx(keras.latency_ms / mine.latency_ms)  # vs Keras at batch b
        assert mine.eval_s > 0 and mine.load_s >= 0
        assert rows[("my engine", b)].error == "not built: TensorRT needs an NVIDIA GPU"
    assert result.data["samples"] == 16 and result.data["spec"] == "arrays"
    assert result.decision.chosen in {"Keras", "my tflite"}
    assert set(result.decision.pareto) <= {"Keras", "my tflite"}
    md = result.to_markdown()
    assert "| my tflite | tflite | fp32 |  | 4 |" in md and "at batch 1, 4" in md
    assert md.count("--artifact 'my tflite=") == 1  # one command per variant, not per batch size
    header = result.result.to_csv().splitlines()[0].split(",")
    assert header[:5] == ["variant", "backend", "precision", "pruned", "batch_size"]
    names = {p.name for p in result.write(tmp_path / "rep")}
    assert {"matrix.md", "matrix.csv", "matrix.json"} <= names
    assert "throughput.png" in names or pytest.importorskip("matplotlib") is None


def test_in_memory_data_refuses_preprocess_and_bad_batch_sizes(artifacts, samples, tmp_path) -> None:
    from edgesmith.profiling.dataspec import DataError

    with pytest.raises(DataError, match="applies to data read from a spec"):
        profile_model(artifacts["keras"], samples, preprocess="0-1", variants=["none"], out=tmp_path)
    with pytest.raises(MatrixError, match="batch sizes must be 1 or more"):
        profile_model(artifacts["keras"], samples, batch_sizes=(0,), variants=["none"], out=tmp_path)
