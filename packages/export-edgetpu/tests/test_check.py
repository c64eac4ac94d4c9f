"""The Edge TPU readiness check on real TFLite files converted from tiny Keras models."""

from __future__ import annotations

import pytest

from edgesmith.export_edgetpu import ModelFileError, check_model, read_tflite
from edgesmith.export_edgetpu.check import AFTER_SPLIT, BAD_DTYPE, INPUT_QUANTIZE, MAPPED, NOT_SUPPORTED
from edgesmith.export_edgetpu.ops_table import RULES


def test_reader_sees_ops_in_execution_order(tflite_models):
    graph = read_tflite(tflite_models["int8"])
    names = [op.name for op in graph.ops]
    assert names[0] == "CONV_2D" and "MAX_POOL_2D" in names and "RESIZE_NEAREST_NEIGHBOR" in names
    assert graph.inputs[0].dtype == "int8" and graph.inputs[0].shape == (1, 8, 8, 1)
    conv = graph.ops[0]
    weights = [t for t in conv.inputs if t.constant]
    assert {t.dtype for t in weights} == {"int8", "int32"}  # int8 kernel, int32 bias
    assert weights[0].values() is not None


def test_fully_int8_model_maps_every_op(tflite_models):
    report = check_model(tflite_models["int8"])
    assert report.fully_mapped and report.ready and not report.warnings
    assert report.split_index is None
    assert report.cpu_ops == 0 and report.tpu_ops == len(report.ops) >= 6
    assert {v.status for v in report.ops} == {MAPPED}
    assert report.hints() == []
    assert "all" in report.summary()


def test_unsupported_op_splits_the_graph_there(tflite_models):
    report = check_model(tflite_models["leaky"])
    assert not report.fully_mapped
    split = report.split_op
    assert split is not None and split.op == "LEAKY_RELU" and split.status == NOT_SUPPORTED
    before, after = report.ops[: split.index], report.ops[split.index + 1 :]
    assert before and all(v.placement == "tpu" for v in before)
    assert after and all(v.placement == "cpu" for v in after)
    assert any(v.op == "CONV_2D" and v.status == AFTER_SPLIT for v in after)  # supported, but after the split
    assert [v.op for v in report.unsupported()] == ["LEAKY_RELU"]
    assert any("LEAKY_RELU" in h and "ReLU" in h for h in report.hints())
    assert f"op {split.index} LEAKY_RELU" in report.summary()


def test_dynamic_batch_is_not_ready_for_the_compiler(tmp_path, convert):
    from edgesmith.datasets.tf_runtime import keras

    inputs = keras.Input((8, 8, 1))  # batch None -> shape signature -1
    model = keras.Model(inputs, keras.layers.Conv2D(2, 3, padding="same", activation="relu")(inputs))
    report = check_model(convert(model, tmp_path / "dyn.tflite", int8=True))
    assert report.fully_mapped and report.dynamic_batch and not report.ready
    assert any("dynamic batch" in w and "batch_size=1" in w for w in report.warnings)
    assert check_model(convert(model, tmp_path / "dyn.tflite", int8=True)).to_dict()["ready"] is False


def test_float_model_splits_at_first_op_with_quantization_hint(tflite_models):
    report = check_model(tflite_models["float"])
    assert report.split_index == 0 and report.tpu_ops == 0
    assert report.ops[0].status == BAD_DTYPE and "float32" in report.ops[0].reason
    assert any("representative dataset" in h for h in report.hints())


def test_float_io_keeps_quantize_on_cpu_without_splitting(tflite_models):
    report = check_model(tflite_models["float_io"])
    assert report.ops[0].op == "QUANTIZE" and report.ops[0].status == INPUT_QUANTIZE
    assert report.ops[-1].op == "DEQUANTIZE" and report.ops[-1].placement == "cpu"
    assert report.split_index is None and report.fully_mapped
    assert any("inference_input_type=tf.int8" in h for h in report.hints())


def test_transpose_conv_needs_runtime_13_and_hints_upsampling(tmp_path, convert):
    from edgesmith.datasets.tf_runtime import keras

    inputs = keras.Input((4, 4, 2), batch_size=1)
    x = keras.layers.Conv2D(2, 3, padding="same", activation="relu")(inputs)
    outputs = keras.layers.Conv2DTranspose(2, 3, strides=2, padding="same")(x)
    path = convert(keras.Model(inputs, outputs), tmp_path / "deconv.tflite", int8=True)

    old = check_model(path, min_runtime_version=12)
    assert old.split_op is not None and old.split_op.op == "TRANSPOSE_CONV"
    assert "UpSampling2D + Conv2D" in old.split_op.hint
    assert RULES["TRANSPOSE_CONV"].min_runtime == 13
    assert check_model(path, min_runtime_version=14).fully_mapped


def test_rank_limit_is_enforced(tmp_path, convert):
    from edgesmith.datasets.tf_runtime import keras
    from edgesmith.export_edgetpu.check import BAD_RANK

    inputs = keras.Input((2, 4, 4, 3), batch_size=1)  # 5-D: 4 dimensions > 1
    model = keras.Model(inputs, keras.layers.ReLU()(inputs * 2.0))
    report = check_model(convert(model, tmp_path / "rank5.tflite", int8=True))
    assert report.split_op is not None and report.split_op.status == BAD_RANK


@pytest.mark.parametrize("content", [b"", b"not a flatbuffer at all"])
def test_corrupt_file_is_one_clear_error(tmp_path, content):
    bad = tmp_path / "bad.tflite"
    bad.write_bytes(content)
    with pytest.raises(ModelFileError, match="not a TFLite flatbuffer"):
        check_model(bad)
    with pytest.raises(ModelFileError, match="no such file"):
        check_model(tmp_path / "missing.tflite")
