"""Terminal output shared by every edgesmith CLI: the one error handler, one-line errors, uncut tables.

:func:`run_cli` is each console script's ``main()``: it turns
:class:`~edgesmith.profiling.errors.EdgesmithError`, ``OSError``, Pillow/OpenCV decode errors, ``MemoryError``
and Typer usage errors into one line ``error: <what> (<path>): <fix>`` on stderr with the exit code of the
contract (``ExitCode``); a traceback only with ``--debug`` or ``EDGESMITH_DEBUG=1``. Messages are escaped
before rich prints them, so text such as ``edgesmith-export-trt[gpu]`` is not eaten as markup.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import sys
import traceback
from collections.abc import Callable, Mapping, Sequence
from typing import Any, NoReturn, TypeVar

import typer
from rich.console import Console, Group
from rich.markup import escape
from rich.measure import Measurement
from rich.table import Table
from typer.exceptions import TyperException

from edgesmith.profiling.errors import EdgesmithError, ExitCode, from_os_error
from edgesmith.profiling.files import command_scope

F = TypeVar("F", bound=Callable[..., Any])

DEBUG_ENV = "EDGESMITH_DEBUG"
WIDE = 100_000
"""Width used when output is not a terminal: tables keep their natural width instead of 80 columns."""


class FoldingConsole(Console):
    """A rich Console whose tables never truncate a cell.

    Not a terminal (a pipe, a file, a test): tables print at their natural width and text lines whole,
    whatever ``COLUMNS`` says.
    A terminal: cells fold instead of ending in "…", and a table too wide even when folded prints one
    row per block (header: value), so every number stays readable.
    """

    def print(self, *objects: Any, **kwargs: Any) -> None:
        if not self.is_terminal:
            kwargs.setdefault("soft_wrap", True)  # a pipe gets whole lines, never wrapped at 80 columns
        if not any(isinstance(o, Table) for o in objects):
            super().print(*objects, **kwargs)
            return
        if not self.is_terminal:
            natural = max(_natural_width(self, o) for o in objects if isinstance(o, Table))
            saved = self._width
            self._width = max(natural, self.size.width)
            try:
                super().print(*objects, **kwargs)
            finally:
                self._width = saved
            return
        shown = [_fit(self, o) if isinstance(o, Table) else o for o in objects]
        super().print(*shown, **kwargs)


def _natural_width(console: Console, table: Table) -> int:
    return Measurement.get(console, console.options.update(width=WIDE), table).maximum


def _fit(console: Console, table: Table) -> Table | Group:
    """The table with folding cells if every column still fits its longest word, else :func:`vertical`."""
    for column in table.columns:
        column.no_wrap = False
    # Minimum width while words may not be split: every number and name whole on one line.
    minimum = Measurement.get(console, console.options.update(width=WIDE), table).minimum
    if minimum > console.width:
        return vertical(table)
    for column in table.columns:
        if column.overflow in ("ellipsis", "crop"):
            column.overflow = "fold"
    return table


def vertical(table: Table) -> Group:
    """The rows of ``table`` as blocks of ``header: value`` lines, for terminals too narrow for it."""
    headers = [str(c.header) if c.header else f"column {i + 1}" for i, c in enumerate(table.columns)]
    blocks: list[Any] = [table.title] if table.title else []
    n_rows = max((len(c._cells) for c in table.columns), default=0)
    for r in range(n_rows):
        grid = Table.grid(padding=(0, 1))
        grid.add_column(style="bold", overflow="fold")
        grid.add_column(overflow="fold")
        for header, column in zip(headers, table.columns, strict=True):
            cell = column._cells[r] if r < len(column._cells) else ""
            grid.add_row(f"{header}:", cell)
        blocks.extend([grid, ""])
    if table.caption:
        blocks.append(table.caption)
    return Group(*blocks)


out = FoldingConsole()
err = FoldingConsole(stderr=True)

HELP_WIDTH = 120
"""Width of ``--help`` when it is not shown on a terminal (a pipe, a test), so option names are never cut."""


def _widen_help_when_piped() -> None:
    """Typer renders help at the terminal width and cuts long option names ("--calib-samp…") when narrow;
    piped help is rendered at :data:`HELP_WIDTH` instead, so it reads the same whatever ``COLUMNS`` says."""
    from typer import rich_utils

    original = rich_utils._get_rich_console
    if getattr(original, "edgesmith_wide", False):
        return

    def help_console(stderr: bool = False) -> Console:
        console = original(stderr=stderr)
        if not console.is_terminal and rich_utils.MAX_WIDTH is None:
            console.width = max(console.width, HELP_WIDTH)
        return console

    help_console.edgesmith_wide = True  # type: ignore[attr-defined]
    rich_utils._get_rich_console = help_console


_widen_help_when_piped()


# --- one-line errors ---


def _first_line(text: str) -> str:
    lines = [line.strip() for line in str(text).strip().splitlines() if line.strip()]
    return " ".join(lines[0].split()) if lines else ""


def error_line(message: str) -> None:
    """Print ``error: <message>`` (first line only) on stderr."""
    text = _first_line(message) or "failed"
    err.print(f"[red]error:[/red] {escape(text)}", highlight=False, soft_wrap=True)


def fail(message: str | BaseException, code: int | None = None) -> NoReturn:
    """Print ``error: <first line>`` on stderr and exit with ``code``.

    Given an exception, the line and the default code come from :func:`explain` (an EdgesmithError's own
    ``exit_code``, 3 for a missing dependency); given text, the default code is 2 (bad input).
    """
    if isinstance(message, BaseException):
        if isinstance(message, EdgesmithError | OSError):
            explained, line = explain(message)
        else:
            explained, line = ExitCode.USAGE, _first_line(str(message)) or type(message).__name__
        if debug_wanted():
            traceback.print_exception(message, file=sys.stderr)
        error_line(line)
        raise typer.Exit(int(explained if code is None else code))
    error_line(message)
    raise typer.Exit(int(ExitCode.USAGE if code is None else code))


def _is(exc: BaseException, module: str, dotted: str) -> bool:
    """isinstance against a class of an optional library, only if that library is already imported."""
    if module not in sys.modules:
        return False
    obj: Any = sys.modules[module]
    for part in dotted.split("."):
        obj = getattr(obj, part, None)
        if obj is None:
            return False
    return isinstance(obj, type) and isinstance(exc, obj)


def explain(exc: BaseException) -> tuple[int, str]:
    """The exit code and the one-line message for ``exc`` as the contract gives them."""
    if isinstance(exc, EdgesmithError):
        return int(exc.exit_code), exc.one_line()
    if isinstance(exc, TyperException):  # click usage errors: unknown option, bad value, missing argument
        message = _first_line(exc.format_message())
        ctx = getattr(exc, "ctx", None)
        where = f" ({ctx.command_path})" if ctx is not None else ""
        hint = f": see {ctx.command_path} --help" if ctx is not None else ""
        return ExitCode.USAGE, f"{message}{where}{hint}"  # click says 1 for a file it cannot open: bad input
    if _is(exc, "PIL.Image", "DecompressionBombError"):
        return ExitCode.USAGE, (
            f"image too large to decode safely: {_first_line(str(exc))}: downscale it or raise --max-pixels"
        )
    if _is(exc, "PIL", "UnidentifiedImageError"):
        return ExitCode.USAGE, f"{_first_line(str(exc))}: pass a PNG, JPEG or BMP photo"
    if _is(exc, "cv2", "error"):
        return (
            ExitCode.USAGE,
            f"OpenCV cannot decode this input ({_first_line(str(exc))}): pass a readable image",
        )
    if isinstance(exc, OSError):
        return ExitCode.USAGE, from_os_error(exc).one_line()
    if isinstance(exc, MemoryError):
        return ExitCode.USAGE, "out of memory: use a smaller input, batch or image (--max-pixels)"
    if isinstance(exc, typer.Abort):
        return ExitCode.NOTHING_FOUND, "aborted"
    if isinstance(exc, KeyboardInterrupt):
        return 130, "interrupted"
    text = _first_line(str(exc))
    return ExitCode.NOTHING_FOUND, (
        f"unexpected {type(exc).__name__}{': ' + text if text else ''}: rerun with --debug and report it"
    )


def debug_wanted(argv: Sequence[str] = ()) -> bool:
    """True with ``--debug`` on the command line or ``EDGESMITH_DEBUG=1`` in the environment."""
    return "--debug" in argv or os.environ.get(DEBUG_ENV, "").strip().lower() in {"1", "true", "yes", "on"}


def invoke(app: Any, argv: Sequence[str], prog_name: str | None = None) -> int:
    """Run a Typer ``app`` on ``argv`` under the error contract; returns the exit code (never raises).

    ``--debug`` is taken out of ``argv`` (any position) and adds the traceback to the one error line.
    What the command registered with :func:`edgesmith.profiling.files.remove_on_failure` goes on failure.
    """
    args = list(argv)
    debug = debug_wanted(args)
    args = [a for a in args if a != "--debug"]
    code: int = ExitCode.NOTHING_FOUND
    with command_scope() as scope:
        try:
            rv = app(args=args, prog_name=prog_name, standalone_mode=False)
            code = rv if isinstance(rv, int) and not isinstance(rv, bool) else 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
            if not isinstance(exc.code, int | None):
                error_line(str(exc.code))
        except BaseException as exc:  # this is the one place that turns errors into lines
            if type(exc).__name__ == "NoArgsIsHelpError":  # help was printed; usage status
                code = ExitCode.USAGE
            else:
                code, line = explain(exc)
                if debug:
                    traceback.print_exception(exc, file=sys.stderr)
                error_line(line)
        scope.failed = code != 0
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    return int(code)


def run_cli(app: Any, args: Sequence[str] | None = None, prog_name: str | None = None) -> NoReturn:
    """A console script's ``main()``: run ``app`` under the error contract and exit with its code."""
    sys.exit(invoke(app, sys.argv[1:] if args is None else args, prog_name))


