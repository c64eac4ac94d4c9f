"""Writing outputs so that a failed command leaves nothing partial behind.

Every file goes to a temporary name in its target folder and is renamed over the target only when complete
(``os.replace`` is atomic within one file system); folders are built in a temporary sibling and renamed.
:func:`remove_on_failure` registers what a command started so the CLI handler removes it if the command
fails (inside :func:`command_scope`).
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from edgesmith.profiling.errors import InputError, OutputError, from_os_error


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _shareable(path: Path, is_dir: bool) -> None:
    """Give a temp file/folder the mode a plain ``open``/``mkdir`` would have (mkstemp makes them private)."""
    os.chmod(path, (0o777 if is_dir else 0o666) & ~_umask())


def _remove(path: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink()


def _temp_name(target: Path) -> str:
    """A hidden name beside ``target`` that keeps its suffix (Keras and TFLite check the file extension)."""
    return f".{target.stem}.partial-{os.getpid()}-{secrets.token_hex(4)}{target.suffix}"


def writable_dir(folder: str | os.PathLike[str], *, create: bool = False) -> Path:
    """Check now, before long work, that files can be created in ``folder`` (honest for root too).

    Probes by creating and removing a temporary file, so read-only disks, immutable folders and a file
    standing where the folder should be are all caught. Raises :class:`OutputError`.
    """
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise OutputError(
            "a file is in the way of the output folder", path=folder, fix="choose a folder path"
        )
    if not folder.exists():
        if not create:
            raise OutputError(
                "the output folder does not exist",
                path=folder,
                fix="create it first or choose another folder",
            )
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise from_os_error(exc, folder) from exc
    try:
        fd, probe = tempfile.mkstemp(prefix=".edgesmith-probe-", dir=folder)
    except OSError as exc:
        raise from_os_error(exc, folder) from exc
    os.close(fd)
    os.unlink(probe)
    return folder


def _check_target(target: Path) -> None:
    if target.is_dir() and not target.is_symlink():
        raise OutputError("a folder is in the way of the output file", path=target, fix="pass a file name")
    parent = target.parent
    if parent.exists() and not parent.is_dir():
        raise OutputError(
            "the output's folder is a file", path=parent, fix="choose a path under a real folder"
        )
    if not parent.exists():
        raise OutputError(
            "the output folder does not exist", path=parent, fix="create it first or choose another folder"
        )


@contextlib.contextmanager
def atomic_path(target: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path beside ``target`` for a library that writes by path; rename it on success.

    The temporary keeps ``target``'s suffix, may become a file or a folder (SavedModel), and is removed if
    the block raises. Example: ``with atomic_path("m.tflite") as tmp: tmp.write_bytes(flatbuffer)``.
    """
    target = Path(target)
    _check_target(target)
    tmp = target.parent / _temp_name(target)
    with _removed_on_failure(tmp, target):
        yield tmp
        if not tmp.exists():
            raise OutputError(
                "the writer produced no file", path=target, fix="rerun with --debug and report it"
            )
        _move_into_place(tmp, target)


def atomic_write_bytes(target: str | os.PathLike[str], data: bytes) -> Path:
    """Write ``data`` to ``target`` completely or not at all; returns ``target`` as a Path."""
    target = Path(target)
    _check_target(target)
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".partial", dir=target.parent)
    except OSError as exc:
        raise from_os_error(exc, target.parent) from exc
    tmp = Path(tmp_name)
    with _removed_on_failure(tmp, target):
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        _move_into_place(tmp, target)
    return target


def atomic_write_text(target: str | os.PathLike[str], text: str, encoding: str = "utf-8") -> Path:
    """Write ``text`` to ``target`` completely or not at all."""
    return atomic_write_bytes(target, text.encode(encoding))


def atomic_write_json(target: str | os.PathLike[str], payload: Any, *, indent: int = 2) -> Path:
    """Write ``payload`` as JSON (numpy scalars become numbers) completely or not at all."""
    text = json.dumps(payload, indent=indent, default=_json_default) + "\n"
    return atomic_write_text(target, text)


