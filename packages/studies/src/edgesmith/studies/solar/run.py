"""Running the whole solar study: data, splits, candidates, every device, progress."""

from __future__ import annotations

from edgesmith.profiling.runner import RunnerError
from edgesmith.studies.progress import StudyProgress
from edgesmith.studies.provenance import Provenance
from edgesmith.studies.solar.config import TEST_SPLIT, VAL_SPLIT, SolarConfig
from edgesmith.studies.solar.measure import (
    candidates,
    errors_wm2,
    load_grid,
    measure,
    persistence,
    split_info,
)
from edgesmith.studies.solar.report import SolarStudy


def run_solar_study(
    config: SolarConfig | None = None, command: str | None = None, progress: bool = False
) -> SolarStudy:
    """Run document 002's measurements on this host; ``command`` is recorded as the one that ran it."""
    from time import perf_counter

    from edgesmith.datasets import solar_maps, solar_windows
    from edgesmith.models.training_profile import available_devices

    t0 = perf_counter()
    cfg = config or SolarConfig()
    cfg.check()
    devices = list(cfg.devices or available_devices())
    grid = load_grid(cfg)
    windows = solar_windows(grid, cfg.target, cfg.horizon_s, val_split=VAL_SPLIT, test_split=TEST_SPLIT)
    maps = (
        solar_maps(
            grid,
            cfg.target,
            cfg.horizon_s,
            size=cfg.map_size,
            stride=cfg.map_stride,
            val_split=VAL_SPLIT,
            test_split=TEST_SPLIT,
        )
        if cfg.cnn
        else None
    )
    cands = candidates(cfg, windows.train.x.shape[1], maps.train.x.shape[1:] if maps is not None else None)
    if not [c for c in cands if c.kind == "mlp"]:
        raise RunnerError(f"no Table 3.1 MLP has at most {cfg.max_params:,} parameters; raise --max-params")
    persist = {"windows": persistence(grid, cfg, 1)}
    if maps is not None:
        persist["maps"] = persistence(grid, cfg, cfg.map_stride)
    data = {
        "source": grid.attrs.get("source", "grid"),
        "sensors": int(grid.shape[1]),
        "features": int(windows.train.x.shape[1]),
        "seconds": len(grid),
        "target": windows.info["target"],
        "horizon_s": cfg.horizon_s,
        "devices": devices,
        "splits": {"windows (MLP)": split_info(windows)}
        | ({"maps (CNN)": split_info(maps)} if maps is not None else {}),
    }
    prov = Provenance.capture(
        command,
        {"seed": cfg.seed, "grid_seed": cfg.seed if not cfg.grid else -1},
        {
            "grid": ", ".join(cfg.grid) if cfg.grid else f"synthetic pvlib grid, {cfg.duration_s} s",
            "target": data["target"],
            "horizon_s": cfg.horizon_s,
        },
    )
    notes = []
    if "gpu" not in devices:
        notes.append(
            "TensorFlow sees no GPU on this host: every timing is CPU-only and no speed-up is given."
        )
    if cfg.max_params is not None:
        skipped = 30 - sum(c.kind == "mlp" for c in cands)
        if skipped:
            notes.append(
                f"{skipped} of Table 3.1's 30 MLPs exceed {cfg.max_params:,} parameters and were skipped "
                "(--all-models runs them all)."
            )
    accuracy = [
        {"model": f"persistence ({k})", "params": 0, **v["errors"], "skill": 0.0} for k, v in persist.items()
    ]
    training, inference, capacity, preds = [], [], [], {}
    steps = sum(len(c.batch_sizes) + 1 + len(devices) for c in cands)
    with StudyProgress(progress, steps, "solar study") as bar:
        for cand in cands:
            tr, inf, cap, pred = measure(cand, maps if cand.kind == "cnn" else windows, cfg, devices, bar)
            training += tr
            inference += inf
            capacity += cap
            ref = persist["maps" if cand.kind == "cnn" else "windows"]
            errors = errors_wm2(ref["truth"], pred)
            accuracy.append(
                {
                    "model": cand.name,
                    "params": cand.params,
                    **errors,
                    "skill": 1.0 - errors["rmse"] / ref["errors"]["rmse"],
                }
            )
            preds[cand.name] = pred
    speedups = []
    by = {(r["model"], r["batch_size"], r["device"]): r for r in training}
    for (model, b, device), r in by.items():
        if device == "gpu" and (model, b, "cpu") in by:
            cpu = by[(model, b, "cpu")]["epoch_median_s"]
            speedups.append(
                {
                    "model": model,
                    "batch_size": b,
                    "cpu_epoch_s": cpu,
                    "gpu_epoch_s": r["epoch_median_s"],
                    "speedup": cpu / r["epoch_median_s"],
                }
            )
    mlps = [a for a in accuracy if a["model"] in preds and a["model"] != "map_cnn"]
    best = min(mlps, key=lambda a: a["rmse"])["model"]
    forecast = {
        "window_s": cfg.forecast_window_s,
        "persistence": persist["windows"],
        "best_mlp": (best, preds[best]),
        "cnn": (persist["maps"], preds["map_cnn"]) if "map_cnn" in preds else None,
        "target": data["target"],
        "horizon_s": cfg.horizon_s,
    }
    return SolarStudy(
        cfg,
        prov,
        data,
        accuracy,
        training,
        inference,
        capacity,
        speedups,
        notes,
        forecast,
        perf_counter() - t0,
    )
