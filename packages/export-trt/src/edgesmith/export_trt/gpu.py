"""Lazy access to TensorRT and pycuda, and the GPU checks that precede any engine work.

Nothing here is imported at package import time: ``import edgesmith.export_trt`` works on machines
without TensorRT, and every entry point that needs it gets a one-line install hint instead.
"""

from __future__ import annotations

import importlib.util
from typing import Any

from edgesmith.export_trt.errors import INSTALL_HINT, TensorRTUnavailable

MIN_TRT_MAJOR = 10


def missing_modules() -> list[str]:
    """Which of ``tensorrt`` / ``pycuda`` cannot be imported here (cheap: no import happens)."""
    return [m for m in ("tensorrt", "pycuda") if importlib.util.find_spec(m) is None]


def import_tensorrt() -> Any:
    """``import tensorrt`` with a version check, or a TensorRTUnavailable naming the install command."""
    try:
        import tensorrt as trt
    except ImportError as exc:
        raise TensorRTUnavailable(
            f"TensorRT is not installed; run `{INSTALL_HINT}` on a machine with an NVIDIA GPU"
        ) from exc
    major = int(str(trt.__version__).split(".")[0])
    if major < MIN_TRT_MAJOR:
        raise TensorRTUnavailable(
            f"TensorRT {trt.__version__} is too old (the tensor-name API needs >= 10); run `{INSTALL_HINT}`"
        )
    return trt


def import_cuda() -> Any:
    """``pycuda.driver`` initialised, with at least one GPU visible, or TensorRTUnavailable."""
    try:
        import pycuda.driver as cuda
    except ImportError as exc:
        raise TensorRTUnavailable(f"pycuda is not installed; run `{INSTALL_HINT}`") from exc
    try:
        cuda.init()
        count = cuda.Device.count()
    except Exception as exc:  # driver missing or broken
        raise TensorRTUnavailable(
            f"the CUDA driver did not start ({exc}); install the NVIDIA driver"
        ) from exc
    if count == 0:
        raise TensorRTUnavailable("no NVIDIA GPU is visible; TensorRT engines need one (check nvidia-smi)")
    return cuda


class CudaSession:
    """The primary CUDA context of one GPU, pushed while in use (``with CudaSession(0) as s:``)."""

    def __init__(self, device: int = 0) -> None:
        self.cuda = import_cuda()
        if device >= self.cuda.Device.count():
            raise TensorRTUnavailable(
                f"GPU {device} does not exist; this machine has {self.cuda.Device.count()}"
            )
        self.device = self.cuda.Device(device)
        self._ctx = None

    @property
    def name(self) -> str:
        return str(self.device.name())

    def __enter__(self) -> CudaSession:
        self._ctx = self.device.retain_primary_context()
        self._ctx.push()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._ctx is not None:
            self._ctx.pop()
            self._ctx = None


def gpu_name(device: int = 0) -> str:
    """Marketing name of GPU ``device`` (for sidecars)."""
    cuda = import_cuda()
    return str(cuda.Device(device).name())


__all__ = ["MIN_TRT_MAJOR", "CudaSession", "gpu_name", "import_cuda", "import_tensorrt", "missing_modules"]
