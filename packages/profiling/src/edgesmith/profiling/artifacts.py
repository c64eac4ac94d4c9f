"""The artifact contract shared by every exporter and app: content hashes, atomic writes and one typed,
versioned sidecar schema.

An artifact (``model.keras``, ``model.tflite``, ``model.onnx``, ``model.engine``, ``model.tvm/``) carries
``<artifact>.json`` saying what it is and how it was made (:class:`Sidecar`), so a report can always say what
it measured. Writes go through a temporary sibling and a rename, so a failed export never leaves half a file.

The schema's fields are fixed (:data:`SCHEMA_VERSION`); what only one backend knows (a TFLite ``mode``, a
TensorRT batch profile, a face card) travels as top-level extra keys that never shadow a schema field.
Sidecars written before the schema (no ``schema_version``) are read through :meth:`Sidecar.from_dict`.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as _dt
import hashlib
import json
import os
from collections.abc import Iterator, Mapping, Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

from edgesmith.profiling import files

SCHEMA_VERSION = 1
"""Version of the sidecar layout :meth:`Sidecar.to_dict` writes."""

_PRECISION_ALIASES = {"float32": "fp32", "float16": "fp16", "half": "fp16", "float": "fp32"}


def file_hash(path: str | os.PathLike[str]) -> str:
    """SHA-256 of a file, or of every file under a directory (relative names included, sorted)."""
    p = Path(path)
    digest = hashlib.sha256()
    files = sorted(f for f in p.rglob("*") if f.is_file()) if p.is_dir() else [p]
    for f in files:
        if p.is_dir():
            digest.update(f.relative_to(p).as_posix().encode())
        with open(f, "rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                digest.update(chunk)
    return digest.hexdigest()


def path_size(path: str | os.PathLike[str]) -> int:
    """Size in bytes of a file, or of every file under a directory (0 when absent)."""
    p = Path(path)
    if p.is_dir():
        return sum(f.stat().st_size for f in p.rglob("*") if f.is_file())
    return p.stat().st_size if p.exists() else 0


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path beside ``path`` (its folder is created); rename it onto ``path`` only if the
    block succeeds (:func:`edgesmith.profiling.files.atomic_path`)."""
    dest = Path(path)
    dest.parent.mkdir(parents=True, exist_ok=True)
    with files.atomic_path(dest) as tmp:
        yield tmp


def atomic_dir(path: str | os.PathLike[str]) -> contextlib.AbstractContextManager[Path]:
    """Yield a temporary directory beside ``path``; it replaces ``path`` only if the block succeeds."""
    return files.atomic_dir(path)


def atomic_write(path: str | os.PathLike[str], data: str | bytes) -> Path:
    """Write text or bytes to ``path`` (its folder is created) completely or not at all."""
    dest = Path(path)
    dest.parent.mkdir(parents=True, exist_ok=True)
    return files.atomic_write_bytes(dest, data if isinstance(data, bytes) else data.encode())


def sidecar_path(artifact: str | os.PathLike[str]) -> Path:
    """``model.onnx`` -> ``model.onnx.json`` (a directory artifact's sidecar sits beside it)."""
    p = Path(artifact)
    return p.with_name(p.name + ".json")


def now_utc() -> str:
    """The sidecar timestamp format: ISO 8601, UTC, whole seconds."""
    return _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds")


def tool_versions(*dists: str) -> dict[str, str]:
    """Installed versions of the named distributions (``"absent"`` for those not installed)."""
    out: dict[str, str] = {}
    for dist in dists:
        try:
            out[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            out[dist] = "absent"
    return out


def normalize_precision(value: Any) -> str:
    """``float32`` -> ``fp32``, ``float16`` -> ``fp16``; other names (int8, dynamic, mixed) unchanged."""
    text = str(value).lower() if value is not None else "unknown"
    return _PRECISION_ALIASES.get(text, text)


# -- the schema -------------------------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class TensorInfo:
    """Name, shape (``None`` for a dynamic dimension) and dtype of a model input or output."""

    name: str
    shape: tuple[int | None, ...]
    dtype: str = "float32"

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "shape": list(self.shape), "dtype": self.dtype}

    @classmethod
    def from_any(cls, value: Any, name: str | None = None) -> TensorInfo:
        """From ``{"name", "shape", "dtype"}``, a bare shape list, or a ``TensorSpec``-like object."""
        if isinstance(value, Mapping):
            shape = value.get("shape", ())
            return cls(str(value.get("name", name or "")), _shape(shape), str(value.get("dtype", "float32")))
        if hasattr(value, "shape") and hasattr(value, "name"):
            return cls(str(value.name), _shape(value.shape), str(getattr(value, "dtype", "float32")))
        return cls(name or "", _shape(value))


