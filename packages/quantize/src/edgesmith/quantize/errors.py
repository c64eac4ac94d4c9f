"""Exceptions of edgesmith.quantize: each message is one line naming the problem and the fix."""

from __future__ import annotations

from edgesmith.profiling.errors import EdgesmithError, ExitCode


class QuantizeError(EdgesmithError, ValueError):
    """A conversion, training or report step failed for a reason the caller can fix."""


class ModelLoadError(QuantizeError):
    """The source model file is missing, unreadable or not a Keras model."""


class CalibrationError(QuantizeError):
    """The representative (calibration) data is empty or does not match the model's input."""


class UnquantizableOpError(QuantizeError):
    """Full-integer conversion left an op in float, or the converter refused an op."""

    def __init__(self, message: str, op: str, layer: str | None) -> None:
        super().__init__(message)
        self.op = op
        self.layer = layer


class OutputPathError(QuantizeError):
    """The output path cannot be written (missing directory, existing directory with that name ...)."""


class MissingDependencyError(QuantizeError):
    """An optional library a requested feature needs (e.g. matplotlib for --plot) is not installed."""

    exit_code = ExitCode.MISSING_DEPENDENCY
