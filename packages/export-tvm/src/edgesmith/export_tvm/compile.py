"""Compile an imported model for a target and save it as ``<name>.tvm/``: library + weights + metadata.

The directory holds ``lib.so`` (the Relax VM executable, exported with ``export_library``), ``params.npz``
(the detached weights, in ``main``'s order) and ``meta.json`` (inputs, target, opt level), so it reloads
with :func:`load_compiled` without the source model; ``<name>.tvm.json`` is the sidecar.
"""

from __future__ import annotations

import dataclasses
import json
import os
import platform
import time
from pathlib import Path
from typing import Any

import numpy as np

from edgesmith.export_tvm.errors import TVMExportError
from edgesmith.export_tvm.frontends import import_model
from edgesmith.export_tvm.targets import describe_target, is_host_target, parse_target
from edgesmith.export_tvm.tuning import ScheduleStore, apply_store, prepare_module
from edgesmith.profiling.artifacts import atomic_dir, file_hash, write_sidecar

LIB, PARAMS, META = "lib.so", "params.npz", "meta.json"


@dataclasses.dataclass(frozen=True)
class CompiledModel:
    """A compiled ``.tvm`` directory and how it was made."""

    path: Path
    sidecar: Path
    target: str
    opt_level: int
    inputs: tuple[tuple[str, tuple[int, ...], str], ...]
    num_params: int
    tuned_functions: int
    compile_seconds: float

    def to_dict(self) -> dict[str, Any]:
        out = dataclasses.asdict(self)
        out["path"], out["sidecar"] = str(self.path), str(self.sidecar)
        return out


def _first_line(exc: BaseException) -> str:
    lines = [ln.strip() for ln in str(exc).strip().splitlines() if ln.strip()]
    return lines[-1] if lines else type(exc).__name__


def compile_model(
    source: str | os.PathLike[str],
    output: str | os.PathLike[str],
    *,
    target: str = "llvm",
    opt_level: int = 3,
    batch: int = 1,
    tuning_db: str | os.PathLike[str] | None = None,
    cc: str | None = None,
) -> CompiledModel:
    """ONNX/TFLite -> ``output`` (a ``.tvm`` directory) for ``target``; nothing is left behind on failure."""
    import tvm

    if not 0 <= opt_level <= 3:
        raise TVMExportError(f"opt level must be 0-3, got {opt_level}")
    tgt = parse_target(target)
    if tgt.kind.name == "llvm" and not is_host_target(tgt) and cc is None:
        raise TVMExportError(
            f"cross-compiling for {describe_target(tgt)} needs a cross compiler to link the library; "
            "pass --cc (e.g. aarch64-linux-gnu-g++)"
        )
    if tuning_db is not None and not Path(tuning_db).is_dir():
        raise TVMExportError(f"{tuning_db}: no such tuning database; create it with `edgesmith-tvm tune`")
    start = time.perf_counter()
    imported = import_model(source, batch=batch)
    prepared = prepare_module(imported.mod, tgt)
    applied = 0
    if tuning_db is not None:
        prepared, applied = apply_store(prepared, tgt, tuning_db)
    try:
        with tvm.transform.PassContext(opt_level=opt_level):
            executable = tvm.compile(prepared, target=tgt)
    except Exception as exc:
        raise TVMExportError(
            f"TVM could not compile {Path(source).name} for {target!r} ({_first_line(exc)})"
        ) from exc
    out = Path(output)
    meta = {
        "format": "edgesmith-tvm/1",
        "inputs": [{"name": n, "shape": list(s), "dtype": d} for n, s, d in imported.inputs],
        "num_params": len(imported.params),
        "target": describe_target(tgt),
        "target_kind": tgt.kind.name,
        "opt_level": opt_level,
        "tuned_functions": applied,
    }
    with atomic_dir(out) as tmp:
        try:
            executable.export_library(str(tmp / LIB), **({"cc": cc} if cc else {}))
        except Exception as exc:
            raise TVMExportError(f"exporting the library failed ({_first_line(exc)}); check --cc") from exc
        np.savez(tmp / PARAMS, **{f"p{i:05d}": p.numpy() for i, p in enumerate(imported.params)})
        (tmp / META).write_text(json.dumps(meta, indent=2) + "\n")
    seconds = time.perf_counter() - start
    payload = {
        "artifact": out.name,
        "format": "tvm-relax-library",
        "source_model": Path(source).name,
        "source_model_hash": file_hash(source),
        "source_format": imported.source_format,
        "precision": "fp32" if all(d == "float32" for _, _, d in imported.inputs) else "int8",
        **{k: meta[k] for k in ("target", "opt_level", "inputs", "tuned_functions")},
        "tuning_db": str(tuning_db) if tuning_db else None,
        "tuning_db_entries": len(ScheduleStore(tuning_db)) if tuning_db else 0,
        "tool_versions": {"tvm": tvm.__version__, "python": platform.python_version()},
        "metrics": {
            "compile_seconds": round(seconds, 2),
            "size_bytes": sum(f.stat().st_size for f in out.iterdir()),
        },
    }
    sidecar = write_sidecar(out, payload)
    return CompiledModel(
        path=out,
        sidecar=sidecar,
        target=meta["target"],
        opt_level=opt_level,
        inputs=tuple(imported.inputs),
        num_params=len(imported.params),
        tuned_functions=applied,
        compile_seconds=seconds,
    )


@dataclasses.dataclass
class LoadedModel:
    """A reloaded ``.tvm`` directory: the Relax VM, its weights on the device and the metadata."""

    vm: Any
    params: list[Any]
    meta: dict[str, Any]
    device: Any

    def __call__(self, *inputs: np.ndarray) -> list[np.ndarray]:
        import tvm

        args = [tvm.runtime.tensor(np.ascontiguousarray(x), self.device) for x in inputs]
        out = self.vm["main"](*args, *self.params)
        outs = [out] if hasattr(out, "numpy") else list(out)
        return [o.numpy() for o in outs]


def load_compiled(path: str | os.PathLike[str], device: str = "cpu") -> LoadedModel:
    """Reload a ``.tvm`` directory (no source model needed) on ``cpu`` or ``cuda[:N]``."""
    import tvm
    from tvm import relax

    p = Path(path)
    if not (p / LIB).exists() or not (p / META).exists():
        raise TVMExportError(
            f"{p}: not a compiled .tvm directory (needs {LIB} and {META}); run `edgesmith-tvm compile`"
        )
    meta = json.loads((p / META).read_text())
    dev = (
        tvm.cuda(int(device.split(":")[1]) if ":" in device else 0)
        if device.startswith("cuda")
        else tvm.cpu(0)
    )
    if not dev.exist:
        raise TVMExportError(f"device {device!r} is not present on this machine; use --device cpu")
    try:
        lib = tvm.runtime.load_module(str(p / LIB))
        vm = relax.VirtualMachine(lib, dev)
    except Exception as exc:
        raise TVMExportError(
            f"{p / LIB}: cannot load the library ({_first_line(exc)}); recompile it here"
        ) from exc
    with np.load(p / PARAMS) as npz:
        params = [tvm.runtime.tensor(npz[k], dev) for k in sorted(npz.files)]
    if len(params) != meta.get("num_params", len(params)):
        raise TVMExportError(
            f"{p / PARAMS}: holds {len(params)} weights, meta.json expects {meta['num_params']}"
        )
    return LoadedModel(vm, params, meta, dev)


__all__ = ["LIB", "META", "PARAMS", "CompiledModel", "LoadedModel", "compile_model", "load_compiled"]
