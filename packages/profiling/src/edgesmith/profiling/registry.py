"""Runner registry filled from the ``edgesmith.runners`` entry-point group.

A package plugs a backend in by declaring, in its ``pyproject.toml``::

    [project.entry-points."edgesmith.runners"]
    tvm = "edgesmith.export_tvm.runner:TVMRunner"

The profiler never names a backend: it asks this registry.
"""

from __future__ import annotations

import functools
import os
from importlib.metadata import entry_points
from typing import Any

from edgesmith.profiling.plugins import load_plugin
from edgesmith.profiling.runner import Runner, RunnerError

GROUP = "edgesmith.runners"


@functools.cache
def _entry_points() -> dict[str, Any]:
    return {ep.name: ep for ep in entry_points(group=GROUP)}


def backends() -> list[str]:
    """Names of every registered backend, installed or not."""
    return sorted(_entry_points())


def runner_class(backend: str) -> type[Runner]:
    """The runner class registered under ``backend``; a one-line error lists the known names."""
    return load_plugin(_entry_points(), backend, "backend", RunnerError)


def backend_for(artifact: str | os.PathLike[str]) -> str:
    """Guess the backend from the artifact (``.tflite`` -> tflite); the most specific claim wins."""
    matches = []
    for backend in backends():
        try:
            score = runner_class(backend).recognizes(artifact)
        except RunnerError:  # a broken plugin must not hide the working ones
            continue
        if score:
            matches.append((score, backend))
    if not matches:
        raise RunnerError(f"{artifact}: no backend recognises this file type; pass --backend explicitly")
    return max(matches)[1]


def accepts_option(backend: str, option: str) -> bool:
    """Whether ``backend``'s runner takes the keyword ``option`` (``xnnpack`` for TFLite), so a caller can
    pass a backend-specific option without naming the backend."""
    import inspect

    params = inspect.signature(runner_class(backend).__init__).parameters
    return option in params


def open_runner(artifact: str | os.PathLike[str], backend: str | None = None, **options: Any) -> Runner:
    """Create (not yet activate) the runner for ``artifact``; the backend is guessed when omitted."""
    return runner_class(backend or backend_for(artifact))(artifact, **options)


def availability() -> dict[str, tuple[bool, str]]:
    """Each registered backend with whether it can run here and, if not, why."""
    out = {}
    for name in backends():
        try:
            out[name] = runner_class(name).available()
        except RunnerError as exc:
            out[name] = (False, str(exc))
    return out
