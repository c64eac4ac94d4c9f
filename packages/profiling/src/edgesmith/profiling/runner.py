"""The contract every inference backend implements, so the profiler can time any artifact the same way.

A runner loads one artifact (a Keras model, a ``.tflite`` file, an ONNX model, a TensorRT engine, a TVM
library ...), takes float32 batches and returns float32 outputs: integer models quantize inputs and
dequantize outputs inside the runner, so task metrics are comparable across backends.

Lifecycle (as in Polygraphy): ``with runner:`` activates it (loads the model, allocates buffers) and
deactivates it on exit. ``predict`` validates the input once against the model's signature and raises
:class:`InputMismatch` with the expected shape and dtype.
"""

from __future__ import annotations

import abc
import dataclasses
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from edgesmith.profiling.errors import EdgesmithError, ExitCode
from edgesmith.profiling.limits import check_model_size


class RunnerError(EdgesmithError, RuntimeError):
    """A runner could not load or run an artifact; the message names the problem and the fix."""


class BackendUnavailable(RunnerError):
    """The backend's library or hardware is absent; the message says what to install or attach."""

    exit_code = ExitCode.MISSING_DEPENDENCY


class InputMismatch(RunnerError, ValueError):
    """A batch does not match the model's input signature."""


@dataclasses.dataclass(frozen=True)
class TensorSpec:
    """Name, shape (``None`` for a dynamic dimension) and numpy dtype of a model input or output."""

    name: str
    shape: tuple[int | None, ...]
    dtype: str = "float32"


@dataclasses.dataclass(frozen=True)
class RunnerInfo:
    """What a measurement was taken on: enough for a report to say exactly what it measured."""

    backend: str
    precision: str
    device: str
    artifact: str
    size_bytes: int
    inputs: tuple[TensorSpec, ...] = ()
    outputs: tuple[TensorSpec, ...] = ()
    extra: Mapping[str, Any] = dataclasses.field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def artifact_size(path: str | os.PathLike[str]) -> int:
    """Size in bytes of a model file, or of every file under a model directory (SavedModel, TVM export)."""
    p = Path(path)
    if p.is_dir():
        return sum(f.stat().st_size for f in p.rglob("*") if f.is_file())
    return p.stat().st_size if p.exists() else 0


