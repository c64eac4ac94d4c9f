"""Tiny real artifacts for the profiling tests: one Keras CNN as .keras, fp32/int8 .tflite and .onnx."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pytest


@pytest.fixture(scope="session")
def samples() -> np.ndarray:
    return np.random.default_rng(0).random((16, 8, 8, 1), dtype=np.float32)


@pytest.fixture(scope="session")
def artifacts(tmp_path_factory: pytest.TempPathFactory, samples: np.ndarray) -> dict[str, Path]:
    """A 3-class conv model as Keras, TFLite fp32, TFLite full-int8 (int8 I/O) and, if onnx exists, ONNX.

    The kernel ships no runner: these tests run the backends the workspace installs (edgesmith-models,
    edgesmith-quantize, edgesmith-export-trt) and skip, saying so, where they are absent.
    """
    for backend in ("edgesmith.models.runner", "edgesmith.quantize.runner", "edgesmith.datasets.tf_runtime"):
        pytest.importorskip(backend, reason=f"needs the backend package providing {backend}")
    from edgesmith.datasets.tf_runtime import keras, tf

    d = tmp_path_factory.mktemp("artifacts")
    keras.utils.set_random_seed(0)
    inp = keras.Input((8, 8, 1), name="image")
    x = keras.layers.Conv2D(4, 3, activation="relu")(inp)
    x = keras.layers.MaxPooling2D()(x)
    x = keras.layers.Flatten()(x)
    out = keras.layers.Dense(3, activation="softmax")(x)
    model = keras.Model(inp, out)
    out_paths = {"keras": d / "tiny.keras", "tflite": d / "tiny.tflite", "int8": d / "tiny_int8.tflite"}
    model.save(out_paths["keras"])
    out_paths["tflite"].write_bytes(tf.lite.TFLiteConverter.from_keras_model(model).convert())
    conv = tf.lite.TFLiteConverter.from_keras_model(model)
    conv.optimizations = [tf.lite.Optimize.DEFAULT]
    conv.representative_dataset = lambda: ([s[None]] for s in samples)
    conv.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
    conv.inference_input_type = tf.int8
    conv.inference_output_type = tf.int8
    with (
        warnings.catch_warnings()
    ):  # int8 I/O without input statistics: expected, ranges come from calibration
        warnings.simplefilter("ignore", UserWarning)
        out_paths["int8"].write_bytes(conv.convert())
    try:
        import tf2onnx
    except ImportError:
        return out_paths
    spec = (tf.TensorSpec((None, 8, 8, 1), tf.float32, name="image"),)
    tf2onnx.convert.from_keras(model, input_signature=spec, opset=13, output_path=str(d / "tiny.onnx"))
    out_paths["onnx"] = d / "tiny.onnx"
    return out_paths


def make_dynamic_onnx(path: Path) -> Path:
    """A small ONNX CNN with dynamic batch, height and width, and a Shape → Gather → Reshape sub-graph
    (the kind TVM's frontend needs folded): x (N, 3, H, W) -> Conv -> Relu -> GlobalAveragePool -> (N, 4)."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    rng = np.random.default_rng(0)
    w = numpy_helper.from_array(rng.standard_normal((4, 3, 3, 3)).astype(np.float32), "w")
    b = numpy_helper.from_array(np.zeros(4, np.float32), "b")
    idx = numpy_helper.from_array(np.array([0], np.int64), "idx")
    minus1 = numpy_helper.from_array(np.array([-1], np.int64), "minus1")
    nodes = [
        helper.make_node("Conv", ["x", "w", "b"], ["c"], pads=[1, 1, 1, 1]),
        helper.make_node("Relu", ["c"], ["r"]),
        helper.make_node("GlobalAveragePool", ["r"], ["g"]),
        helper.make_node("Shape", ["g"], ["s"]),
        helper.make_node("Gather", ["s", "idx"], ["n"], axis=0),
        helper.make_node("Concat", ["n", "minus1"], ["shape"], axis=0),
        helper.make_node("Reshape", ["g", "shape"], ["y"]),
    ]
    graph = helper.make_graph(
        nodes,
        "dynamic_cnn",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 3, "H", "W"])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N", 4])],
        [w, b, idx, minus1],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, str(path))
    return path


@pytest.fixture(scope="session")
def dynamic_onnx(tmp_path_factory: pytest.TempPathFactory) -> Path:
    pytest.importorskip("onnx", reason="building the ONNX test model needs onnx (edgesmith-export-trt)")
    return make_dynamic_onnx(tmp_path_factory.mktemp("dynamic") / "dynamic.onnx")


@pytest.fixture(scope="session")
def dynamic_tflite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A TFLite CNN whose height and width are dynamic (shape signature -1): x (1, H, W, 3) -> (1, 4)."""
    from edgesmith.datasets.tf_runtime import keras, tf

    keras.utils.set_random_seed(0)
    inp = keras.Input((None, None, 3), name="image")
    x = keras.layers.Conv2D(4, 3, activation="relu")(inp)
    out = keras.layers.GlobalAveragePooling2D()(x)
    model = keras.Model(inp, out)
    path = tmp_path_factory.mktemp("dynamic_tflite") / "dynamic.tflite"
    path.write_bytes(tf.lite.TFLiteConverter.from_keras_model(model).convert())
    return path
