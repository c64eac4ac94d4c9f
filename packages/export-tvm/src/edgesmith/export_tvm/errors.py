"""Exceptions of the TVM export path: every message is one line naming the problem and the fix."""

from __future__ import annotations

from edgesmith.profiling.errors import EdgesmithError


class TVMExportError(EdgesmithError, RuntimeError):
    """Import, compile, tune or load failed on bad input; the message says what to change."""


__all__ = ["TVMExportError"]
