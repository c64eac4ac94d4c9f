"""The ``edgetpu`` profiler backend: an Edge TPU compiled model through pycoral or the libedgetpu delegate.

Order of preference: Google's pycoral (``pycoral.utils.edgetpu.make_interpreter``) when installed, else the
LiteRT interpreter with the ``libedgetpu.so.1`` delegate (``ai_edge_litert.interpreter.load_delegate``), else
:class:`BackendUnavailable` with what to install. ``cpu=True`` runs the same int8 model on the CPU interpreter
(the uncompiled ``model.tflite`` next to ``model_edgetpu.tflite``), for side-by-side comparisons.

The PyPI package named ``pycoral`` is unrelated to Coral; only Google's (which has ``pycoral.utils.edgetpu``)
is used.
"""

from __future__ import annotations

import ctypes
import importlib.util
import os
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from edgesmith.export_edgetpu.check import EDGETPU_CUSTOM_OP
from edgesmith.profiling.quantization import dequantize_output, quantize_input
from edgesmith.profiling.runner import BackendUnavailable, Runner, RunnerError, TensorSpec
from edgesmith.profiling.tflite_graph import ModelFileError, read_tflite

EDGETPU_LIBRARY = "libedgetpu.so.1"
INSTALL_HINT = (
    "no Edge TPU runtime: install libedgetpu1-std (and optionally Google's pycoral) from Coral's package "
    "feed (https://coral.ai/software/#debian-packages) and attach the Coral device (PyPI's 'pycoral' is "
    "unrelated). "
    "Pass --cpu / cpu=True to run the int8 model on the CPU interpreter instead"
)


def _has_google_pycoral() -> bool:
    try:
        return importlib.util.find_spec("pycoral.utils.edgetpu") is not None
    except (ImportError, ValueError):  # a different 'pycoral' (PyPI's) without that submodule
        return False


def _has_libedgetpu() -> bool:
    try:
        ctypes.CDLL(EDGETPU_LIBRARY)
    except OSError:
        return False
    return True


def edgetpu_runtime() -> str | None:
    """Which Edge TPU runtime this machine has: ``'pycoral'``, ``'libedgetpu'`` or ``None``."""
    if _has_google_pycoral():
        return "pycoral"
    if _has_libedgetpu():
        return "libedgetpu"
    return None


def cpu_twin(path: Path) -> Path:
    """The uncompiled int8 model of ``x_edgetpu.tflite`` (``x.tflite`` beside it); else ``path`` itself."""
    if path.name.endswith("_edgetpu.tflite"):
        return path.with_name(path.name[: -len("_edgetpu.tflite")] + ".tflite")
    return path


