"""Training-time profile of a tiny regression MLP (document 002's setting, scaled down)."""

from __future__ import annotations

import numpy as np
import pytest

from edgesmith.models.training_profile import available_devices, profile_training
from edgesmith.profiling import RunnerError


@pytest.fixture(scope="module")
def mlp():
    from edgesmith.datasets.tf_runtime import keras

    keras.utils.set_random_seed(0)
    inp = keras.Input((6,))
    h = keras.layers.Dense(16, activation="relu")(inp)
    return keras.Model(inp, keras.layers.Dense(1)(h), name="mlp16")


def test_training_profile_times_epochs_steps_and_inference(mlp) -> None:
    rng = np.random.default_rng(0)
    x = rng.random((64, 6), dtype=np.float32)
    y = x.sum(axis=1, keepdims=True)
    before = [w.copy() for w in mlp.get_weights()]
    prof = profile_training(
        mlp, x, y, epochs=3, batch_size=16, devices=["cpu"], inference_batch_sizes=(2, 8), inference_runs=3
    )
    (cpu,) = prof.training
    assert len(cpu.epoch_s) == 3 and cpu.steps_per_epoch == 4
    assert all(t > 0 for t in cpu.epoch_s) and cpu.step_ms > 0
    assert cpu.samples_per_s == pytest.approx(64 / cpu.steady_epoch_s)
    assert np.isfinite(cpu.final_loss)
    assert [p.batch_size for p in prof.inference] == [2, 8] and all(p.mean_ms for p in prof.inference)
    assert prof.params == 6 * 16 + 16 + 17 and prof.speedup() is None
    assert all(
        np.array_equal(a, b) for a, b in zip(before, mlp.get_weights(), strict=True)
    )  # original untouched
    md = prof.to_markdown()
    assert "| cpu |" in md and "| cpu | 8 |" in md
    assert prof.to_dict()["training"][0]["steady_epoch_s"] == cpu.steady_epoch_s


def test_training_profile_rejects_bad_requests(mlp) -> None:
    x = np.zeros((4, 6), np.float32)
    with pytest.raises(RunnerError, match="must match"):
        profile_training(mlp, x, np.zeros((3, 1)), devices=["cpu"])
    if "gpu" not in available_devices():
        with pytest.raises(RunnerError, match="no GPU visible"):
            profile_training(mlp, x, np.zeros((4, 1)), devices=["gpu"])
