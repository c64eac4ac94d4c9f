"""The sidecar schema: round trip, every pre-schema layout the project wrote, atomic writes, Artifact.open."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from edgesmith.profiling.artifacts import (
    SCHEMA_VERSION,
    Artifact,
    CalibrationInfo,
    Sidecar,
    SourceRef,
    TensorInfo,
    atomic_write,
    describe_file,
    file_hash,
    load_sidecar,
    read_sidecar,
    sidecar_path,
    update_sidecar,
    write_sidecar,
)
from edgesmith.profiling.errors import EdgesmithError


def test_round_trip_keeps_every_field_and_extras(tmp_path: Path) -> None:
    model = tmp_path / "m.onnx"
    model.write_bytes(b"\x08\x07onnx")
    side = describe_file(
        model,
        "onnx",
        "float32",
        source=SourceRef("m.keras", "ab" * 32, "keras"),
        calibration=CalibrationInfo("plates:val", "cd" * 32, {"resize": [128, 128], "scale": 1 / 255}, 100),
        inputs=[{"name": "image", "shape": [None, 128, 128, 3]}],
        tools={"onnx": "1.17"},
        metrics={"max_abs_error_vs_keras": 1e-7},
        opset=13,
    )
    write_sidecar(model, side)
    raw = json.loads(sidecar_path(model).read_text())
    assert raw["schema_version"] == SCHEMA_VERSION and raw["opset"] == 13
    assert raw["precision"] == "fp32" and raw["sha256"] == file_hash(model) and raw["size_bytes"] == 6
    assert raw["inputs"] == [{"name": "image", "shape": [None, 128, 128, 3], "dtype": "float32"}]
    back = load_sidecar(model)
    assert back == side
    assert back.calibration.preprocess == {"resize": [128, 128], "scale": 1 / 255}
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary left


@pytest.mark.parametrize(
    ("legacy", "fmt", "precision", "source_sha"),
    [  # layouts written before the schema by quantize, export-trt (onnx, engine), export-tvm, edgetpu, models
        ({"format": "tflite", "mode": "float16", "source": {"sha256": "s1", "name": "tiny"},
          "created_utc": "2026-01-01T00:00:00+00:00", "calibration": None}, "tflite", "fp16", "s1"),
        ({"format": "onnx", "precision": "fp32", "source_model_hash": "s2", "tool_versions": {"onnx": "1"},
          "inputs": {"image": [None, 8, 8, 1]}}, "onnx", "fp32", "s2"),
        ({"format": "tensorrt-engine", "precision": "int8", "source_model": "m.onnx",
          "source_model_hash": "s3",
          "calibration": {"samples": 32, "data_hash": "h", "cache_reused": True}}, "tensorrt", "int8", "s3"),
        ({"format": "tvm-relax-library", "precision": "fp32", "source_model_hash": "s4",
          "inputs": [{"name": "x", "shape": [1, 3], "dtype": "float32"}]}, "tvm", "fp32", "s4"),
        ({"kind": "edgetpu-compiled tflite", "precision": "int8", "source_sha256": "s5",
          "created": "2026-01-01T00:00:00+00:00"}, "edgetpu", "int8", "s5"),
        ({"format": "h5", "precision": "float32", "versions": {"tensorflow": "2.21"},
          "metadata": {"source_sha256": "s6"}, "inputs": [[None, 28, 28, 1]]}, "keras", "fp32", "s6"),
    ],
)  # fmt: skip
def test_pre_schema_layouts_parse(legacy: dict, fmt: str, precision: str, source_sha: str) -> None:
    side = Sidecar.from_dict(legacy)
    assert (side.format, side.precision, side.source.sha256) == (fmt, precision, source_sha)
    again = Sidecar.from_dict(side.to_dict())  # rewriting in the schema loses nothing
    assert again == side
    assert "source_model_hash" not in side.to_dict() and "tool_versions" not in side.to_dict()


def test_legacy_calibration_hash_and_details() -> None:
    side = Sidecar.from_dict({"format": "tflite", "calibration": {"samples": 8, "data_hash": "h", "seed": 3}})
    assert side.calibration.hash == "h" and side.calibration.samples == 8
    assert side.calibration.details == {"seed": 3}
    assert side.to_dict()["calibration"]["seed"] == 3


def test_extras_never_shadow_schema_fields() -> None:
    side = Sidecar(format="onnx", precision="fp32", extra={"format": "evil", "face": {"classes": ["a"]}})
    d = side.to_dict()
    assert (d["format"], d["face"]) == ("onnx", {"classes": ["a"]})


def test_newer_schema_is_refused() -> None:
    with pytest.raises(ValueError, match="upgrade edgesmith-profiling"):
        Sidecar.from_dict({"schema_version": SCHEMA_VERSION + 1, "format": "onnx"})


def test_corrupt_sidecar_names_the_file(tmp_path: Path) -> None:
    model = tmp_path / "m.tflite"
    model.write_bytes(b"x")
    sidecar_path(model).write_text("{not json")
    with pytest.raises(ValueError, match=r"m\.tflite\.json: not valid JSON"):
        load_sidecar(model)
    assert read_sidecar(tmp_path / "absent.onnx") is None


def test_update_merges_metrics_and_extras(tmp_path: Path) -> None:
    model = tmp_path / "m.tflite"
    model.write_bytes(b"x")
    write_sidecar(model, {"format": "tflite", "mode": "int8", "metrics": {"size_bytes": 1}})
    update_sidecar(model, metrics={"accuracy_pct": 91.0}, extra={"face": {"threshold": 0.6}})
    side = load_sidecar(model)
    assert side.metrics == {"size_bytes": 1, "accuracy_pct": 91.0}
    assert side.extra == {"mode": "int8", "face": {"threshold": 0.6}} and side.precision == "int8"


def test_atomic_write_leaves_the_old_file_on_failure(tmp_path: Path, monkeypatch) -> None:
    target = tmp_path / "out.json"
    target.write_text("old")

    def boom(*_a, **_k):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(EdgesmithError):  # the OSError, as the one-line error the CLIs print
        atomic_write(target, "new")
    assert target.read_text() == "old" and [p.name for p in tmp_path.iterdir()] == ["out.json"]


def test_atomic_write_is_readable_like_a_plain_open(tmp_path: Path) -> None:
    umask = os.umask(0o022)
    try:
        path = atomic_write(tmp_path / "a.json", "{}")
    finally:
        os.umask(umask)
    assert path.stat().st_mode & 0o777 == 0o644


def test_artifact_open_without_sidecar_asks_the_runner_registry(tmp_path: Path) -> None:
    pytest.importorskip("edgesmith.quantize.runner", reason="the tflite runner comes with edgesmith-quantize")
    model = tmp_path / "plain.tflite"
    model.write_bytes(b"TFL3")
    art = Artifact.open(model)
    assert (art.format, art.precision, art.sha256) == ("tflite", "unknown", file_hash(model))
    assert art.source_ref() == SourceRef(str(model), file_hash(model), "tflite")
    with pytest.raises(FileNotFoundError, match="no such model"):
        Artifact.open(tmp_path / "missing.onnx")


def test_tensor_info_from_shapes() -> None:
    assert TensorInfo.from_any([-1, 3], "x") == TensorInfo("x", (None, 3))