EXPECTED_ERRORS: tuple[type[BaseException], ...] = (EdgesmithError, ValueError, OSError, KeyError)
"""Errors a command reports as ``error: <message>`` (bad input), not as a traceback (a bug)."""


def one_line_errors(fn: F) -> F:
    """Turn the expected errors of a command into one line with the contract's exit code (2 for bad input)."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except EXPECTED_ERRORS as exc:
            fail(exc)

    return wrapper  # type: ignore[return-value]


def emit(payload: Mapping[str, Any], as_json: bool, title: str) -> None:
    """Print a flat result as JSON (``--json``) or as a two-column rich table."""
    if as_json:
        sys.stdout.write(json.dumps(payload, indent=2, default=_plain) + "\n")
        return
    table = Table(title=title, show_header=False)
    for key, value in payload.items():
        shown = (
            json.dumps(value, default=_plain)
            if isinstance(value, dict | list | tuple)
            else str(_plain(value))
        )
        table.add_row(key, escape(shown))
    out.print(table)


def _plain(value: Any) -> Any:
    """numpy scalars and arrays as plain numbers and lists, so no ``np.float32(...)`` reaches a user."""
    item = getattr(value, "item", None)
    if callable(item) and getattr(value, "shape", None) == ():
        return item()
    tolist = getattr(value, "tolist", None)
    if callable(tolist):
        return tolist()
    return value if isinstance(value, str | int | float | bool | type(None)) else str(value)


__all__ = [
    "DEBUG_ENV",
    "EXPECTED_ERRORS",
    "FoldingConsole",
    "debug_wanted",
    "emit",
    "err",
    "error_line",
    "explain",
    "fail",
    "invoke",
    "one_line_errors",
    "out",
    "run_cli",
    "vertical",
]