def _shape(shape: Any) -> tuple[int | None, ...]:
    return tuple(None if d is None or (isinstance(d, int) and d < 0) else int(d) for d in (shape or ()))


def _tensors(value: Any) -> tuple[TensorInfo, ...]:
    """Tensors from any layout the project has written: a list of dicts/shapes, or ``{name: shape}``."""
    if not value:
        return ()
    if isinstance(value, Mapping):
        return tuple(TensorInfo.from_any(shape, name) for name, shape in value.items())
    return tuple(TensorInfo.from_any(v, f"input_{i}") for i, v in enumerate(value))


@dataclasses.dataclass(frozen=True)
class SourceRef:
    """The artifact this one was made from: its path (as given), content hash and format."""

    path: str | None = None
    sha256: str | None = None
    format: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclasses.dataclass(frozen=True)
class CalibrationInfo:
    """What an integer artifact was calibrated on: the data spec, a hash of the samples, their
    preprocessing (resize/crop/scale) and count; backend details (seed, cache file) in ``details``."""

    spec: str | None = None
    hash: str | None = None
    preprocess: Mapping[str, Any] | None = None
    samples: int | None = None
    details: Mapping[str, Any] = dataclasses.field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        out = {
            "spec": self.spec,
            "hash": self.hash,
            "preprocess": dict(self.preprocess) if self.preprocess is not None else None,
            "samples": self.samples,
        }
        return {**dict(self.details), **out}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> CalibrationInfo | None:
        if data is None:
            return None
        d = dict(data)
        hash_ = d.pop("hash", None) or d.pop("data_hash", None)
        d.pop("data_hash", None)
        return cls(
            spec=d.pop("spec", None),
            hash=hash_,
            preprocess=d.pop("preprocess", None),
            samples=d.pop("samples", None),
            details=d,
        )


_FIELDS = (
    "schema_version",
    "artifact",
    "format",
    "precision",
    "sha256",
    "size_bytes",
    "source",
    "calibration",
    "inputs",
    "outputs",
    "tools",
    "created",
    "metrics",
)

# keys sidecars used before the schema, consumed by from_dict (they never survive as extras)
_LEGACY_KEYS = (
    "source_model",
    "source_model_hash",
    "source_model_sha256",
    "source_sha256",
    "source_format",
    "tool_versions",
    "versions",
    "created_utc",
    "kind",
)
_LEGACY_KINDS = {"edgetpu-compiled tflite": "edgetpu", "tensorrt-engine": "tensorrt"}
_LEGACY_FORMATS = {"tensorrt-engine": "tensorrt", "tvm-relax-library": "tvm", "edgesmith-tvm/1": "tvm"}


