"""The solar study's irradiance forecasters: Table 3.1's 30 pyramidal MLPs and Table 3.2's map CNN."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

from edgesmith.datasets.tf_runtime import keras
from edgesmith.models.errors import ModelError

#: Table 3.1's starting networks: 1, 2 and 3 hidden layers, each half the previous (25 / 2 rounded up to 13).
TABLE_3_1_BASES: tuple[tuple[int, ...], ...] = ((50,), (50, 25), (50, 25, 13))


def _check_hidden(hidden: Sequence[int] | int) -> tuple[int, ...]:
    widths = (int(hidden),) if isinstance(hidden, int) else tuple(int(h) for h in hidden)
    if not widths or any(w < 1 for w in widths):
        raise ModelError(f"hidden layer widths must be positive integers, got {hidden!r}")
    return widths


def mlp_param_count(input_dim: int, hidden: Sequence[int] | int) -> int:
    """Σ (cᵢ + 1)·cᵢ₊₁ over input → hidden layers → 1 output (the solar study, formula 3.7)."""
    widths = (int(input_dim), *_check_hidden(hidden), 1)
    return sum((a + 1) * b for a, b in itertools.pairwise(widths))


def solar_mlp(input_dim: int, hidden: Sequence[int] | int, activation: str = "relu") -> keras.Model:
    """Fully connected regressor: ``input_dim`` features → ReLU layers ``hidden`` → one linear output."""
    if int(input_dim) < 1:
        raise ModelError(f"input_dim must be >= 1, got {input_dim}")
    widths = _check_hidden(hidden)
    inputs = keras.Input(shape=(int(input_dim),), name="features")
    x = inputs
    for i, units in enumerate(widths, start=1):
        x = keras.layers.Dense(units, activation=activation, name=f"hidden{i}")(x)
    outputs = keras.layers.Dense(1, name="irradiance")(x)
    return keras.Model(inputs, outputs, name="mlp_" + "-".join(str(w) for w in widths))


def pyramid_topologies(
    bases: Sequence[Sequence[int]] = TABLE_3_1_BASES, n_nets: int = 10
) -> list[tuple[int, ...]]:
    """The solar study's generator: each base network and its n_nets - 1 successive doublings."""
    if n_nets < 1:
        raise ModelError(f"n_nets must be >= 1, got {n_nets}")
    return [tuple(int(w) * 2**n for w in base) for base in bases for n in range(n_nets)]


@dataclass(frozen=True)
class MLPSpec:
    """One member of the MLP family: its hidden widths and parameter count, built only on demand."""

    hidden: tuple[int, ...]
    input_dim: int

    @property
    def name(self) -> str:
        return "-".join(str(w) for w in self.hidden)

    @property
    def params(self) -> int:
        return mlp_param_count(self.input_dim, self.hidden)

    def build(self) -> keras.Model:
        """The Keras model (the widest members hold hundreds of millions of weights: build selectively)."""
        return solar_mlp(self.input_dim, self.hidden)


def solar_mlp_family(input_dim: int = 49, n_nets: int = 10) -> list[MLPSpec]:
    """The 30 pyramidal MLPs of Table 3.1 (50 … 25,600 wide, 1–3 hidden layers), as lazily built specs.

    The solar study fed its networks 50 features (counts: 1600 → 83,201, 3200-1600-832 → 6,617,665 params);
    pass ``input_dim`` to match your windows (the default 49 = the other sensors of a 50-sensor grid).
    """
    return [MLPSpec(hidden, int(input_dim)) for hidden in pyramid_topologies(TABLE_3_1_BASES, n_nets)]


def solar_map_cnn(
    input_shape: tuple[int, int, int] = (50, 50, 1), output_activation: str = "linear"
) -> keras.Model:
    """Table 3.2's CNN on 50×50 irradiance maps: Conv32 → Conv64 → MaxPool → Dropout → Dense128 → Dense1.

    4,352,641 parameters at 50×50×1. The solar study's code put a ReLU on the output (irradiance is >= 0); the
    default here is linear, which cannot die in training; ``output_activation="relu"`` gives the original.
    """
    inputs = keras.Input(shape=tuple(int(v) for v in input_shape), name="irradiance_map")
    x = keras.layers.Conv2D(32, 3, activation="relu", name="conv2d_1")(inputs)
    x = keras.layers.Conv2D(64, 3, activation="relu", name="conv2d_2")(x)
    x = keras.layers.MaxPooling2D(2, name="max_pooling2d_1")(x)
    x = keras.layers.Dropout(0.25, name="dropout_1")(x)
    x = keras.layers.Flatten(name="flatten_1")(x)
    x = keras.layers.Dense(128, activation="relu", name="dense_1")(x)
    x = keras.layers.Dropout(0.5, name="dropout_2")(x)
    outputs = keras.layers.Dense(1, activation=output_activation, name="dense_2")(x)
    return keras.Model(inputs, outputs, name="solar_map_cnn")
