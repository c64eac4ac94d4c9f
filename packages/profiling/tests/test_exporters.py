"""The exporter registry and export(): variant parsing, source-format and availability checks, calibration
provenance. A byte-reversing exporter stands in for a backend so the kernel is tested without TensorFlow;
the real exporters are tested in their own packages."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from edgesmith.profiling import exporters
from edgesmith.profiling.artifacts import Artifact, CalibrationInfo, describe_file, write_sidecar
from edgesmith.profiling.exporters import (
    Exporter,
    ExporterError,
    ExporterUnavailable,
    calibration_array,
    export,
    parse_variant,
)


class ReverseExporter:
    """Writes the source bytes reversed; int8 records how many calibration samples it saw."""

    name = "rev"
    sources = ("onnx",)
    precisions = ("fp32", "int8")
    missing: str | None = None

    def unavailable(self) -> str | None:
        return self.missing

    def export(self, source: Artifact, precision: str, out: Path, *, calibration=None, **options: Any):
        out.write_bytes(source.path.read_bytes()[::-1])
        x = calibration_array(calibration)
        calib = CalibrationInfo(hash="measured", samples=len(x)) if x is not None else None
        side = describe_file(out, "rev", precision, source=source, calibration=calib, **options)
        write_sidecar(out, side)
        return Artifact(out, side)


class _EntryPoint:
    def __init__(self, obj: Any) -> None:
        self.obj = obj

    def load(self) -> Any:
        return self.obj


class _Broken:
    def load(self) -> Any:
        raise ImportError("No module named 'absent_backend'")


@pytest.fixture
def registry(monkeypatch):
    exporters.get_exporter.cache_clear()
    monkeypatch.setattr(
        exporters, "_entry_points", lambda: {"rev": _EntryPoint(ReverseExporter), "bad": _Broken()}
    )
    yield
    exporters.get_exporter.cache_clear()


@pytest.fixture
def onnx_file(tmp_path: Path) -> Path:
    p = tmp_path / "m.onnx"
    p.write_bytes(b"abc")
    write_sidecar(p, describe_file(p, "onnx", "fp32"))
    return p


def test_registry_lists_and_reports(registry) -> None:
    assert exporters.exporter_names() == ["bad", "rev"]
    assert isinstance(exporters.get_exporter("rev"), Exporter)
    avail = exporters.available_exporters()
    assert avail["rev"] is None and "failed to import" in avail["bad"]
    assert exporters.variants() == ["rev-fp32", "rev-int8"]
    with pytest.raises(ExporterError, match="unknown exporter 'nope'; registered exporters: bad, rev"):
        exporters.get_exporter("nope")


def test_parse_variant(registry) -> None:
    assert parse_variant("rev-int8")[1] == "int8"
    assert parse_variant("rev")[1] == "fp32"  # bare family: its first precision
    with pytest.raises(ExporterError, match="choose one of: rev-fp32, rev-int8"):
        parse_variant("rev-fp16")


def test_export_writes_artifact_and_records_source_and_calibration(registry, onnx_file: Path) -> None:
    out = onnx_file.with_name("m_int8.rev")
    batches = [np.zeros((3, 2), np.float32), np.ones((2, 2), np.float32)]
    art = export(
        onnx_file,
        "rev-int8",
        out,
        calibration=lambda: iter(batches),
        calibration_info=CalibrationInfo(spec="val.npy", preprocess={"scale": 1.0}),
        note="hi",
    )
    assert out.read_bytes() == b"cba" and art.precision == "int8"
    reread = Artifact.open(out)
    assert reread.sidecar == art.sidecar
    assert (reread.sidecar.source.path, reread.sidecar.source.format) == (str(onnx_file), "onnx")
    calib = reread.sidecar.calibration
    assert (calib.spec, calib.hash, calib.samples, calib.preprocess) == (
        "val.npy",
        "measured",
        5,
        {"scale": 1.0},
    )
    assert reread.sidecar.extra == {"note": "hi"}


def test_export_refuses_wrong_source_format(registry, tmp_path: Path) -> None:
    src = tmp_path / "m.tflite"
    src.write_bytes(b"TFL3")
    write_sidecar(src, describe_file(src, "tflite", "fp32"))
    with pytest.raises(ExporterError, match="rev exports from onnx, not tflite; export the model to onnx"):
        export(src, "rev-fp32", tmp_path / "o.rev")
    assert not (tmp_path / "o.rev").exists()


def test_export_unavailable_says_why(registry, onnx_file: Path, monkeypatch) -> None:
    monkeypatch.setattr(ReverseExporter, "missing", "rev tool absent; pip install rev")
    with pytest.raises(ExporterUnavailable, match="rev-fp32: rev tool absent; pip install rev") as info:
        export(onnx_file, "rev-fp32", onnx_file.with_name("o.rev"))
    assert info.value.exit_code == 3  # the exit-code contract: a missing tool or device


def test_export_refuses_missing_folder_and_self_overwrite(registry, onnx_file: Path) -> None:
    with pytest.raises(ExporterError, match="does not exist; create it first"):
        export(onnx_file, "rev", onnx_file.parent / "no" / "o.rev")
    with pytest.raises(ExporterError, match="would overwrite its source"):
        export(onnx_file, "rev", onnx_file)


def test_calibration_array_concatenates_and_limits() -> None:
    def gen():
        yield np.zeros((3, 2))
        yield np.ones((3, 2))

    assert calibration_array(gen).shape == (6, 2) and calibration_array(gen, limit=4).shape == (4, 2)
    assert calibration_array(None) is None
    with pytest.raises(ExporterError, match="yielded no batch"):
        calibration_array(lambda: iter([]))


def test_installed_backends_register_under_the_group() -> None:
    """The workspace's backend packages declare their exporters under the entry-point group."""
    for plugin in (
        "edgesmith.quantize",
        "edgesmith.export_trt",
        "edgesmith.export_tvm",
        "edgesmith.export_edgetpu",
    ):
        pytest.importorskip(plugin, reason=f"{plugin} (an exporter plugin) is not installed")
    exporters.get_exporter.cache_clear()
    names = exporters.exporter_names()
    assert {"tflite", "onnx", "tensorrt", "tvm", "edgetpu"} <= set(names)
    assert exporters.get_exporter("edgetpu").sources == ("tflite",)
