"""A converted TFLite model with everything its sidecar JSON records, written atomically next to it."""

from __future__ import annotations

import dataclasses
import hashlib
import os
from pathlib import Path
from typing import Any

from edgesmith.profiling.artifacts import (
    CalibrationInfo,
    Sidecar,
    SourceRef,
    atomic_write,
    normalize_precision,
    sidecar_path,  # noqa: F401  (re-exported by edgesmith.quantize)
    write_sidecar,
)
from edgesmith.profiling.artifacts import tool_versions as _tool_versions
from edgesmith.profiling.artifacts import update_sidecar as _update_sidecar
from edgesmith.quantize.errors import OutputPathError
from edgesmith.quantize.modes import IoDtype, Mode
from edgesmith.quantize.tflite_graph import GraphSummary


def tool_versions() -> dict[str, str]:
    """Installed versions of every tool that shaped an artifact (for reproducibility)."""
    return _tool_versions(
        "tensorflow", "tf-keras", "tensorflow-model-optimization", "ai-edge-litert", "edgesmith-quantize"
    )


def check_output_path(path: str | os.PathLike, suffixes: tuple[str, ...] = (".tflite",)) -> Path:
    """Fail early, before any work, when ``path`` cannot receive an artifact."""
    p = Path(path)
    if p.suffix.lower() not in suffixes:
        raise OutputPathError(f"{p}: output must end with {' or '.join(suffixes)}; rename it")
    if not p.parent.is_dir():
        raise OutputPathError(f"{p}: directory {p.parent} does not exist; create it or choose another output")
    if p.is_dir():
        raise OutputPathError(f"{p}: is a directory; give a file name such as {p / 'model'}{suffixes[0]}")
    return p


def write_atomic(path: Path, data: bytes) -> None:
    """Write to a temporary file in the same directory, then rename: readers never see a partial file."""
    atomic_write(path, data)


def update_sidecar(path: str | os.PathLike, metrics: dict[str, Any]) -> dict[str, Any]:
    """Merge ``metrics`` into an existing sidecar's ``metrics`` (atomically) and return the new sidecar."""
    return _update_sidecar(path, metrics=metrics, format="tflite").to_dict()


@dataclasses.dataclass
class QuantizedArtifact:
    """A TFLite flatbuffer with its provenance: source hash, mode, I/O dtype, calibration, graph summary."""

    content: bytes
    mode: Mode
    io_dtype: IoDtype
    source_sha256: str
    source_name: str
    graph: GraphSummary
    calibration: dict[str, Any] | None = None
    training: dict[str, Any] | None = None
    metrics: dict[str, Any] = dataclasses.field(default_factory=dict)
    path: Path | None = None
    extra: dict[str, Any] = dataclasses.field(default_factory=dict)  # top-level sidecar keys (e.g. "guard")

    @property
    def size_bytes(self) -> int:
        return len(self.content)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()

    def sidecar(self) -> dict[str, Any]:
        """The sidecar JSON content (the edgesmith.profiling sidecar schema): what this artifact is and
        how it was made; the TFLite mode, I/O dtype and training recipe travel as extra keys."""
        calib = None
        if self.calibration is not None:
            calib = CalibrationInfo.from_dict(self.calibration)
        return Sidecar(
            format="tflite",
            precision=normalize_precision(self.mode.value),
            artifact=self.path.name if self.path else None,
            sha256=self.sha256,
            size_bytes=self.size_bytes,
            source=SourceRef(self.source_name, self.source_sha256, "keras"),
            calibration=calib,
            tools=tool_versions(),
            metrics={"size_bytes": self.size_bytes, **self.graph.to_dict(), **self.metrics},
            extra={
                "mode": self.mode.value,
                "io_dtype": self.io_dtype.value,
                "training": self.training,
                **self.extra,
            },
        ).to_dict()

    def save(self, path: str | os.PathLike) -> Path:
        """Write the ``.tflite`` file and its ``.tflite.json`` sidecar; nothing is left behind on failure."""
        p = check_output_path(path)
        self.path = p
        write_atomic(p, self.content)
        try:
            write_sidecar(p, self.sidecar())
        except BaseException:
            p.unlink(missing_ok=True)
            raise
        return p
