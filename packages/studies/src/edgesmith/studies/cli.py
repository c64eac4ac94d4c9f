"""``edgesmith-profile study``: rerun the solar timing study or the CIFAR-10 sweep."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from edgesmith.profiling.console import err, one_line_errors, out, run_cli
from edgesmith.profiling.runner import RunnerError
from edgesmith.studies.cifar_sweep import SweepConfig
from edgesmith.studies.provenance import command_from_context
from edgesmith.studies.solar import SolarConfig

# option defaults come from the configs (importing them does not load TensorFlow)
_SOLAR, _SWEEP = SolarConfig(), SweepConfig()

study_app = typer.Typer(
    name="study",
    help=(
        "Reproduce the source documents' studies on this host: Markdown + CSV + JSON + PNG in one folder.\n\n"
        "Example: edgesmith-profile study solar --out-dir reports/solar"
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _ints(text: str, what: str) -> tuple[int, ...]:
    try:
        values = tuple(int(v) for v in text.split(",") if v.strip())
    except ValueError:
        raise RunnerError(f"{what} must be comma-separated integers, e.g. 100,500; got {text!r}") from None
    if not values or any(v < 1 for v in values):
        raise RunnerError(f"{what} must be positive integers, got {text!r}")
    return values


def _finish(paths: list[Path], json_text: str, json_out: bool, table: Table) -> None:
    if json_out:
        sys.stdout.write(json_text + "\n")
        return
    out.print(table)
    out.print(
        f"wrote {len(paths)} files to {paths[0].parent}: report.md is the place to start", highlight=False
    )


@study_app.command()
@one_line_errors
def solar(
    ctx: typer.Context,
    out_dir: Annotated[Path, typer.Option("--out-dir", "-o", help="Folder for report.md, CSVs, JSON, PNGs.")],
    grid: Annotated[
        list[Path] | None,
        typer.Option(
            help="Oahu 1-second grid CSV file or folder (repeatable); default: synthetic pvlib grid."
        ),
    ] = None,
    duration: Annotated[int, typer.Option(help="Length of the synthetic grid (seconds at 1 Hz).")] = 3600,
    target: Annotated[str, typer.Option(help="Sensor to forecast: column name or index.")] = "0",
    horizon: Annotated[int, typer.Option(help="Forecast horizon (seconds).")] = 10,
    max_params: Annotated[
        int, typer.Option(help="Skip Table 3.1 MLPs with more parameters than this (count).")
    ] = 1_000_000,
    all_models: Annotated[
        bool, typer.Option("--all-models", help="All 30 MLPs (up to 328 M parameters: hours on a CPU).")
    ] = False,
    mlp_batch_sizes: Annotated[
        str, typer.Option(help="MLP training batch sizes (samples).")
    ] = "100,500,1000",
    cnn_batch_sizes: Annotated[
        str, typer.Option(help="CNN training batch sizes (samples).")
    ] = "2,32,256,1024",
    cnn: Annotated[bool, typer.Option(help="Include Table 3.2's 50×50-map CNN.")] = True,
    map_stride: Annotated[int, typer.Option(help="CNN maps: keep every k-th second (memory, time).")] = 3,
    map_size: Annotated[int, typer.Option(help="CNN map side (pixels); the solar study used 50.")] = 50,
    fit_epochs: Annotated[
        int, typer.Option(help="Epochs of the training whose test error is reported.")
    ] = _SOLAR.fit_epochs,
    repeats: Annotated[int, typer.Option(help="Timed one-epoch runs per batch size, after one warm-up.")] = 3,
    inference_sizes: Annotated[str, typer.Option(help="Inference batch sizes (samples).")] = "2,64,512,1024",
    inference_runs: Annotated[int, typer.Option(help="Timed inference calls per batch size.")] = 10,
    probe_max_batch: Annotated[
        int, typer.Option(help="Upper bound (samples) of the largest-batch probe.")
    ] = 8192,
    devices: Annotated[str | None, typer.Option(help="cpu,gpu (default: CPU plus GPU when present).")] = None,
    seed: Annotated[int, typer.Option(help="Seed of the synthetic grid, weights and shuffling.")] = 0,
    json_out: Annotated[
        bool, typer.Option("--json", help="Print the study as JSON instead of tables.")
    ] = False,
) -> None:
    """The solar study: training/inference time of 30 solar MLPs and the map CNN per device, with errors.

    One warm-up epoch then --repeats timed epochs per batch size (median, min–max, linearity check),
    inference time at 2…1024 samples, MSE/MAE/RMSE (W/m²) against persistence, time vs parameters (wide vs
    deep), largest batch that fits, and the CPU-vs-GPU speed-up when TensorFlow sees a GPU. The default
    budget (MLPs up to 1 M parameters, synthetic 1-hour grid) takes a few minutes on 2 cores.

    Example: edgesmith-profile study solar -o reports/solar --max-params 200000 --repeats 5
    """
    from edgesmith.studies.solar import run_solar_study

    cfg = SolarConfig(
        grid=tuple(str(p) for p in grid or ()),
        duration_s=duration,
        target=int(target) if target.lstrip("-").isdigit() else target,
        horizon_s=horizon,
        max_params=None if all_models else max_params,
        mlp_batch_sizes=_ints(mlp_batch_sizes, "--mlp-batch-sizes"),
        cnn_batch_sizes=_ints(cnn_batch_sizes, "--cnn-batch-sizes"),
        cnn=cnn,
        map_stride=map_stride,
        map_size=map_size,
        fit_epochs=fit_epochs,
        repeats=repeats,
        inference_sizes=_ints(inference_sizes, "--inference-sizes"),
        inference_runs=inference_runs,
        probe_max_batch=probe_max_batch,
        devices=tuple(devices.split(",")) if devices else None,
        seed=seed,
    )
    study = run_solar_study(cfg, command_from_context(ctx), progress=not json_out and err.is_terminal)
    paths = study.write(out_dir)
    table = Table(title=f"solar study · {study.data['source']} data · {study.wall_s:.0f} s")
    for col in ("model", "params", "RMSE W/m²", "skill", "epoch s (b=first)", "infer ms @1024"):
        table.add_column(col, justify="left" if col == "model" else "right")
    for a in study.accuracy:
        t = next((r for r in study.training if r["model"] == a["model"]), None)
        i = [r for r in study.inference if r["model"] == a["model"] and "p50_ms" in r]
        table.add_row(
            a["model"],
            f"{a['params']:,}",
            f"{a['rmse']:.2f}",
            f"{a['skill']:.3f}",
            f"{t['epoch_median_s']:.3f}" if t else "",
            f"{i[-1]['p50_ms']:.2f}" if i else "",
        )
    _finish(paths, study.to_json(), json_out, table)
    for note in study.notes:
        err.print(f"note: {note}", highlight=False)


@study_app.command("cifar-sweep")
@one_line_errors
def cifar_sweep(
    ctx: typer.Context,
    out_dir: Annotated[Path, typer.Option("--out-dir", "-o", help="Folder for report.md, CSVs, JSON, PNG.")],
    data_dir: Annotated[
        Path | None, typer.Option(help="CIFAR-10 binary or python batches; default: offline digits stand-in.")
    ] = None,
    epochs: Annotated[int, typer.Option(help="Training epochs per variant (the budget).")] = _SWEEP.epochs,
    batch_size: Annotated[int, typer.Option(help="Training batch size (images).")] = 64,
    learning_rate: Annotated[float, typer.Option(help="Adam learning rate.")] = 1e-3,
    train_limit: Annotated[int | None, typer.Option(help="Train on the first N images only.")] = None,
    test_limit: Annotated[int | None, typer.Option(help="Score on the first N test images only.")] = None,
    variants: Annotated[
        str | None,
        typer.Option(
            help="Comma-separated: baseline,stride_2,stride_3,stride_5,32_filters,larger_first_pool,no_lrn."
        ),
    ] = None,
    profile_batch: Annotated[int, typer.Option(help="Batch size (images) of op profile and latency.")] = 32,
    profile_runs: Annotated[
        int, typer.Option(help="Traced runs averaged per op profile.")
    ] = _SWEEP.profile_runs,
    latency_runs: Annotated[int, typer.Option(help="Timed predict calls per variant.")] = _SWEEP.latency_runs,
    threads: Annotated[int | None, typer.Option(help="CPU threads for profiling (default: all).")] = None,
    seed: Annotated[int, typer.Option(help="Seed of weights and shuffling.")] = 0,
    json_out: Annotated[
        bool, typer.Option("--json", help="Print the sweep as JSON instead of a table.")
    ] = False,
) -> None:
    """The CIFAR-10 study: the CIFAR-10 tutorial CNN and its variants — op profile by type, time vs accuracy.

    Variants: conv stride 1/2/3/5, 32 filters, a larger first pool (5), LRN off. Each is trained for
    --epochs, scored (precision@1), op-profiled (self/cumulative share, requested bytes) and timed; the
    report has one op table per variant, the summary table and a time-vs-accuracy plot.

    Example: edgesmith-profile study cifar-sweep -o reports/cifar --data-dir ~/cifar-10-batches-py --epochs 20
    """
    from edgesmith.studies.cifar_sweep import run_cifar_sweep

    cfg = SweepConfig(
        data_dir=str(data_dir) if data_dir else None,
        epochs=epochs,
        batch_size=batch_size,
        learning_rate=learning_rate,
        train_limit=train_limit,
        test_limit=test_limit,
        variants=tuple(variants.split(",")) if variants else None,
        profile_batch=profile_batch,
        profile_runs=profile_runs,
        latency_runs=latency_runs,
        threads=threads,
        seed=seed,
    )
    sweep = run_cifar_sweep(cfg, command_from_context(ctx), progress=not json_out and err.is_terminal)
    paths = sweep.write(out_dir)
    table = Table(title=f"CIFAR sweep · {sweep.data['dataset']} · {sweep.wall_s:.0f} s")
    for col in ("variant", "params", "ms/image", "Conv2D %", "LRN %", "requested MB", "precision@1 %"):
        table.add_column(col, justify="left" if col == "variant" else "right")
    for r in sweep.summary:
        table.add_row(
            r["variant"],
            f"{r['params']:,}",
            f"{r['ms_per_image']:.3f}",
            f"{r['conv2d_share_pct']:.1f}",
            f"{r['lrn_share_pct']:.1f}",
            f"{r['requested_mb']:.2f}",
            f"{r['precision_at_1']:.1f}",
        )
    _finish(paths, sweep.to_json(), json_out, table)


def main() -> None:
    """Console-script entry: one error line and the exit-code contract (``--debug`` for tracebacks)."""
    run_cli(study_app)