@dataclasses.dataclass(frozen=True)
class Sidecar:
    """What an artifact is and how it was made; one layout for every artifact the project writes.

    ``format`` is the family that runs it (a runner name: keras, tflite, onnx, tensorrt, tvm, edgetpu),
    ``precision`` its numeric precision (fp32, fp16, dynamic, int8 ...). ``extra`` holds backend facts
    (written as top-level keys) and ``metrics`` what was measured on the artifact.
    """

    format: str
    precision: str = "unknown"
    artifact: str | None = None
    sha256: str | None = None
    size_bytes: int | None = None
    source: SourceRef | None = None
    calibration: CalibrationInfo | None = None
    inputs: tuple[TensorInfo, ...] = ()
    outputs: tuple[TensorInfo, ...] = ()
    tools: Mapping[str, str] = dataclasses.field(default_factory=dict)
    created: str = dataclasses.field(default_factory=now_utc)
    metrics: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    extra: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    schema_version: int = SCHEMA_VERSION

    def to_dict(self) -> dict[str, Any]:
        core = {
            "schema_version": self.schema_version,
            "artifact": self.artifact,
            "format": self.format,
            "precision": self.precision,
            "sha256": self.sha256,
            "size_bytes": self.size_bytes,
            "source": self.source.to_dict() if self.source else None,
            "calibration": self.calibration.to_dict() if self.calibration else None,
            "inputs": [t.to_dict() for t in self.inputs],
            "outputs": [t.to_dict() for t in self.outputs],
            "tools": dict(self.tools),
            "created": self.created,
            "metrics": dict(self.metrics),
        }
        extra = {k: v for k, v in self.extra.items() if k not in core}
        return {**core, **extra}

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, default=str) + "\n"

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Sidecar:
        """Parse a sidecar dict of this schema, or of any layout the project wrote before it."""
        d = dict(data)
        version = int(d.get("schema_version") or 0)
        if version > SCHEMA_VERSION:
            raise ValueError(
                f"sidecar schema_version {version} is newer than this edgesmith-profiling reads "
                f"({SCHEMA_VERSION}); upgrade edgesmith-profiling"
            )
        source = d.get("source")
        if isinstance(source, Mapping):
            src = SourceRef(
                path=source.get("path") or source.get("name"),
                sha256=source.get("sha256"),
                format=source.get("format"),
            )
        else:
            meta = d.get("metadata") if isinstance(d.get("metadata"), Mapping) else {}
            sha = (
                d.get("source_model_hash")
                or d.get("source_model_sha256")
                or d.get("source_sha256")
                or meta.get("source_sha256")
            )
            path = d.get("source_model") or (source if isinstance(source, str) else None)
            src = SourceRef(path, sha, d.get("source_format")) if (sha or path) else None
        fmt = d.get("format") or _LEGACY_KINDS.get(str(d.get("kind")), d.get("kind")) or "unknown"
        fmt = _LEGACY_FORMATS.get(str(fmt), str(fmt))
        if fmt in ("h5", "savedmodel"):  # Keras file layouts: the family is keras
            d.setdefault("file_format", fmt)
            fmt = "keras"
        precision = d.get("precision") or d.get("mode") or "unknown"
        tools = d.get("tools") or d.get("tool_versions") or d.get("versions") or {}
        consumed = set(_FIELDS) | set(_LEGACY_KEYS)
        if version == 0 and isinstance(source, str):
            consumed.add("source")
        extra = {k: v for k, v in d.items() if k not in consumed}
        return cls(
            format=fmt,
            precision=normalize_precision(precision),
            artifact=d.get("artifact"),
            sha256=d.get("sha256"),
            size_bytes=d.get("size_bytes") if d.get("size_bytes") is not None else _metric_size(d),
            source=src,
            calibration=CalibrationInfo.from_dict(d.get("calibration")),
            inputs=_tensors(d.get("inputs")),
            outputs=_tensors(d.get("outputs")),
            tools=dict(tools),
            created=d.get("created") or d.get("created_utc") or "",
            metrics=dict(d.get("metrics") or {}),
            extra=extra,
        )

    def with_metrics(self, **metrics: Any) -> Sidecar:
        """A copy with ``metrics`` merged into this sidecar's metrics."""
        return dataclasses.replace(self, metrics={**self.metrics, **metrics})

    def with_extra(self, **extra: Any) -> Sidecar:
        """A copy with backend facts (top-level keys such as a face card) added."""
        return dataclasses.replace(self, extra={**self.extra, **extra})

    def get(self, key: str, default: Any = None) -> Any:
        """A schema field or an extra key by name (what dict-style readers of old sidecars used)."""
        return self.to_dict().get(key, default)


def _metric_size(d: Mapping[str, Any]) -> int | None:
    metrics = d.get("metrics")
    return metrics.get("size_bytes") if isinstance(metrics, Mapping) else None


def write_sidecar(artifact: str | os.PathLike[str], payload: Sidecar | Mapping[str, Any]) -> Path:
    """Write ``<artifact>.json`` (atomically) in the schema; a plain mapping is parsed into one first."""
    sidecar = payload if isinstance(payload, Sidecar) else Sidecar.from_dict(payload)
    if sidecar.artifact is None:
        sidecar = dataclasses.replace(sidecar, artifact=Path(artifact).name)
    return atomic_write(sidecar_path(artifact), sidecar.to_json())


def load_sidecar(artifact: str | os.PathLike[str]) -> Sidecar | None:
    """The artifact's sidecar, parsed into the schema, or ``None`` when it has none.

    A sidecar that is not valid JSON raises :class:`ValueError` naming the file.
    """
    path = sidecar_path(artifact)
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text())
    except json.JSONDecodeError as exc:
        raise ValueError(
            f"{path}: not valid JSON ({exc.msg}); delete it and export the artifact again"
        ) from exc
    if not isinstance(data, Mapping):
        raise ValueError(f"{path}: a sidecar must be a JSON object; delete it and export again")
    return Sidecar.from_dict(data)


