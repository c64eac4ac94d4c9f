"""Artifact bookkeeping for TVM exports: content hashes, atomic directory writes and the sidecar JSON."""

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


def write_text_atomic(path: str | os.PathLike[str], text: str) -> Path:
    """Write ``text`` through a temporary file and rename it into place."""
    dest = Path(path)
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".part", dir=dest.parent)
    try:
        with os.fdopen(fd, "w") as fh:
            fh.write(text)
        os.replace(tmp, dest)
    finally:
        Path(tmp).unlink(missing_ok=True)
    return dest


def sidecar_path(artifact: str | os.PathLike[str]) -> Path:
    """``model.tvm`` -> ``model.tvm.json``."""
    p = Path(artifact)
    return p.with_name(p.name + ".json")


def write_sidecar(artifact: str | os.PathLike[str], payload: Mapping[str, Any]) -> Path:
    """Write ``<artifact>.json`` describing how the artifact was made."""
    return write_text_atomic(
        sidecar_path(artifact), json.dumps(payload, indent=2, sort_keys=True, default=str) + "\n"
    )


__all__ = ["atomic_dir", "file_hash", "sidecar_path", "write_sidecar", "write_text_atomic"]
