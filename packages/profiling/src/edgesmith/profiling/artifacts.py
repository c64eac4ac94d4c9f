"""Artifact bookkeeping shared by every exporter: content hashes, atomic writes and the sidecar JSON.

An artifact (``model.onnx``, ``model.engine``, ``model.tvm/``) carries ``<artifact>.json`` saying how it was
made, so a report can always say what it measured. Writes go through a temporary sibling and a rename, so a
failed export never leaves half a file behind.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
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
    """Yield a temporary file path beside ``path``; rename it onto ``path`` only if the block succeeds."""
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


@contextlib.contextmanager
def atomic_dir(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary directory beside ``path``; it replaces ``path`` only if the block succeeds."""
    dest = Path(path)
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{dest.name}.", suffix=".part", dir=dest.parent))
    try:
        yield tmp
        if dest.exists():
            shutil.rmtree(dest) if dest.is_dir() else dest.unlink()
        os.replace(tmp, dest)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)


def atomic_write(path: str | os.PathLike[str], data: str | bytes) -> Path:
    """Write text or bytes to ``path`` through a temporary sibling (no partial file on error)."""
    with atomic_path(path) as tmp:
        if isinstance(data, bytes):
            tmp.write_bytes(data)
        else:
            tmp.write_text(data)
    return Path(path)


def sidecar_path(artifact: str | os.PathLike[str]) -> Path:
    """``model.onnx`` -> ``model.onnx.json``."""
    p = Path(artifact)
    return p.with_name(p.name + ".json")


def write_sidecar(artifact: str | os.PathLike[str], payload: Mapping[str, Any]) -> Path:
    """Write ``<artifact>.json`` (atomically) describing how the artifact was made."""
    text = json.dumps(payload, indent=2, sort_keys=True, default=str) + "\n"
    return atomic_write(sidecar_path(artifact), text)


def read_sidecar(artifact: str | os.PathLike[str]) -> dict[str, Any] | None:
    """The artifact's sidecar as a dict, or ``None`` when it has none."""
    path = sidecar_path(artifact)
    if not path.exists():
        return None
    return json.loads(path.read_text())


__all__ = [
    "atomic_dir",
    "atomic_path",
    "atomic_write",
    "file_hash",
    "read_sidecar",
    "sidecar_path",
    "write_sidecar",
]
