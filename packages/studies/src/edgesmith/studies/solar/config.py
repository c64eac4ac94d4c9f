"""The solar study's settings: data, model range, devices, batch sizes, repeats (document 002)."""

from __future__ import annotations

import dataclasses

from edgesmith.profiling.runner import RunnerError

VAL_SPLIT, TEST_SPLIT = 0.1, 0.2


@dataclasses.dataclass
class SolarConfig:
    """What the solar study measures; the defaults finish offline on 2 CPU cores in a few minutes."""

    grid: tuple[str, ...] = ()  # Oahu grid CSV files or folders; empty = synthetic pvlib grid
    duration_s: int = 3600  # length of the synthetic grid (seconds at 1 Hz)
    target: str | int = 0  # sensor to forecast (column name or index)
    horizon_s: int = 10
    max_params: int | None = 1_000_000  # MLPs above this are skipped; None = all 30 of Table 3.1
    mlp_batch_sizes: tuple[int, ...] = (100, 500, 1000)
    mlp_fit_batch: int = 100
    cnn: bool = True
    map_size: int = 50
    map_stride: int = 3  # keep every k-th second for the CNN's maps (memory and time)
    cnn_batch_sizes: tuple[int, ...] = (2, 32, 256, 1024)
    cnn_fit_batch: int = 32
    fit_epochs: int = 10  # document 002 trained one epoch, on far more data than the default grid holds
    repeats: int = 3  # timed epochs per batch size after one warm-up epoch
    inference_sizes: tuple[int, ...] = (2, 64, 512, 1024)
    inference_warmup: int = 3
    inference_runs: int = 10
    probe_max_batch: int = 8192
    devices: tuple[str, ...] | None = None  # default: the CPU, plus the GPU when TensorFlow sees one
    seed: int = 0
    forecast_window_s: int = 300

    def check(self) -> None:
        """Reject settings that cannot produce a measurement, with a one-line reason."""
        for name in ("duration_s", "horizon_s", "mlp_fit_batch", "map_size", "map_stride", "cnn_fit_batch"):
            if int(getattr(self, name)) < 1:
                raise RunnerError(f"{name} must be >= 1, got {getattr(self, name)}")
        if self.fit_epochs < 1 or self.repeats < 1 or self.inference_runs < 1 or self.probe_max_batch < 1:
            raise RunnerError("fit epochs, repeats, inference runs and the probe bound must be >= 1")
        for name in ("mlp_batch_sizes", "cnn_batch_sizes", "inference_sizes"):
            values = getattr(self, name)
            if not values or any(int(v) < 1 for v in values):
                raise RunnerError(f"{name} must be positive integers, got {list(values)}")
        if self.max_params is not None and self.max_params < 1:
            raise RunnerError(f"max_params must be >= 1 (or None for all 30 MLPs), got {self.max_params}")