class Runner(abc.ABC):
    """Base class of every backend runner; subclasses implement the ``*_impl`` hooks.

    Class attributes describe the backend to the registry:
    ``backend`` is its registry name (``"tflite"``), ``suffixes`` the artifact suffixes it recognises
    (``(".tflite",)``) so the registry can pick a runner from a path.
    """

    backend: ClassVar[str] = ""
    suffixes: ClassVar[tuple[str, ...]] = ()
    single_file: ClassVar[bool] = False
    """True when the artifact must be one file (TFLite, ONNX, engine), so a folder is refused up front."""
    devices: ClassVar[tuple[str, ...]] = ("cpu", "gpu", "cuda")
    """Device names this runner accepts (an index may follow: ``cuda:1``); others are usage errors."""

    def __init__(
        self,
        artifact: str | os.PathLike[str],
        *,
        device: str = "cpu",
        threads: int | None = None,
        **options: Any,
    ) -> None:
        self.artifact = Path(artifact)
        kind = str(device).split(":", 1)[0].strip().lower()
        if kind not in self.devices:
            raise RunnerError(
                f"{self.backend or type(self).__name__}: unknown device {device!r}",
                fix=f"choose one of {', '.join(self.devices)}",
                exit_code=ExitCode.USAGE,
            )
        self.device = device
        self.threads = threads
        self.options = options
        self._active = False
        self._checked_shapes: set[tuple[int, ...]] = set()

    # -- backend hooks -------------------------------------------------------------------------------
    @classmethod
    def recognizes(cls, artifact: str | os.PathLike[str]) -> int:
        """How specifically this backend claims ``artifact`` (0: not at all); default: longest suffix."""
        name = Path(artifact).name.lower()
        return max((len(s) for s in cls.suffixes if name.endswith(s)), default=0)

    @classmethod
    def available(cls) -> tuple[bool, str]:
        """Whether this backend can run here, and if not, what to install or attach."""
        return True, ""

    @abc.abstractmethod
    def activate_impl(self) -> None:
        """Load the artifact and allocate what inference needs. Raise RunnerError on a bad artifact."""

    def deactivate_impl(self) -> None:  # noqa: B027 - optional hook, most runners free nothing
        """Release what ``activate_impl`` allocated."""

    @abc.abstractmethod
    def infer_impl(self, inputs: list[np.ndarray]) -> list[np.ndarray]:
        """Run one float32 batch per model input; return float32 outputs (may reuse buffers between calls)."""

    @abc.abstractmethod
    def input_specs(self) -> tuple[TensorSpec, ...]:
        """Model inputs as the caller feeds them (float32 for quantized models too)."""

    def output_specs(self) -> tuple[TensorSpec, ...]:
        return ()

    def precision(self) -> str:
        """Numeric precision of the artifact's compute: fp32, fp16, int8, mixed ..."""
        return "fp32"

    def extra_info(self) -> dict[str, Any]:
        """Backend-specific facts for the report (threads, delegate, provider, engine version ...)."""
        return {}

    # -- lifecycle -----------------------------------------------------------------------------------
    def activate(self) -> Runner:
        if not self._active:
            ok, why = self.available()
            if not ok:
                raise BackendUnavailable(f"{self.backend}: {why}")
            if not self.artifact.exists():
                raise RunnerError(f"{self.artifact}: no such model file; check the path or export it first")
            if self.single_file and self.artifact.is_dir():
                raise RunnerError(
                    f"{self.artifact}: a folder, not a {self.backend} model file",
                    fix="pass the model file itself",
                    exit_code=ExitCode.USAGE,
                )
            if self.single_file and self.artifact.stat().st_size == 0:
                raise RunnerError(f"{self.artifact}: empty model file (0 bytes)", fix="re-export it")
            check_model_size(self.artifact)
            self.activate_impl()
            self._active = True
        return self

    def deactivate(self) -> None:
        if self._active:
            self.deactivate_impl()
            self._active = False

    def __enter__(self) -> Runner:
        return self.activate()

    def __exit__(self, *exc: object) -> None:
        self.deactivate()

    # -- inference -----------------------------------------------------------------------------------
    def predict(self, batch: np.ndarray | Sequence[np.ndarray]) -> np.ndarray | list[np.ndarray]:
        """Run one batch (an array, or a list of arrays for multi-input models) and return the outputs.

        A single-output model returns an array, a multi-output model a list. Outputs may be buffers the
        runner reuses on the next call: copy them if you keep them.
        """
        if not self._active:
            self.activate()
        inputs = [batch] if isinstance(batch, np.ndarray) else list(batch)
        inputs = [np.ascontiguousarray(x, dtype=np.float32) for x in inputs]
        self._check(inputs)
        outputs = self.infer_impl(inputs)
        return outputs[0] if len(outputs) == 1 else outputs

    def predict_pixels(self, batch: np.ndarray, scale: float = 1 / 255) -> np.ndarray | list[np.ndarray]:
        """Run one batch of uint8 images for a one-input model that takes ``pixels * scale`` (1/255: values
        in [0, 1]), as :meth:`predict` of that float batch would.

        A runner whose input is quantized with that very scale feeds the pixels' codes directly (the same
        integers, without building and rounding a float copy: milliseconds a call for a 384x384 photo).
        """
        pixels = np.asarray(batch)
        if pixels.dtype != np.uint8:
            raise InputMismatch(
                f"{self.artifact.name}: predict_pixels takes uint8 images, got {pixels.dtype}; "
                "pass the photo's pixels, or call predict with the float batch"
            )
        if not self._active:
            self.activate()
        self._check([pixels])
        outputs = self.pixels_impl(pixels, float(scale))
        if outputs is None:
            return self.predict(np.multiply(pixels, np.float32(scale), dtype=np.float32))
        return outputs[0] if len(outputs) == 1 else outputs

    def pixels_impl(self, pixels: np.ndarray, scale: float) -> list[np.ndarray] | None:
        """Hook: outputs for uint8 ``pixels`` fed without a float pass, or None when this runner cannot."""
        return None

    def _check(self, inputs: list[np.ndarray]) -> None:
        key = tuple(d for x in inputs for d in x.shape)
        if key in self._checked_shapes:
            return
        specs = self.input_specs()
        if len(inputs) != len(specs):
            raise InputMismatch(f"{self.artifact.name}: model takes {len(specs)} input(s), got {len(inputs)}")
        for x, spec in zip(inputs, specs, strict=True):
            expected = spec.shape
            ok = len(x.shape) == len(expected) and all(
                e is None or e == d or (i == 0 and e in (1, -1))
                for i, (d, e) in enumerate(zip(x.shape, expected, strict=True))
            )
            if not ok:
                want = "x".join("N" if e is None else str(e) for e in expected)
                raise InputMismatch(
                    f"{self.artifact.name}: input {spec.name!r} expects shape {want} float32, got "
                    f"{'x'.join(map(str, x.shape))}; resize or reshape the batch"
                )
        self._checked_shapes.add(key)

    def describe(self) -> RunnerInfo:
        if not self._active:
            self.activate()
        return RunnerInfo(
            backend=self.backend,
            precision=self.precision(),
            device=self.device,
            artifact=str(self.artifact),
            size_bytes=artifact_size(self.artifact),
            inputs=self.input_specs(),
            outputs=self.output_specs(),
            extra={"threads": self.threads, **self.extra_info()},
        )
