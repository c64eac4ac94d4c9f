"""Where a study's numbers come from: host, library versions, seeds, data and the exact command."""

from __future__ import annotations

import dataclasses
import datetime
import shlex
import sys
from pathlib import Path
from typing import Any

from edgesmith.profiling.host import host_info, library_versions

#: Libraries a study report names besides the inference stack of :mod:`edgesmith.profiling.host`.
STUDY_LIBRARIES = (
    "numpy",
    "tensorflow",
    "tf-keras",
    "pandas",
    "pvlib",
    "scikit-learn",
    "matplotlib",
    "edgesmith-datasets",
    "edgesmith-models",
    "edgesmith-profiling",
)


def invoked_command() -> str:
    """The command line of this process, with the console script's bare name (for a report's header)."""
    argv = list(sys.argv) or ["python"]
    argv[0] = Path(argv[0]).name
    return shlex.join(argv)


def command_from_context(ctx: Any) -> str:
    """The command a click/Typer context ran: its command path plus every option not left at its default.

    Rebuilt from the parsed parameters, so it is exact even when the CLI is invoked in-process (tests).
    """
    parts = ctx.command_path.split()
    for p in ctx.command.params:  # duck-typed: Typer vendors its own click
        source = ctx.get_parameter_source(p.name) if p.name else None
        if source is None or source.name == "DEFAULT":
            continue
        v = ctx.params.get(p.name)
        if getattr(p, "param_type_name", "") != "option":
            parts += [str(x) for x in v] if isinstance(v, list | tuple) else [str(v)]
        elif p.is_flag:
            if v:
                parts.append(p.opts[-1])
            elif p.secondary_opts:
                parts.append(p.secondary_opts[0])
        elif p.multiple:
            for item in v or ():
                parts += [p.opts[-1], str(item)]
        elif v is not None:
            parts += [p.opts[-1], str(v)]
    return shlex.join(parts)


@dataclasses.dataclass
class Provenance:
    """Host, library versions, seeds, data description, exact command and UTC start time of a study."""

    command: str
    seeds: dict[str, int]
    data: dict[str, Any]
    host: dict[str, Any]
    started_utc: str

    @classmethod
    def capture(cls, command: str | None, seeds: dict[str, int], data: dict[str, Any]) -> Provenance:
        """Record the host now; ``command`` defaults to this process's command line."""
        host = host_info()
        host["libraries"] = {**host.get("libraries", {}), **library_versions(STUDY_LIBRARIES)}
        now = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
        return cls(command or invoked_command(), dict(seeds), dict(data), host, now)

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    def to_markdown(self) -> str:
        """A "Provenance" section: command, host, GPUs, library versions, seeds and data."""
        h = self.host
        libs = ", ".join(f"{k} {v}" for k, v in sorted(h.get("libraries", {}).items()))
        gpus = ", ".join(h.get("gpus") or []) or "none"
        data = "; ".join(f"{k}: {v}" for k, v in self.data.items())
        seeds = ", ".join(f"{k}={v}" for k, v in self.seeds.items())
        return (
            "## Provenance\n\n"
            f"- command: `{self.command}`\n"
            f"- started: {self.started_utc}\n"
            f"- host: {h.get('cpu')} ({h.get('cores_physical')} cores / {h.get('cores_logical')} threads), "
            f"{h.get('memory_gb')} GB RAM, {h.get('os')}, Python {h.get('python')}\n"
            f"- GPUs: {gpus}\n"
            f"- libraries: {libs}\n"
            f"- seeds: {seeds}\n"
            f"- data: {data}\n"
        )
