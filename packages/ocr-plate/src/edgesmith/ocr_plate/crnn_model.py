"""The CRNN plate reader's Keras architecture and CTC loss (training only: imports TensorFlow).

Convolutional-recurrent in the CTC sense, but with the recurrence replaced by dilated 1-D
convolutions along the width: a BiLSTM does not convert to a full-int8 TFLite model cleanly,
while this network converts entirely to int8 builtins and still sees the whole plate from every
output column (receptive field > input width). Output: ``(batch, width / 4, classes)`` softmax,
class 0 the CTC blank.
"""

from __future__ import annotations

from edgesmith.datasets.tf_runtime import keras, tf


def _conv(x, filters: int, kernel=(3, 3), dilation=(1, 1), padding: str = "same", name: str = ""):
    """Conv (no bias) → BatchNorm → ReLU: folds into one int8 conv at conversion."""
    x = keras.layers.Conv2D(
        filters, kernel, padding=padding, dilation_rate=dilation, use_bias=False, name=f"{name}_conv"
    )(x)
    x = keras.layers.BatchNormalization(name=f"{name}_bn")(x)
    return keras.layers.ReLU(name=f"{name}_relu")(x)


def build_crnn(
    num_classes: int,
    height: int = 32,
    width: int = 128,
    filters: tuple[int, int, int, int] = (16, 32, 48, 64),
    width_context: int = 96,
    dropout: float = 0.15,
) -> keras.Model:
    """Logits model ``(B, H, W, 1) → (B, W/4, num_classes)``; wrap with :func:`with_softmax` to ship.

    ``filters`` are the widths of the four 3×3 conv stages, ``width_context`` the channels of the
    column features and of the three dilated (1, 5) context convolutions (receptive field 57 columns).
    """
    if height != 32 or width % 4:
        raise ValueError(f"the CRNN expects 32-pixel-high inputs, width divisible by 4; got {height}×{width}")
    f1, f2, f3, f4 = filters
    inputs = keras.Input((height, width, 1), name="crop")
    x = _conv(inputs, f1, name="c1")
    x = keras.layers.MaxPool2D(2, name="p1")(x)  # 16 × W/2
    x = _conv(x, f2, name="c2")
    x = keras.layers.MaxPool2D(2, name="p2")(x)  # 8 × W/4
    x = _conv(x, f3, name="c3")
    x = keras.layers.MaxPool2D((2, 1), name="p3")(x)  # 4 × W/4
    x = _conv(x, f4, name="c4")
    x = _conv(x, width_context, kernel=(4, 1), padding="valid", name="collapse")  # 1 × W/4
    for i, d in enumerate((1, 2, 4)):  # sequence context along the width
        y = _conv(x, width_context, kernel=(1, 5), dilation=(1, d), name=f"ctx{i}")
        x = keras.layers.Add(name=f"ctx{i}_add")([x, y])
    x = keras.layers.Dropout(dropout, name="drop")(x)
    x = keras.layers.Conv2D(num_classes, 1, name="classes")(x)
    logits = keras.layers.Reshape((width // 4, num_classes), name="logits")(x)
    return keras.Model(inputs, logits, name="plate_crnn")


def with_softmax(logits_model: keras.Model) -> keras.Model:
    """The shipped model: the logits model followed by a softmax over classes (what the reader decodes)."""
    probs = keras.layers.Softmax(name="probs")(logits_model.output)
    return keras.Model(logits_model.input, probs, name="plate_crnn_probs")


def ctc_loss(labels: tf.Tensor, logits: tf.Tensor) -> tf.Tensor:
    """Mean CTC loss; ``labels`` are blank(0)-padded class ids, so their length is their non-zero count."""
    labels = tf.cast(labels, tf.int32)
    label_length = tf.reduce_sum(tf.cast(labels > 0, tf.int32), axis=1)
    logit_length = tf.fill([tf.shape(logits)[0]], tf.shape(logits)[1])
    loss = tf.nn.ctc_loss(
        labels=labels,
        logits=logits,
        label_length=label_length,
        logit_length=logit_length,
        logits_time_major=False,
        blank_index=0,
    )
    return tf.reduce_mean(loss)


__all__ = ["build_crnn", "ctc_loss", "with_softmax"]
