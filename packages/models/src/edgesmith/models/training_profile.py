"""Training-time profiles (the solar study): time per epoch and per step, samples/s, CPU vs GPU, and
inference time at several batch sizes.

Each device trains its own copy of the model from the same initial weights, so the devices do the
same work. The first epoch includes graph tracing; ``steady_epoch_s`` excludes it when there are
several epochs, and ``step_ms`` excludes each epoch's first step::

    from edgesmith.models.training_profile import profile_training
    prof = profile_training(model, x, y, epochs=2, batch_size=100, loss="mse")
    print(prof.to_markdown())
"""

from __future__ import annotations

import dataclasses
import json
import os
from collections.abc import Sequence
from time import perf_counter_ns
from typing import Any

import numpy as np

from edgesmith.profiling.artifacts import atomic_write
from edgesmith.profiling.bench import bench
from edgesmith.profiling.host import host_info
from edgesmith.profiling.runner import RunnerError


@dataclasses.dataclass
class DeviceTraining:
    """One device's training run: wall-clock seconds per epoch, mean step time, throughput, final loss."""

    device: str
    epoch_s: list[float]
    steps_per_epoch: int
    step_ms: float
    samples_per_s: float
    final_loss: float

    @property
    def first_epoch_s(self) -> float:
        return self.epoch_s[0]

    @property
    def steady_epoch_s(self) -> float:
        """Mean epoch time after the first (the first when there is only one)."""
        return float(np.mean(self.epoch_s[1:])) if len(self.epoch_s) > 1 else self.epoch_s[0]


@dataclasses.dataclass
class InferencePoint:
    """Inference latency at one batch size on one device, or why it failed (e.g. out of memory)."""

    device: str
    batch_size: int
    mean_ms: float | None = None
    per_sample_ms: float | None = None
    samples_per_s: float | None = None
    error: str | None = None


@dataclasses.dataclass
class TrainingProfile:
    """Training and inference timings of one model on every device measured."""

    model: str
    params: int
    samples: int
    batch_size: int
    epochs: int
    training: list[DeviceTraining]
    inference: list[InferencePoint]
    host: dict[str, Any]

    def speedup(self, device: str = "gpu", baseline: str = "cpu") -> float | None:
        """How many times faster ``device`` trains a steady epoch than ``baseline`` (None if not measured)."""
        by = {t.device: t for t in self.training}
        if device not in by or baseline not in by:
            return None
        return by[baseline].steady_epoch_s / by[device].steady_epoch_s

    def to_dict(self) -> dict[str, Any]:
        d = dataclasses.asdict(self)
        for t, row in zip(self.training, d["training"], strict=True):
            row["first_epoch_s"], row["steady_epoch_s"] = t.first_epoch_s, t.steady_epoch_s
        d["speedup_gpu_vs_cpu"] = self.speedup()
        return d

    def to_json(self, path: str | os.PathLike[str] | None = None) -> str:
        text = json.dumps(self.to_dict(), indent=2, default=str)
        if path is not None:
            atomic_write(path, text)
        return text

    def to_markdown(self) -> str:
        lines = [
            f"{self.model}: {self.params:,} parameters, {self.samples:,} samples, batch {self.batch_size}, "
            f"{self.epochs} epoch(s)\n",
            "| device | first epoch s | steady epoch s | step ms | samples/s | final loss |",
            "|---|---:|---:|---:|---:|---:|",
        ]
        lines += [
            f"| {t.device} | {t.first_epoch_s:.3f} | {t.steady_epoch_s:.3f} | {t.step_ms:.3f} | "
            f"{t.samples_per_s:.1f} | {t.final_loss:.5g} |"
            for t in self.training
        ]
        if (s := self.speedup()) is not None:
            lines.append(f"\nGPU speed-up over CPU (steady epoch): {s:.2f}×")
        if self.inference:
            lines += ["", "| device | batch | mean ms | ms/sample | samples/s |", "|---|---:|---:|---:|---:|"]
            for p in self.inference:
                if p.error:
                    lines.append(f"| {p.device} | {p.batch_size} | failed: {p.error} | | |")
                else:
                    lines.append(
                        f"| {p.device} | {p.batch_size} | {p.mean_ms:.3f} | {p.per_sample_ms:.4f} | "
                        f"{p.samples_per_s:.1f} |"
                    )
        return "\n".join(lines) + "\n"


def available_devices() -> list[str]:
    """``["cpu"]``, plus ``"gpu"`` when TensorFlow sees one."""
    from edgesmith.datasets.tf_runtime import GPUS

    return ["cpu", "gpu"] if GPUS else ["cpu"]


