"""TVM target strings: the familiar CLI form (``llvm -mcpu=skylake``) mapped to TVM 0.27's JSON targets.

TVM 0.27 only parses a target kind or a JSON dict; ``parse_target`` accepts both plus ``-key=value``
options and ``native`` (``llvm`` tuned for this host's CPU, as LLVM reports it).
"""

from __future__ import annotations

import json
import os
import shlex
from typing import Any

from edgesmith.export_tvm.errors import TVMExportError

LIST_OPTIONS = {"mattr", "keys", "libs"}
EXAMPLES = "llvm, native, 'llvm -mcpu=skylake-avx512 -num-cores=4', cuda, 'llvm -mtriple=aarch64-linux-gnu'"


def host_cpu() -> str:
    """LLVM's name for this machine's CPU (e.g. ``skylake-avx512``), for ``-mcpu``."""
    import tvm

    return str(tvm.target.codegen.llvm_get_system_cpu())


def target_dict(spec: str) -> dict[str, Any]:
    """``"llvm -mcpu=native -num-cores=2"`` -> ``{"kind": "llvm", "mcpu": "<host cpu>", "num-cores": 2}``."""
    spec = spec.strip()
    if not spec:
        raise TVMExportError(f"empty target; use one of {EXAMPLES}")
    if spec.startswith("{"):
        try:
            config = json.loads(spec)
        except json.JSONDecodeError as exc:
            raise TVMExportError(f"target JSON does not parse ({exc.msg}); use e.g. {EXAMPLES}") from exc
    else:
        tokens = shlex.split(spec)
        kind = tokens[0]
        config = {"kind": "llvm", "mcpu": "native"} if kind == "native" else {"kind": kind}
        for token in tokens[1:]:
            if not token.startswith("-"):
                raise TVMExportError(f"target option {token!r} must look like -key=value; e.g. {EXAMPLES}")
            key, _, value = token.lstrip("-").partition("=")
            if not value:
                raise TVMExportError(f"target option {token!r} needs a value (-key=value)")
            if key in LIST_OPTIONS:
                config[key] = [v for v in value.split(",") if v]
            elif value.lstrip("-").isdigit():
                config[key] = int(value)
            else:
                config[key] = value
    if config.get("kind") == "llvm":
        if config.get("mcpu") == "native":
            config["mcpu"] = host_cpu()
        if "mtriple" not in config:
            config.setdefault(
                "num-cores", len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1
            )
    return config


def parse_target(spec: str | Any) -> Any:
    """A ``tvm.target.Target`` from a CLI string or JSON dict; a rejected target is one ExportError line."""
    import tvm

    if isinstance(spec, tvm.target.Target):
        return spec
    config = spec if isinstance(spec, dict) else target_dict(str(spec))
    try:
        return tvm.target.Target(config)
    except Exception as exc:
        first = str(exc).strip().splitlines()[-1] if str(exc).strip() else type(exc).__name__
        raise TVMExportError(f"TVM rejects target {spec!r} ({first}); use e.g. {EXAMPLES}") from exc


def is_host_target(target: Any) -> bool:
    """Whether code for ``target`` runs on this machine (llvm without a foreign triple)."""
    import tvm

    if target.kind.name != "llvm":
        return False
    triple = str(target.attrs.get("mtriple", "") or "")
    return (
        not triple or triple.split("-")[0] == str(tvm.target.codegen.llvm_get_system_triple()).split("-")[0]
    )


def describe_target(target: Any) -> str:
    """Compact JSON of a target for sidecars and tables."""
    return json.dumps(
        {
            k: str(v)
            for k, v in dict(target.export()).items()
            if k in ("kind", "mcpu", "mtriple", "num-cores", "mattr", "arch")
        }
    )


__all__ = ["EXAMPLES", "describe_target", "host_cpu", "is_host_target", "parse_target", "target_dict"]
