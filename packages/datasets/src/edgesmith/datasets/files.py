"""Opening dataset files: existence checks with a helpful message and transparent ``.gz`` reading."""

from __future__ import annotations

import gzip
import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from edgesmith.datasets.errors import DatasetError

Progress = Callable[[int, int], None]
"""Callback ``progress(done, total)`` that loaders call after each file they read (e.g. to drive a bar)."""


def existing_dir(path: str | os.PathLike[str], what: str) -> Path:
    """``path`` as a Path if it is a directory, else a DatasetError saying what was expected there."""
    p = Path(path).expanduser()
    if not p.is_dir():
        state = "is a file, not a folder" if p.exists() else "does not exist"
        raise DatasetError(f"{what} folder {p} {state}; pass the folder that holds the {what} files")
    return p


def existing_file(path: str | os.PathLike[str], what: str) -> Path:
    """``path`` as a Path if it is a file, else a DatasetError naming the expected file."""
    p = Path(path).expanduser()
    if not p.is_file():
        state = "is a folder, not a file" if p.exists() else "does not exist"
        raise DatasetError(f"{what} file {p} {state}; check the path")
    return p


def find_file(folder: Path, names: list[str], what: str) -> Path:
    """The first of ``names`` (each also tried with ``.gz``) present in ``folder``, else a DatasetError."""
    for name in names:
        for candidate in (folder / name, folder / f"{name}.gz"):
            if candidate.is_file():
                return candidate
    raise DatasetError(
        f"no {what} file in {folder} (looked for {names[0]} or {names[0]}.gz); "
        "pass the folder that holds the extracted dataset files"
    )


def read_bytes(path: Path) -> bytes:
    """The file's bytes, decompressed when it is gzip (by magic number, whatever its suffix)."""
    with path.open("rb") as fh:
        head = fh.read(2)
    if head == b"\x1f\x8b":
        try:
            with gzip.open(path, "rb") as fh:
                return fh.read()
        except (OSError, EOFError) as exc:
            raise DatasetError(f"{path} is a truncated or corrupt gzip file ({exc}); fetch it again") from exc
    return path.read_bytes()


@contextmanager
def atomic_write(path: str | os.PathLike[str], mode: str = "wb") -> Iterator:
    """Write to a temporary file beside ``path`` and rename it into place, so no partial file is left."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, mode, **({"newline": ""} if "b" not in mode else {})) as fh:
            yield fh
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


__all__ = ["Progress", "atomic_write", "existing_dir", "existing_file", "find_file", "read_bytes"]
