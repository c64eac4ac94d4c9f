"""The root of every edgesmith error and the exit-code contract all edgesmith CLIs share.

Each package keeps one root of its own errors deriving from :class:`EdgesmithError`, so one handler
(:func:`edgesmith.profiling.console.run_cli`) can print any of them as ``error: <what> (<path>): <fix>``
and exit with the status the contract gives.
"""

from __future__ import annotations

import errno
from enum import IntEnum
from os import PathLike


class ExitCode(IntEnum):
    """Exit status of every edgesmith CLI (written in the root README, section "Exit codes")."""

    OK = 0
    """Done, and something was found (a plate, a face, a result)."""
    NOTHING_FOUND = 1
    """Ran, but found nothing (no plate, no face), or one variant of a matrix failed."""
    USAGE = 2
    """Bad input or usage: missing or corrupt file, wrong shape, unknown option value, unwritable output."""
    MISSING_DEPENDENCY = 3
    """A dependency or the hardware is missing: TensorRT, an NVIDIA GPU, the Edge TPU compiler, Tesseract."""


class EdgesmithError(Exception):
    """An error the user can fix: says what went wrong, on which path, and how to fix it.

    ``str(error)`` is the whole one-line message; :meth:`one_line` is what a CLI prints after ``error:``.
    Subclasses set ``exit_code`` (class attribute) to their place in the contract; a single raise may
    override it with ``exit_code=``.
    """

    exit_code: ExitCode = ExitCode.USAGE

    def __init__(
        self,
        what: str = "",
        *,
        path: str | PathLike[str] | None = None,
        fix: str | None = None,
        exit_code: int | None = None,
    ) -> None:
        super().__init__(what)
        self.what = what
        self.path = None if path is None else str(path)
        self.fix = fix
        if exit_code is not None:
            self.exit_code = ExitCode(exit_code)

    def one_line(self) -> str:
        """``<what> (<path>): <fix>`` on one line; parts that were not given are left out."""
        what = " ".join(str(self.what or type(self).__name__).split())
        text = what
        if self.path and self.path not in what:
            text += f" ({self.path})"
        if self.fix and self.fix not in what:
            text += f": {' '.join(self.fix.split())}"
        return text

    def __str__(self) -> str:
        return self.one_line()


class UsageError(EdgesmithError):
    """A bad option value or argument (unknown device, backend or name; a size of zero)."""

    exit_code = ExitCode.USAGE


class InputError(EdgesmithError):
    """An input file or folder is missing, empty, corrupt, too large or of the wrong shape."""

    exit_code = ExitCode.USAGE


class OutputError(EdgesmithError):
    """An output cannot be written (read-only or missing folder, a folder where a file must go)."""

    exit_code = ExitCode.USAGE


class NothingFound(EdgesmithError):
    """The command ran and found nothing (no plate, no face), or a variant failed."""

    exit_code = ExitCode.NOTHING_FOUND


class MissingDependency(EdgesmithError):
    """An optional dependency or its hardware is not on this machine; the fix says what to install."""

    exit_code = ExitCode.MISSING_DEPENDENCY


def require(module: str, what: str, extra: str) -> None:
    """Raise :class:`MissingDependency` naming ``pip install edgesmith-profiling[extra]`` when ``module``
    (an optional edgesmith package) is not installed; ``what`` is the feature that needs it."""
    import importlib.util

    try:
        found = importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:  # a parent package is missing
        found = False
    if not found:
        raise MissingDependency(
            f"{what} needs {module}, which is not installed",
            fix=f"pip install 'edgesmith-profiling[{extra}]'",
        )


def unknown_choice(option: str, value: object, choices: list[str] | tuple[str, ...]) -> UsageError:
    """The usage error for a name that is not one of ``choices`` (``--device bogus``)."""
    known = ", ".join(sorted(str(c) for c in choices))
    return UsageError(f"unknown {option} {value!r}", fix=f"choose one of {known}")


_OS_ERRORS: dict[int, tuple[str, str]] = {
    errno.ENOENT: ("no such file or folder", "check the path, or create the output folder first"),
    errno.EROFS: ("read-only file system", "choose an output folder on a writable disk"),
    errno.EACCES: ("permission denied", "choose a folder you may write, or fix its permissions"),
    errno.EPERM: ("operation not permitted", "choose a folder you may write, or fix its permissions"),
    errno.EISDIR: ("a folder is in the way of a file", "pass a file path, or remove the folder"),
    errno.ENOTDIR: ("a part of this path is a file, not a folder", "pass a path under a real folder"),
    errno.ENOSPC: ("no space left on the disk", "free disk space or choose an output folder on another disk"),
    errno.EDQUOT: ("disk quota exceeded", "free disk space or choose an output folder on another disk"),
    errno.ENODEV: ("cannot map this path as a file", "pass a regular file, not a folder or a device"),
    errno.ENAMETOOLONG: ("file name too long", "choose a shorter output name"),
    errno.EEXIST: ("the path already exists", "remove it or choose another name"),
    errno.ENOTEMPTY: ("the folder is not empty", "remove it or choose another name"),
}


def from_os_error(exc: OSError, path: str | PathLike[str] | None = None) -> EdgesmithError:
    """The :class:`EdgesmithError` explaining ``exc`` (read-only folder, missing file, folder in the way)."""
    where = path if path is not None else (exc.filename if exc.filename is not None else None)
    known = _OS_ERRORS.get(exc.errno or -1)
    if known is None:
        what = exc.strerror or str(exc) or type(exc).__name__
        return InputError(what, path=where, fix="check the path and the disk")
    what, fix = known
    kind = (
        OutputError
        if exc.errno in {errno.EROFS, errno.EACCES, errno.EPERM, errno.ENOSPC, errno.EDQUOT}
        else InputError
    )
    return kind(what, path=where, fix=fix)


__all__ = [
    "EdgesmithError",
    "ExitCode",
    "InputError",
    "MissingDependency",
    "NothingFound",
    "OutputError",
    "UsageError",
    "from_os_error",
    "require",
    "unknown_choice",
]
