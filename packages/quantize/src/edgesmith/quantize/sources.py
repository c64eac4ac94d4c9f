"""Load the float source model (Keras object, .keras, .h5 or SavedModel dir) and fingerprint it."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from edgesmith.datasets.tf_runtime import keras
from edgesmith.quantize.errors import ModelLoadError

ModelSource = keras.Model | str | os.PathLike


def file_sha256(path: str | os.PathLike) -> str:
    """sha256 hex of a file, or of every file under a directory in sorted order (SavedModel)."""
    p = Path(path)
    digest = hashlib.sha256()
    files = sorted(f for f in p.rglob("*") if f.is_file()) if p.is_dir() else [p]
    for f in files:
        if p.is_dir():
            digest.update(str(f.relative_to(p)).encode())
        with f.open("rb") as fh:
            for chunk in iter(lambda fh=fh: fh.read(1 << 20), b""):
                digest.update(chunk)
    return digest.hexdigest()


def model_sha256(model: keras.Model) -> str:
    """sha256 hex of an in-memory model's architecture (JSON, or its layer list) and weight bytes."""
    try:
        architecture = model.to_json()
    except (TypeError, ValueError, NotImplementedError):  # e.g. a Lambda wrapping a raw TF op
        architecture = repr([(type(layer).__name__, layer.name) for layer in model.layers])
    digest = hashlib.sha256(architecture.encode())
    for w in model.get_weights():
        digest.update(w.tobytes())
    return digest.hexdigest()


def load_source(model: ModelSource) -> tuple[keras.Model, str]:
    """The Keras model and its sha256 (file hash for a path, architecture+weights hash for an object)."""
    if isinstance(model, keras.Model):
        return model, model_sha256(model)
    path = Path(model)
    if not path.exists():
        raise ModelLoadError(f"{path}: no such model file; check the path (.keras, .h5 or SavedModel dir)")
    from edgesmith.models import load_model  # the models package owns the formats and custom layers

    try:
        loaded = load_model(path)
    except Exception as exc:  # the models package raises ModelError; TF may raise anything on corrupt bytes
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ModelLoadError(f"{path}: cannot load the model ({reason}); re-save it with Keras") from exc
    if not isinstance(loaded, keras.Model):
        raise ModelLoadError(f"{path}: not a Keras model; save it with keras (model.save) and retry")
    return loaded, file_sha256(path)
