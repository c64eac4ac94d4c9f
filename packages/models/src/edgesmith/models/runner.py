"""Keras / TensorFlow runner: ``.keras``, ``.h5`` or a SavedModel directory, predicted through a tf.function.

TensorFlow is imported only when the runner activates (through ``edgesmith.datasets.tf_runtime``).
``device="gpu"`` places the model on the first GPU; outputs are copied back to host numpy arrays, so a
timer stopped after ``predict`` returns includes the device work.
"""

from __future__ import annotations

import os
from typing import Any, ClassVar

import numpy as np

from edgesmith.profiling.runner import BackendUnavailable, Runner, RunnerError, TensorSpec


def _tf() -> tuple[Any, Any, tuple[Any, ...]]:
    try:
        from edgesmith.datasets.tf_runtime import GPUS, keras, tf
    except ImportError as exc:  # pragma: no cover - declared dependency
        raise BackendUnavailable("keras: TensorFlow is not installed; `uv sync --all-packages`") from exc
    return tf, keras, GPUS


def set_tf_threads(threads: int | None) -> bool:
    """Set TensorFlow's intra/inter-op thread pools; False if TF had already started and kept its own."""
    if not threads:
        return True
    tf, _, _ = _tf()
    try:
        tf.config.threading.set_intra_op_parallelism_threads(threads)
        tf.config.threading.set_inter_op_parallelism_threads(1)
    except RuntimeError:
        return tf.config.threading.get_intra_op_parallelism_threads() == threads
    return True


def load_keras_model(path: str | os.PathLike[str]) -> Any:
    """Load a ``.keras``/``.h5`` file or SavedModel dir uncompiled, edgesmith's custom layers included.

    Uses ``edgesmith.models.load_model``; a SavedModel that is not a Keras model falls back to
    ``tf.saved_model.load`` (its serving signature is run). Bad files raise a one-line RunnerError.
    """
    tf, _, _ = _tf()
    from edgesmith.models import ModelError, load_model

    try:
        return load_model(path, compile=False)
    except ModelError as exc:
        if os.path.isfile(os.path.join(path, "saved_model.pb")):
            try:
                return tf.saved_model.load(str(path))
            except Exception as sm_exc:
                raise RunnerError(f"{path}: not a loadable SavedModel ({sm_exc}); re-export it") from sm_exc
        raise RunnerError(f"{path}: not a loadable Keras model ({exc})") from exc


class KerasRunner(Runner):
    """Run a Keras model (or a plain SavedModel's serving signature) with a compiled tf.function.

    Pass ``model=`` to wrap an in-memory keras.Model (``artifact`` is then only its label/path).
    Outputs are fresh numpy arrays.
    """

    backend: ClassVar[str] = "keras"
    suffixes: ClassVar[tuple[str, ...]] = (".keras", ".h5", ".hdf5")

    def __init__(self, artifact: str | os.PathLike[str], *, model: Any = None, **kwargs: Any) -> None:
        super().__init__(artifact, **kwargs)
        self._model = model
        self._fn: Any = None
        self._threads_applied = True

    @classmethod
    def recognizes(cls, artifact: str | os.PathLike[str]) -> int:
        """Keras files by suffix, and any directory holding a ``saved_model.pb``."""
        if os.path.isfile(os.path.join(artifact, "saved_model.pb")):
            return 100
        return super().recognizes(artifact)

    @classmethod
    def available(cls) -> tuple[bool, str]:
        try:
            _tf()
        except BackendUnavailable as exc:
            return False, str(exc)
        return True, ""

    def activate(self) -> Runner:
        if self._model is not None and not self._active:  # in-memory model: no file needed
            self.activate_impl()
            self._active = True
        return super().activate()

    def activate_impl(self) -> None:
        tf, keras, gpus = _tf()
        if self.device.startswith(("gpu", "cuda")) and not gpus:
            raise BackendUnavailable("keras: no GPU visible to TensorFlow; use --device cpu")
        self._threads_applied = set_tf_threads(self.threads)
        self._tf_device = "/GPU:0" if self.device.startswith(("gpu", "cuda")) else "/CPU:0"
        model = self._model if self._model is not None else load_keras_model(self.artifact)
        self._model = model
        if isinstance(model, keras.Model):
            self._in_specs = tuple(
                TensorSpec(t.name, tuple(None if d is None else int(d) for d in t.shape), "float32")
                for t in model.inputs
            )
            self._out_specs = tuple(
                TensorSpec(t.name, tuple(None if d is None else int(d) for d in t.shape), "float32")
                for t in model.outputs
            )
            n_in = len(self._in_specs)

            @tf.function(reduce_retracing=True)
            def fn(*xs: Any) -> Any:
                return model(list(xs) if n_in > 1 else xs[0], training=False)
        else:  # generic SavedModel: use its serving signature
            sig = model.signatures.get("serving_default")
            if sig is None:
                raise RunnerError(
                    f"{self.artifact}: SavedModel has no serving_default signature; re-export it"
                )
            _, kw = sig.structured_input_signature
            names = sorted(kw)
            self._in_specs = tuple(TensorSpec(n, tuple(kw[n].shape.as_list()), "float32") for n in names)
            self._out_specs = tuple(
                TensorSpec(n, tuple(s.shape.as_list()), "float32")
                for n, s in sorted(sig.structured_outputs.items())
            )

            def fn(*xs: Any) -> Any:
                out = sig(**dict(zip(names, xs, strict=True)))
                return [out[k] for k in sorted(out)]

        self._fn = fn

    def deactivate_impl(self) -> None:
        self._fn = None

    def infer_impl(self, inputs: list[np.ndarray]) -> list[np.ndarray]:
        tf, _, _ = _tf()
        with tf.device(self._tf_device):
            out = self._fn(*[tf.constant(x) for x in inputs])
        outs = out if isinstance(out, list | tuple) else [out]
        return [np.asarray(o, dtype=np.float32) for o in outs]

    def input_specs(self) -> tuple[TensorSpec, ...]:
        return self._in_specs

    def output_specs(self) -> tuple[TensorSpec, ...]:
        return self._out_specs

    def precision(self) -> str:
        policy = getattr(getattr(self._model, "dtype_policy", None), "name", "float32")
        return {"float32": "fp32", "mixed_float16": "mixed-fp16", "float16": "fp16"}.get(policy, policy)

    def extra_info(self) -> dict[str, Any]:
        tf, _, _ = _tf()
        return {
            "tf_device": self._tf_device,
            "threads_applied": self._threads_applied,
            "tensorflow": tf.__version__,
            "params": int(self._model.count_params()) if hasattr(self._model, "count_params") else None,
        }
