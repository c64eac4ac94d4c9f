"""TVM runner for the profiler: a compiled ``.tvm`` directory on the Relax VM (CPU or CUDA).

The library is compiled for a fixed batch; a batch that is a multiple of it runs in chunks and is
concatenated, any other size raises InputMismatch. Outputs are fresh numpy arrays. Like every runner, it
takes and returns real values: a library compiled from an int8/uint8 TFLite model quantizes its inputs and
dequantizes its outputs with the source model's scales and zero points (recorded in ``meta.json``).
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from edgesmith.export_tvm.compile import load_compiled
from edgesmith.export_tvm.errors import TVMExportError
from edgesmith.profiling.quantization import dequantize_output, quantize_input
from edgesmith.profiling.runner import BackendUnavailable, InputMismatch, Runner, RunnerError, TensorSpec


def set_threads(threads: int | None) -> None:
    """Size TVM's CPU thread pool (``None`` keeps TVM's default: one thread per core)."""
    if not threads:
        return
    import tvm

    config = tvm.get_global_func("runtime.config_threadpool", allow_missing=True)
    if config is not None:
        config(0, int(threads))


def _detail(dtype: Any, quantization: dict[str, Any] | None) -> dict[str, Any]:
    """A TFLite-style tensor detail for the shared quantize/dequantize helpers (scale 0: not quantized)."""
    if not quantization:
        return {"dtype": dtype, "quantization": (0.0, 0)}
    return {
        "dtype": dtype,
        "quantization_parameters": {
            "scales": quantization["scales"],
            "zero_points": quantization["zero_points"],
            "quantized_dimension": quantization["axis"],
        },
    }


UNTUNED = (
    "TVM ran untuned (default schedules, no tuning records); its latency is not TVM's best: "
    "tune it (edgesmith-tvm tune) and pass --option tvm.tuning_log=LOG"
)
"""The caveat a report shows beside an untuned library's latency."""


class TVMRunner(Runner):
    """Run a ``.tvm`` directory written by ``edgesmith-tvm compile``. Options: ``threads``, ``device``."""

    backend: ClassVar[str] = "tvm"
    suffixes: ClassVar[tuple[str, ...]] = (".tvm",)

    @classmethod
    def available(cls) -> tuple[bool, str]:
        try:
            import tvm  # noqa: F401
        except ImportError:
            return False, "apache-tvm is not installed; pip install edgesmith-export-tvm"
        return True, ""

    def activate_impl(self) -> None:
        try:
            self._model = load_compiled(self.artifact, self.device)
        except TVMExportError as exc:
            cls = BackendUnavailable if "not present" in str(exc) else RunnerError
            raise cls(f"tvm: {exc}") from exc
        set_threads(self.threads)
        self._inputs = self._model.meta["inputs"]

    def deactivate_impl(self) -> None:
        self._model = None

    def infer_impl(self, inputs: list[np.ndarray]) -> list[np.ndarray]:
        compiled = int(self._inputs[0]["shape"][0])
        n = int(inputs[0].shape[0])
        if n == compiled:
            return self._run(inputs)
        if n % compiled:
            raise InputMismatch(
                f"{self.artifact.name}: compiled for batch {compiled}; feed a multiple of it, got {n} "
                "(or recompile with --batch)"
            )
        chunks = [self._run([x[i : i + compiled] for x in inputs]) for i in range(0, n, compiled)]
        return [np.concatenate(parts) for parts in zip(*chunks, strict=True)]

    def _run(self, inputs: list[np.ndarray]) -> list[np.ndarray]:
        feed = [
            quantize_input(x, _detail(s["dtype"], s.get("quantization")))
            for x, s in zip(inputs, self._inputs, strict=True)
        ]
        outs = self._model(*feed)
        quant = self._model.meta.get("output_quantization") or [None] * len(outs)
        return [dequantize_output(o, _detail(o.dtype, q)) for o, q in zip(outs, quant, strict=True)]

    def input_specs(self) -> tuple[TensorSpec, ...]:
        return tuple(TensorSpec(s["name"], (None, *s["shape"][1:]), "float32") for s in self._inputs)

    def precision(self) -> str:
        return "fp32" if all(s["dtype"] == "float32" for s in self._inputs) else "int8"

    def extra_info(self) -> dict[str, Any]:
        import tvm

        meta = self._model.meta
        return {
            "tvm": tvm.__version__,
            "target": meta["target"],
            "opt_level": meta["opt_level"],
            "tuned_functions": meta.get("tuned_functions", 0),
            "compiled_batch": int(self._inputs[0]["shape"][0]),
            "caveats": [] if meta.get("tuned_functions") else [UNTUNED],
        }


__all__ = ["UNTUNED", "TVMRunner", "set_threads"]
