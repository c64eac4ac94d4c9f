"""``autoencoder-edge``: document 004's conv autoencoder from Keras to int8 to the Edge TPU, measured.

Every verb reads and writes one run directory (``--out``); ``pipeline`` runs them all and writes report.md.
"""

from __future__ import annotations

import json
import shlex
import sys
import time
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from autoencoder_edge.artifacts import RunLayout
from autoencoder_edge.steps import AppError

app = typer.Typer(
    name="autoencoder-edge",
    help="Train document 004's conv autoencoder, quantize it to int8, compile it for the Edge TPU and "
    "compare Keras / TFLite float / TFLite int8 / Edge TPU.\n\n"
    "Example (offline, a few minutes on 2 cores): autoencoder-edge pipeline --out runs/cae",
    no_args_is_help=True,
    add_completion=False,
)
out = Console()
err = Console(stderr=True)

OutOpt = Annotated[Path, typer.Option("--out", "-o", help="Run directory holding every artifact")]
DataOpt = Annotated[
    Path | None, typer.Option("--data", help="Folder with the 4 MNIST IDX files (default: offline digits)")
]
LimitOpt = Annotated[int | None, typer.Option(help="Use at most N images per split (quick runs)", min=2)]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print the result as JSON")]
LrOpt = Annotated[
    float,
    typer.Option(
        help="Adam learning rate; 3e-4 keeps the ReLU decoder from collapsing to a blank output on the "
        "small digits set (document 004 used 1e-3 on full MNIST)",
        min=1e-6,
    ),
]
DEFAULT_OUT = Path("autoencoder-edge-run")


def _fail(exc: Exception) -> typer.Exit:
    err.print(f"[bold red]error:[/] {exc}", highlight=False, soft_wrap=True)
    return typer.Exit(1)


def _emit(payload: dict[str, Any], as_json: bool, title: str) -> None:
    if as_json:
        print(json.dumps(payload, indent=2, default=str))
        return
    table = Table(title=title, show_header=False)
    for k, v in payload.items():
        table.add_row(k, json.dumps(v, default=str) if isinstance(v, dict | list) else str(v))
    out.print(table)


@app.command()
def train(
    run_dir: OutOpt = DEFAULT_OUT,
    data: DataOpt = None,
    epochs: Annotated[int, typer.Option(help="Training epochs (early stopping on val loss)", min=1)] = 50,
    batch_size: Annotated[int, typer.Option(help="Images per training step", min=1)] = 32,
    patience: Annotated[int, typer.Option(help="Early-stopping patience in epochs", min=0)] = 5,
    learning_rate: LrOpt = 3e-4,
    limit: LimitOpt = None,
    seed: Annotated[int, typer.Option(help="Random seed (weights, data order)")] = 0,
    as_json: JsonOpt = False,
) -> None:
    """Train the 12,785-parameter conv autoencoder (MSE, Adam) and save RUN/cae.h5 with its sidecar.

    Example: autoencoder-edge train --out runs/cae --data ~/mnist --epochs 50
    """
    from autoencoder_edge.steps import train_model

    try:
        metrics = train_model(
            RunLayout(run_dir), data, epochs=epochs, batch_size=batch_size, patience=patience,
            learning_rate=learning_rate, limit=limit,
            seed=seed, progress=not as_json,
        )  # fmt: skip
    except AppError as exc:
        raise _fail(exc) from None
    _emit(metrics, as_json, f"trained {RunLayout(run_dir).keras}")


@app.command()
def quantize(
    run_dir: OutOpt = DEFAULT_OUT,
    data: DataOpt = None,
    samples: Annotated[int, typer.Option(help="Representative (calibration) images for int8", min=1)] = 100,
    limit: LimitOpt = None,
    seed: Annotated[int, typer.Option(help="Seed picking the calibration images")] = 0,
    as_json: JsonOpt = False,
) -> None:
    """Convert RUN/cae.h5 to TFLite float32 and full-integer int8 (int8 I/O), then check it for the Edge TPU.

    Example: autoencoder-edge quantize --out runs/cae --samples 100
    """
    from autoencoder_edge.steps import check_edgetpu, quantize_model

    try:
        layout = RunLayout(run_dir)
        result = quantize_model(layout, data, samples, limit, seed)
        report = check_edgetpu(layout)
    except AppError as exc:
        raise _fail(exc) from None
    result["edgetpu_check"] = report.summary()
    _emit(result, as_json, "quantized")


