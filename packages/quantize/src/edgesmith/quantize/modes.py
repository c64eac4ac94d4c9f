"""The TFLite conversion modes and input/output dtypes edgesmith.quantize produces."""

from __future__ import annotations

import enum

from edgesmith.quantize.errors import QuantizeError


class Mode(enum.StrEnum):
    """Post-training conversion mode of a TFLite artifact."""

    FLOAT32 = "float32"  # no quantization: the reference TFLite file
    FLOAT16 = "float16"  # weights stored as float16, compute in float32
    DYNAMIC = "dynamic"  # dynamic-range: int8 weights, activations quantized on the fly
    INT8 = "int8"  # full-integer: every op int8, calibrated on representative data
    INT8_FALLBACK = "int8-fallback"  # full-integer where possible, float kernels for the rest

    @property
    def needs_calibration(self) -> bool:
        return self in (Mode.INT8, Mode.INT8_FALLBACK)

    @property
    def default_io(self) -> IoDtype:
        return IoDtype.INT8 if self is Mode.INT8 else IoDtype.FLOAT32


class IoDtype(enum.StrEnum):
    """Dtype of the TFLite model's input and output tensors (full-integer modes only)."""

    INT8 = "int8"
    UINT8 = "uint8"
    FLOAT32 = "float32"


def parse_mode(value: str | Mode) -> Mode:
    """A Mode from its name, with the valid names in the error."""
    try:
        return Mode(value)
    except ValueError:
        names = ", ".join(m.value for m in Mode)
        raise QuantizeError(f"unknown mode {value!r}; choose one of: {names}") from None


def parse_io_dtype(value: str | IoDtype | None, mode: Mode) -> IoDtype:
    """The I/O dtype for ``mode`` (its default when ``value`` is None); integer I/O needs full-integer."""
    if value is None:
        return mode.default_io
    try:
        io = IoDtype(value)
    except ValueError:
        names = ", ".join(d.value for d in IoDtype)
        raise QuantizeError(f"unknown input/output dtype {value!r}; choose one of: {names}") from None
    if io is not IoDtype.FLOAT32 and not mode.needs_calibration:
        raise QuantizeError(
            f"--io-dtype {io.value} needs a full-integer mode; use --mode int8 or --mode int8-fallback"
        )
    return io
