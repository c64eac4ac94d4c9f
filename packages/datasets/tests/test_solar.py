"""Solar grids: raw MIDC Oahu files, the pvlib stand-in, TMY files, window and map samples."""

import numpy as np
import pandas as pd
import pytest

from edgesmith.datasets import (
    OAHU_SENSOR_COLUMNS,
    DatasetError,
    SolarScaler,
    load_oahu_grid,
    load_tmy,
    solar_maps,
    solar_windows,
    synthetic_sensor_grid,
)


def _write_midc_day(path, year, doy, seconds=120, start_hhmm=(5, 0), missing_at=None):
    """A raw MIDC daily file: Seconds,Year,DOY,HST(hhmm),19 irradiance fields, -99999 for missing."""
    lines = []
    for s in range(seconds):
        hh, mm = start_hhmm[0] + (start_hhmm[1] + s // 60) // 60, (start_hhmm[1] + s // 60) % 60
        values = [round(100.0 + 10 * col + s, 2) for col in range(19)]
        if missing_at is not None and s == missing_at:
            values[7] = -99999  # DH1
        lines.append(",".join(str(v) for v in [s % 60, year, doy, f"{hh}{mm:02d}", *values]))
    path.write_text("\n".join(lines) + "\n")


def test_load_raw_midc_files(tmp_path):
    month = tmp_path / "201003"
    month.mkdir()
    _write_midc_day(month / "20100319.txt", 2010, 78, missing_at=5)
    _write_midc_day(month / "20100320.txt", 2010, 79, start_hhmm=(19, 59))
    grid = load_oahu_grid(tmp_path)
    assert list(grid.columns) == [c for c in OAHU_SENSOR_COLUMNS if not c.startswith("Tilt")]
    assert len(grid.columns) == 17 and len(grid) == 240
    assert grid.index[0] == pd.Timestamp("2010-03-19 05:00:00", tz="Pacific/Honolulu")
    assert grid.index[65] == pd.Timestamp("2010-03-19 05:01:05", tz="Pacific/Honolulu")
    assert grid.index[-1] == pd.Timestamp("2010-03-20 20:00:59", tz="Pacific/Honolulu")
    assert grid["DH3"].iloc[3] == 103.0 and grid["DH8"].iloc[0] == 100.0 + 10 * 18
    assert np.isnan(grid["DH1"].iloc[5]) and grid["DH1"].notna().sum() == 239
    positions = grid.attrs["positions_m"]
    assert set(positions) == set(grid.columns)
    dist = np.hypot(*np.subtract(positions["AP1"], positions["AP3"]))
    assert 200 < dist < 260  # AP1-AP3 are ~235 m apart
    assert "Tilt_DH1" in load_oahu_grid(month / "20100319.txt", include_tilt=True).columns


def test_windows_never_pair_across_gaps(tmp_path):
    _write_midc_day(tmp_path / "a.txt", 2010, 78, seconds=60)
    _write_midc_day(tmp_path / "b.txt", 2010, 79, seconds=60)
    splits = solar_windows(load_oahu_grid(tmp_path), target="DH1", horizon=10, scale=False)
    # 50 pairs per day (t + 10 s must exist the same day); no NaN rows
    assert sum(splits.sizes().values()) == 100
    x = np.concatenate([splits.train.x, splits.val.x, splits.test.x])
    y = np.concatenate([splits.train.y, splits.val.y, splits.test.y])[:, 0]
    dh1 = 100.0 + 10 * 7
    np.testing.assert_allclose(y - x[:, 0], dh1 - 100.0 + 10)  # DH3 at t vs DH1 at t+10


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("1,2,3\n4,5,6\n", "3 fields per line, expected 23"),
        ("0,2010,78,500," + ",".join(["1"] * 19) + "\n1,2010,78,500,1,2\n", "line 2 is incomplete"),
        ("", "is empty"),
    ],
)
def test_bad_midc_files(tmp_path, content, message):
    (tmp_path / "bad.txt").write_text(content)
    with pytest.raises(DatasetError, match=message):
        load_oahu_grid(tmp_path / "bad.txt")


def test_missing_paths(tmp_path):
    with pytest.raises(DatasetError, match="does not exist"):
        load_oahu_grid(tmp_path / "nope")
    with pytest.raises(DatasetError, match=r"no \.txt/\.csv/\.dat files"):
        load_oahu_grid(tmp_path)


def test_synthetic_grid_is_physical_and_seeded(tmp_path):
    grid = synthetic_sensor_grid(n_sensors=50, duration_s=600, seed=3)
    assert grid.shape == (600, 50) and grid.index.freq == "s"
    assert str(grid.index.tz) == "Pacific/Honolulu"
    values = grid.to_numpy()
    assert values.min() >= 0 and 600 < values.max() < 1100  # clear-sky GHI near 10:00 in July, Oahu
    shaded = values < 0.6 * np.median(values.max(axis=0))
    assert 0.1 < shaded.mean() < 0.7  # clouds cover part of the sky
    pd.testing.assert_frame_equal(grid, synthetic_sensor_grid(n_sensors=50, duration_s=600, seed=3))
    assert not grid.equals(synthetic_sensor_grid(n_sensors=50, duration_s=600, seed=4))
    clear = synthetic_sensor_grid(n_sensors=4, duration_s=60, cloud_cover=0.0, noise=0.0)
    np.testing.assert_allclose(clear.to_numpy().std(axis=1), 0, atol=1e-3)  # same sky everywhere
    # the wide CSV written from it loads back through the grid loader
    grid.iloc[:30].to_csv(tmp_path / "grid.csv")
    back = load_oahu_grid(tmp_path / "grid.csv")
    np.testing.assert_allclose(back.to_numpy(), grid.iloc[:30].to_numpy(), rtol=1e-5)