@app.command(name="compile")
def compile_(
    run_dir: OutOpt = DEFAULT_OUT,
    min_runtime: Annotated[
        int | None, typer.Option("--min-runtime", help="Lowest Edge TPU runtime version to support (10-14)")
    ] = None,
    timeout: Annotated[int, typer.Option(help="Compiler timeout in seconds", min=1)] = 180,
    as_json: JsonOpt = False,
) -> None:
    """Compile RUN/cae_int8.tflite with edgetpu_compiler (exit 1 with install steps when it is absent).

    Example: autoencoder-edge compile --out runs/cae --min-runtime 13
    """
    from autoencoder_edge.steps import compile_edgetpu

    try:
        summary = compile_edgetpu(RunLayout(run_dir), min_runtime, timeout)
    except AppError as exc:
        raise _fail(exc) from None
    if not summary["compiled"]:
        raise _fail(RuntimeError(summary["reason"]))
    _emit({k: v for k, v in summary.items() if k != "command"}, as_json, "compiled")


def _test_images(data: Path | None, limit: int | None, seed: int) -> Any:
    from autoencoder_edge.steps import load_images

    return load_images(data, limit, seed).test.x


def _print_comparison(comparison: Any) -> None:
    table = Table(title="Keras vs TFLite vs Edge TPU (document 004, Tables 5.1–5.3)")
    cols = ("variant", "MAE", "MSE", "size KiB", "per image ms", "test set s", "test set + load s")
    for col in cols:
        table.add_column(col, justify="left" if col == "variant" else "right")
    for r in comparison.results:
        table.add_row(
            r.name, f"{r.mae:.4f}", f"{r.mse:.5f}", f"{r.size_bytes / 1024:.1f}", f"{r.per_image_ms:.3f}",
            f"{r.test_set_s:.3f}", f"{r.test_set_with_load_s:.3f}",
        )  # fmt: skip
    out.print(table)
    for name, why in comparison.skipped.items():
        out.print(f"[yellow]{name} not measured:[/] {why}", highlight=False)
    t = comparison.targets()
    if t:
        out.print(
            f"int8 MAE {t['int8_mae_increase'] * 100:+.2f} % vs Keras (target ≤ +10 %), int8 file "
            f"{t['int8_size_ratio']:.3f}× Keras (target ≤ 0.3×), int8/Keras per-image latency "
            f"{t['int8_over_keras_latency']:.3f}",
            highlight=False,
        )


@app.command()
def bench(
    run_dir: OutOpt = DEFAULT_OUT,
    data: DataOpt = None,
    limit: LimitOpt = None,
    runs: Annotated[int, typer.Option(help="Timed batch-1 runs per variant", min=1)] = 200,
    warmup: Annotated[int, typer.Option(help="Untimed warm-up runs per variant", min=0)] = 20,
    threads: Annotated[int, typer.Option(help="CPU threads for the TFLite interpreter", min=1)] = 2,
    seed: Annotated[int, typer.Option(help="Seed of the --limit subset")] = 0,
    as_json: JsonOpt = False,
) -> None:
    """Time and score every variant in RUN: MAE/MSE, file size, per-image latency, whole test set.

    Example: autoencoder-edge bench --out runs/cae --runs 500
    """
    from autoencoder_edge.steps import write_json
    from autoencoder_edge.variants import compare

    layout = RunLayout(run_dir)
    try:
        comparison, _ = compare(layout, _test_images(data, limit, seed), runs, warmup, threads,
                                progress=not as_json)  # fmt: skip
    except AppError as exc:
        raise _fail(exc) from None
    write_json(layout.bench_json, comparison.to_dict())
    if as_json:
        print(json.dumps(comparison.to_dict(), indent=2, default=str))
    else:
        _print_comparison(comparison)


