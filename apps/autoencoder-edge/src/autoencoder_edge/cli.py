"""``autoencoder-edge``: the Edge TPU study's conv autoencoder from Keras to int8 to the Edge TPU, measured.

Every verb reads and writes one run directory (``--out``); ``pipeline`` runs them all and writes report.md.
"""

from __future__ import annotations

import json
import shlex
import sys
import time
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import typer
from rich.markup import escape
from rich.table import Table

from autoencoder_edge.artifacts import RunLayout
from autoencoder_edge.steps import AppError
from edgesmith.profiling.console import FoldingConsole, run_cli
from edgesmith.profiling.errors import ExitCode

app = typer.Typer(
    name="autoencoder-edge",
    help="Train the Edge TPU study's conv autoencoder, quantize it to int8, compile it for the Edge TPU and "
    "compare Keras / TFLite float / TFLite int8 / Edge TPU.\n\n"
    "Example (offline, a few minutes on 2 cores): autoencoder-edge pipeline --out runs/cae",
    no_args_is_help=True,
    add_completion=False,
)
out = FoldingConsole()
err = FoldingConsole(stderr=True)

OutOpt = Annotated[Path, typer.Option("--out", "-o", help="Run directory holding every artifact")]
DataOpt = Annotated[
    Path | None, typer.Option("--data", help="Folder with the 4 MNIST IDX files (default: offline digits)")
]
LimitOpt = Annotated[int | None, typer.Option(help="Use at most N images per split (quick runs)", min=2)]
ModelOpt = Annotated[
    str,
    typer.Option("--model", "-m", help="cae (MNIST autoencoder, 12,785 params) or unet (Cityscapes U-Net)"),
]
FiltersOpt = Annotated[
    int, typer.Option("--unet-filters", help="U-Net channels at the first level (doubling per level)", min=1)
]
SizeOpt = Annotated[
    str | None,
    typer.Option("--image-size", help="U-Net input HxW in pixels, multiples of 16 (default 128x256)"),
]


def _size(text: str | None) -> tuple[int, int] | None:
    if text is None:
        return None
    try:
        h, w = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise typer.BadParameter(f"{text!r}: use HxW, e.g. 128x256") from None
    return h, w


def _layout(run_dir: Path, model: str) -> RunLayout:
    from autoencoder_edge.tasks import TASKS

    if model not in TASKS:
        raise typer.BadParameter(f"unknown model {model!r}; choose one of: {', '.join(TASKS)}")
    return RunLayout(run_dir, model)


JsonOpt = Annotated[bool, typer.Option("--json", help="Print the result as JSON")]
LrOpt = Annotated[
    float,
    typer.Option(
        help="Adam learning rate; 3e-4 keeps the ReLU decoder from collapsing to a blank output on the "
        "small digits set (the Edge TPU study used 1e-3 on full MNIST)",
        min=1e-6,
    ),
]
DEFAULT_OUT = Path("autoencoder-edge-run")


def _fail(exc: Exception, code: int | None = None) -> typer.Exit:
    err.print(f"[bold red]error:[/] {escape(str(exc))}", highlight=False, soft_wrap=True)
    return typer.Exit(int(code if code is not None else getattr(exc, "exit_code", ExitCode.USAGE)))


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
    model: ModelOpt = "cae",
    image_size: SizeOpt = None,
    unet_filters: FiltersOpt = 16,
    epochs: Annotated[int, typer.Option(help="Training epochs (early stopping on val loss)", min=1)] = 50,
    batch_size: Annotated[int, typer.Option(help="Images per training step", min=1)] = 32,
    patience: Annotated[int, typer.Option(help="Early-stopping patience in epochs", min=0)] = 5,
    learning_rate: LrOpt = 3e-4,
    limit: LimitOpt = None,
    seed: Annotated[int, typer.Option(help="Random seed (weights, data order)")] = 0,
    as_json: JsonOpt = False,
) -> None:
    """Train the 12,785-parameter conv autoencoder (MSE, Adam), or the U-Net, and save RUN/<model>.h5.

    Example: autoencoder-edge train --out runs/cae --data ~/mnist --epochs 50
    """
    from autoencoder_edge.steps import train_model

    layout = _layout(run_dir, model)
    try:
        metrics = train_model(
            layout, data, model, epochs=epochs, batch_size=batch_size, patience=patience,
            learning_rate=learning_rate, limit=limit, seed=seed, progress=not as_json,
            image_size=_size(image_size), base_filters=unet_filters,
        )  # fmt: skip
    except AppError as exc:
        raise _fail(exc) from None
    _emit(metrics, as_json, f"trained {layout.keras}")


