"""Save and load Keras models as ``.keras``, ``.h5`` or SavedModel dirs, atomically, with a sidecar JSON."""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import warnings
from pathlib import Path
from typing import Any

from edgesmith.datasets.tf_runtime import keras, versions
from edgesmith.models.errors import ModelError
from edgesmith.models.layers import CUSTOM_OBJECTS
from edgesmith.profiling.artifacts import Sidecar, TensorInfo, write_sidecar
from edgesmith.profiling.artifacts import sidecar_path as sidecar_path
from edgesmith.profiling.limits import check_model_size

_FILE_FORMATS = {".keras": "keras", ".h5": "h5", ".hdf5": "h5"}


def model_format(path: str | os.PathLike[str]) -> str:
    """``"keras"``, ``"h5"`` or ``"savedmodel"`` from the path's suffix (no suffix = SavedModel directory)."""
    suffix = Path(path).suffix.lower()
    if suffix in _FILE_FORMATS:
        return _FILE_FORMATS[suffix]
    if suffix in ("", ".savedmodel", ".tf") or Path(path).is_dir():
        return "savedmodel"
    raise ModelError(
        f"{path}: unknown model format {suffix!r}; use .keras, .h5 or a SavedModel directory (no suffix)"
    )


def file_sha256(path: str | os.PathLike[str]) -> str:
    """sha256 of a file, or of a directory's files (relative names and bytes, in sorted order)."""
    path = Path(path)
    digest = hashlib.sha256()
    files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    for file in files:
        if path.is_dir():
            digest.update(file.relative_to(path).as_posix().encode())
        with file.open("rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
    return digest.hexdigest()


def count_params(model: keras.Model, trainable_only: bool = False) -> int:
    """Number of weights (all, or only the trainable ones) of a built model."""
    if trainable_only:
        return int(sum(int(keras.backend.count_params(w)) for w in model.trainable_weights))
    return int(model.count_params())


def _shapes(tensors: Any) -> list[list[int | None]]:
    return [[None if d is None else int(d) for d in t.shape] for t in tensors]


def save_model(
    model: keras.Model,
    path: str | os.PathLike[str],
    sidecar: bool = True,
    metadata: dict[str, Any] | None = None,
) -> Path:
    """Save ``model`` to ``path`` (.keras / .h5 file, or SavedModel directory) and return the path.

    The model is written to a temporary name in the same folder and renamed, so a failure never leaves a
    partial artifact. With ``sidecar`` a ``<path>.json`` records the format, sha256, parameter and FLOP
    counts, input/output shapes, tool versions and any ``metadata`` you pass (e.g. training metrics).
    """
    from edgesmith.models.flops import count_flops  # local: flops imports this module's neighbours

    path = Path(path)
    file_format = model_format(path)
    folder = file_format == "savedmodel"  # a SavedModel is a directory, the others one file
    if not path.parent.exists():
        raise ModelError(f"cannot save to {path}: folder {path.parent} does not exist; create it first")
    tmp_dir = Path(tempfile.mkdtemp(prefix=f".{path.name}.", dir=path.parent))
    tmp = tmp_dir / ("model" if folder else path.name)
    try:
        if folder:
            model.save(tmp, save_format="tf", include_optimizer=False)
        else:
            with (
                warnings.catch_warnings()
            ):  # HDF5 is "legacy" to Keras, but the Edge TPU study and many tools use it
                warnings.simplefilter("ignore", UserWarning)
                model.save(tmp, save_format=file_format)
        if path.is_dir() and folder:
            old = tmp_dir / "old"
            os.replace(path, old)
        os.replace(tmp, path)
    except ModelError:
        raise
    except Exception as exc:  # keras raises many types (ValueError, TypeError, OSError, NotImplementedError)
        raise ModelError(f"cannot save {model.name} to {path}: {_first_line(exc)}") from exc
    finally:
        shutil.rmtree(tmp_dir, ignore_errors=True)
    if sidecar:
        try:
            flops: int | None = count_flops(model)
        except ModelError:
            flops = None
        side = Sidecar(  # the edgesmith.profiling sidecar schema; Keras facts travel as extra keys
            format="keras",
            precision="fp32",
            artifact=path.name,
            sha256=file_sha256(path),
            size_bytes=_size(path),
            inputs=tuple(
                TensorInfo(t.name.split(":")[0], tuple(s))
                for t, s in zip(model.inputs, _shapes(model.inputs), strict=True)
            ),
            outputs=tuple(
                TensorInfo(t.name.split(":")[0], tuple(s))
                for t, s in zip(model.outputs, _shapes(model.outputs), strict=True)
            ),
            tools=versions(),
            extra={
                "file_format": file_format,
                "model_name": model.name,
                "params": count_params(model),
                "trainable_params": count_params(model, trainable_only=True),
                "flops_per_sample": flops,
                "metadata": metadata or {},
            },
        )
        write_sidecar(path, side)
    return path


def _size(path: Path) -> int:
    if path.is_dir():
        return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
    return path.stat().st_size


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def load_model(path: str | os.PathLike[str], compile: bool = True) -> keras.Model:
    """Load a model saved as .keras, .h5 or a SavedModel directory; custom edgesmith layers are registered.

    Missing paths, non-Keras files and corrupt files raise a one-line :class:`ModelError` naming the fix.
    """
    path = Path(path)
    if not path.exists():
        raise ModelError(
            f"model not found: {path}; check the path (a .keras/.h5 file or a SavedModel directory)"
        )
    file_format = model_format(path)
    folder = file_format == "savedmodel"
    if folder and not (path / "saved_model.pb").exists():
        raise ModelError(
            f"{path} is not a SavedModel directory (no saved_model.pb); pass a .keras/.h5 file instead"
        )
    if not folder and path.is_dir():
        raise ModelError(
            f"{path} is a directory but its suffix says {file_format}; pass the model file itself"
        )
    check_model_size(path)  # refused before Keras reads it (EDGESMITH_MAX_MODEL_MB)
    try:
        return keras.models.load_model(path, custom_objects=CUSTOM_OBJECTS, compile=compile)
    except Exception as exc:  # corrupt zip/HDF5/protobuf surface as many exception types
        if compile:
            try:  # a model saved with a custom loss or metric still loads for inference
                return keras.models.load_model(path, custom_objects=CUSTOM_OBJECTS, compile=False)
            except Exception:
                pass
        raise ModelError(
            f"cannot load {file_format} model {path}: {_first_line(exc)}; "
            "the file is corrupt or not a Keras model "
            "(re-save it with edgesmith.models.save_model)"
        ) from exc
