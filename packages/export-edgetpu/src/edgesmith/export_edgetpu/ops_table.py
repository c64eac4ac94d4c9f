"""The Edge TPU compiler's documented supported-operation table and its per-op limits, as checkable rules.

Source: Coral, "TensorFlow models on the Edge TPU" (coral.ai/docs/edgetpu/models-intro), section "Supported
operations" and "Model requirements". ``min_runtime`` is the Edge TPU runtime version the op needs ("All"
in the table is encoded as 10, the oldest runtime the compiler targets). Each ``check`` returns ``None`` when
the op is within the documented limits, else the reason it is not.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import numpy as np

from edgesmith.profiling.tflite_graph import Op

ALL_RUNTIMES = 10
LATEST_RUNTIME = 14
QUANTIZED_DTYPES = frozenset({"int8", "uint8"})
# Constant operands the compiler accepts besides 8-bit weights: int32 biases, shapes, axes, paddings, strides.
CONSTANT_DTYPES = QUANTIZED_DTYPES | {"int32", "int64"}
SOFTMAX_MAX_ELEMENTS = 16_000

Check = Callable[[Op, int], str | None]


@dataclasses.dataclass(frozen=True)
class OpRule:
    """One row of Coral's table: the TFLite builtin, the runtime it needs, the documented limitation."""

    op: str
    min_runtime: int = ALL_RUNTIMES
    limitation: str = ""
    check: Check | None = None


def _non_unit_axes(shape: tuple[int, ...]) -> int:
    return sum(1 for d in shape if d > 1)


def _no_fused_activation(op: Op, runtime: int) -> str | None:
    act = op.option("fusedActivationFunction", 0)
    return None if not act else "has a fused activation function (not supported for this op)"


def _same_dilation(op: Op, runtime: int) -> str | None:
    w, h = op.option("dilationWFactor", 1) or 1, op.option("dilationHFactor", 1) or 1
    if op.name == "DEPTHWISE_CONV_2D" and runtime < 13 and (w > 1 or h > 1):
        return "uses a dilated kernel (runtime < 13 has no dilated depthwise convolution)"
    return None if w == h else f"uses different dilations in x and y ({w} vs {h})"


def _concatenation(op: Op, runtime: int) -> str | None:
    if op.option("fusedActivationFunction", 0):
        return "has a fused activation function (not supported for this op)"
    consts = [t for t in op.inputs if t.constant]
    if not consts:
        return None
    values = consts[0].values()
    if len(op.inputs) != 2 or len(consts) != 1 or values is None or np.any(values):
        return "concatenates a constant tensor that is not a single all-zero operand of a 2-input concat"
    return None


def _fully_connected(op: Op, runtime: int) -> str | None:
    if op.option("weightsFormat", 0):
        return "uses a non-default (shuffled) weights format"
    out = op.outputs[0].shape if op.outputs else ()
    return None if _non_unit_axes(out) <= 1 else f"output {out} is not one-dimensional"


def _axis_values(op: Op, position: int = 1) -> list[int] | None:
    if len(op.inputs) <= position or not op.inputs[position].constant:
        return None
    values = op.inputs[position].values()
    if values is None:
        return None
    rank = op.inputs[0].rank
    return [int(a) % rank if rank else int(a) for a in np.ravel(values)]


def _reduce(op: Op, runtime: int) -> str | None:
    axes = _axis_values(op)
    if axes is None:
        return "reduction axes are not a compile-time constant"
    if 0 in axes and op.inputs[0].rank > 1:
        return "reduces along the batch dimension"
    if op.name == "MEAN":
        rank = op.inputs[0].rank
        if runtime < 13 and any(a not in (rank - 3, rank - 2) for a in axes):
            return "reduces along an axis other than x/y (runtime < 13 supports only x/y reductions)"
        if rank - 1 in axes and op.inputs[0].shape[-1] % 4:
            return f"z-reduction over {op.inputs[0].shape[-1]} channels (must be a multiple of 4)"
    return None


def _pad(op: Op, runtime: int) -> str | None:
    if len(op.inputs) < 2 or not op.inputs[1].constant:
        return "paddings are not a compile-time constant"
    pads = op.inputs[1].values()
    if pads is None:
        return "paddings are not a compile-time constant"
    pads = np.asarray(pads).reshape(-1, 2)
    if len(pads) and np.any(pads[0]):
        return "pads the batch dimension"
    if runtime < 13 and len(pads) >= 4 and np.any(pads[3]):
        return "pads the channel dimension (runtime < 13 supports only x/y padding)"
    return None