@app.command()
def show(
    run_dir: OutOpt = DEFAULT_OUT,
    data: DataOpt = None,
    count: Annotated[int, typer.Option("--count", "-n", help="Test images in the grid", min=1, max=30)] = 10,
    seed: Annotated[int, typer.Option(help="Seed of the image subset")] = 0,
) -> None:
    """Draw RUN/reconstructions.png: originals on top, each variant's reconstructions below.

    Example: autoencoder-edge show --out runs/cae -n 12
    """
    from autoencoder_edge.grid import save_grid
    from autoencoder_edge.variants import reconstruct

    layout = RunLayout(run_dir)
    try:
        x = _test_images(data, None, seed)[:count]
        recons = reconstruct(layout, x)
    except AppError as exc:
        raise _fail(exc) from None
    out.print(f"wrote {save_grid(x, recons, layout.grid_png, count)}", highlight=False)


@app.command()
def pipeline(
    run_dir: OutOpt = DEFAULT_OUT,
    data: DataOpt = None,
    epochs: Annotated[int, typer.Option(help="Training epochs (early stopping on val loss)", min=1)] = 50,
    samples: Annotated[int, typer.Option(help="Representative images for int8 calibration", min=1)] = 100,
    learning_rate: LrOpt = 3e-4,
    runs: Annotated[int, typer.Option(help="Timed batch-1 runs per variant", min=1)] = 200,
    threads: Annotated[int, typer.Option(help="CPU threads for the TFLite interpreter", min=1)] = 2,
    limit: LimitOpt = None,
    seed: Annotated[int, typer.Option(help="Random seed")] = 0,
    as_json: JsonOpt = False,
) -> None:
    """Run train → quantize → check → compile (when edgetpu_compiler exists) → bench → show → report.md.

    Example: autoencoder-edge pipeline --out runs/cae   (offline digits; add --data ~/mnist for MNIST)
    """
    from autoencoder_edge.grid import save_grid
    from autoencoder_edge.report import render, write_report
    from autoencoder_edge.steps import (
        check_edgetpu,
        compile_edgetpu,
        quantize_model,
        train_model,
        write_json,
    )
    from autoencoder_edge.variants import compare

    layout = RunLayout(run_dir).ensure()
    timings: dict[str, float] = {}
    started = time.perf_counter()

    def step(name: str) -> None:
        if not as_json:
            out.print(f"[bold]{name}[/] …")

    try:
        step("train")
        t = time.perf_counter()
        training = train_model(
            layout, data, epochs=epochs, learning_rate=learning_rate, limit=limit, seed=seed,
            progress=not as_json,
        )  # fmt: skip
        timings["train"] = time.perf_counter() - t
        step("quantize")
        t = time.perf_counter()
        quantize_model(layout, data, samples, limit, seed)
        check = check_edgetpu(layout).to_dict()
        timings["quantize + check"] = time.perf_counter() - t
        step("compile")
        t = time.perf_counter()
        compiled = compile_edgetpu(layout)
        timings["compile"] = time.perf_counter() - t
        step("bench")
        t = time.perf_counter()
        x_test = _test_images(data, limit, seed)
        comparison, recons = compare(layout, x_test, runs, min(20, runs), threads, progress=not as_json)
        write_json(layout.bench_json, comparison.to_dict())
        timings["bench"] = time.perf_counter() - t
        step("show")
        grid = save_grid(x_test, recons, layout.grid_png)
    except AppError as exc:
        raise _fail(exc) from None
    timings["total"] = time.perf_counter() - started
    command = (
        "autoencoder-edge " + " ".join(shlex.quote(a) for a in sys.argv[1:]) if sys.argv[1:] else "pipeline"
    )
    text = render(comparison, training, check, compiled, grid, timings, command)
    report = write_report(layout.report_md, text)
    if as_json:
        print(json.dumps({"report": str(report), "timings_s": timings, **comparison.to_dict()}, indent=2,
                         default=str))  # fmt: skip
        return
    _print_comparison(comparison)
    out.print(f"wrote {report} and {grid} in {timings['total']:.0f} s", highlight=False)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
