"""A dense plate detector (CenterNet style) that finds every plate, small or large, and its training loss.

Document 001's single global box regressor cannot localise a 40-px plate in a 320-px photo, nor more than
one plate. This network predicts, on a stride-8 grid of a letterboxed square photo, a centre heatmap and a
box per cell (the channels of :mod:`edgesmith.datasets.box_grid`, which also decodes them without
TensorFlow). The backbone is a small depthwise-separable CNN with a two-level feature pyramid: it trains
from scratch on a CPU and runs in a few milliseconds as int8 TFLite.
"""

from __future__ import annotations

from typing import Any

from edgesmith.datasets.tf_runtime import keras, tf
from edgesmith.models.errors import ModelError

GRID_CHANNELS = 5
"""Output channels per cell: heatmap, offset x, offset y, sqrt width, sqrt height (all sigmoid, [0, 1])."""


def _conv_bn(x: Any, filters: int, kernel: int, stride: int, name: str) -> Any:
    x = keras.layers.Conv2D(filters, kernel, strides=stride, padding="same", use_bias=False, name=name)(x)
    x = keras.layers.BatchNormalization(momentum=0.9, name=f"{name}_bn")(x)
    return keras.layers.ReLU(6.0, name=f"{name}_relu")(x)


def _sep(x: Any, filters: int, stride: int, name: str) -> Any:
    """Depthwise 3×3 (stride) + pointwise 1×1, each with BatchNorm and ReLU6; residual when shapes match."""
    y = keras.layers.DepthwiseConv2D(3, strides=stride, padding="same", use_bias=False, name=f"{name}_dw")(x)
    y = keras.layers.BatchNormalization(momentum=0.9, name=f"{name}_dw_bn")(y)
    y = keras.layers.ReLU(6.0, name=f"{name}_dw_relu")(y)
    y = keras.layers.Conv2D(filters, 1, use_bias=False, name=f"{name}_pw")(y)
    y = keras.layers.BatchNormalization(momentum=0.9, name=f"{name}_pw_bn")(y)
    y = keras.layers.ReLU(6.0, name=f"{name}_pw_relu")(y)
    if stride == 1 and x.shape[-1] == filters:
        y = keras.layers.Add(name=f"{name}_add")([x, y])
    return y


def plate_centernet(input_size: int | None = 384, width: int = 16) -> keras.Model:
    """The dense detector: (S, S, 3) float RGB in [0, 1] → (S/8, S/8, 5) grid in [0, 1].

    Stem and stages at strides 2/4/8/16/32 with ``width``·(1, 2, 3, 6, 8) channels; the stride-32 and
    stride-16 features are upsampled into the stride-8 grid (large plates need the wide receptive field,
    small ones the fine grid). ``input_size`` must be a multiple of 32; ``None`` accepts any such size
    (train on crops, then copy the weights into a fixed-size model for export).
    """
    if input_size is not None and (input_size % 32 or input_size < 64):
        raise ModelError(f"input_size must be a multiple of 32 and >= 64, got {input_size}")
    w = int(width)
    inputs = keras.Input(shape=(input_size, input_size, 3), name="image")
    x = _conv_bn(inputs, w, 3, 2, "stem")  # /2
    x = _sep(x, 2 * w, 2, "s4a")  # /4
    x = _sep(x, 2 * w, 1, "s4b")
    x = _sep(x, 3 * w, 2, "s8a")  # /8
    c3 = _sep(x, 3 * w, 1, "s8b")
    x = _sep(c3, 6 * w, 2, "s16a")  # /16
    x = _sep(x, 6 * w, 1, "s16b")
    c4 = _sep(x, 6 * w, 1, "s16c")
    x = _sep(c4, 8 * w, 2, "s32a")  # /32
    x = _sep(x, 8 * w, 1, "s32b")
    c5 = _sep(x, 8 * w, 1, "s32c")
    f = 4 * w
    p5 = _conv_bn(c5, f, 1, 1, "lat5")
    p4 = keras.layers.Add(name="fpn4")([_conv_bn(c4, f, 1, 1, "lat4"),
                                        keras.layers.UpSampling2D(2, name="up5")(p5)])  # fmt: skip
    p4 = _sep(p4, f, 1, "fpn4_sep")
    p3 = keras.layers.Add(name="fpn3")([_conv_bn(c3, f, 1, 1, "lat3"),
                                        keras.layers.UpSampling2D(2, name="up4")(p4)])  # fmt: skip
    p3 = _sep(p3, f, 1, "fpn3_sep")
    p3 = _sep(p3, f, 1, "head_sep")
    heat = keras.layers.Conv2D(1, 1, bias_initializer=keras.initializers.Constant(-4.0), name="heat")(p3)
    box = keras.layers.Conv2D(4, 1, name="box")(p3)
    out = keras.layers.Concatenate(name="grid_logits")([heat, box])
    out = keras.layers.Activation("sigmoid", name="grid")(out)
    return keras.Model(inputs, out, name="plate_centernet")


def centernet_loss(box_weight: float = 5.0, alpha: float = 2.0, beta: float = 4.0) -> Any:
    """Penalty-reduced focal loss on the heatmap + ``box_weight`` × L1 on the box channels where weighted.

    ``y_true`` is :func:`edgesmith.datasets.box_grid.encode_boxes`'s (G, G, 6) target; both terms are
    normalised by the number of plates in the batch (CenterNet, Zhou et al. 2019).
    """

    def loss(y_true: Any, y_pred: Any) -> Any:
        y_true = tf.cast(y_true, tf.float32)
        heat_t, heat_p = y_true[..., 0], tf.clip_by_value(y_pred[..., 0], 1e-4, 1 - 1e-4)
        pos = tf.cast(heat_t >= 0.999, tf.float32)
        n = tf.maximum(tf.reduce_sum(pos), 1.0)
        pos_loss = -tf.math.log(heat_p) * (1 - heat_p) ** alpha * pos
        neg_loss = -tf.math.log(1 - heat_p) * heat_p**alpha * (1 - heat_t) ** beta * (1 - pos)
        focal = (tf.reduce_sum(pos_loss) + tf.reduce_sum(neg_loss)) / n
        weight = y_true[..., 5:6]
        l1 = tf.reduce_sum(tf.abs(y_true[..., 1:5] - y_pred[..., 1:5]) * weight) / tf.maximum(
            tf.reduce_sum(weight), 1.0
        )
        return focal + box_weight * l1

    loss.__name__ = "centernet_loss"
    return loss


__all__ = ["GRID_CHANNELS", "centernet_loss", "plate_centernet"]