class EdgeTPURunner(Runner):
    """Runs ``*_edgetpu.tflite`` on a Coral Edge TPU (``device``: ``usb``, ``pci``, ``usb:0`` ...) or, with
    ``cpu=True``, the matching int8 ``.tflite`` on the CPU interpreter. Batches larger than the model's batch
    are run sample by sample; outputs are fresh arrays."""

    backend: ClassVar[str] = "edgetpu"
    suffixes: ClassVar[tuple[str, ...]] = ("_edgetpu.tflite",)
    devices: ClassVar[tuple[str, ...]] = ("edgetpu", "usb", "pci", "cpu")

    def __init__(
        self,
        artifact: str | os.PathLike[str],
        *,
        device: str = "edgetpu",
        threads: int | None = None,
        cpu: bool = False,
        **options: Any,
    ) -> None:
        super().__init__(artifact, device="cpu" if cpu else device, threads=threads, **options)
        self.cpu = cpu
        self.runtime: str | None = None
        self._interpreter: Any = None
        self._in: list[dict[str, Any]] = []
        self._out: list[dict[str, Any]] = []
        self._model_path = self.artifact

    @classmethod
    def available(cls) -> tuple[bool, str]:
        return (True, "") if edgetpu_runtime() else (False, INSTALL_HINT)

    def activate(self) -> Runner:
        if self.cpu and not self._active:  # the CPU comparison needs no Edge TPU runtime
            self.activate_impl()
            self._active = True
            return self
        return super().activate()

    def _tpu_interpreter(self, path: Path) -> Any:
        device = None if self.device in ("edgetpu", "", None) else self.device
        if self.runtime == "pycoral":
            from pycoral.utils.edgetpu import make_interpreter

            return make_interpreter(str(path), device=device)
        from ai_edge_litert.interpreter import Interpreter, load_delegate

        delegate = load_delegate(EDGETPU_LIBRARY, {"device": device} if device else {})
        return Interpreter(model_path=str(path), experimental_delegates=[delegate], num_threads=self.threads)

    def activate_impl(self) -> None:
        path = self.artifact
        if self.cpu:
            path = cpu_twin(self.artifact)
            if not path.exists():
                raise RunnerError(
                    f"{self.artifact.name}: the CPU cannot run an edgetpu-custom-op and {path.name} (its "
                    "uncompiled int8 model) is not beside it; pass the uncompiled int8 .tflite with --cpu"
                )
        if not path.exists():
            raise RunnerError(f"{path}: no such model file; check the path or export it first")
        try:
            graph = read_tflite(path)
        except ModelFileError as exc:
            raise RunnerError(str(exc)) from exc
        has_tpu_op = any(op.name == EDGETPU_CUSTOM_OP for op in graph.ops)
        if self.cpu and has_tpu_op:
            raise RunnerError(
                f"{path.name}: compiled for the Edge TPU (edgetpu-custom-op), which the CPU cannot run; "
                "pass the uncompiled int8 .tflite with --cpu"
            )
        if not self.cpu and not has_tpu_op:
            raise RunnerError(
                f"{path.name}: not compiled for the Edge TPU (no edgetpu-custom-op); run "
                "'edgesmith-edgetpu compile' first, or pass --cpu to run it on the CPU"
            )
        try:
            if self.cpu:
                from ai_edge_litert.interpreter import Interpreter

                interpreter = Interpreter(model_path=str(path), num_threads=self.threads)
            else:
                self.runtime = edgetpu_runtime()
                interpreter = self._tpu_interpreter(path)
            interpreter.allocate_tensors()
        except (ValueError, RuntimeError, OSError) as exc:
            if self.cpu:
                raise RunnerError(f"{path.name}: the TFLite interpreter cannot load it ({exc})") from exc
            raise BackendUnavailable(
                f"edgetpu: no Edge TPU device answered ({exc}); plug in the Coral USB Accelerator or check "
                "the PCIe driver (apex), or pass --cpu"
            ) from exc
        self._interpreter, self._model_path = interpreter, path
        self._in = interpreter.get_input_details()
        self._out = interpreter.get_output_details()

    def deactivate_impl(self) -> None:
        self._interpreter = None

    def input_specs(self) -> tuple[TensorSpec, ...]:
        return tuple(TensorSpec(d["name"], tuple(int(s) for s in d["shape"]), "float32") for d in self._in)

    def output_specs(self) -> tuple[TensorSpec, ...]:
        return tuple(TensorSpec(d["name"], tuple(int(s) for s in d["shape"]), "float32") for d in self._out)

    def precision(self) -> str:
        kinds = {np.dtype(d["dtype"]).kind for d in (*self._in, *self._out)}
        return "int8" if kinds <= {"i", "u"} else "int8 (float I/O)"

    def extra_info(self) -> dict[str, Any]:
        return {
            "runtime": "tflite-cpu" if self.cpu else self.runtime,
            "model_run": str(self._model_path),
            "delegate": None if self.cpu else EDGETPU_LIBRARY,
            "caveats": ["ran on the TFLite CPU fallback, not on an Edge TPU"] if self.cpu else [],
        }

    def infer_impl(self, inputs: list[np.ndarray]) -> list[np.ndarray]:
        interp = self._interpreter
        model_batch = int(self._in[0]["shape"][0]) if len(self._in[0]["shape"]) else 1
        n = inputs[0].shape[0] if inputs[0].ndim else 1
        if n == model_batch or model_batch != 1:
            return self._invoke(interp, inputs)
        per_sample = [self._invoke(interp, [x[i : i + 1] for x in inputs]) for i in range(n)]
        return [np.concatenate([s[k] for s in per_sample]) for k in range(len(self._out))]

    def _invoke(self, interp: Any, inputs: list[np.ndarray]) -> list[np.ndarray]:
        for x, d in zip(inputs, self._in, strict=True):
            interp.set_tensor(d["index"], quantize_input(x, d))
        interp.invoke()
        return [dequantize_output(interp.get_tensor(d["index"]), d) for d in self._out]
