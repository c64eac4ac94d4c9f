"""ONNX Runtime runner: CPU by default, the CUDA execution provider with ``device="cuda"`` when present."""

from __future__ import annotations

import os
from typing import Any, ClassVar

import numpy as np

from edgesmith.profiling.runner import BackendUnavailable, Runner, RunnerError, TensorSpec

_ORT_DTYPES = {"tensor(float)": "float32", "tensor(float16)": "float16", "tensor(double)": "float64"}


def _ort() -> Any:
    try:
        import onnxruntime
    except ImportError as exc:  # pragma: no cover - declared dependency
        raise BackendUnavailable("onnx: onnxruntime is not installed; `uv add onnxruntime`") from exc
    return onnxruntime


class ONNXRunner(Runner):
    """Run a ``.onnx`` model with ONNX Runtime. Options: ``threads``, ``device`` ("cpu" or "cuda").

    Outputs are fresh float32 arrays.
    """

    backend: ClassVar[str] = "onnx"
    suffixes: ClassVar[tuple[str, ...]] = (".onnx",)
    single_file: ClassVar[bool] = True

    @classmethod
    def available(cls) -> tuple[bool, str]:
        try:
            _ort()
        except BackendUnavailable as exc:
            return False, str(exc)
        return True, ""

    def activate_impl(self) -> None:
        ort = _ort()
        providers = ["CPUExecutionProvider"]
        if self.device.startswith(("cuda", "gpu")):
            if "CUDAExecutionProvider" not in ort.get_available_providers():
                raise BackendUnavailable(
                    "onnx: CUDAExecutionProvider not available; install onnxruntime-gpu or use --device cpu"
                )
            providers.insert(0, "CUDAExecutionProvider")
        opts = ort.SessionOptions()
        if self.threads:
            opts.intra_op_num_threads = self.threads
            opts.inter_op_num_threads = 1
        try:
            self._sess = ort.InferenceSession(str(self.artifact), sess_options=opts, providers=providers)
        except Exception as exc:
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise RunnerError(f"{self.artifact}: not a loadable ONNX model ({first}); re-export it") from exc
        self._inputs = self._sess.get_inputs()
        self._outputs = self._sess.get_outputs()
        self._names = [o.name for o in self._outputs]

    def deactivate_impl(self) -> None:
        self._sess = None

    def infer_impl(self, inputs: list[np.ndarray]) -> list[np.ndarray]:
        feed = {}
        for x, meta in zip(inputs, self._inputs, strict=True):
            dt = _ORT_DTYPES.get(meta.type, "float32")
            feed[meta.name] = x if x.dtype == dt else x.astype(dt)
        outs = self._sess.run(self._names, feed)
        return [np.asarray(o, dtype=np.float32) for o in outs]

    @staticmethod
    def _spec(meta: Any) -> TensorSpec:
        shape = tuple(int(d) if isinstance(d, int) and d > 0 else None for d in meta.shape)
        return TensorSpec(meta.name, shape, "float32")

    def input_specs(self) -> tuple[TensorSpec, ...]:
        return tuple(self._spec(m) for m in self._inputs)

    def output_specs(self) -> tuple[TensorSpec, ...]:
        return tuple(self._spec(m) for m in self._outputs)

    def precision(self) -> str:
        """fp16 for half-precision I/O, int8 for QDQ/integer-op graphs (read with `onnx` when installed)."""
        if any(m.type == "tensor(float16)" for m in self._inputs):
            return "fp16"
        try:
            import onnx
        except ImportError:
            return "fp32"
        graph = onnx.load(str(self.artifact), load_external_data=False).graph
        ops = {n.op_type for n in graph.node}
        if ops & {"QuantizeLinear", "QLinearConv", "QLinearMatMul", "ConvInteger", "MatMulInteger"}:
            return "int8"
        if any(t.data_type == onnx.TensorProto.FLOAT16 for t in graph.initializer):
            return "fp16"
        return "fp32"

    def extra_info(self) -> dict[str, Any]:
        ort = _ort()
        return {
            "providers": self._sess.get_providers(),
            "threads": self.threads or os.cpu_count(),
            "onnxruntime": ort.__version__,
        }