def _not_batch_axis(op: Op, runtime: int) -> str | None:
    if op.name == "PACK":
        return "packs along the batch dimension" if op.option("axis", 0) == 0 else None
    axes = _axis_values(op, position=0)  # SPLIT: axis is input 0
    return "splits along the batch dimension" if axes and 0 in axes else None


def _resize(op: Op, runtime: int) -> str | None:
    for t in (op.inputs[0], op.outputs[0]):
        if t.rank > 3 and any(d > 1 for d in t.shape[:-3]):
            return f"input/output {t.shape} is not a 3-dimensional tensor (batch must be 1)"
    return None


def _softmax(op: Op, runtime: int) -> str | None:
    shape = op.inputs[0].shape
    if _non_unit_axes(shape) > 1:
        return f"input {shape} is not a 1-D tensor"
    size = int(np.prod(shape)) if shape else 1
    return None if size <= SOFTMAX_MAX_ELEMENTS else f"input has {size} elements (max {SOFTMAX_MAX_ELEMENTS})"


def _strided_slice(op: Op, runtime: int) -> str | None:
    if op.option("ellipsisMask", 0) or op.option("newAxisMask", 0):
        return "uses an ellipsis or new-axis mask"
    strides = op.inputs[3].values() if len(op.inputs) > 3 and op.inputs[3].constant else None
    if strides is None or np.any(np.asarray(strides) != 1):
        return "strides are not all 1"
    return None


def _prelu(op: Op, runtime: int) -> str | None:
    alpha = op.inputs[1].shape if len(op.inputs) > 1 else ()
    if alpha and _non_unit_axes(alpha[:-1]):
        return f"alpha {alpha} is not 1-dimensional (use PReLU(shared_axes=[1, 2]))"
    return None


RULES: dict[str, OpRule] = {
    r.op: r
    for r in (
        OpRule("ADD"),
        OpRule("AVERAGE_POOL_2D", limitation="No fused activation function.", check=_no_fused_activation),
        OpRule(
            "CONCATENATION",
            limitation="No fused activation function. A compile-time constant input must be the only other "
            "input of a 2-input concat and all zeros (a zero-padding op).",
            check=_concatenation,
        ),
        OpRule(
            "CONV_2D", limitation="Must use the same dilation in x and y dimensions.", check=_same_dilation
        ),
        OpRule(
            "DEPTHWISE_CONV_2D",
            limitation="Same dilation in x and y (runtime < 13: no dilated kernels).",
            check=_same_dilation,
        ),
        OpRule("EXPAND_DIMS", 13),
        OpRule(
            "FULLY_CONNECTED",
            limitation="Only the default weights format. Output tensor is one-dimensional.",
            check=_fully_connected,
        ),
        OpRule("L2_NORMALIZATION"),
        OpRule("LOGISTIC"),
        OpRule("UNIDIRECTIONAL_SEQUENCE_LSTM", 14, "Unidirectional LSTM only."),
        OpRule("LSTM", 14, "Unidirectional LSTM only."),
        OpRule("MAXIMUM"),
        OpRule("MAX_POOL_2D", limitation="No fused activation function.", check=_no_fused_activation),
        OpRule(
            "MEAN",
            limitation="No reduction in batch dimension; a z-reduction needs a multiple of 4 channels "
            "(runtime < 13: x/y only).",
            check=_reduce,
        ),
        OpRule("MINIMUM"),
        OpRule("MUL"),
        OpRule("PACK", limitation="No packing in batch dimension.", check=_not_batch_axis),
        OpRule("PAD", limitation="No padding in batch dimension (runtime < 13: x/y only).", check=_pad),
        OpRule("PRELU", 13, "Alpha must be 1-dimensional (Keras PReLU with shared_axes=[1, 2]).", _prelu),
        OpRule("QUANTIZE", 13),
        OpRule("REDUCE_MAX", 14, "Cannot operate on the batch dimension.", _reduce),
        OpRule("REDUCE_MIN", 14, "Cannot operate on the batch dimension.", _reduce),
        OpRule("RELU"),
        OpRule("RELU6"),
        OpRule("RELU_N1_TO_1"),
        OpRule("RESHAPE", limitation="Certain reshapes might not be mapped for large tensor sizes."),
        OpRule(
            "RESIZE_BILINEAR",
            limitation="Input/output is a 3-dimensional tensor; may stay on the CPU to avoid precision loss.",
            check=_resize,
        ),
        OpRule(
            "RESIZE_NEAREST_NEIGHBOR",
            limitation="Input/output is a 3-dimensional tensor; may stay on the CPU to avoid precision loss.",
            check=_resize,
        ),
        OpRule("RSQRT", 14),
        OpRule("SLICE"),
        OpRule(
            "SOFTMAX",
            limitation=f"Only a 1-D input tensor with at most {SOFTMAX_MAX_ELEMENTS:,} elements.",
            check=_softmax,
        ),
        OpRule("SPACE_TO_DEPTH"),
        OpRule("SPLIT", limitation="No splitting in batch dimension.", check=_not_batch_axis),
        OpRule("SQUEEZE"),
        OpRule(
            "STRIDED_SLICE",
            limitation="All strides equal to 1, no ellipsis mask, no new-axis mask.",
            check=_strided_slice,
        ),
        OpRule("SUB"),
        OpRule("SUM", 13, "Cannot operate on the batch dimension.", _reduce),
        OpRule("SQUARED_DIFFERENCE", 14),
        OpRule("TANH"),
        OpRule("TRANSPOSE", 14),
        OpRule("TRANSPOSE_CONV", 13),
    )
}

