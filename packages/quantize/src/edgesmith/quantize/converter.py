"""Keras → TFLite post-training conversion in every mode: float32, float16, dynamic-range, full-integer."""

from __future__ import annotations

import os
import re
import warnings
from collections.abc import Iterable
from typing import Any

from edgesmith.datasets.native_logs import quiet_native_stderr
from edgesmith.datasets.tf_runtime import keras, tf
from edgesmith.quantize.artifact import QuantizedArtifact, check_output_path
from edgesmith.quantize.calibration import Calibration, Representative, calibration_from
from edgesmith.quantize.errors import CalibrationError, QuantizeError, UnquantizableOpError
from edgesmith.quantize.modes import IoDtype, Mode, parse_io_dtype, parse_mode
from edgesmith.quantize.sources import ModelSource, load_source
from edgesmith.quantize.tflite_graph import GraphSummary, layer_of, summarize

_TF_DTYPES = {IoDtype.INT8: tf.int8, IoDtype.UINT8: tf.uint8, IoDtype.FLOAT32: tf.float32}
_OP_IN_ERROR = re.compile(r"'(?:tf|tfl)\.(\w+)' op")
_LOC_IN_ERROR = re.compile(r'"([^"]+)"')


def _configure(converter: Any, mode: Mode, io_dtype: IoDtype, calibration: Calibration | None) -> None:
    if mode is Mode.FLOAT32:
        return
    converter.optimizations = [tf.lite.Optimize.DEFAULT]
    if mode is Mode.FLOAT16:
        converter.target_spec.supported_types = [tf.float16]
        return
    if mode is Mode.DYNAMIC:
        return
    assert calibration is not None
    converter.representative_dataset = calibration.generator
    if mode is Mode.INT8:
        converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
    else:  # float kernels allowed for ops without an int8 kernel
        converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS]
    converter.inference_input_type = _TF_DTYPES[io_dtype]
    converter.inference_output_type = _TF_DTYPES[io_dtype]


def layer_of_tf_op(model: keras.Model, op_type: str, layer_names: Iterable[str]) -> str | None:
    """The Keras layer whose traced TensorFlow graph holds an op of ``op_type`` (e.g. ``Erf``)."""
    spec = [tf.TensorSpec(t.shape, t.dtype) for t in model.inputs]
    try:
        graph = tf.function(model).get_concrete_function(spec if len(spec) > 1 else spec[0]).graph
    except Exception:  # tracing is only a hint for the message; never hide the real error behind it
        return None
    layer_names = tuple(layer_names)
    for op in graph.get_operations():
        if op.type == op_type and (layer := layer_of(op.name, layer_names)):
            return layer
    return None


def _converter_error(
    exc: Exception, mode: Mode, model: keras.Model, layer_names: Iterable[str]
) -> QuantizeError:
    """Turn TF's multi-page converter error into one line naming the op, its layer and the fix."""
    text = str(exc)
    op_match = _OP_IN_ERROR.search(text)
    op = op_match.group(1) if op_match else None
    layer = None
    for loc in _LOC_IN_ERROR.findall(text):
        if layer := layer_of(loc, layer_names):
            break
    if op and layer is None:
        layer = layer_of_tf_op(model, op, layer_names)
    where = f" in layer {layer!r}" if layer else ""
    if op and ("neither a custom op nor a flex op" in text or "ERROR_NEEDS_FLEX_OPS" in text):
        return UnquantizableOpError(
            f"op {op}{where} has no TFLite builtin kernel (not even float); replace the layer with "
            "TFLite-supported ops",
            op,
            layer,
        )
    if op and mode is Mode.INT8:
        return UnquantizableOpError(
            f"op {op}{where} cannot be fully quantized to int8; retry with --mode int8-fallback "
            "(float kernel for that op) or replace the layer",
            op,
            layer,
        )
    first = next((line.strip() for line in text.splitlines() if "error" in line.lower()), text.strip()[:200])
    return QuantizeError(f"TFLite conversion ({mode.value}) failed: {first[:300]}")