@app.command()
def quantize(
    run_dir: OutOpt = DEFAULT_OUT,
    data: DataOpt = None,
    model: ModelOpt = "cae",
    image_size: SizeOpt = None,
    samples: Annotated[int, typer.Option(help="Representative (calibration) images for int8", min=1)] = 100,
    limit: LimitOpt = None,
    seed: Annotated[int, typer.Option(help="Seed picking the calibration images")] = 0,
    as_json: JsonOpt = False,
) -> None:
    """Convert RUN/<model>.h5 to TFLite float32 and full-integer int8 (int8 I/O, batch 1), then check it
    for the Edge TPU.

    Example: autoencoder-edge quantize --out runs/cae --samples 100
    """
    from autoencoder_edge.steps import check_edgetpu, quantize_model

    layout = _layout(run_dir, model)
    try:
        result = quantize_model(layout, data, samples, limit, seed, model, _size(image_size))
        report = check_edgetpu(layout)
    except AppError as exc:
        raise _fail(exc) from None
    result["edgetpu_check"] = report.summary()
    _emit(result, as_json, "quantized")


@app.command(name="compile")
def compile_(
    run_dir: OutOpt = DEFAULT_OUT,
    model: ModelOpt = "cae",
    min_runtime: Annotated[
        int | None, typer.Option("--min-runtime", help="Lowest Edge TPU runtime version to support (10-14)")
    ] = None,
    timeout: Annotated[int, typer.Option(help="Compiler timeout in seconds", min=1)] = 180,
    as_json: JsonOpt = False,
) -> None:
    """Compile RUN/<model>_int8.tflite with edgetpu_compiler (exit 3 with install steps when it is absent).

    Example: autoencoder-edge compile --out runs/cae --min-runtime 13
    """
    from autoencoder_edge.steps import compile_edgetpu

    try:
        summary = compile_edgetpu(_layout(run_dir, model), min_runtime, timeout)
    except AppError as exc:
        raise _fail(exc) from None
    if not summary["compiled"]:
        raise _fail(RuntimeError(summary["reason"]), ExitCode.MISSING_DEPENDENCY)
    _emit({k: v for k, v in summary.items() if k != "command"}, as_json, "compiled")


def _test_split(model: str, data: Path | None, limit: int | None, seed: int, image_size: str | None) -> Any:
    from autoencoder_edge.steps import load_images

    return load_images(data, limit, seed, model, _size(image_size)).test


def _print_comparison(comparison: Any) -> None:
    from autoencoder_edge.report import METRIC_NAMES

    keys = list(comparison.results[0].metrics) if comparison.results else []
    table = Table(title="Keras vs TFLite vs Edge TPU (the Edge TPU study, Tables 5.1–5.3)")
    cols = ("variant", *(METRIC_NAMES.get(k, k) for k in keys), "size KiB", "per image ms p50", "test set s",
            "test set + load s")  # fmt: skip
    for col in cols:
        table.add_column(col, justify="left" if col == "variant" else "right")
    for r in comparison.results:
        table.add_row(
            r.name, *(f"{r.metrics[k]:.4f}" for k in keys), f"{r.size_bytes / 1024:.1f}",
            f"{r.per_image_p50_ms:.3f}",
            f"{r.test_set_s:.3f}", f"{r.test_set_with_load_s:.3f}",
        )  # fmt: skip
    out.print(table)
    for name, why in comparison.skipped.items():
        out.print(f"[yellow]{name} not measured:[/] {why}", highlight=False)
    t = comparison.targets()
    if "int8_mae_increase" in t:
        out.print(
            f"int8 MAE {t['int8_mae_increase'] * 100:+.2f} % vs Keras (target ≤ +10 %)", highlight=False
        )
    if "int8_pixel_accuracy_change" in t:
        out.print(f"int8 pixel accuracy {t['int8_pixel_accuracy_change'] * 100:+.2f} points vs Keras")
    if "int8_size_ratio" in t:
        out.print(
            f"int8 file {t['int8_size_ratio']:.3f}× Keras (target ≤ 0.3×), int8/Keras per-image latency "
            f"(medians) {t['int8_over_keras_latency']:.3f}",
            highlight=False,
        )


