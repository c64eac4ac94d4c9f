"""A converted TFLite model with everything its sidecar JSON records, written atomically next to it."""

from __future__ import annotations

import dataclasses
import datetime as _dt
import hashlib
import json
import os
import tempfile
from importlib import metadata
from pathlib import Path
from typing import Any

from edgesmith.quantize.errors import OutputPathError
from edgesmith.quantize.modes import IoDtype, Mode
from edgesmith.quantize.tflite_graph import GraphSummary


def tool_versions() -> dict[str, str]:
    """Installed versions of every tool that shaped an artifact (for reproducibility)."""
    out: dict[str, str] = {}
    for dist in (
        "tensorflow",
        "tf-keras",
        "tensorflow-model-optimization",
        "ai-edge-litert",
        "edgesmith-quantize",
    ):
        try:
            out[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            out[dist] = "absent"
    return out


def sidecar_path(path: str | os.PathLike) -> Path:
    """``model.tflite`` → ``model.tflite.json``."""
    p = Path(path)
    return p.with_name(p.name + ".json")


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
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def update_sidecar(path: str | os.PathLike, metrics: dict[str, Any]) -> dict[str, Any]:
    """Merge ``metrics`` into an existing sidecar's ``metrics`` (atomically) and return the new sidecar."""
    side = sidecar_path(path)
    data = json.loads(side.read_text()) if side.exists() else {"artifact": Path(path).name}
    data.setdefault("metrics", {}).update(metrics)
    write_atomic(side, (json.dumps(data, indent=2, sort_keys=False) + "\n").encode())
    return data


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
        """The sidecar JSON content: what this artifact is and how it was made."""
        return {
            "artifact": self.path.name if self.path else None,
            "format": "tflite",
            "sha256": self.sha256,
            "size_bytes": self.size_bytes,
            "source": {"sha256": self.source_sha256, "name": self.source_name},
            "mode": self.mode.value,
            "io_dtype": self.io_dtype.value,
            "calibration": self.calibration,
            "training": self.training,
            "tools": tool_versions(),
            "created_utc": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
            "metrics": {"size_bytes": self.size_bytes, **self.graph.to_dict(), **self.metrics},
            **self.extra,
        }

    def save(self, path: str | os.PathLike) -> Path:
        """Write the ``.tflite`` file and its ``.tflite.json`` sidecar; nothing is left behind on failure."""
        p = check_output_path(path)
        self.path = p
        side = sidecar_path(p)
        write_atomic(p, self.content)
        try:
            write_atomic(side, (json.dumps(self.sidecar(), indent=2) + "\n").encode())
        except BaseException:
            p.unlink(missing_ok=True)
            raise
        return p
