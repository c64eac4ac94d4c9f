"""Package attributes imported on first use (PEP 562), so a plugin entry point inside a heavy package (the
Keras runner in edgesmith-models, the TFLite runner in edgesmith-quantize) loads without its framework."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Mapping, Sequence
from typing import Any


def lazy_exports(
    package: str, exports: Mapping[str, str], public: Sequence[str]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """``__getattr__`` and ``__dir__`` for ``package``: ``exports`` maps each public name to its module.

    Use in a package's ``__init__``: ``__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, __all__)``.
    """

    def __getattr__(name: str) -> Any:
        module = exports.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module), name)
        setattr(sys.modules[package], name, value)  # later lookups skip this hook
        return value

    def __dir__() -> list[str]:
        return sorted(public)

    return __getattr__, __dir__


__all__ = ["lazy_exports"]