# What to do about an op that keeps the graph off the TPU (keys are TFLite builtin names).
OP_HINTS: dict[str, str] = {
    "TRANSPOSE_CONV": "replace Conv2DTranspose with UpSampling2D + Conv2D (as the Edge TPU study does), "
    "or target runtime >= 13",
    "DEQUANTIZE": "convert with full-integer quantization (representative dataset, "
    "supported_ops=[TFLITE_BUILTINS_INT8], int8 input/output) so no float tensors remain",
    "LEAKY_RELU": "use ReLU / ReLU6, or PReLU(shared_axes=[1, 2]) on runtime >= 13",
    "ELU": "use ReLU / ReLU6",
    "GELU": "use ReLU / ReLU6",
    "HARD_SWISH": "use ReLU6 (the Edge TPU has no hard-swish)",
    "EXP": "compute the exponential on the host after the Edge TPU part",
    "LOG_SOFTMAX": "apply log-softmax on the host after the Edge TPU part",
    "BATCH_MATMUL": "express it as a Dense (FULLY_CONNECTED) layer with constant weights",
    "ARG_MAX": "take the argmax on the host from the model's output",
    "ARG_MIN": "take the argmin on the host from the model's output",
    "CAST": "keep tensors int8 end to end; remove the tf.cast",
    "PADV2": "pad with zeros (PAD) instead of a constant value",
    "MIRROR_PAD": "use zero padding (padding='same') instead of reflect/symmetric padding",
    "DIV": "multiply by a constant reciprocal instead of dividing",
    "SQRT": "use RSQRT (runtime >= 14) or move it to the host",
    "GATHER": "slice with constant indices (SLICE / STRIDED_SLICE) or move it to the host",
    "SOFTMAX": "a per-pixel softmax over a 3-D tensor stays on the CPU: end the model at the logits "
    "(argmax is unchanged) or apply the softmax on the host",
    "SHAPE": "the graph reads tensor shapes at run time (usually a dynamic batch size); give the model a "
    "static input shape with batch 1 before converting",
    "CUSTOM": "replace the custom op with builtin ops from the Edge TPU table",
}
GENERIC_HINT = (
    "not in the Edge TPU op table: replace it with a supported op or move it to the end of the graph, "
    "where it runs on the CPU without splitting the TPU part"
)
FLOAT_HINT = (
    "quantize the whole model to int8: TFLiteConverter with a representative dataset, "
    "supported_ops=[TFLITE_BUILTINS_INT8], inference_input_type=inference_output_type=tf.int8"
)
FLOAT_IO_HINT = (
    "float I/O: set inference_input_type=tf.int8 and inference_output_type=tf.int8 so input quantize / "
    "output dequantize are not left on the CPU"
)
RANK_HINT = "reshape so that at most the 3 innermost dimensions exceed 1 (batch 1)"
DYNAMIC_HINT = (
    "give the model a static shape before converting: keras.Input(shape, batch_size=1), or "
    "converter from a concrete function with a fixed input signature"
)
SHAPE_HINT = "the graph computes shapes at run time (usually a dynamic batch size): " + DYNAMIC_HINT
RUNTIME_HINT = "compile with --min-runtime {need} (Edge TPU runtime >= {need} on the device)"
FUSED_HINT = "apply the activation in the layer before the pool/concat (e.g. Conv2D(activation='relu'))"


def hint_for(op_name: str) -> str:
    """The documented fix for an op the Edge TPU cannot run."""
    return OP_HINTS.get(op_name, GENERIC_HINT)
