"""Compile an imported model for a target and save it as ``<name>.tvm/``: library + weights + metadata.

The directory holds ``lib.so`` (the Relax VM executable, exported with ``export_library``), ``params.npz``
(the weights in ``main``'s order, already in the packed layouts the schedules chose) and ``meta.json``
(inputs, target, opt level, tuned/default kernel counts), so it reloads with :func:`load_compiled` without
the source model; ``<name>.tvm.json`` is the sidecar.
"""

from __future__ import annotations

import dataclasses
import json
import os
import platform
import shutil
import time
from pathlib import Path
from typing import Any

import numpy as np

from edgesmith.export_tvm.errors import TVMExportError
from edgesmith.export_tvm.frontends import import_model
from edgesmith.export_tvm.pipeline import kernel_calls, lift_weight_layouts, prepare_module, schedule_module
from edgesmith.export_tvm.shipped_logs import shipped_log
from edgesmith.export_tvm.targets import cross_compiler, describe_target, is_host_target, parse_target
from edgesmith.export_tvm.tuning import is_log, open_log
from edgesmith.profiling.artifacts import atomic_dir, file_hash, write_sidecar
from edgesmith.profiling.files import writable_dir

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
    default_functions: int
    compile_seconds: float
    default_latency_ms: dict[str, float | None] = dataclasses.field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        out = dataclasses.asdict(self)
        out["path"], out["sidecar"] = str(self.path), str(self.sidecar)
        return out


def _first_line(exc: BaseException) -> str:
    lines = [ln.strip() for ln in str(exc).strip().splitlines() if ln.strip()]
    return lines[-1] if lines else type(exc).__name__


def _cross_compiler_for(target: Any) -> str | None:
    """The cross compiler a foreign target needs (found on PATH), or None for this machine's targets."""
    needed = cross_compiler(target)
    host = target.host if target.host is not None else target
    if needed is None and (host.kind.name != "llvm" or is_host_target(host)):
        return None
    if needed is None or shutil.which(needed) is None:
        raise TVMExportError(
            f"cross-compiling for {describe_target(target)} needs a cross compiler to link the library; "
            f"install it (Debian: apt-get install g++-aarch64-linux-gnu) or pass --cc"
        )
    return needed


def _pack_weights(lifted: Any, params: list[Any]) -> tuple[Any, list[Any]]:
    """Run ``main_transform_params`` (the weight layout rewrites) here, once; return ``main`` alone + weights.

    It is compiled for this host whatever the target, so cross-compiled libraries ship packed weights too.
    """
    import tvm
    from tvm import relax

    names = {gv.name_hint for gv in lifted.get_global_vars()}
    if "main_transform_params" not in names:
        return lifted, params
    packer = relax.transform.DeadCodeElimination(entry_functions=["main_transform_params"])(lifted)
    packer = tvm.IRModule({gv: f for gv, f in packer.functions_items() if gv.name_hint != "main"})
    host = tvm.target.Target({"kind": "llvm", "num-cores": 1})
    vm = relax.VirtualMachine(tvm.compile(packer, target=host), tvm.cpu(0))
    packed = list(vm["main_transform_params"]([tvm.runtime.tensor(p.numpy()) for p in params]))
    main = relax.transform.DeadCodeElimination(entry_functions=["main"])(
        tvm.IRModule({gv: f for gv, f in lifted.functions_items() if gv.name_hint != "main_transform_params"})
    )
    return main, packed


def compile_model(
    source: str | os.PathLike[str],
    output: str | os.PathLike[str],
    *,
    target: str = "native",
    opt_level: int = 3,
    batch: int = 1,
    tuning_log: str | os.PathLike[str] | None = None,
    cc: str | None = None,
    progress: Any = None,
    check_records: bool = True,
    use_shipped_log: bool = True,
) -> CompiledModel:
    """ONNX/TFLite -> ``output`` (a ``.tvm`` directory) for ``target``; nothing is left behind on failure.

    Kernels with a record in ``tuning_log`` use it (unless ``check_records`` finds the hand-written default
    faster here); every other kernel gets a default schedule. Without ``tuning_log`` a preset's shipped log
    applies unless ``use_shipped_log`` is off (an untuned build, to compare against).
    """
    import tvm

    if not 0 <= opt_level <= 3:
        raise TVMExportError(f"opt level must be 0-3, got {opt_level}")
    tgt = parse_target(target)
    cc = cc or _cross_compiler_for(tgt)
    if tuning_log is None:
        tuning_log = shipped_log(target) if use_shipped_log else None
    elif not is_log(tuning_log):
        raise TVMExportError(f"{tuning_log}: no such tuning log; create it with `edgesmith-tvm tune`")
    writable_dir(Path(output).parent, create=True)  # a read-only output fails now, not after the schedules
    start = time.perf_counter()
    imported = import_model(source, batch=batch)
    measurable = is_host_target(tgt) or (tgt.kind.name == "cuda" and tvm.cuda(0).exist)
    try:
        prepared = prepare_module(imported.mod, tgt)
        scheduled = schedule_module(
            prepared, tgt, tuning_log, measurable, progress=progress, check_records=check_records
        )
        main, weights = _pack_weights(lift_weight_layouts(scheduled.mod, tgt), imported.params)
        with tvm.transform.PassContext(opt_level=opt_level):
            executable = tvm.compile(main, target=tgt)
    except TVMExportError:
        raise
    except Exception as exc:
        raise TVMExportError(
            f"TVM could not compile {Path(source).name} for {target!r} ({_first_line(exc)})"
        ) from exc
    out = Path(output)
    meta = {
        "format": "edgesmith-tvm/2",
        "inputs": [
            {"name": n, "shape": list(s), "dtype": d, "quantization": q}
            for (n, s, d), q in zip(
                imported.inputs, imported.input_quantization or [None] * len(imported.inputs), strict=True
            )
        ],
        # per output: the affine quantization of an integer output (None: float), for real-valued results
        "output_quantization": imported.output_quantization,
        "num_params": len(weights),
        "target": describe_target(tgt),
        "target_kind": tgt.kind.name,
        "opt_level": opt_level,
        "tuned_functions": len(scheduled.tuned),
        "default_functions": len(scheduled.defaults),
        "kernel_calls": kernel_calls(prepared),
        "records_slower_than_default": scheduled.beaten_records,
    }
    with atomic_dir(out) as tmp:
        try:
            executable.export_library(str(tmp / LIB), **({"cc": cc} if cc else {}))
        except Exception as exc:
            raise TVMExportError(f"exporting the library failed ({_first_line(exc)}); check --cc") from exc
        np.savez(tmp / PARAMS, **{f"p{i:05d}": p.numpy() for i, p in enumerate(weights)})
        (tmp / META).write_text(json.dumps(meta, indent=2) + "\n")
    seconds = time.perf_counter() - start
    payload = {
        "artifact": out.name,
        "format": "tvm-relax-library",
        "source_model": Path(source).name,
        "source_model_hash": file_hash(source),
        "source_format": imported.source_format,
        "precision": "fp32" if all(d == "float32" for _, _, d in imported.inputs) else "int8",
        **{k: meta[k] for k in ("target", "opt_level", "inputs", "tuned_functions", "default_functions")},
        "tuning_log": str(tuning_log) if tuning_log else None,
        "tuning_log_records": len(open_log(tuning_log)) if tuning_log else 0,
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
        num_params=len(weights),
        tuned_functions=len(scheduled.tuned),
        default_functions=len(scheduled.defaults),
        compile_seconds=seconds,
        default_latency_ms={k: v.latency_ms for k, v in scheduled.defaults.items()},
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
