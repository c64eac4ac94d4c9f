"""The one exception edgesmith.models raises for bad input, so callers can print it as a one-line error."""

from __future__ import annotations

from edgesmith.profiling.errors import EdgesmithError


class ModelError(EdgesmithError, ValueError):
    """A model cannot be built, loaded, saved or measured; the message names the problem and the fix."""