def epoch_timer(keras: Any) -> Any:
    """A Keras callback recording wall-clock seconds per epoch (``.epochs``) and ms per step (``.steps``)."""

    class _Timer(keras.callbacks.Callback):
        """Wall-clock time of every epoch and every training step."""

        def __init__(self) -> None:
            super().__init__()
            self.epochs: list[float] = []
            self.steps: list[list[float]] = []

        def on_epoch_begin(self, epoch: int, logs: Any = None) -> None:
            self._e0 = perf_counter_ns()
            self.steps.append([])

        def on_epoch_end(self, epoch: int, logs: Any = None) -> None:
            self.epochs.append((perf_counter_ns() - self._e0) / 1e9)

        def on_train_batch_begin(self, batch: int, logs: Any = None) -> None:
            self._b0 = perf_counter_ns()

        def on_train_batch_end(self, batch: int, logs: Any = None) -> None:
            self.steps[-1].append((perf_counter_ns() - self._b0) / 1e6)

    return _Timer()


def profile_training(
    model: Any,
    x: np.ndarray,
    y: np.ndarray,
    epochs: int = 1,
    batch_size: int = 100,
    loss: str = "mse",
    optimizer: str = "adam",
    devices: Sequence[str] | None = None,
    inference_batch_sizes: Sequence[int] = (2, 64, 512, 1024),
    inference_runs: int = 10,
    seed: int = 0,
) -> TrainingProfile:
    """Train a copy of ``model`` (a keras.Model or a model path) on each device and time it.

    ``devices`` defaults to the CPU plus the GPU when present; asking for "gpu" without one is an error.
    Inference is then timed on each device at ``inference_batch_sizes`` with the trained copy.
    """
    from edgesmith.datasets.tf_runtime import GPUS, keras, tf
    from edgesmith.models.runner import KerasRunner, load_keras_model

    if epochs < 1 or batch_size < 1:
        raise RunnerError(f"need epochs >= 1 and batch size >= 1, got {epochs} and {batch_size}")
    if len(x) != len(y) or len(x) == 0:
        raise RunnerError(f"x has {len(x)} samples and y {len(y)}; they must match and not be empty")
    if not isinstance(model, keras.Model):
        model = load_keras_model(model)
        if not isinstance(model, keras.Model):
            raise RunnerError("training profiles need a Keras model (.keras/.h5), not a raw SavedModel")
    devices = list(devices or available_devices())
    for d in devices:
        if d not in ("cpu", "gpu"):
            raise RunnerError(f"unknown device {d!r}; use cpu or gpu")
        if d == "gpu" and not GPUS:
            raise RunnerError("no GPU visible to TensorFlow; drop 'gpu' from the devices")
    initial = model.get_weights()
    x = np.asarray(x, np.float32)
    y = np.asarray(y, np.float32)
    training, inference = [], []
    for device in devices:
        keras.utils.set_random_seed(seed)
        with tf.device("/GPU:0" if device == "gpu" else "/CPU:0"):
            copy = keras.models.clone_model(model)
            copy.set_weights(initial)
            copy.compile(optimizer=optimizer, loss=loss)
            timer = epoch_timer(keras)
            hist = copy.fit(
                x, y, epochs=epochs, batch_size=batch_size, shuffle=True, verbose=0, callbacks=[timer]
            )
        steps = [s for epoch in timer.steps for s in epoch[1:]] or [s for epoch in timer.steps for s in epoch]
        steady = float(np.mean(timer.epochs[1:])) if epochs > 1 else timer.epochs[0]
        training.append(
            DeviceTraining(
                device=device,
                epoch_s=timer.epochs,
                steps_per_epoch=len(timer.steps[0]),
                step_ms=float(np.mean(steps)),
                samples_per_s=len(x) / steady,
                final_loss=float(hist.history["loss"][-1]),
            )
        )
        runner = KerasRunner(f"{model.name}@{device}", model=copy, device=device)
        for bs in inference_batch_sizes:
            try:
                r = bench(runner, (bs,), warmup=2, runs=inference_runs, inputs=x)
                s = r.stats()
                inference.append(InferencePoint(device, bs, s.mean_ms, s.mean_ms / bs, s.throughput))
            except (RunnerError, tf.errors.ResourceExhaustedError) as exc:
                inference.append(InferencePoint(device, bs, error=str(exc).splitlines()[0]))
        runner.deactivate()
    return TrainingProfile(
        model=model.name,
        params=int(model.count_params()),
        samples=len(x),
        batch_size=batch_size,
        epochs=epochs,
        training=training,
        inference=inference,
        host=host_info(),
    )
