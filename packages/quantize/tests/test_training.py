"""Magnitude pruning reaches its target sparsity, QAT converts to full int8, prune → QAT keeps the zeros."""

from __future__ import annotations

import numpy as np
import pytest

from edgesmith.quantize import convert, prune, quantize_aware_train, tflite_predict, weight_sparsity
from edgesmith.quantize.pruning import pruning_frequency


@pytest.fixture(scope="module")
def pruned(classifier, data):
    return prune(classifier, data, epochs=2, batch_size=16, final_sparsity=0.8)


def test_prune_reaches_the_final_sparsity(pruned, classifier) -> None:
    assert pruned.sparsity >= 0.8 - 0.01
    assert weight_sparsity(pruned.model) == pytest.approx(pruned.sparsity)
    assert weight_sparsity(classifier) < 0.01  # the caller's model is untouched
    assert [type(layer).__name__ for layer in pruned.model.layers] == [
        type(layer).__name__ for layer in classifier.layers
    ]  # stripped: no pruning wrappers left
    assert pruned.schedule["initial_sparsity"] == 0.2 and pruned.schedule["end_step"] == 2 * 6 - 1
    assert set(pruned.schedule["pruned_layers"]) == {"conv", "hidden", "logits"}


def test_pruned_model_keeps_its_sparsity_in_tflite(pruned) -> None:
    art = convert(pruned.model, "float32")
    assert art.graph.weight_sparsity >= 0.8 - 0.01


def test_prune_then_qat_preserves_sparsity_in_full_int8(pruned, data) -> None:
    x, _ = data
    qat = quantize_aware_train(pruned.model, data, epochs=1, batch_size=16)
    assert qat.training["scheme"] == "prune_preserve_8bit"
    art = convert(qat.model, "int8", x)
    assert art.graph.float_ops == ()
    assert art.graph.weight_sparsity >= 0.8 - 0.01


def test_qat_model_converts_to_int8_close_to_its_keras_outputs(classifier, data) -> None:
    x, y = data
    qat = quantize_aware_train(classifier, data, epochs=1, batch_size=16)
    assert qat.training["scheme"] == "default_8bit" and qat.float_layers == ()
    art = convert(qat.model, "int8", x)
    ref = qat.model.predict(x, verbose=0)
    pred = tflite_predict(art.content, x)
    # The QAT model already simulates int8 rounding, so the int8 file should agree to ~2 output steps (5 %).
    assert np.max(np.abs(pred - ref)) <= 0.05 * float(ref.max() - ref.min())
    assert np.mean(pred.argmax(1) == y) >= np.mean(classifier.predict(x, verbose=0).argmax(1) == y) - 0.05


def test_pruning_frequency_lands_on_the_end_step() -> None:
    assert pruning_frequency(2000) == 100  # document 001's schedule keeps tfmot's default
    assert pruning_frequency(11) == 11
    assert 1000 % pruning_frequency(1000) == 0


def test_bad_sparsity_targets(classifier, data) -> None:
    from edgesmith.quantize import QuantizeError

    with pytest.raises(QuantizeError, match="sparsities"):
        prune(classifier, data, initial_sparsity=0.9, final_sparsity=0.5)
