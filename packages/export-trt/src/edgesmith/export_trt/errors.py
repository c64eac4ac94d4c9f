"""Exceptions of the TensorRT export path: every message is one line naming the problem and the fix."""

from __future__ import annotations

from edgesmith.profiling.errors import EdgesmithError, ExitCode

INSTALL_HINT = "pip install edgesmith-export-trt[gpu]"


class ExportError(EdgesmithError, RuntimeError):
    """An export step failed on bad input (missing file, bad model, bad option); the message says the fix."""


class TensorRTUnavailable(ExportError):
    """TensorRT, pycuda or an NVIDIA GPU is missing on this machine."""

    exit_code = ExitCode.MISSING_DEPENDENCY


__all__ = ["INSTALL_HINT", "ExportError", "TensorRTUnavailable"]
