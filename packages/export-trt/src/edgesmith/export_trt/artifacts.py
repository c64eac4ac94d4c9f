"""Artifact bookkeeping: content hashes, atomic writes (no partial files) and the sidecar JSON."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any


def file_hash(path: str | os.PathLike[str]) -> str:
    """SHA-256 of a file, or of every file under a directory (relative names included, sorted)."""
    p = Path(path)
    digest = hashlib.sha256()
    files = sorted(f for f in p.rglob("*") if f.is_file()) if p.is_dir() else [p]
    for f in files:
        if p.is_dir():
            digest.update(str(f.relative_to(p)).encode())
        with open(f, "rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                digest.update(chunk)
    return digest.hexdigest()


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; rename it onto ``path`` only if the block succeeds."""
    dest = Path(path)
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".part", dir=dest.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        os.replace(tmp_path, dest)
    finally:
        tmp_path.unlink(missing_ok=True)


def write_bytes_atomic(path: str | os.PathLike[str], data: bytes) -> Path:
    """Write ``data`` to ``path`` through a temporary file, so readers never see half an artifact."""
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)
    return Path(path)


def sidecar_path(artifact: str | os.PathLike[str]) -> Path:
    """``model.onnx`` -> ``model.onnx.json``."""
    p = Path(artifact)
    return p.with_name(p.name + ".json")


def write_sidecar(artifact: str | os.PathLike[str], payload: Mapping[str, Any]) -> Path:
    """Write ``<artifact>.json`` (atomically) describing how the artifact was made."""
    path = sidecar_path(artifact)
    write_bytes_atomic(path, (json.dumps(payload, indent=2, sort_keys=True, default=str) + "\n").encode())
    return path


def read_sidecar(artifact: str | os.PathLike[str]) -> dict[str, Any] | None:
    """The artifact's sidecar as a dict, or ``None`` when it has none."""
    path = sidecar_path(artifact)
    if not path.exists():
        return None
    return json.loads(path.read_text())


__all__ = ["atomic_path", "file_hash", "read_sidecar", "sidecar_path", "write_bytes_atomic", "write_sidecar"]
