"""The root of every edgesmith.export_edgetpu error: a CLI prints any of them as one line with its code."""

from __future__ import annotations

from edgesmith.profiling.errors import EdgesmithError


class EdgeTPUError(EdgesmithError):
    """A model, a compiler log or the compiler itself cannot be used; the message names the fix."""


__all__ = ["EdgeTPUError"]
