"""TensorRT runner for the profiler: deserialize an engine, copy host->device, execute, copy back.

As the face study defines latency, ``predict`` includes both copies: the profiler times the whole call.
Buffers (page-locked host, device) are allocated once at activation for the profile's maximum batch and
reused; returned arrays are views of the page-locked output buffers, valid until the next call.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from edgesmith.export_trt.errors import INSTALL_HINT, TensorRTUnavailable
from edgesmith.export_trt.gpu import CudaSession, import_tensorrt, missing_modules
from edgesmith.profiling.artifacts import read_sidecar
from edgesmith.profiling.runner import BackendUnavailable, Runner, RunnerError, TensorSpec


class TensorRTRunner(Runner):
    """Run a serialized TensorRT engine (``.engine``/``.plan``/``.trt``) on GPU ``device`` ("cuda:0")."""

    backend: ClassVar[str] = "tensorrt"
    suffixes: ClassVar[tuple[str, ...]] = (".engine", ".plan", ".trt")
    single_file: ClassVar[bool] = True

    @classmethod
    def available(cls) -> tuple[bool, str]:
        missing = missing_modules()
        if missing:
            names = " and ".join(missing)
            return False, f"{names} not installed; run `{INSTALL_HINT}` on a machine with an NVIDIA GPU"
        try:
            import_tensorrt()
            CudaSession(0)
        except TensorRTUnavailable as exc:
            return False, str(exc)
        return True, ""

    def _device_index(self) -> int:
        if ":" in self.device:
            return int(self.device.split(":", 1)[1])
        return 0

    def activate_impl(self) -> None:
        try:
            trt = import_tensorrt()
            self._session = CudaSession(self._device_index()).__enter__()
        except TensorRTUnavailable as exc:
            raise BackendUnavailable(f"tensorrt: {exc}") from exc
        cuda = self._session.cuda
        self._trt, self._cuda = trt, cuda
        self._logger = trt.Logger(trt.Logger.WARNING)
        runtime = trt.Runtime(self._logger)
        engine = runtime.deserialize_cuda_engine(self.artifact.read_bytes())
        if engine is None:
            self._session.__exit__()
            raise RunnerError(
                f"{self.artifact}: TensorRT could not deserialize the engine (built with another TensorRT "
                "version or GPU?); rebuild it on this machine with `edgesmith-trt build`"
            )
        self._runtime, self._engine = runtime, engine
        self._context = engine.create_execution_context()
        self._stream = cuda.Stream()
        self._in_names, self._out_names = [], []
        self._host: dict[str, np.ndarray] = {}
        self._dev: dict[str, Any] = {}
        self._dtype: dict[str, np.dtype] = {}
        for i in range(engine.num_io_tensors):
            name = engine.get_tensor_name(i)
            is_input = engine.get_tensor_mode(name) == trt.TensorIOMode.INPUT
            (self._in_names if is_input else self._out_names).append(name)
            self._dtype[name] = np.dtype(trt.nptype(engine.get_tensor_dtype(name)))
        for name in self._in_names:
            shape = tuple(engine.get_tensor_shape(name))
            if shape[0] < 0:
                shape = tuple(engine.get_tensor_profile_shape(name, 0)[2])  # profile max
            self._context.set_input_shape(name, shape)
        for name in self._in_names + self._out_names:
            shape = tuple(self._context.get_tensor_shape(name))
            self._host[name] = cuda.pagelocked_empty(shape, self._dtype[name])
            self._dev[name] = cuda.mem_alloc(self._host[name].nbytes)
            self._context.set_tensor_address(name, int(self._dev[name]))

    def deactivate_impl(self) -> None:
        self._context = self._engine = self._runtime = None
        self._dev.clear()
        self._host.clear()
        self._session.__exit__()

    def infer_impl(self, inputs: list[np.ndarray]) -> list[np.ndarray]:
        cuda = self._cuda
        for name, x in zip(self._in_names, inputs, strict=True):
            if x.shape[0] > self._host[name].shape[0]:
                raise RunnerError(
                    f"{self.artifact.name}: batch {x.shape[0]} exceeds the engine's max batch "
                    f"{self._host[name].shape[0]}; rebuild with a larger --max-batch"
                )
            self._context.set_input_shape(name, x.shape)
            host = self._host[name][: x.shape[0]]
            np.copyto(host, x, casting="same_kind" if self._dtype[name] != np.float32 else "no")
            cuda.memcpy_htod_async(self._dev[name], host, self._stream)
        self._context.execute_async_v3(self._stream.handle)
        outs = []
        for name in self._out_names:
            shape = tuple(self._context.get_tensor_shape(name))
            host = self._host[name].reshape(-1)[: int(np.prod(shape))].reshape(shape)
            cuda.memcpy_dtoh_async(host, self._dev[name], self._stream)
            outs.append(host)
        self._stream.synchronize()
        return [o if o.dtype == np.float32 else o.astype(np.float32) for o in outs]

    def _specs(self, names: list[str]) -> tuple[TensorSpec, ...]:
        specs = []
        for name in names:
            shape = tuple(int(d) for d in self._engine.get_tensor_shape(name))
            specs.append(TensorSpec(name, tuple(None if d < 0 else d for d in shape), "float32"))
        return tuple(specs)

    def input_specs(self) -> tuple[TensorSpec, ...]:
        return self._specs(self._in_names)

    def output_specs(self) -> tuple[TensorSpec, ...]:
        return self._specs(self._out_names)

    def precision(self) -> str:
        meta = read_sidecar(self.artifact) or {}
        return str(meta.get("precision", "unknown"))

    def extra_info(self) -> dict[str, Any]:
        meta = read_sidecar(self.artifact) or {}
        return {
            "tensorrt": self._trt.__version__,
            "gpu": self._session.name,
            "copies_timed": True,
            "calibration": meta.get("calibration"),
        }


__all__ = ["TensorRTRunner"]
