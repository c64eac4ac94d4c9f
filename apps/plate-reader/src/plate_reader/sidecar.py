"""Sidecar JSON files (``<artifact>.json``) that say what a model file is and how it was made."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any


def sidecar_path(artifact: str | os.PathLike[str]) -> Path:
    """``model.tflite`` → ``model.tflite.json``."""
    p = Path(artifact)
    return p.with_name(p.name + ".json")


def file_sha256(path: str | os.PathLike[str]) -> str:
    """sha256 hex of a file's bytes (the identity a sidecar records)."""
    h = hashlib.sha256()
    with Path(path).open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def write_sidecar(artifact: str | os.PathLike[str], meta: dict[str, Any]) -> Path:
    """Write ``meta`` next to ``artifact`` atomically; return the sidecar's path."""
    path = sidecar_path(artifact)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(meta, indent=2, sort_keys=False, default=str) + "\n")
    tmp.replace(path)
    return path


def read_sidecar(artifact: str | os.PathLike[str]) -> dict[str, Any]:
    """The sidecar of ``artifact``, or ``{}`` when it has none."""
    path = sidecar_path(artifact)
    return json.loads(path.read_text()) if path.exists() else {}
