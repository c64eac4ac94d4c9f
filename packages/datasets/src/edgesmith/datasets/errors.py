"""The one exception every edgesmith.datasets loader raises for bad input, with the fix in its message."""

from __future__ import annotations

from edgesmith.profiling.errors import EdgesmithError


class DatasetError(EdgesmithError, ValueError):
    """A dataset file or folder is missing, truncated or malformed; the message says what and the fix."""


__all__ = ["DatasetError"]
