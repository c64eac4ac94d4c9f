"""Solar irradiance sensor grids (solar study): NREL MIDC Oahu 1-second files, a pvlib stand-in, TMY files.

Every grid is a ``pandas.DataFrame``: a time index (1 s steps), one column per sensor in W/m², missing
values as NaN, and ``df.attrs["positions_m"]`` = {sensor: (x, y)} in metres, used by :func:`solar_maps`.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from edgesmith.datasets.errors import DatasetError

if TYPE_CHECKING:  # pandas is imported where used, so `import edgesmith.datasets` stays fast
    import pandas as pd

HST = "Pacific/Honolulu"  # Hawaii-Aleutian Standard Time, UTC-10 all year (no daylight saving)

# Raw MIDC "Oahu Solar Measurement Grid" daily files (https://midcdmz.nrel.gov/oahu_archive/): headerless
# comma-separated Campbell "array" records, one per second from 05:00 to 20:00 HST, -99999 = missing.
OAHU_TIME_COLUMNS = ("Seconds", "Year", "DOY", "HST")
OAHU_SENSOR_COLUMNS = (
    *("DH3", "DH4", "DH5", "DH10", "DH11", "DH9", "DH2", "DH1", "Tilt_DH1"),
    *("AP6", "Tilt_AP6", "AP1", "AP3", "AP5", "AP4", "AP7", "DH6", "DH7", "DH8"),
)
OAHU_RAW_COLUMNS = OAHU_TIME_COLUMNS + OAHU_SENSOR_COLUMNS  # 23 fields
OAHU_MISSING = -99999.0

# Station coordinates (degrees) of the 17 global-horizontal pyranometers, from the MIDC station list.
OAHU_STATIONS: dict[str, tuple[float, float]] = {
    "AP1": (21.31276, -158.08389),
    "AP3": (21.31281, -158.08163),
    "AP4": (21.31141, -158.07947),
    "AP5": (21.30983, -158.08249),
    "AP6": (21.30812, -158.07935),
    "AP7": (21.31478, -158.07785),
    "DH1": (21.31533, -158.08700),
    "DH2": (21.31451, -158.08534),
    "DH3": (21.31236, -158.08463),
    "DH4": (21.31303, -158.08505),
    "DH5": (21.31357, -158.08424),
    "DH6": (21.31179, -158.08678),
    "DH7": (21.31418, -158.08685),
    "DH8": (21.31034, -158.08675),
    "DH9": (21.31268, -158.08688),
    "DH10": (21.31183, -158.08554),
    "DH11": (21.31042, -158.08530),
}
OAHU_CENTER = (21.3125, -158.0833)

# pvlib ships these typical-meteorological-year files in pvlib/data.
TMY_FILES = {"greensboro": "723170TYA.CSV", "sand_point": "703165TY.csv", "miami": "12839.tm2"}


def latlon_to_metres(points: dict[str, tuple[float, float]]) -> dict[str, tuple[float, float]]:
    """Local east/north metres of (lat, lon) points around their mean (equirectangular; fine below ~10 km)."""
    lat0 = float(np.mean([p[0] for p in points.values()]))
    lon0 = float(np.mean([p[1] for p in points.values()]))
    kx = 111_320.0 * math.cos(math.radians(lat0))
    return {k: ((lon - lon0) * kx, (lat - lat0) * 110_540.0) for k, (lat, lon) in points.items()}


def _grid_files(paths: str | os.PathLike[str] | Iterable[str | os.PathLike[str]]) -> list[Path]:
    items = [paths] if isinstance(paths, str | os.PathLike) else list(paths)
    files: list[Path] = []
    for item in items:
        p = Path(item).expanduser()
        if p.is_dir():
            files += sorted(
                f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in (".txt", ".csv", ".dat")
            )
        elif p.is_file():
            files.append(p)
        else:
            raise DatasetError(
                f"Oahu grid path {p} does not exist; pass daily files or the folder holding them"
            )
    if not files:
        raise DatasetError(f"no .txt/.csv/.dat files under {items}; pass the unzipped MIDC daily files")
    return files


def _first_field(path: Path) -> str:
    with path.open("r", errors="replace") as fh:
        for line in fh:
            if line.strip():
                return line.split(",")[0].strip()
    raise DatasetError(f"{path} is empty; download that day again or leave it out")


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def read_oahu_raw(path: Path, include_tilt: bool = False) -> pd.DataFrame:
    """One raw MIDC daily file (23 headerless fields) as a DataFrame indexed by HST timestamps."""
    import pandas as pd

    try:
        raw = pd.read_csv(path, header=None, dtype=float, na_values=["NAN", "NaN", ""])
    except (pd.errors.ParserError, ValueError) as exc:
        raise DatasetError(
            f"{path} is not a MIDC Oahu 1-second file ({str(exc).splitlines()[0]}); "
            "expect 23 comma-separated numeric fields per line"
        ) from exc
    if raw.shape[1] != len(OAHU_RAW_COLUMNS):
        raise DatasetError(
            f"{path} has {raw.shape[1]} fields per line, expected {len(OAHU_RAW_COLUMNS)} "
            "(Seconds, Year, DOY, HST hhmm, 19 irradiance columns); is it an Oahu grid file?"
        )
    raw.columns = list(OAHU_RAW_COLUMNS)
    incomplete = raw[list(OAHU_TIME_COLUMNS)].isna().any(axis=1) | raw.iloc[:, -1].isna()
    if incomplete.any():
        row = int(np.flatnonzero(incomplete.to_numpy())[0]) + 1
        raise DatasetError(f"{path} line {row} is incomplete (truncated file?); download that day again")
    hhmm = raw["HST"].astype(int)
    stamp = (
        pd.to_datetime(raw["Year"].astype(int).astype(str), format="%Y")
        + pd.to_timedelta(raw["DOY"] - 1, unit="D")
        + pd.to_timedelta(hhmm // 100, unit="h")
        + pd.to_timedelta(hhmm % 100, unit="min")
        + pd.to_timedelta(raw["Seconds"], unit="s")
    )
    columns = [c for c in OAHU_SENSOR_COLUMNS if include_tilt or not c.startswith("Tilt_")]
    frame = raw[columns].copy()
    frame.index = pd.DatetimeIndex(stamp).tz_localize(HST)
    frame.index.name = "time"
    return frame.mask(frame <= OAHU_MISSING / 10)


def read_wide_csv(path: Path) -> pd.DataFrame:
    """A grid CSV with a header: first column timestamps, then one numeric column per sensor."""
    import pandas as pd

    try:
        frame = pd.read_csv(path, index_col=0)
        frame.index = pd.to_datetime(frame.index)
        frame = frame.apply(pd.to_numeric, errors="raise").astype(float)
    except (ValueError, TypeError, pd.errors.ParserError) as exc:
        raise DatasetError(
            f"{path} is neither a raw MIDC file nor a table of time + numeric sensor columns ({exc})"
        ) from exc
    frame.index.name = "time"
    return frame.mask(frame <= OAHU_MISSING / 10)


def _sidecar_positions(path: Path) -> dict[str, tuple[float, float]] | None:
    """Sensor positions from a ``<file>.json`` sidecar (as ``edgesmith-data sample solar`` writes), if any."""
    import json

    sidecar = path.with_name(path.name + ".json")
    if not sidecar.is_file():
        return None
    try:
        positions = json.loads(sidecar.read_text()).get("positions_m")
        return {str(k): (float(v[0]), float(v[1])) for k, v in positions.items()}
    except (ValueError, AttributeError, TypeError, IndexError):
        return None


def load_oahu_grid(
    paths: str | os.PathLike[str] | Iterable[str | os.PathLike[str]], include_tilt: bool = False
) -> pd.DataFrame:
    """Oahu Solar Measurement Grid irradiance (W/m², 1 s, HST) from raw MIDC daily files or wide CSVs.

    ``paths`` is a file, a folder (searched recursively, e.g. the unzipped ``YYYYMM/`` monthly folders) or a
    list of them. Raw files give the 17 global-horizontal sensors (``include_tilt`` adds the two tilted
    ones); ``-99999`` becomes NaN. A CSV with a header row (time column + one column per sensor, such as
    the 50-column processed table of the solar study) is read as it is; sensor positions then come from a
    ``<file>.json`` sidecar with ``positions_m`` when there is one.
    """
    import pandas as pd

    files = _grid_files(paths)
    frames = []
    for path in files:
        frames.append(
            read_oahu_raw(path, include_tilt) if _is_number(_first_field(path)) else read_wide_csv(path)
        )
    columns = frames[0].columns
    for path, frame in zip(files, frames, strict=True):
        if list(frame.columns) != list(columns):
            raise DatasetError(f"{path} has columns {list(frame.columns)[:5]}…, unlike the other files")
    grid = pd.concat(frames).sort_index()
    grid = grid[~grid.index.duplicated(keep="first")]
    stations = {c: c.removeprefix("Tilt_") for c in grid.columns}
    known = {c: OAHU_STATIONS[s] for c, s in stations.items() if s in OAHU_STATIONS}
    if len(known) == len(grid.columns):
        grid.attrs["positions_m"] = latlon_to_metres(known)
    else:
        sidecar = _sidecar_positions(files[0])
        if sidecar is not None and set(map(str, grid.columns)) <= set(sidecar):
            grid.attrs["positions_m"] = {str(c): sidecar[str(c)] for c in grid.columns}
    grid.attrs["source"] = "oahu"
    return grid


def sensor_layout(n_sensors: int = 50, extent_m: float = 1000.0, seed: int = 0) -> np.ndarray:
    """(n, 2) sensor positions in metres: a jittered square lattice over ``extent_m`` × ``extent_m``."""
    if n_sensors < 2:
        raise DatasetError(f"a sensor grid needs at least 2 sensors, got {n_sensors}")
    rng = np.random.default_rng(seed)
    side = math.ceil(math.sqrt(n_sensors))
    cell = extent_m / side
    lattice = np.array([(i % side, i // side) for i in range(side * side)], dtype=float)[:n_sensors]
    return (lattice + 0.5 + rng.uniform(-0.3, 0.3, lattice.shape)) * cell


def cloud_field(
    shape: tuple[int, int], cloud_cover: float, size_cells: float, rng: np.random.Generator
) -> np.ndarray:
    """A periodic smooth cloud-opacity field in [0, 1] covering about ``cloud_cover`` of its area."""
    from scipy.ndimage import gaussian_filter
    from scipy.special import expit, ndtri

    z = gaussian_filter(rng.standard_normal(shape), sigma=size_cells, mode="wrap")
    z = (z - z.mean()) / (z.std() + 1e-12)
    if cloud_cover <= 0:
        return np.zeros(shape)
    threshold = ndtri(1.0 - min(cloud_cover, 0.999))
    return expit((z - threshold) / 0.15)


def synthetic_sensor_grid(
    n_sensors: int = 50,
    duration_s: int = 3600,
    start: str = "2010-07-15 10:00",
    latitude: float = OAHU_CENTER[0],
    longitude: float = OAHU_CENTER[1],
    tz: str = HST,
    extent_m: float = 1000.0,
    cloud_cover: float = 0.4,
    cloud_size_m: float = 150.0,
    cloud_speed_mps: float = 8.0,
    cloud_direction_deg: float = 225.0,
    transmittance: float = 0.3,
    noise: float = 0.01,
    seed: int = 0,
) -> pd.DataFrame:
    """A physics-based offline stand-in for the Oahu grid: ``n_sensors`` GHI series at 1 s, seeded.

    Clear-sky GHI comes from pvlib's Ineichen model with its bundled Linke turbidity climatology at
    (``latitude``, ``longitude``); a periodic cloud field (blobs of ~``cloud_size_m``, covering
    ``cloud_cover`` of the sky, letting ``transmittance`` through) drifts over the sensors at
    ``cloud_speed_mps`` toward ``cloud_direction_deg`` (0 = east, 90 = north; default 225: Oahu's
    north-east trade winds), so downwind sensors see the same shadows seconds later — the signal document
    002's forecasters learn. Columns ``S00``… in W/m²; ``S00`` sits in the south-west (downwind) corner, so
    the upwind sensors foretell it.
    """
    import pandas as pd
    from pvlib.location import Location
    from scipy.ndimage import map_coordinates

    if duration_s < 1:
        raise DatasetError(f"duration_s must be >= 1 second, got {duration_s}")
    if not 0 <= cloud_cover <= 1 or not 0 <= transmittance <= 1:
        raise DatasetError("cloud_cover and transmittance are fractions in [0, 1]")
    rng = np.random.default_rng(seed)
    first = pd.Timestamp(start)
    first = first.tz_localize(tz) if first.tzinfo is None else first.tz_convert(tz)
    times = pd.date_range(first, periods=duration_s, freq="1s")
    coarse = pd.date_range(times[0], times[-1] + pd.Timedelta(seconds=60), freq="60s")
    clear = Location(latitude, longitude, tz).get_clearsky(coarse, model="ineichen")["ghi"].to_numpy()
    t_s = np.arange(duration_s, dtype=float)
    ghi_clear = np.interp(t_s, np.arange(len(coarse)) * 60.0, clear)

    positions = sensor_layout(n_sensors, extent_m, seed)
    theta = math.radians(cloud_direction_deg)
    along = positions @ np.array([math.cos(theta), math.sin(theta)])  # metres along the wind
    across = positions @ np.array([-math.sin(theta), math.cos(theta)])
    res = max(cloud_size_m / 6.0, 5.0)  # metres per field cell
    travel = cloud_speed_mps * duration_s + np.ptp(along) + 4 * cloud_size_m
    n_along = int(min(max(travel / res, 64), 20_000))
    n_across = int(np.ptp(across) / res + 8 * cloud_size_m / res) + 8
    field = cloud_field((n_across, n_along), cloud_cover, cloud_size_m / res, rng)

    u = ((along[:, None] - along.min()) - cloud_speed_mps * t_s[None, :]) / res + 4 * cloud_size_m / res
    w = np.broadcast_to(((across - across.min()) / res + 4 * cloud_size_m / res)[:, None], u.shape)
    opacity = map_coordinates(field, [w.ravel(), u.ravel()], order=1, mode="grid-wrap").reshape(u.shape)
    k = 1.0 - (1.0 - transmittance) * opacity
    ghi = ghi_clear[None, :] * k * (1.0 + noise * rng.standard_normal(k.shape))
    names = [f"S{i:02d}" for i in range(n_sensors)]
    grid = pd.DataFrame(np.clip(ghi, 0.0, None).T.astype(np.float32), index=times, columns=names)
    grid.index.name = "time"
    grid.attrs["positions_m"] = {n: (float(x), float(y)) for n, (x, y) in zip(names, positions, strict=True)}
    grid.attrs["source"] = "synthetic"
    grid.attrs["params"] = {
        "latitude": latitude, "longitude": longitude, "cloud_cover": cloud_cover,
        "cloud_speed_mps": cloud_speed_mps, "cloud_direction_deg": cloud_direction_deg,
        "transmittance": transmittance, "seed": seed, "clear_sky": "pvlib ineichen + bundled Linke turbidity",
    }  # fmt: skip
    return grid


def load_tmy(source: str | os.PathLike[str] = "greensboro") -> pd.DataFrame:
    """A typical meteorological year (hourly ``ghi``/``dni``/``dhi``/``temp_air``) from TMY3 or TMY2.

    ``source`` is a path, or one of the files pvlib bundles: ``greensboro`` (TMY3 723170), ``sand_point``
    (TMY3 703165), ``miami`` (TMY2 12839). The site metadata is in ``df.attrs["metadata"]``.
    """
    import pvlib

    key = str(source).lower()
    if key in TMY_FILES:
        path = Path(pvlib.__file__).parent / "data" / TMY_FILES[key]
    else:
        path = Path(source).expanduser()
        if not path.is_file():
            raise DatasetError(
                f"TMY file {path} does not exist; pass a TMY2/TMY3 file or one of {sorted(TMY_FILES)}"
            )
    try:
        if path.suffix.lower() == ".tm2":
            data, meta = pvlib.iotools.read_tmy2(str(path))
            data = data.rename(columns={"GHI": "ghi", "DNI": "dni", "DHI": "dhi", "DryBulb": "temp_air"})
            data["temp_air"] = data["temp_air"] / 10.0  # TMY2 stores tenths of °C
        else:
            data, meta = pvlib.iotools.read_tmy3(str(path), map_variables=True)
    except (ValueError, KeyError, IndexError, UnicodeDecodeError) as exc:
        raise DatasetError(f"{path} is not a readable TMY2/TMY3 file ({exc})") from exc
    data.attrs["metadata"] = dict(meta)
    data.attrs["source"] = f"tmy:{path.name}"
    return data


__all__ = [
    "HST",
    "OAHU_RAW_COLUMNS",
    "OAHU_SENSOR_COLUMNS",
    "OAHU_STATIONS",
    "TMY_FILES",
    "cloud_field",
    "latlon_to_metres",
    "load_oahu_grid",
    "load_tmy",
    "read_oahu_raw",
    "sensor_layout",
    "synthetic_sensor_grid",
]
