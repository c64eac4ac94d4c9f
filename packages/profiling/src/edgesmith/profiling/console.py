"""Terminal output shared by the edgesmith CLIs built on the profiler: one-line errors and key/value tables.

Messages are escaped before rich prints them, so text such as ``edgesmith-export-trt[gpu]`` is not eaten as
markup.
"""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable, Mapping
from typing import Any, NoReturn, TypeVar

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from edgesmith.profiling.runner import RunnerError

out = Console()
err = Console(stderr=True)

F = TypeVar("F", bound=Callable[..., Any])

EXPECTED_ERRORS: tuple[type[BaseException], ...] = (RunnerError, ValueError, OSError, KeyError)
"""Errors a command reports as ``error: <message>`` (bad input), not as a traceback (a bug)."""


def fail(message: str, code: int = 1) -> NoReturn:
    """Print ``error: <first line of message>`` on stderr and exit with ``code``."""
    text = message.strip().splitlines()[0] if message.strip() else "failed"
    err.print(f"[red]error:[/red] {escape(text)}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


def one_line_errors(fn: F) -> F:
    """Turn the expected errors of a command into :func:`fail` (one line, exit status 1)."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except EXPECTED_ERRORS as exc:
            fail(str(exc) or type(exc).__name__)

    return wrapper  # type: ignore[return-value]


def emit(payload: Mapping[str, Any], as_json: bool, title: str) -> None:
    """Print a flat result as JSON (``--json``) or as a two-column rich table."""
    if as_json:
        sys.stdout.write(json.dumps(payload, indent=2, default=str) + "\n")
        return
    table = Table(title=title, show_header=False)
    for key, value in payload.items():
        shown = json.dumps(value, default=str) if isinstance(value, dict | list | tuple) else str(value)
        table.add_row(key, escape(shown))
    out.print(table)


__all__ = ["EXPECTED_ERRORS", "emit", "err", "fail", "one_line_errors", "out"]