def read_sidecar(artifact: str | os.PathLike[str]) -> dict[str, Any] | None:
    """The artifact's sidecar as a schema dict (old layouts converted), or ``None`` when it has none."""
    sidecar = load_sidecar(artifact)
    return sidecar.to_dict() if sidecar is not None else None


def update_sidecar(
    artifact: str | os.PathLike[str],
    *,
    metrics: Mapping[str, Any] | None = None,
    extra: Mapping[str, Any] | None = None,
    format: str = "unknown",
) -> Sidecar:
    """Merge measured ``metrics`` and backend facts into an artifact's sidecar (created when absent)."""
    current = load_sidecar(artifact) or Sidecar(format=format, artifact=Path(artifact).name)
    updated = current.with_metrics(**(metrics or {})).with_extra(**(extra or {}))
    write_sidecar(artifact, updated)
    return updated


# -- artifacts -------------------------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class Artifact:
    """A model file or folder and its sidecar: the unit exporters take and return."""

    path: Path
    sidecar: Sidecar

    @property
    def format(self) -> str:
        return self.sidecar.format

    @property
    def precision(self) -> str:
        return self.sidecar.precision

    @property
    def sha256(self) -> str:
        """The recorded content hash, or the file's hash when the sidecar has none."""
        return self.sidecar.sha256 or file_hash(self.path)

    def source_ref(self) -> SourceRef:
        """How an artifact made from this one names its source."""
        return SourceRef(str(self.path), self.sha256, self.format)

    @classmethod
    def open(cls, path: str | os.PathLike[str], format: str | None = None) -> Artifact:
        """The artifact at ``path`` with its sidecar; without one, the format is the runner registry's guess
        from the file, else its suffix (``format`` overrides both), and the precision is unknown."""
        p = Path(path)
        if not p.exists():
            raise FileNotFoundError(f"{p}: no such model file or folder; check the path or export it first")
        sidecar = load_sidecar(p)
        if sidecar is None:
            if format is None:
                from edgesmith.profiling.registry import backend_for
                from edgesmith.profiling.runner import RunnerError

                try:
                    format = backend_for(p)
                except RunnerError:  # no runner installed claims it: the suffix names the format
                    format = p.suffix.lstrip(".").lower() or "unknown"
            sidecar = Sidecar(format=format, artifact=p.name, size_bytes=path_size(p))
        elif format is not None and sidecar.format != format:
            sidecar = dataclasses.replace(sidecar, format=format)
        return cls(p, sidecar)

    def save_sidecar(self, sidecar: Sidecar | None = None) -> Artifact:
        """Write ``sidecar`` (default: this artifact's own) next to the artifact; return the updated one."""
        side = sidecar or self.sidecar
        write_sidecar(self.path, side)
        return Artifact(self.path, side)


def describe_file(
    path: str | os.PathLike[str],
    format: str,
    precision: str,
    *,
    source: SourceRef | Artifact | None = None,
    calibration: CalibrationInfo | None = None,
    inputs: Sequence[Any] = (),
    outputs: Sequence[Any] = (),
    tools: Mapping[str, str] | None = None,
    metrics: Mapping[str, Any] | None = None,
    **extra: Any,
) -> Sidecar:
    """A sidecar for the finished artifact at ``path``: name, hash and size measured from the file."""
    p = Path(path)
    return Sidecar(
        format=format,
        precision=normalize_precision(precision),
        artifact=p.name,
        sha256=file_hash(p),
        size_bytes=path_size(p),
        source=source.source_ref() if isinstance(source, Artifact) else source,
        calibration=calibration,
        inputs=tuple(TensorInfo.from_any(t) for t in inputs),
        outputs=tuple(TensorInfo.from_any(t) for t in outputs),
        tools=dict(tools or {}),
        metrics=dict(metrics or {}),
        extra=extra,
    )


__all__ = [
    "SCHEMA_VERSION",
    "Artifact",
    "CalibrationInfo",
    "Sidecar",
    "SourceRef",
    "TensorInfo",
    "atomic_dir",
    "atomic_path",
    "atomic_write",
    "describe_file",
    "file_hash",
    "load_sidecar",
    "normalize_precision",
    "now_utc",
    "path_size",
    "read_sidecar",
    "sidecar_path",
    "tool_versions",
    "update_sidecar",
    "write_sidecar",
]