def _check_fully_integer(graph: GraphSummary) -> None:
    """In int8 mode TF leaves ops without an int8 kernel in float silently; refuse that loudly."""
    float_ops = graph.float_ops
    if not float_ops:
        return
    first = float_ops[0]
    where = f" in layer {first.layer!r}" if first.layer else f" (tensor {first.outputs[0]!r})"
    others = [f"{op.name} in {op.layer!r}" if op.layer else op.name for op in float_ops[1:4]]
    if len(float_ops) > 4:
        others.append(f"{len(float_ops) - 4} more")
    more = f" (also {', '.join(others)})" if others else ""
    raise UnquantizableOpError(
        f"op {first.name}{where} has no int8 kernel and would stay float{more}; use --mode int8-fallback "
        "to keep it in float, or replace the layer",
        first.name,
        first.layer,
    )


def convert(
    model: ModelSource,
    mode: Mode | str = Mode.INT8,
    representative: Representative | None = None,
    io_dtype: IoDtype | str | None = None,
    *,
    calibration_samples: int = 100,
    seed: int = 0,
    output: str | os.PathLike | None = None,
    training: dict[str, Any] | None = None,
    source_sha256: str | None = None,
) -> QuantizedArtifact:
    """Convert a Keras model (object or file) to TFLite in ``mode``; write it when ``output`` is given.

    ``representative`` (an (N, ...) float array, an ArrayDataset or a TFLite-style generator function) is
    required by the full-integer modes; ``calibration_samples`` of it are used, picked with ``seed``.
    ``io_dtype`` (int8 / uint8 / float32) sets the full-integer model's input and output tensors; it defaults
    to int8 for ``int8`` and float32 for ``int8-fallback``. In ``int8`` mode an op without an int8 kernel
    raises :class:`UnquantizableOpError` naming the op and its layer. ``source_sha256`` records the hash of
    the file an in-memory model came from (or that QAT/pruning started from) instead of hashing the object.
    """
    mode = parse_mode(mode)
    io = parse_io_dtype(io_dtype, mode)
    if output is not None:
        check_output_path(output)
    keras_model, source_hash = load_source(model)
    source_hash = source_sha256 or source_hash
    if len(keras_model.inputs) != 1:
        raise QuantizeError(
            f"model {keras_model.name!r} has {len(keras_model.inputs)} inputs; edgesmith.quantize converts "
            "single-input models"
        )
    calibration = None
    if mode.needs_calibration:
        if representative is None:
            raise CalibrationError(
                f"mode {mode.value} needs representative data; pass representative= (--calib-data)"
            )
        calibration = calibration_from(representative, keras_model.input_shape, calibration_samples, seed)

    layer_names = [layer.name for layer in _all_layers(keras_model)]
    converter = tf.lite.TFLiteConverter.from_keras_model(keras_model)
    _configure(converter, mode, io, calibration)
    try:
        with warnings.catch_warnings(), quiet_native_stderr():
            warnings.simplefilter("ignore")  # "Statistics for quantized inputs were expected" and friends
            content = converter.convert()
    except Exception as exc:  # tf.lite ConverterError and MLIR errors carry pages of IR
        raise _converter_error(exc, mode, keras_model, layer_names) from exc

    graph = summarize(content, layer_names)
    if mode is Mode.INT8:
        _check_fully_integer(graph)
    artifact = QuantizedArtifact(
        content=content,
        mode=mode,
        io_dtype=io,
        source_sha256=source_hash,
        source_name=keras_model.name,
        graph=graph,
        calibration=calibration.to_dict() if calibration else None,
        training=training,
    )
    if output is not None:
        artifact.save(output)
    return artifact


def _all_layers(model: keras.Model) -> list[keras.layers.Layer]:
    """Every layer, nested models and tfmot wrappers included (inner names appear in tensor names)."""
    out: list[keras.layers.Layer] = []
    stack = list(model.layers)
    while stack:
        layer = stack.pop(0)
        out.append(layer)
        if isinstance(layer, keras.Model):
            stack.extend(layer.layers)
        inner = getattr(layer, "layer", None)
        if isinstance(inner, keras.layers.Layer):
            out.append(inner)
    return out
