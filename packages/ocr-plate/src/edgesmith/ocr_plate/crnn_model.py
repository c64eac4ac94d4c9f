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


def crnn_from_tflite(path, **build_kwargs) -> keras.Model:
    """The logits model rebuilt from a float32 TFLite export of :func:`with_softmax` (``build_kwargs`` as
    it was built), so a shipped reader can be fine-tuned without its Keras file.

    The converter folds most BatchNorms into their conv (kernel × scale, bias) and keeps the others as a
    MUL + ADD after it; either way each BatchNorm here gets identity statistics, the affine as gamma /
    beta, and is frozen (inference mode) so fine-tuning does not re-estimate statistics it never had.
    """
    import numpy as np
    from ai_edge_litert.interpreter import Interpreter

    it = Interpreter(str(path))
    it.allocate_tensors()
    names = {d["index"]: d["name"] for d in it.get_tensor_details()}
    ops = it._get_ops_details()  # the op graph: the only place that says which bias belongs to which conv
    consumers: dict[int, list[dict]] = {}
    for op in ops:
        for i in op["inputs"]:
            consumers.setdefault(int(i), []).append(op)

    def after(tensor: int, kind: str) -> dict | None:
        found = [o for o in consumers.get(tensor, []) if o["op_name"] == kind]
        return found[0] if found else None

    outputs = it.get_output_details()[0]["shape"]
    model = build_crnn(int(outputs[-1]), int(it.get_input_details()[0]["shape"][1]),
                       int(it.get_input_details()[0]["shape"][2]), **build_kwargs)  # fmt: skip
    done = set()
    for op in ops:
        if op["op_name"] != "CONV_2D":
            continue
        _, w_idx, b_idx = (int(v) for v in op["inputs"])
        layer = names[w_idx].split("/")[-2]  # ".../c1_conv/Conv2D" or ".../classes/Conv2D"
        kernel = np.transpose(it.get_tensor(w_idx), (1, 2, 3, 0))  # OHWI → HWIO
        bias = it.get_tensor(b_idx) if b_idx >= 0 else np.zeros(kernel.shape[-1], np.float32)
        if layer == "classes":
            model.get_layer(layer).set_weights([kernel, bias])
            done.add(layer)
            continue
        scale, shift = np.ones_like(bias), bias
        out = int(op["outputs"][0])
        b2s = after(out, "BATCH_TO_SPACE_ND")  # dilated convs are split around space-to-batch
        if b2s is not None:
            out = int(b2s["outputs"][0])
        mul = after(out, "MUL")
        if mul is not None:  # BatchNorm kept unfolded: x·s + t
            s_idx = next(int(i) for i in mul["inputs"] if int(i) != out)
            add = after(int(mul["outputs"][0]), "ADD")
            t_idx = next(int(i) for i in add["inputs"] if int(i) != int(mul["outputs"][0]))
            scale = it.get_tensor(s_idx)
            shift = bias * scale + it.get_tensor(t_idx)
        base = layer.removesuffix("_conv")
        model.get_layer(layer).set_weights([kernel])
        bn = model.get_layer(f"{base}_bn")
        var = np.full_like(bias, 1.0 - bn.epsilon)  # (x - 0) / sqrt(var + eps) = x
        bn.set_weights([scale, shift, np.zeros_like(bias), var])
        bn.trainable = False
        done.add(layer)
    expected = {lay.name for lay in model.layers if isinstance(lay, keras.layers.Conv2D)}
    if done != expected:
        raise ValueError(f"{path}: no weights for {sorted(expected - done)}; not a build_crnn export")
    return model


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


__all__ = ["build_crnn", "crnn_from_tflite", "ctc_loss", "with_softmax"]
