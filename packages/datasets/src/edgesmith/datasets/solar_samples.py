"""Forecasting samples from a sensor grid (the solar study): predict one sensor ``horizon`` s ahead.

:func:`solar_windows` gives the MLP layout (the other sensors' values at t, t-1, …), :func:`solar_maps`
the CNN layout (a 50×50 map interpolated from the other sensors). Splits are chronological; the scaler
is fitted on the training split only and kept in ``splits.info["scaler"]`` for inverse transforms.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from edgesmith.datasets.arrays import ArrayDataset, Splits, split_indices
from edgesmith.datasets.errors import DatasetError
from edgesmith.datasets.files import atomic_write

if TYPE_CHECKING:  # pandas is imported where used, so `import edgesmith.datasets` stays fast
    import pandas as pd


@dataclass
class SolarScaler:
    """Standardisation fitted on the training split: ``(v - mean) / std`` for inputs and for the target."""

    x_mean: np.ndarray
    x_std: np.ndarray
    y_mean: float
    y_std: float

    @classmethod
    def fit(cls, x: np.ndarray, y: np.ndarray, per_feature: bool = True) -> SolarScaler:
        """Fit on training inputs (per feature, or one value for all if not ``per_feature``) and targets."""
        axis = tuple(range(x.ndim - 1)) if per_feature else None
        x_mean = np.atleast_1d(np.asarray(x.mean(axis=axis), dtype=np.float64))
        x_std = np.atleast_1d(np.asarray(x.std(axis=axis), dtype=np.float64))
        y_std = float(y.std())
        return cls(
            x_mean, np.where(x_std > 1e-9, x_std, 1.0), float(y.mean()), y_std if y_std > 1e-9 else 1.0
        )

    def transform_x(self, x: np.ndarray) -> np.ndarray:
        """Inputs in W/m² → standardised float32."""
        return ((x - self.x_mean) / self.x_std).astype(np.float32)

    def inverse_x(self, x: np.ndarray) -> np.ndarray:
        """Standardised inputs → W/m²."""
        return np.asarray(x, dtype=np.float64) * self.x_std + self.x_mean

    def transform_y(self, y: np.ndarray) -> np.ndarray:
        """Targets in W/m² → standardised float32."""
        return ((np.asarray(y) - self.y_mean) / self.y_std).astype(np.float32)

    def inverse_y(self, y: np.ndarray) -> np.ndarray:
        """Standardised targets or predictions → W/m²."""
        return np.asarray(y, dtype=np.float64) * self.y_std + self.y_mean

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (for a model's sidecar)."""
        return {
            "x_mean": self.x_mean.tolist(),
            "x_std": self.x_std.tolist(),
            "y_mean": self.y_mean,
            "y_std": self.y_std,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SolarScaler:
        """Inverse of :meth:`to_dict`."""
        try:
            return cls(
                np.asarray(data["x_mean"], dtype=np.float64),
                np.asarray(data["x_std"], dtype=np.float64),
                float(data["y_mean"]),
                float(data["y_std"]),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise DatasetError(
                f"not a SolarScaler dict ({exc}); expected x_mean, x_std, y_mean, y_std"
            ) from exc

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write the scaler as JSON, atomically."""
        with atomic_write(path, "w") as fh:
            json.dump(self.to_dict(), fh, indent=2)
        return Path(path)

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> SolarScaler:
        """Read a scaler written by :meth:`save`."""
        p = Path(path)
        if not p.is_file():
            raise DatasetError(f"scaler file {p} does not exist; save it with SolarScaler.save first")
        try:
            return cls.from_dict(json.loads(p.read_text()))
        except json.JSONDecodeError as exc:
            raise DatasetError(f"{p} is not valid JSON ({exc})") from exc


def _target_name(grid: pd.DataFrame, target: str | int) -> str:
    if isinstance(target, int | np.integer):
        if not -len(grid.columns) <= target < len(grid.columns):
            raise DatasetError(f"target index {target} is out of range for {len(grid.columns)} sensors")
        return str(grid.columns[target])
    if target not in grid.columns:
        raise DatasetError(
            f"target sensor {target!r} is not a column; choose one of {list(grid.columns)[:8]}…"
        )
    return str(target)


def _shift(index: pd.Index, seconds: int) -> pd.Index:
    """``index`` moved by ``seconds`` (time index or numeric seconds)."""
    import pandas as pd

    if isinstance(index, pd.DatetimeIndex):
        return index + pd.Timedelta(seconds=seconds)
    if pd.api.types.is_numeric_dtype(index):
        return index + seconds
    raise DatasetError("the grid needs a DatetimeIndex or a numeric index in seconds")


def aligned_samples(
    grid: pd.DataFrame, target: str | int = 0, horizon: int = 10, lags: int = 1, stride: int = 1
) -> tuple[np.ndarray, np.ndarray, pd.Index, list[str], str]:
    """(x (N, lags, F), y (N,), times, feature names, target) with x the other sensors at t, t-1, … and
    y the target at t + ``horizon`` seconds, matched by timestamp so gaps and night breaks never pair up.
    Samples with any NaN are dropped; ``stride`` keeps every k-th sample time.
    """
    if horizon < 0 or lags < 1 or stride < 1:
        raise DatasetError(f"need horizon >= 0, lags >= 1, stride >= 1; got {horizon}, {lags}, {stride}")
    if grid.shape[1] < 2:
        raise DatasetError(f"the grid has {grid.shape[1]} sensor column(s); it needs the target and others")
    if not grid.index.is_unique or not grid.index.is_monotonic_increasing:
        grid = grid[~grid.index.duplicated()].sort_index()
    name = _target_name(grid, target)
    features = [str(c) for c in grid.columns if c != name]
    times = grid.index[::stride]
    others = grid[features]
    x = np.stack(
        [others.reindex(_shift(times, -lag)).to_numpy(dtype=np.float32) for lag in range(lags)], axis=1
    )
    y = grid[name].reindex(_shift(times, horizon)).to_numpy(dtype=np.float32)
    valid = ~(np.isnan(x).any(axis=(1, 2)) | np.isnan(y))
    if not valid.any():
        raise DatasetError(
            f"no complete samples for target {name!r} at horizon {horizon} s; "
            "the grid is too short or all NaN"
        )
    return x[valid], y[valid], times[valid], features, name


def _chronological(n: int, val_split: float, test_split: float) -> tuple[np.ndarray, ...]:
    return split_indices(n, val_split, test_split, seed=None)


def _period(times: pd.Index, idx: np.ndarray) -> list[str] | None:
    return [str(times[idx[0]]), str(times[idx[-1]])] if len(idx) else None


def solar_windows(
    grid: pd.DataFrame,
    target: str | int = 0,
    horizon: int = 10,
    lags: int = 1,
    val_split: float = 0.1,
    test_split: float = 0.2,
    stride: int = 1,
    scale: bool = True,
) -> Splits:
    """MLP samples: x = the other sensors' last ``lags`` values (N, lags·F), y = target at t + ``horizon``.

    With 50 sensors and ``lags=1`` each sample has 49 inputs, as in the solar study. Splits are in time
    order (train, then val, then test). With ``scale`` the standardisation is fitted on train only;
    ``splits.info["scaler"].inverse_y(pred)`` turns predictions back into W/m². y has shape (N, 1).
    """
    x, y, times, features, name = aligned_samples(grid, target, horizon, lags, stride)
    x = x.reshape(len(x), -1)
    tr, va, te = _chronological(len(x), val_split, test_split)
    scaler = SolarScaler.fit(x[tr], y[tr]) if scale else None
    if scaler is not None:
        x, y = scaler.transform_x(x), scaler.transform_y(y)
    y = y.reshape(-1, 1)
    label = f"solar-windows:{grid.attrs.get('source', 'grid')}"
    info = {
        "scaler": scaler,
        "target": name,
        "horizon_s": horizon,
        "lags": lags,
        "features": [f"{f}@t-{lag}" for lag in range(lags) for f in features],
        "periods": {"train": _period(times, tr), "val": _period(times, va), "test": _period(times, te)},
        "source": grid.attrs.get("source", "grid"),
    }
    val = ArrayDataset(x[va], y[va], label) if len(va) else None
    return Splits(ArrayDataset(x[tr], y[tr], label), val, ArrayDataset(x[te], y[te], label), label, info)


def grid_positions(
    grid: pd.DataFrame, positions: dict[str, tuple[float, float]] | np.ndarray | None
) -> dict[str, tuple[float, float]]:
    """Sensor positions (metres) for each column, from ``positions`` or ``grid.attrs["positions_m"]``."""
    if positions is None:
        positions = grid.attrs.get("positions_m")
    if positions is None:
        raise DatasetError(
            "the grid has no sensor positions; pass positions={sensor: (x_m, y_m)} to build maps"
        )
    if not isinstance(positions, dict):
        arr = np.asarray(positions, dtype=float)
        if arr.shape != (len(grid.columns), 2):
            raise DatasetError(f"positions has shape {arr.shape}, expected ({len(grid.columns)}, 2)")
        positions = {str(c): (float(a), float(b)) for c, (a, b) in zip(grid.columns, arr, strict=True)}
    missing = [c for c in grid.columns if str(c) not in positions]
    if missing:
        raise DatasetError(f"no position for sensors {missing[:5]}; give every column a position")
    return {str(c): tuple(positions[str(c)]) for c in grid.columns}


def idw_weights(
    sensors: np.ndarray, size: int, bounds: tuple[float, float, float, float], power: float = 2.0
) -> np.ndarray:
    """(size·size, S) inverse-distance weights mapping S sensor values onto a size×size pixel grid.

    Row-major pixels, row 0 = north edge; ``bounds`` = (xmin, xmax, ymin, ymax) in metres.
    """
    xmin, xmax, ymin, ymax = bounds
    xs = np.linspace(xmin, xmax, size)
    ys = np.linspace(ymax, ymin, size)
    px, py = np.meshgrid(xs, ys)
    d = np.hypot(px.ravel()[:, None] - sensors[None, :, 0], py.ravel()[:, None] - sensors[None, :, 1])
    d = np.maximum(d, 1e-6 * max(xmax - xmin, ymax - ymin, 1.0))
    w = d**-power
    return (w / w.sum(axis=1, keepdims=True)).astype(np.float32)


def solar_maps(
    grid: pd.DataFrame,
    target: str | int = 0,
    horizon: int = 10,
    size: int = 50,
    positions: dict[str, tuple[float, float]] | np.ndarray | None = None,
    power: float = 2.0,
    val_split: float = 0.1,
    test_split: float = 0.2,
    stride: int = 1,
    scale: bool = True,
) -> Splits:
    """CNN samples: x = (N, size, size, 1) map interpolated (inverse distance) from the other sensors at t,
    y = target at t + ``horizon`` s, shape (N, 1).

    The map spans the bounding box of all sensors plus 5 %; the target is left out of its own map
    (``info["target_pixel"]`` says where it lies). Chronological splits; one scalar scaler for the map
    values and one for the target, fitted on train only. Memory: N·size²·4 bytes (use ``stride``).
    """
    pos = grid_positions(grid, positions)
    x, y, times, features, name = aligned_samples(grid, target, horizon, 1, stride)
    coords = np.array([pos[c] for c in pos], dtype=float)
    span = np.ptp(coords, axis=0)
    pad = 0.05 * np.maximum(span, 1.0)
    bounds = (
        coords[:, 0].min() - pad[0],
        coords[:, 0].max() + pad[0],
        coords[:, 1].min() - pad[1],
        coords[:, 1].max() + pad[1],
    )
    weights = idw_weights(np.array([pos[f] for f in features]), size, bounds, power)
    maps = (x[:, 0, :] @ weights.T).reshape(len(x), size, size, 1)
    tr, va, te = _chronological(len(maps), val_split, test_split)
    scaler = SolarScaler.fit(maps[tr], y[tr], per_feature=False) if scale else None
    if scaler is not None:
        maps, y = scaler.transform_x(maps), scaler.transform_y(y)
    y = y.reshape(-1, 1)
    tx, ty = pos[name]
    col = round((tx - bounds[0]) / (bounds[1] - bounds[0]) * (size - 1))
    row = round((bounds[3] - ty) / (bounds[3] - bounds[2]) * (size - 1))
    label = f"solar-maps:{grid.attrs.get('source', 'grid')}"
    info = {
        "scaler": scaler,
        "target": name,
        "horizon_s": horizon,
        "features": features,
        "target_pixel": (row, col),
        "bounds_m": tuple(float(b) for b in bounds),
        "periods": {"train": _period(times, tr), "val": _period(times, va), "test": _period(times, te)},
        "source": grid.attrs.get("source", "grid"),
    }
    val = ArrayDataset(maps[va], y[va], label) if len(va) else None
    return Splits(
        ArrayDataset(maps[tr], y[tr], label), val, ArrayDataset(maps[te], y[te], label), label, info
    )


__all__ = [
    "SolarScaler",
    "aligned_samples",
    "grid_positions",
    "idw_weights",
    "solar_maps",
    "solar_windows",
]
