"""Custom Keras layers used by the builders, registered so saved models reload without extra arguments."""

from __future__ import annotations

from typing import Any

from edgesmith.datasets.tf_runtime import keras, tf


@keras.utils.register_keras_serializable(package="edgesmith")
class LocalResponseNormalization(keras.layers.Layer):
    """``tf.nn.local_response_normalization`` as a layer (the LRN of TensorFlow's CIFAR-10 tutorial).

    Defaults are the tutorial's: ``depth_radius=4, bias=1.0, alpha=0.001/9, beta=0.75``. TFLite converts it to
    its builtin LOCAL_RESPONSE_NORMALIZATION op.
    """

    def __init__(
        self,
        depth_radius: int = 4,
        bias: float = 1.0,
        alpha: float = 0.001 / 9.0,
        beta: float = 0.75,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.depth_radius = int(depth_radius)
        self.bias = float(bias)
        self.alpha = float(alpha)
        self.beta = float(beta)

    def call(self, inputs: tf.Tensor) -> tf.Tensor:
        return tf.nn.local_response_normalization(
            inputs, depth_radius=self.depth_radius, bias=self.bias, alpha=self.alpha, beta=self.beta
        )

    def get_prunable_weights(self) -> list[Any]:
        """No weights: lets tfmot's ``prune_low_magnitude`` wrap a whole model that contains LRN."""
        return []

    def compute_output_shape(self, input_shape: Any) -> Any:
        return input_shape

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config.update(depth_radius=self.depth_radius, bias=self.bias, alpha=self.alpha, beta=self.beta)
        return config


CUSTOM_OBJECTS: dict[str, type] = {
    "LocalResponseNormalization": LocalResponseNormalization,
    "edgesmith>LocalResponseNormalization": LocalResponseNormalization,
}