def _json_default(value: Any) -> Any:
    item = getattr(value, "item", None)
    if callable(item) and getattr(value, "shape", None) == ():
        return item()
    tolist = getattr(value, "tolist", None)
    if callable(tolist):
        return tolist()
    return str(value)


@contextlib.contextmanager
def _removed_on_failure(tmp: Path, target: Path) -> Iterator[None]:
    """Remove the temporary ``tmp`` if the block raises; an OSError becomes the error naming ``target``."""
    try:
        yield
    except OSError as exc:
        _remove(tmp)
        raise from_os_error(exc, target) from exc
    except BaseException:
        _remove(tmp)
        raise


def _move_into_place(tmp: Path, target: Path) -> None:
    """Rename a finished temporary file or folder onto ``target``, swapping out an existing folder."""
    _shareable(tmp, tmp.is_dir())
    if tmp.is_dir() and target.exists():
        _replace_dir(tmp, target)
    else:
        os.replace(tmp, target)


def _replace_dir(tmp: Path, target: Path) -> None:
    """Swap a finished folder in for an existing one; the old one is removed only after the swap."""
    old = target.parent / f".{target.name}.old-{os.getpid()}-{secrets.token_hex(4)}"
    os.replace(target, old)
    try:
        os.replace(tmp, target)
    except BaseException:
        os.replace(old, target)
        raise
    _remove(old)


@contextlib.contextmanager
def atomic_dir(target: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary sibling folder to fill; it replaces ``target`` only if the block succeeds.

    On failure the temporary folder is removed and an existing ``target`` is left as it was.
    """
    target = Path(target)
    parent = target.parent
    if target.exists() and not target.is_dir():
        raise OutputError(
            "a file is in the way of the output folder", path=target, fix="choose a folder path"
        )
    writable_dir(parent, create=True)
    try:
        tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.partial-", dir=parent))
    except OSError as exc:
        raise from_os_error(exc, parent) from exc
    with _removed_on_failure(tmp, target):
        yield tmp
        _move_into_place(tmp, target)


class CommandScope:
    """What one command started (see :func:`remove_on_failure`); removed at the end if ``failed`` is set."""

    def __init__(self) -> None:
        self.paths: list[Path] = []
        self.failed = False
        self.removed: list[Path] = []


_scopes: list[CommandScope] = []


@contextlib.contextmanager
def command_scope() -> Iterator[CommandScope]:
    """Run a command: paths registered inside are removed if the block raises or sets ``scope.failed``.

    :func:`edgesmith.profiling.console.invoke` opens one per CLI call; outside any scope
    :func:`remove_on_failure` registers nothing, so library calls never lose their outputs.
    """
    scope = CommandScope()
    _scopes.append(scope)
    try:
        yield scope
    except BaseException:
        scope.failed = True
        raise
    finally:
        _scopes.remove(scope)
        if scope.failed:
            for path in reversed(scope.paths):
                if path.exists() or path.is_symlink():
                    _remove(path)
                    scope.removed.append(path)


def remove_on_failure(path: str | os.PathLike[str]) -> Path:
    """Register ``path`` (a file or folder this command creates) to be removed if the command fails."""
    path = Path(path)
    if _scopes:
        _scopes[-1].paths.append(path)
    return path


def require_file(path: str | os.PathLike[str], what: str = "file", *, fix: str | None = None) -> Path:
    """Check that ``path`` is an existing, non-empty regular file; raises :class:`InputError` otherwise."""
    path = Path(path)
    hint = fix or f"pass the path of a {what}"
    if not path.exists():
        raise InputError(f"no such {what}", path=path, fix=hint)
    if path.is_dir():
        raise InputError(f"a folder, not a {what}", path=path, fix=hint)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise from_os_error(exc, path) from exc
    if size == 0:
        raise InputError(f"empty {what} (0 bytes)", path=path, fix=hint)
    return path


__all__ = [
    "CommandScope",
    "atomic_dir",
    "atomic_path",
    "atomic_write_bytes",
    "atomic_write_json",
    "atomic_write_text",
    "command_scope",
    "remove_on_failure",
    "require_file",
    "writable_dir",
]