def test_solar_windows_split_scale_and_signal():
    grid = synthetic_sensor_grid(duration_s=1800, seed=0)
    splits = solar_windows(grid, target=0, horizon=10, val_split=0.1, test_split=0.2)
    n = len(grid) - 10
    assert splits.sizes() == {"train": n - round(0.1 * n) - round(0.2 * n), "val": round(0.1 * n),
                              "test": round(0.2 * n)}  # fmt: skip
    assert splits.train.x.shape[1] == 49 and splits.train.y.shape[1] == 1
    periods = splits.info["periods"]
    assert periods["train"][1] < periods["val"][0] <= periods["val"][1] < periods["test"][0]
    scaler = splits.info["scaler"]
    np.testing.assert_allclose(splits.train.x.mean(axis=0), 0, atol=1e-4)
    np.testing.assert_allclose(splits.train.x.std(axis=0), 1, atol=1e-3)
    start = pd.Timestamp(periods["test"][0]) + pd.Timedelta(seconds=10)
    np.testing.assert_allclose(scaler.inverse_y(splits.test.y[0]), grid["S00"].loc[start], rtol=1e-4)
    # upwind sensors foretell the target: a linear model beats predicting the mean by far
    from sklearn.linear_model import Ridge

    pred = Ridge().fit(splits.train.x, splits.train.y[:, 0]).predict(splits.test.x)
    assert np.mean((pred - splits.test.y[:, 0]) ** 2) < 0.3 * splits.test.y.var()
    lagged = solar_windows(grid, target="S10", lags=3, scale=False)
    assert lagged.train.x.shape[1] == 3 * 49 and lagged.info["scaler"] is None


def test_scaler_roundtrip(tmp_path):
    scaler = SolarScaler.fit(np.array([[1.0, 10.0], [3.0, 10.0]]), np.array([2.0, 4.0]))
    np.testing.assert_allclose(scaler.x_std, [1.0, 1.0])  # constant feature keeps std 1
    path = scaler.save(tmp_path / "scaler.json")
    again = SolarScaler.load(path)
    np.testing.assert_allclose(again.inverse_y(again.transform_y(np.array([7.0]))), [7.0])
    with pytest.raises(DatasetError, match="does not exist"):
        SolarScaler.load(tmp_path / "none.json")


def test_solar_maps():
    grid = synthetic_sensor_grid(n_sensors=12, duration_s=300, seed=1)
    splits = solar_maps(grid, target="S05", horizon=10, size=50, scale=False)
    x = splits.train.x
    assert x.shape[1:] == (50, 50, 1) and x.dtype == np.float32
    # inverse-distance maps stay inside the sensors' range and reproduce a sensor at its own pixel
    others = grid.drop(columns="S05").iloc[0]
    assert others.min() - 1e-3 <= x[0].min() and x[0].max() <= others.max() + 1e-3
    bounds = splits.info["bounds_m"]
    px, py = grid.attrs["positions_m"]["S00"]
    col = round((px - bounds[0]) / (bounds[1] - bounds[0]) * 49)
    row = round((bounds[3] - py) / (bounds[3] - bounds[2]) * 49)
    assert abs(x[0, row, col, 0] - others["S00"]) < 0.1 * others.std() + 1
    scaled = solar_maps(grid, target="S05")
    assert abs(float(scaled.train.x.mean())) < 1e-3
    bare = grid.copy()
    bare.attrs = {}
    with pytest.raises(DatasetError, match="no sensor positions"):
        solar_maps(bare)


def test_bad_targets():
    grid = synthetic_sensor_grid(n_sensors=3, duration_s=30)
    with pytest.raises(DatasetError, match="not a column"):
        solar_windows(grid, target="DH99")
    with pytest.raises(DatasetError, match="out of range"):
        solar_windows(grid, target=7)
    with pytest.raises(DatasetError, match="no complete samples"):
        solar_windows(grid, horizon=100)


def test_bundled_tmy_files():
    tmy3 = load_tmy("greensboro")
    assert len(tmy3) == 8760 and {"ghi", "dni", "dhi", "temp_air"} <= set(tmy3.columns)
    assert tmy3.attrs["metadata"]["latitude"] == pytest.approx(36.1)
    tmy2 = load_tmy("miami")
    assert len(tmy2) == 8760 and 15 < tmy2["temp_air"].mean() < 35
    with pytest.raises(DatasetError, match="does not exist"):
        load_tmy("/nonexistent/file.csv")
