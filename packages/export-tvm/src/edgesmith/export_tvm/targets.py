"""TVM targets: named presets for the boards users have, the CLI form, and TVM 0.27's JSON dicts.

TVM 0.27 only parses a target kind or a JSON dict; ``parse_target`` accepts a preset name (``rpi4``,
``jetson-orin``, ``x86-avx512`` ...), a JSON dict, ``-key=value`` options and ``native`` (``llvm`` tuned
for this host's CPU, as LLVM reports it).
"""

from __future__ import annotations

import json
import os
import shlex
from typing import Any

from edgesmith.export_tvm.errors import TVMExportError

LIST_OPTIONS = {"mattr", "keys", "libs"}
AARCH64 = "aarch64-linux-gnu"

# Each preset is a TVM JSON target dict. x86 presets take this machine's core count (their threads);
# boards carry their own (Raspberry Pi 4/5: 4 cores; Jetson Nano: 4 Cortex-A57; AGX Orin: 12 Cortex-A78AE).
PRESETS: dict[str, dict[str, Any]] = {
    "x86-avx2": {"kind": "llvm", "mcpu": "haswell"},
    "x86-avx512": {"kind": "llvm", "mcpu": "skylake-avx512"},
    "rpi4": {"kind": "llvm", "mtriple": AARCH64, "mcpu": "cortex-a72", "mattr": ["+neon"], "num-cores": 4},
    "rpi5": {"kind": "llvm", "mtriple": AARCH64, "mcpu": "cortex-a76", "mattr": ["+neon"], "num-cores": 4},
    "jetson-nano": {
        "kind": "cuda",
        "arch": "sm_53",
        "host": {"kind": "llvm", "mtriple": AARCH64, "mcpu": "cortex-a57", "num-cores": 4},
    },
    "jetson-orin": {
        "kind": "cuda",
        "arch": "sm_87",
        "host": {"kind": "llvm", "mtriple": AARCH64, "mcpu": "cortex-a78ae", "num-cores": 12},
    },
}
CROSS_COMPILERS = {AARCH64: "aarch64-linux-gnu-g++"}
EXAMPLES = (
    f"a preset ({', '.join(PRESETS)}), native, llvm, 'llvm -mcpu=skylake-avx512 -num-cores=4', or a JSON dict"
)


def host_cpu() -> str:
    """LLVM's name for this machine's CPU (e.g. ``skylake-avx512``), for ``-mcpu``."""
    import tvm

    return str(tvm.target.codegen.llvm_get_system_cpu())


def target_dict(spec: str) -> dict[str, Any]:
    """``"llvm -mcpu=native -num-cores=2"`` -> ``{"kind": "llvm", "mcpu": "<host cpu>", "num-cores": 2}``."""
    spec = spec.strip()
    if not spec:
        raise TVMExportError(f"empty target; use one of {EXAMPLES}")
    if spec in PRESETS:
        config = json.loads(json.dumps(PRESETS[spec]))
    elif spec.startswith("{"):
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
    cpu = config.get("host", config) if config.get("kind") == "cuda" else config
    if isinstance(cpu, dict) and cpu.get("kind") == "llvm" and "num-cores" not in cpu:
        raise TVMExportError(
            f"target {spec!r} needs -num-cores=N (the device's CPU cores, for its thread pool and "
            f"schedules); or use a preset: {', '.join(PRESETS)}"
        )
    try:
        return tvm.target.Target(config)
    except Exception as exc:
        first = str(exc).strip().splitlines()[-1] if str(exc).strip() else type(exc).__name__
        raise TVMExportError(f"TVM rejects target {spec!r} ({first}); use e.g. {EXAMPLES}") from exc


def preset_name(spec: str | Any) -> str | None:
    """The preset ``spec`` names, if it is one (shipped tuning logs are kept per preset)."""
    return spec.strip() if isinstance(spec, str) and spec.strip() in PRESETS else None


def cross_compiler(target: Any) -> str | None:
    """The Debian cross compiler that links libraries for ``target``'s host triple, if it needs one."""
    host = target.host if target.host is not None else target
    triple = str(host.attrs.get("mtriple", "") or "")
    return CROSS_COMPILERS.get(triple) if triple and not is_host_target(host) else None


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


__all__ = [
    "EXAMPLES",
    "PRESETS",
    "cross_compiler",
    "describe_target",
    "host_cpu",
    "is_host_target",
    "parse_target",
    "preset_name",
    "target_dict",
]