@app.command()
def bench(
    run_dir: OutOpt = DEFAULT_OUT,
    data: DataOpt = None,
    model: ModelOpt = "cae",
    image_size: SizeOpt = None,
    limit: LimitOpt = None,
    runs: Annotated[int, typer.Option(help="Timed batch-1 runs per variant", min=1)] = 200,
    warmup: Annotated[int, typer.Option(help="Untimed warm-up runs per variant", min=0)] = 20,
    threads: Annotated[int, typer.Option(help="CPU threads for the TFLite interpreter", min=1)] = 2,
    seed: Annotated[int, typer.Option(help="Seed of the --limit subset")] = 0,
    as_json: JsonOpt = False,
) -> None:
    """Time and score every variant in RUN: quality, file size, per-image latency, whole test set.

    It is edgesmith's own-model matrix (edgesmith-profile matrix) of RUN's Keras model on the test images,
    scored by the task's metric, with the TFLite / Edge TPU files as the variants; its files go to
    RUN/<model>_matrix/.

    Example: autoencoder-edge bench --out runs/cae --runs 500
    """
    from autoencoder_edge.steps import write_json
    from autoencoder_edge.tasks import get_task
    from autoencoder_edge.variants import compare

    layout = _layout(run_dir, model)
    try:
        test = _test_split(model, data, limit, seed, image_size)
        comparison = compare(layout, get_task(model), test.x, test.y, runs, warmup, threads,
                             progress=not as_json)  # fmt: skip
    except AppError as exc:
        raise _fail(exc) from None
    write_json(layout.bench_json, comparison.to_dict())
    comparison.matrix.write(layout.matrix_dir)
    if as_json:
        print(json.dumps(comparison.to_dict(), indent=2, default=str))
    else:
        _print_comparison(comparison)


def _grid_rows(task: Any, x: np.ndarray, y: np.ndarray | None, preds: dict[str, np.ndarray]) -> dict:
    rows = {}
    truth = task.ground_truth(x, y)
    if truth is not None:
        rows["ground truth"] = truth
    rows.update({name: task.display(p) for name, p in preds.items()})
    return rows


@app.command()
def show(
    run_dir: OutOpt = DEFAULT_OUT,
    data: DataOpt = None,
    model: ModelOpt = "cae",
    image_size: SizeOpt = None,
    count: Annotated[int, typer.Option("--count", "-n", help="Test images in the grid", min=1, max=30)] = 10,
    seed: Annotated[int, typer.Option(help="Seed of the image subset")] = 0,
) -> None:
    """Draw RUN/<model>_grid.png: inputs on top, each variant's reconstructions (or segmentations) below.

    Example: autoencoder-edge show --out runs/cae -n 12
    """
    from autoencoder_edge.grid import save_grid
    from autoencoder_edge.tasks import get_task
    from autoencoder_edge.variants import reconstruct

    layout = _layout(run_dir, model)
    task = get_task(model)
    try:
        test = _test_split(model, data, None, seed, image_size)
        x, y = test.x[:count], None if test.y is None else test.y[:count]
        preds = reconstruct(layout, x)
    except AppError as exc:
        raise _fail(exc) from None
    path = save_grid(x, _grid_rows(task, x, y, preds), layout.grid_png, count)
    out.print(f"wrote {path}", highlight=False)


@app.command()
def pipeline(
    run_dir: OutOpt = DEFAULT_OUT,
    data: DataOpt = None,
    model: ModelOpt = "cae",
    image_size: SizeOpt = None,
    unet_filters: FiltersOpt = 16,
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
    from autoencoder_edge.steps import check_edgetpu, compile_edgetpu, quantize_model, train_model, write_json
    from autoencoder_edge.tasks import get_task
    from autoencoder_edge.variants import compare, reconstruct

    layout = _layout(run_dir, model).ensure()
    task, size = get_task(model), _size(image_size)
    timings: dict[str, float] = {}
    started = time.perf_counter()

    def step(name: str) -> float:
        if not as_json:
            out.print(f"[bold]{name}[/] …")
        return time.perf_counter()

    try:
        t = step("train")
        training = train_model(
            layout, data, model, epochs=epochs, learning_rate=learning_rate, limit=limit, seed=seed,
            progress=not as_json, image_size=size, base_filters=unet_filters,
        )  # fmt: skip
        timings["train"] = time.perf_counter() - t
        t = step("quantize")
        quantize_model(layout, data, samples, limit, seed, model, size)
        check = check_edgetpu(layout).to_dict()
        timings["quantize + check"] = time.perf_counter() - t
        t = step("compile")
        compiled = compile_edgetpu(layout)
        timings["compile"] = time.perf_counter() - t
        t = step("bench")
        test = _test_split(model, data, limit, seed, image_size)
        comparison = compare(layout, task, test.x, test.y, runs, min(20, runs), threads,
                             progress=not as_json)  # fmt: skip
        write_json(layout.bench_json, comparison.to_dict())
        comparison.matrix.write(layout.matrix_dir)
        timings["bench"] = time.perf_counter() - t
        step("show")
        n = min(10, len(test))
        y = None if test.y is None else test.y[:n]
        preds = reconstruct(layout, test.x[:n])
        grid = save_grid(test.x[:n], _grid_rows(task, test.x[:n], y, preds), layout.grid_png, n)
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
    """Console-script entry: one error line and the exit-code contract (``--debug`` for tracebacks)."""
    run_cli(app)


if __name__ == "__main__":
    main()
