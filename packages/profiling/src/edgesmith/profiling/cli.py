"""``edgesmith-profile``: benchmark, compare and profile models on any registered backend.

Every command is a thin layer over the Python API (bench, run_matrix, profile_ops, profile_training,
compare). Errors print one line and exit with status 1; ``--json`` prints machine-readable results.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from edgesmith.profiling.console import err, one_line_errors, out, run_cli
from edgesmith.profiling.runner import RunnerError
from edgesmith.profiling.studies.cli import study_app

app = typer.Typer(
    name="edgesmith-profile",
    help=(
        "Measure models on every backend: latency, throughput, memory, size, task metric, op profile.\n\n"
        "Example: edgesmith-profile bench model.tflite --batch-sizes 1,8 --threads 2"
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.add_typer(study_app, name="study")  # the solar study/003 as runnable studies


def _ints(text: str, what: str) -> list[int]:
    try:
        values = [int(v) for v in text.split(",") if v.strip()]
    except ValueError:
        raise RunnerError(f"{what} must be comma-separated integers, e.g. 1,8,32; got {text!r}") from None
    if not values or any(v < 1 for v in values):
        raise RunnerError(f"{what} must be positive integers, got {text!r}")
    return values


def _emit_json(text: str) -> None:
    sys.stdout.write(text if text.endswith("\n") else text + "\n")


def _runner_options(threads: int | None, device: str, xnnpack: bool | None = None) -> dict[str, Any]:
    opts: dict[str, Any] = {"device": device}
    if threads:
        opts["threads"] = threads
    if xnnpack is not None:
        opts["xnnpack"] = xnnpack
    return opts


@app.command()
@one_line_errors
def backends(
    json_out: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """List the registered runners and whether each can run here.

    Example: edgesmith-profile backends
    """
    from edgesmith.profiling.registry import _entry_points, availability

    avail = availability()
    eps = _entry_points()
    if json_out:
        _emit_json(
            json.dumps(
                {
                    k: {"available": ok, "reason": why, "entry_point": eps[k].value}
                    for k, (ok, why) in avail.items()
                },
                indent=2,
            )
        )
        return
    table = Table(title="edgesmith.runners")
    for col in ("backend", "available", "provided by", "why not"):
        table.add_column(col)
    for name, (ok, why) in avail.items():
        table.add_row(name, "[green]yes[/green]" if ok else "[red]no[/red]", eps[name].value, escape(why))
    out.print(table)


@app.command()
@one_line_errors
def bench(
    artifact: Annotated[
        Path, typer.Argument(help="Model file: .tflite, .onnx, .keras/.h5, SavedModel dir, ...")
    ],
    backend: Annotated[str | None, typer.Option(help="Runner name (default: guessed from the file).")] = None,
    batch_sizes: Annotated[
        str, typer.Option("--batch-sizes", "-b", help="Comma-separated batch sizes.")
    ] = "1",
    warmup: Annotated[int, typer.Option(help="Untimed warm-up runs per batch size.")] = 50,
    runs: Annotated[int, typer.Option(help="Timed runs per batch size.")] = 1000,
    budget: Annotated[float | None, typer.Option(help="Time budget per batch size (seconds).")] = None,
    threads: Annotated[int | None, typer.Option(help="CPU threads for the runtime (default: all).")] = None,
    device: Annotated[str, typer.Option(help="cpu, gpu/cuda (backend-dependent).")] = "cpu",
    xnnpack: Annotated[bool, typer.Option(help="TFLite only: use the XNNPACK delegate.")] = True,
    data: Annotated[str | None, typer.Option(help="Real inputs: .npz/.npy or mnist/cifar10/digits.")] = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Also write the JSON result here.")
    ] = None,
    json_out: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """Time one model: latency percentiles (ms), throughput (samples/s), memory (MB), size.

    Warm-up runs, then timed runs per batch size; reports mean/std/p50/p90/p99 latency, samples/s, peak
    RSS and its growth over the load, GPU memory on a GPU, model file size and the host.

    Example: edgesmith-profile bench mobilenet_int8.tflite -b 1,8 --runs 500 --threads 2 -o bench.json
    """
    from edgesmith.profiling.bench import bench as run_bench
    from edgesmith.profiling.bench import format_size
    from edgesmith.profiling.data_sources import load_data

    sizes = _ints(batch_sizes, "--batch-sizes")
    inputs = load_data(data)[0] if data else None
    options = _runner_options(
        threads, device, xnnpack if (backend or str(artifact)).endswith("tflite") else None
    )
    result = run_bench(
        artifact,
        sizes,
        warmup=warmup,
        runs=runs,
        budget_s=budget,
        inputs=inputs,
        progress=not json_out and err.is_terminal,
        backend=backend,
        **options,
    )
    if output:
        result.to_json(output)
    if json_out:
        _emit_json(result.to_json())
        return
    r = result.runner
    table = Table(title=f"{Path(r['artifact']).name} · {r['backend']} {r['precision']} · {r['device']}")
    for col in (
        "batch",
        "runs",
        "mean ms",
        "std ms",
        "p50 ms",
        "p90 ms",
        "p99 ms",
        "samples/s",
        "peak RSS MB",
        "loop RSS MB/1k runs",
    ):
        table.add_column(col, justify="right")
    for b in result.batches:
        table.add_row(
            str(b.batch_size),
            f"{b.runs}{' (budget)' if b.budget_hit else ''}",
            f"{b.mean_ms:.3f}",
            f"{b.std_ms:.3f}",
            f"{b.p50_ms:.3f}",
            f"{b.p90_ms:.3f}",
            f"{b.p99_ms:.3f}",
            f"{b.throughput:.1f}",
            f"{b.peak_rss_mb:.1f}",
            "" if b.rss_growth_per_1k_runs_mb is None else f"{b.rss_growth_per_1k_runs_mb:+.3f}",
        )
    out.print(table)

    h = result.host
    out.print(
        f"size {format_size(r['size_bytes'])} · load {result.load_s:.2f} s · "
        f"RSS growth: load {result.load_rss_growth_mb or 0.0:.1f} MB, loop "
        f"{sum(b.loop_rss_growth_mb or 0.0 for b in result.batches):+.2f} MB over "
        f"{sum(b.runs for b in result.batches):,} runs · {h['cpu']} ({h['cores_logical']} threads) · "
        f"threads used {r['extra'].get('threads')}",
        highlight=False,
    )


@app.command()
@one_line_errors
def matrix(
    variant: Annotated[
        list[str],
        typer.Option(
            "--variant",
            "-v",
            help=("NAME=PATH[,backend=B][,precision=P][,pruned][,baseline][,threads=N]; repeat per variant."),
        ),
    ],
    dataset: Annotated[
        str, typer.Option(help="Evaluation data: .npz (x, y) / .npy or mnist, cifar10, digits.")
    ],
    metric: Annotated[
        str, typer.Option(help="accuracy, iou, mae, mse or reconstruction (autoencoders).")
    ] = "accuracy",
    split: Annotated[str, typer.Option(help="Split of a named dataset: train, val or test.")] = "test",
    limit: Annotated[int | None, typer.Option(help="Evaluate only the first N samples.")] = None,
    batch_size: Annotated[int, typer.Option(help="Batch size of the latency measurement.")] = 1,
    warmup: Annotated[int, typer.Option(help="Warm-up runs per variant.")] = 20,
    runs: Annotated[int, typer.Option(help="Timed runs per variant.")] = 200,
    budget: Annotated[
        float | None, typer.Option(help="Time budget of the timed runs per variant (s).")
    ] = 30.0,
    isolate: Annotated[bool, typer.Option(help="One process per variant, for clean memory figures.")] = False,
    out_dir: Annotated[Path | None, typer.Option(help="Write matrix.md, .csv, .json and .png here.")] = None,
    json_out: Annotated[bool, typer.Option("--json", help="Print JSON instead of the table.")] = False,
) -> None:
    """Framework × precision × pruning table (the Costa Rica plate study): time, metric, memory, size, ratios.

    One row per variant: latency (ms), task metric on the dataset, memory (MB, peak RSS growth), size
    (MB) and ratios to the baseline; a failed variant keeps its row with the reason. --out-dir writes
    matrix.md, matrix.csv, matrix.json and matrix.png (latency vs metric, marker area = size).

    Example: edgesmith-profile matrix -v "Keras FP32=cae.keras,baseline" -v "TFLite INT8=cae_int8.tflite"
    --dataset mnist --metric reconstruction --out-dir reports/
    """
    from edgesmith.datasets import ArrayDataset
    from edgesmith.profiling.data_sources import load_data
    from edgesmith.profiling.matrix import run_matrix

    data = ArrayDataset(*load_data(dataset, split, limit))
    result = run_matrix(
        variant,
        data,
        metric,
        batch_size=batch_size,
        warmup=warmup,
        runs=runs,
        budget_s=budget,
        isolate=isolate,
        progress=not json_out and err.is_terminal,
    )
    if out_dir:
        result.to_csv(out_dir / "matrix.csv")
        result.to_json(out_dir / "matrix.json")
        from edgesmith.profiling.bench import atomic_write

        atomic_write(out_dir / "matrix.md", result.to_markdown())
        if any(r.ok for r in result.rows):
            result.plot(out_dir / "matrix.png")
    if json_out:
        _emit_json(result.to_json())
    else:
        out.print(result.to_markdown(), highlight=False, soft_wrap=True)
    if not any(r.ok for r in result.rows):
        raise RunnerError("every variant failed; see the table for the reasons")


@app.command()
@one_line_errors
def ops(
    artifact: Annotated[
        Path, typer.Argument(help="Keras model (.keras/.h5) or .tflite (needs benchmark_model).")
    ],
    batch_size: Annotated[int, typer.Option(help="Batch size of the traced runs.")] = 1,
    runs: Annotated[int, typer.Option(help="Traced runs to average.")] = 10,
    sort: Annotated[str, typer.Option(help="Sort by time, bytes, count or name.")] = "time",
    top: Annotated[int | None, typer.Option(help="Show only the first N op types.")] = None,
    threads: Annotated[int | None, typer.Option(help="CPU threads (default: all).")] = None,
    csv_path: Annotated[
        Path | None, typer.Option("--csv", help="Also write the profile as CSV here.")
    ] = None,
    json_out: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """Op-level profile by op type: time (ms), self/cumulative share, requested bytes (the CIFAR-10 study).

    Keras models are traced with TensorFlow's step stats; .tflite files need TensorFlow Lite's
    benchmark_model binary (on PATH or in $EDGESMITH_TFLITE_BENCHMARK).

    Example: edgesmith-profile ops cifar10_cnn.keras --runs 20 --sort time --top 10
    """
    from edgesmith.profiling.ops import profile_ops

    prof = profile_ops(artifact, batch_size=batch_size, runs=runs, threads=threads).sorted(sort)
    if csv_path:
        prof.to_csv(csv_path)
    if json_out:
        _emit_json(prof.to_json())
        return
    table = Table(title=f"{artifact.name}: {prof.total_ms:.3f} ms/run, batch {batch_size}, {prof.source}")
    for col in ("op type", "count", "time ms", "self %", "cumulative %", "requested KB"):
        table.add_column(col, justify="left" if col == "op type" else "right")
    for r in prof.rows[:top]:
        kb = "" if r.requested_bytes is None else f"{r.requested_bytes / 1024:.1f}"
        table.add_row(
            r.op_type,
            str(r.count),
            f"{r.time_ms:.4f}",
            f"{100 * r.share:.1f}",
            f"{100 * r.cumulative:.1f}",
            kb,
        )
    out.print(table)


@app.command()
@one_line_errors
def train(
    model: Annotated[Path, typer.Argument(help="Keras model (.keras/.h5) to train from its saved weights.")],
    dataset: Annotated[str, typer.Option(help="Training data: .npz (x, y) or mnist, cifar10, digits.")],
    epochs: Annotated[int, typer.Option(help="Epochs per device.")] = 1,
    batch_size: Annotated[int, typer.Option(help="Training batch size.")] = 100,
    loss: Annotated[
        str, typer.Option(help="Keras loss, e.g. mse or sparse_categorical_crossentropy.")
    ] = "mse",
    devices: Annotated[str | None, typer.Option(help="cpu,gpu (default: CPU plus GPU when present).")] = None,
    inference_batch_sizes: Annotated[
        str, typer.Option(help="Comma-separated inference batch sizes.")
    ] = "2,64,512,1024",
    limit: Annotated[int | None, typer.Option(help="Use only the first N training samples.")] = None,
    json_out: Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")] = False,
) -> None:
    """Training time per epoch/step, samples/s, CPU vs GPU, inference per batch size (the solar study).

    Each device trains a copy of the model from the same saved weights; the GPU is used when present.

    Example: edgesmith-profile train solar_mlp.keras --dataset solar.npz --epochs 2 --batch-size 500
    """
    from edgesmith.profiling.data_sources import load_data
    from edgesmith.profiling.training import profile_training

    x, y, _ = load_data(dataset, "train", limit)
    if y is None:
        raise RunnerError(f"{dataset} has no targets (y); training needs them")
    prof = profile_training(
        str(model),
        x,
        y,
        epochs=epochs,
        batch_size=batch_size,
        loss=loss,
        devices=devices.split(",") if devices else None,
        inference_batch_sizes=_ints(inference_batch_sizes, "--inference-batch-sizes"),
    )
    if json_out:
        _emit_json(prof.to_json())
    else:
        out.print(prof.to_markdown(), highlight=False, soft_wrap=True)


@app.command()
@one_line_errors
def compare(
    reference: Annotated[Path, typer.Argument(help="Reference artifact (e.g. the Keras model).")],
    candidate: Annotated[Path, typer.Argument(help="Artifact to check (e.g. the exported .tflite/.onnx).")],
    data: Annotated[str | None, typer.Option(help="Real inputs: .npz/.npy or mnist/cifar10/digits.")] = None,
    samples: Annotated[
        int, typer.Option(help="Samples to compare (random [0,1) inputs without --data).")
    ] = 8,
    atol: Annotated[float, typer.Option(help="Absolute tolerance.")] = 1e-3,
    rtol: Annotated[float, typer.Option(help="Relative tolerance.")] = 1e-2,
    json_out: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """Run two artifacts on the same inputs; max/mean absolute and relative error per output.

    Exits 0 when every element is within atol + rtol·|reference|, else 3 (1 on bad input).

    Example: edgesmith-profile compare model.keras model_int8.tflite --data digits --samples 64 --atol 0.05
    """
    from edgesmith.profiling.compare import compare as run_compare
    from edgesmith.profiling.data_sources import load_data

    inputs = load_data(data, limit=samples)[0] if data else None
    result = run_compare(reference, candidate, inputs=inputs, samples=samples, atol=atol, rtol=rtol)
    if json_out:
        _emit_json(result.to_json())
    else:
        out.print(result.to_markdown(), highlight=False, soft_wrap=True)
    if not result.passed:
        raise typer.Exit(3)


def main() -> None:
    """Console-script entry: one error line and the exit-code contract (``--debug`` for tracebacks)."""
    run_cli(app)
