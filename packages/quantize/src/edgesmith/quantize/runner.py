"""TFLite runner on the ai-edge-litert interpreter: XNNPACK on by default, configurable threads.

int8/uint8 model inputs are quantized and outputs dequantized here (scale/zero-point from the model),
so callers always feed and receive float32. The batch dimension is resized on demand.
"""

from __future__ import annotations

import os
from typing import Any, ClassVar

import numpy as np

from edgesmith.datasets.native_logs import quiet_native_stderr
from edgesmith.profiling.quantization import dequantize_output, pixel_codes, quantize_input
from edgesmith.profiling.runner import BackendUnavailable, InputMismatch, Runner, RunnerError, TensorSpec


def _interpreter_module() -> Any:
    try:
        from ai_edge_litert import interpreter
    except ImportError as exc:  # pragma: no cover - declared dependency
        raise BackendUnavailable("tflite: ai-edge-litert is not installed; `uv add ai-edge-litert`") from exc
    return interpreter


class TFLiteRunner(Runner):
    """Run a ``.tflite`` file. Options: ``threads`` (default: all cores), ``xnnpack=True``.

    Outputs are fresh float32 arrays (dequantized copies), safe to keep.
    """

    backend: ClassVar[str] = "tflite"
    suffixes: ClassVar[tuple[str, ...]] = (".tflite",)
    single_file: ClassVar[bool] = True

    def __init__(self, artifact: str | os.PathLike[str], *, xnnpack: bool = True, **kwargs: Any) -> None:
        super().__init__(artifact, **kwargs)
        self.xnnpack = xnnpack
        self._interp: Any = None

    @classmethod
    def available(cls) -> tuple[bool, str]:
        try:
            _interpreter_module()
        except BackendUnavailable as exc:
            return False, str(exc)
        return True, ""

    def activate_impl(self) -> None:
        mod = _interpreter_module()
        resolver = (
            mod.OpResolverType.AUTO if self.xnnpack else mod.OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES
        )
        try:
            with quiet_native_stderr():
                self._interp = mod.Interpreter(
                    model_path=str(self.artifact),
                    num_threads=self.threads or os.cpu_count() or 1,
                    experimental_op_resolver_type=resolver,
                )
                self._interp.allocate_tensors()
        except (ValueError, RuntimeError) as exc:
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise RunnerError(
                f"{self.artifact}: not a loadable TFLite model ({first}); re-export it"
            ) from exc
        self._refresh()

    def deactivate_impl(self) -> None:
        self._interp = None

    @property
    def interpreter(self) -> Any:
        """The underlying ai-edge-litert Interpreter (activate the runner first), e.g. for a bare loop."""
        if self._interp is None:
            raise RunnerError(f"{self.artifact.name}: runner is not active; use `with runner:` first")
        return self._interp

    def _resize(self, inputs: list[np.ndarray]) -> None:
        try:
            for x, d in zip(inputs, self._in, strict=True):
                self._interp.resize_tensor_input(d["index"], list(x.shape), strict=True)
            self._interp.allocate_tensors()
        except (ValueError, RuntimeError) as exc:
            raise InputMismatch(
                f"{self.artifact.name}: model cannot take batch size {inputs[0].shape[0]} ({exc}); "
                "use batch size 1 or re-export with a dynamic batch dimension"
            ) from exc
        self._refresh()

    def _refresh(self) -> None:
        """Cache tensor details and the per-call plan (index, dtype, quantization) after (re)allocation."""
        self._in = self._interp.get_input_details()
        self._out = self._interp.get_output_details()
        self._in_shapes = [tuple(int(s) for s in d["shape"]) for d in self._in]
        self._in_plan = [(d["index"], d) for d in self._in]
        self._out_plan = [(d["index"], d) for d in self._out]

    def infer_impl(self, inputs: list[np.ndarray]) -> list[np.ndarray]:
        if any(x.shape != s for x, s in zip(inputs, self._in_shapes, strict=True)):
            self._resize(inputs)
        return self._invoke([quantize_input(x, d) for x, (_, d) in zip(inputs, self._in_plan, strict=True)])

    def pixels_impl(self, pixels: np.ndarray, scale: float) -> list[np.ndarray] | None:
        """uint8 images straight in when the input's quantization is ``scale`` (no float pass)."""
        codes = pixel_codes(pixels, self._in[0], scale) if len(self._in) == 1 else None
        if codes is None:
            return None
        if pixels.shape != self._in_shapes[0]:
            self._resize([pixels])
        return self._invoke([codes])

    def _invoke(self, tensors: list[np.ndarray]) -> list[np.ndarray]:
        """Set the already quantized input tensors, run, dequantize every output."""
        interp = self._interp
        for x, (index, _) in zip(tensors, self._in_plan, strict=True):
            interp.set_tensor(index, x)  # per-tensor or per-axis codes
        interp.invoke()
        # get_tensor returns a copy and dequantize_output another float32 array: callers may keep them
        return [dequantize_output(interp.get_tensor(index), detail) for index, detail in self._out_plan]

    def _specs(self, details: list[dict[str, Any]]) -> tuple[TensorSpec, ...]:
        specs = []
        for d in details:
            sig = d.get("shape_signature")
            shape = sig if sig is not None and len(sig) else d["shape"]
            specs.append(TensorSpec(d["name"], tuple(None if s < 0 else int(s) for s in shape), "float32"))
        return tuple(specs)

    def input_specs(self) -> tuple[TensorSpec, ...]:
        return self._specs(self._in)

    def output_specs(self) -> tuple[TensorSpec, ...]:
        return self._specs(self._out)

    def precision(self) -> str:
        """int8/uint8 (integer activations), dynamic-int8 (int8 weights, float compute), fp16 or fp32."""
        boundary = {np.dtype(d["dtype"]).name for d in self._in + self._out}
        dtypes = {np.dtype(t["dtype"]).name for t in self._interp.get_tensor_details()}
        if "uint8" in boundary:
            return "uint8"
        if "int8" in boundary or ("int8" in dtypes and "float32" not in dtypes - boundary):
            return "int8"
        if "int8" in dtypes:
            return "dynamic-int8"
        if "float16" in dtypes:
            return "fp16"
        return "fp32"

    def extra_info(self) -> dict[str, Any]:
        return {
            "threads": self.threads or os.cpu_count(),
            "xnnpack": self.xnnpack,
            "io_dtypes": [np.dtype(d["dtype"]).name for d in self._in + self._out],
        }
