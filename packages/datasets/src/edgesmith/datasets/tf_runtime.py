"""The one place where edgesmith imports TensorFlow: Keras 2 (tf-keras) and quiet logs.

tfmot and tf2onnx only work with the Keras 2 API, so ``TF_USE_LEGACY_KERAS=1`` must be set before
TensorFlow is first imported. Every edgesmith module that needs TensorFlow does
``from edgesmith.datasets.tf_runtime import tf, keras``. Set ``EDGESMITH_TF_VERBOSE=1`` to keep
TensorFlow's own start-up logging (CUDA probing, oneDNN notices).
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
from collections.abc import Iterator

VERBOSE = os.environ.get("EDGESMITH_TF_VERBOSE", "") not in ("", "0")

os.environ["TF_USE_LEGACY_KERAS"] = "1"
if not VERBOSE:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


@contextlib.contextmanager
def _quiet_native_stderr() -> Iterator[None]:
    """Silence C++ start-up messages printed before absl logging is initialised (file descriptor 2)."""
    if VERBOSE or "tensorflow" in sys.modules:
        yield
        return
    try:
        saved = os.dup(2)
    except OSError:  # no usable stderr (e.g. some embedded interpreters)
        yield
        return
    sys.stderr.flush()
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        yield
    finally:
        sys.stderr.flush()
        os.dup2(saved, 2)
        os.close(devnull)
        os.close(saved)


with _quiet_native_stderr():
    import tensorflow as tf
    import tf_keras as keras

    # Device discovery prints CUDA probing errors on machines without a GPU; do it once, quietly.
    GPUS = tuple(tf.config.list_physical_devices("GPU"))

if not VERBOSE:
    tf.get_logger().setLevel(logging.ERROR)
    tf.autograph.set_verbosity(0)
    logging.getLogger("absl").setLevel(logging.ERROR)


def versions() -> dict[str, str]:
    """Versions of the TensorFlow stack, for artifact sidecars and reports."""
    return {"tensorflow": tf.__version__, "tf_keras": keras.__version__}


__all__ = ["GPUS", "keras", "tf", "versions"]
