"""The builders' models go through the rest of the pipeline: tfmot pruning/QAT and full-int8 TFLite."""

import numpy as np
import pytest

from edgesmith.datasets.tf_runtime import keras, tf
from edgesmith.models import box_regressor, cifar10_cnn, transfer_classifier

tfmot = pytest.importorskip(
    "tensorflow_model_optimization", reason="tfmot is the quantize package's dependency"
)


def test_tf_mode_preprocessing_is_a_frozen_conv_to_minus_one_one():
    model = transfer_classifier("mobilenetv2", input_shape=(32, 32, 3), alpha=0.35)
    layer = model.get_layer("preprocess")
    assert isinstance(layer, keras.layers.Conv2D) and not layer.trainable
    probe = keras.Model(model.input, layer.output)
    np.testing.assert_allclose(probe(np.zeros((1, 32, 32, 3), np.float32)).numpy(), -1.0)
    np.testing.assert_allclose(probe(np.ones((1, 32, 32, 3), np.float32)).numpy(), 1.0)


def test_whole_model_pruning_and_qat_accept_transfer_models():
    classifier = transfer_classifier("mobilenetv2", input_shape=(32, 32, 3), alpha=0.35)
    assert tfmot.sparsity.keras.prune_low_magnitude(classifier).output_shape == (None, 1)
    box = box_regressor("compact", input_shape=(64, 64, 3), dense=(16,))
    assert tfmot.quantization.keras.quantize_model(box).output_shape == (None, 4)


@pytest.mark.filterwarnings("ignore:Statistics for quantized inputs:UserWarning")  # TF converter internals
def test_cifar_cnn_with_lrn_prunes_and_converts_to_full_int8_tflite():
    model = cifar10_cnn(filters=8)
    assert tfmot.sparsity.keras.prune_low_magnitude(model).output_shape == (None, 10)
    converter = tf.lite.TFLiteConverter.from_keras_model(model)
    converter.optimizations = [tf.lite.Optimize.DEFAULT]
    rng = np.random.default_rng(0)
    converter.representative_dataset = lambda: (
        [rng.random((1, 24, 24, 3), dtype=np.float32)] for _ in range(4)
    )
    converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
    converter.inference_input_type = converter.inference_output_type = tf.int8
    assert len(converter.convert()) > 10_000
