"""The one place where edgesmith imports TensorFlow: Keras 2 (tf-keras) and quiet logs.

tfmot and tf2onnx only work with the Keras 2 API, so ``TF_USE_LEGACY_KERAS=1`` must be set before
TensorFlow is first imported. Every edgesmith module that needs TensorFlow does
``from edgesmith.datasets.tf_runtime import tf, keras``. Set ``EDGESMITH_TF_VERBOSE=1`` to keep
TensorFlow's own start-up logging (CUDA probing, oneDNN notices).
"""

from __future__ import annotations

import logging
import os

from edgesmith.datasets.native_logs import VERBOSE, quiet_native_stderr

os.environ["TF_USE_LEGACY_KERAS"] = "1"
if not VERBOSE:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

with quiet_native_stderr():
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
