"""Loading one plugin of an entry-point group by name, with the one-line errors users see."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def load_plugin(
    eps: Mapping[str, Any], name: str, kind: str, error: type[Exception], none_hint: str = "none"
) -> Any:
    """The object registered under ``name`` in ``eps`` (a group's entry points by name).

    An unknown name lists the registered ones; a plugin whose package fails to import says to reinstall it.
    Both raise ``error`` (the caller's error type), worded with ``kind`` ("backend", "exporter").
    """
    if name not in eps:
        known = ", ".join(sorted(eps)) or none_hint
        raise error(f"unknown {kind} {name!r}; registered {kind}s: {known}")
    try:
        return eps[name].load()
    except ImportError as exc:  # the plugin's package is broken or partially installed
        raise error(f"{kind} {name!r} failed to import ({exc}); reinstall the package providing it") from exc


__all__ = ["load_plugin"]
