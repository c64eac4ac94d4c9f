"""Dynamic ONNX -> fixed input shapes -> onnxslim: the shape sub-graph folds away, outputs unchanged."""

from __future__ import annotations

import json

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper

from edgesmith.export_trt.errors import ExportError
from edgesmith.export_trt.onnx_shapes import input_dims, is_dynamic, prepare_onnx


@pytest.fixture
def dynamic_model(tmp_path):
    rng = np.random.default_rng(0)
    inits = [
        numpy_helper.from_array(rng.standard_normal((4, 3, 3, 3)).astype(np.float32), "w"),
        numpy_helper.from_array(np.array([0], np.int64), "idx"),
        numpy_helper.from_array(np.array([-1], np.int64), "minus1"),
    ]
    nodes = [
        helper.make_node("Conv", ["x", "w"], ["c"], pads=[1, 1, 1, 1]),
        helper.make_node("GlobalAveragePool", ["c"], ["g"]),
        helper.make_node("Shape", ["g"], ["s"]),
        helper.make_node("Gather", ["s", "idx"], ["n"], axis=0),
        helper.make_node("Concat", ["n", "minus1"], ["shape"], axis=0),
        helper.make_node("Reshape", ["g", "shape"], ["y"]),
    ]
    graph = helper.make_graph(
        nodes,
        "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 3, "H", "W"])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N", 4])],
        inits,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    path = tmp_path / "dyn.onnx"
    onnx.save(model, str(path))
    return path


def test_fixed_and_simplified_model_is_static_smaller_and_equal(dynamic_model, tmp_path) -> None:
    import onnxruntime as ort

    out = prepare_onnx(dynamic_model, tmp_path / "fixed.onnx", {"x": (1, 3, 20, 24)})
    fixed = onnx.load(str(out))
    assert input_dims(fixed) == [("x", (1, 3, 20, 24))] and not is_dynamic(fixed)
    ops = [n.op_type for n in fixed.graph.node]
    assert "Shape" not in ops and "Gather" not in ops and len(ops) < 6
    sidecar = json.loads((tmp_path / "fixed.onnx.json").read_text())
    assert (sidecar["simplified"], sidecar["input_shapes"]) == ("onnxslim", {"x": [1, 3, 20, 24]})
    x = np.random.default_rng(1).random((1, 3, 20, 24), dtype=np.float32)
    want = ort.InferenceSession(str(dynamic_model)).run(None, {"x": x})[0]
    got = ort.InferenceSession(str(out)).run(None, {"x": x})[0]
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)


def test_wrong_names_and_ranks_are_refused_and_leave_nothing(dynamic_model, tmp_path) -> None:
    with pytest.raises(ExportError, match="no input named 'image'"):
        prepare_onnx(dynamic_model, tmp_path / "a.onnx", {"image": (1, 3, 8, 8)})
    with pytest.raises(ExportError, match="rank 4"):
        prepare_onnx(dynamic_model, tmp_path / "a.onnx", {"x": (1, 8, 8)})
    assert not (tmp_path / "a.onnx").exists()
