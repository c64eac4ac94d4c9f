"""Tiny ONNX and TFLite models written in their real formats, shared by the export-tvm tests."""

from __future__ import annotations

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper


def conv_onnx(path, batch_dim="batch"):
    """Conv 3x3 (2->4 channels) + bias + Relu + global average pool on an NCHW 1x2x6x6 input."""
    rng = np.random.default_rng(0)
    w = numpy_helper.from_array(rng.standard_normal((4, 2, 3, 3)).astype(np.float32), "w")
    b = numpy_helper.from_array(rng.standard_normal(4).astype(np.float32), "b")
    nodes = [
        helper.make_node("Conv", ["x", "w", "b"], ["c"], pads=[1, 1, 1, 1]),
        helper.make_node("Relu", ["c"], ["r"]),
        helper.make_node("GlobalAveragePool", ["r"], ["y"]),
    ]
    graph = helper.make_graph(
        nodes,
        "conv",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [batch_dim, 2, 6, 6])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [batch_dim, 4, 1, 1])],
        initializer=[w, b],
    )
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), str(path))
    return path


@pytest.fixture(scope="session")
def make_conv_onnx():
    """The ``conv_onnx`` writer, for module-scoped fixtures (conftest cannot be imported directly)."""
    return conv_onnx


@pytest.fixture()
def onnx_model(tmp_path):
    return conv_onnx(tmp_path / "conv.onnx")


@pytest.fixture(scope="session")
def tflite_model(tmp_path_factory):
    from edgesmith.datasets.tf_runtime import keras, tf

    keras.utils.set_random_seed(0)
    inp = keras.Input((8, 8, 3))
    x = keras.layers.Conv2D(4, 3, padding="same", activation="relu")(inp)
    out = keras.layers.Dense(2)(keras.layers.GlobalAveragePooling2D()(x))
    model = keras.Model(inp, out)
    path = tmp_path_factory.mktemp("tfl") / "small.tflite"
    path.write_bytes(tf.lite.TFLiteConverter.from_keras_model(model).convert())
    return path, model


@pytest.fixture(scope="session")
def int8_tflite_model(tmp_path_factory):
    """A full-integer (int8 in, int8 out) TFLite model: conv + depthwise + dense, calibrated on [0, 1)."""
    from edgesmith.datasets.tf_runtime import keras, tf

    keras.utils.set_random_seed(0)
    inp = keras.Input((8, 8, 3))
    x = keras.layers.Conv2D(8, 3, padding="same", activation="relu")(inp)
    x = keras.layers.DepthwiseConv2D(3, strides=2, padding="same", activation="relu6")(x)
    out = keras.layers.Dense(5)(keras.layers.GlobalAveragePooling2D()(x))
    model = keras.Model(inp, out)
    rng = np.random.default_rng(0)

    def calibration():
        for _ in range(16):
            yield [rng.random((1, 8, 8, 3), dtype=np.float32)]

    converter = tf.lite.TFLiteConverter.from_keras_model(model)
    converter.optimizations = [tf.lite.Optimize.DEFAULT]
    converter.representative_dataset = calibration
    converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
    converter.inference_input_type = tf.int8
    converter.inference_output_type = tf.int8
    path = tmp_path_factory.mktemp("tfl8") / "small_int8.tflite"
    path.write_bytes(converter.convert())
    return path
