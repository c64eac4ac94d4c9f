"""The one exception edgesmith.models raises for bad input, so callers can print it as a one-line error."""

from __future__ import annotations


class ModelError(ValueError):
    """A model cannot be built, loaded, saved or measured; the message names the problem and the fix."""
