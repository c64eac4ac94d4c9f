"""``edgesmith-profile``: benchmark, compare and profile models on any registered backend.

Every command is a thin layer over the Python API (bench, run_matrix, profile_ops, profile_training,
compare). Errors print one line and exit with status 1; ``--json`` prints machine-readable results.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from importlib.metadata import entry_points
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from edgesmith.profiling.console import err, one_line_errors, out, run_cli
from edgesmith.profiling.errors import NothingFound, UsageError
from edgesmith.profiling.runner import RunnerError

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
for _ep in entry_points(group="edgesmith.profile_commands"):  # sub-apps other packages plug in
    try:  # edgesmith-studies adds `study`; a broken plugin must not break the CLI
        app.add_typer(_ep.load(), name=_ep.name)
    except ImportError:
        continue


def _ints(text: str, what: str) -> list[int]:
    try:
        values = [int(v) for v in text.split(",") if v.strip()]
    except ValueError:
        raise RunnerError(f"{what} must be comma-separated integers, e.g. 1,8,32; got {text!r}") from None
    if not values or any(v < 1 for v in values):
        raise RunnerError(f"{what} must be positive integers, got {text!r}")
    return values


DATA_HELP = (
    "Data: an image folder (class subfolders = labels), .npy/.npz, a CSV of image paths + targets "
    "(file.csv:col1,col2 picks targets), or digits / photos / mnist:DIR / cifar10:DIR."
)
PREPROCESS_HELP = (
    "How images become inputs: presets mobilenet, caffe, torch, 0-1, raw and steps resize=HxW, "
    "shorter=N, crop=HxW, scale=1/127.5, offset=-1, mean=a/b/c, std=a/b/c, channels=bgr, layout=nchw. "
    "Default: 0-1 at the model's input size."
)


def _model_inputs(
    artifact: Path, backend: str | None, data: str, preprocess: str | None, limit: int | None = None
):
    """Inputs from a data spec, preprocessed to ``artifact``'s input shape."""
    from edgesmith.profiling.dataspec import load_data
    from edgesmith.profiling.registry import open_runner

    with open_runner(artifact, backend) as r:
        specs = r.input_specs()
    return load_data(data, preprocess, specs[0].shape if specs else None, limit=limit).x


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
    data: Annotated[str | None, typer.Option(help=DATA_HELP)] = None,
    preprocess: Annotated[str | None, typer.Option(help=PREPROCESS_HELP)] = None,
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
    from edgesmith.profiling.registry import accepts_option, backend_for

    sizes = _ints(batch_sizes, "--batch-sizes")
    inputs = _model_inputs(artifact, backend, data, preprocess) if data else None
    options = _runner_options(
        threads, device, xnnpack if accepts_option(backend or backend_for(artifact), "xnnpack") else None
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
    model: Annotated[
        Path, typer.Argument(help="Your model: .keras/.h5, a SavedModel folder, .onnx or .tflite.")
    ],
    data: Annotated[str | None, typer.Option(help=DATA_HELP + " Default: photos.")] = None,
    preprocess: Annotated[str | None, typer.Option(help=PREPROCESS_HELP)] = None,
    input_shape: Annotated[
        list[str] | None,
        typer.Option(
            help="Fix dynamic inputs, e.g. x:1x3x640x640 (repeat per input); applied before every backend."
        ),
    ] = None,
    metric: Annotated[
        str,
        typer.Option(
            help="accuracy, top5, iou, mae, mse, reconstruction, segmentation, agreement, fidelity or "
            "module:function; "
            "auto: accuracy for class labels, iou for 4-column boxes, mae otherwise, agreement with the "
            "source model without labels."
        ),
    ] = "auto",
    variants: Annotated[
        str | None,
        typer.Option(help="Comma-separated variants or families, e.g. tflite-int8,onnx (default: all)."),
    ] = None,
    artifact: Annotated[
        list[str] | None,
        typer.Option(help="Also measure a model you built (pruned, QAT ...): NAME=PATH, repeatable."),
    ] = None,
    max_loss: Annotated[
        float | None,
        typer.Option(
            help="Largest metric loss accepted vs the source: points for % metrics, else % (default 1). "
            "Giving it also builds tflite-int8-guarded: int8 with the fewest layers in float that meet it."
        ),
    ] = None,
    optimize: Annotated[
        str, typer.Option(help="What the chosen variant minimises: latency, size or memory.")
    ] = ("latency"),
    out: Annotated[
        Path | None, typer.Option(help="Folder for artifacts, matrix.md/.csv/.json and pareto.png.")
    ] = None,
    option: Annotated[
        list[str] | None,
        typer.Option(
            "--option",
            help="An exporter option, FAMILY.KEY=VALUE, repeatable: tvm.tuning_log=tuned/, tvm.target=llvm.",
        ),
    ] = None,
    limit: Annotated[int | None, typer.Option(help="Use only the first N samples of the data.")] = None,
    calibration_samples: Annotated[
        int, typer.Option(help="Samples that calibrate int8 variants (taken first, not evaluated).")
    ] = 100,
    threads: Annotated[int | None, typer.Option(help="CPU threads per runtime (default: all).")] = None,
    runs: Annotated[int, typer.Option(help="Timed runs per variant and batch size.")] = 100,
    budget: Annotated[float, typer.Option(help="Time budget of the timed runs per variant (s).")] = 10.0,
    batch_sizes: Annotated[
        str,
        typer.Option(
            help="Batch sizes to time, comma-separated (e.g. 1,8,32): one row per variant and size, "
            "ratios vs the source at the same size; the decision uses the first."
        ),
    ] = "1",
    isolate: Annotated[
        bool,
        typer.Option(help="Measure each variant in a fresh process, so its memory figure is its own."),
    ] = False,
    json_out: Annotated[bool, typer.Option("--json", help="Print JSON instead of the summary.")] = False,
) -> None:
    """Build every variant of your model this machine can make, measure each, and say which to ship.

    Variants come from the installed exporters (TFLite fp32/fp16/dynamic/int8, ONNX, TVM, TensorRT, Edge TPU);
    one that cannot be built here is a row saying why. Every row is timed (ms at batch 1), scored on the same
    preprocessed data (int8 calibration uses the first --calibration-samples, scoring the rest), sized and
    compared with the source; without labels the score is agreement with the source model. Artifacts are
    cached in --out, so a second run rebuilds nothing.

    Example: edgesmith-profile matrix mobilenet.keras --data photos/ --preprocess mobilenet --out report/
    """
    from edgesmith.profiling.matrix import Variant
    from edgesmith.profiling.model_matrix import profile_model
    from edgesmith.profiling.shapes import parse_input_shapes

    result = profile_model(
        model,
        data,
        preprocess=preprocess,
        input_shape=parse_input_shapes(input_shape),
        metric=metric,
        variants=variants.split(",") if variants else None,
        max_loss=max_loss,
        optimize=optimize,
        out=out,
        limit=limit,
        calibration_samples=calibration_samples,
        threads=threads,
        runs=runs,
        budget_s=budget,
        batch_sizes=_batch_sizes(batch_sizes),
        isolate=isolate,
        progress=not json_out and err.is_terminal,
        extra=[Variant.parse(a) for a in artifact or ()],
        export_options=_export_options(option or ()),
    )
    result.write(Path(result.out))
    if json_out:
        _emit_json(result.to_json())
    else:
        _print_matrix(result)
    if not any(r.ok for r in result.result.rows):
        raise NothingFound("every variant failed", fix="see the table for each reason")


def _batch_sizes(text: str) -> tuple[int, ...]:
    """``"1,8,32"`` -> ``(1, 8, 32)``; anything else is a usage error naming the form."""
    try:
        sizes = tuple(int(p) for p in text.split(",") if p.strip())
    except ValueError:
        sizes = ()
    if not sizes or min(sizes) < 1:
        raise UsageError(f"bad --batch-sizes {text!r}", fix="give whole numbers of 1 or more, e.g. 1,8,32")
    return sizes


def _export_options(items: Sequence[str]) -> dict[str, dict[str, Any]]:
    """``["tvm.tuning_log=db/", "tvm.opt_level=2"]`` -> ``{"tvm": {"tuning_log": "db/", "opt_level": 2}}``."""
    out: dict[str, dict[str, Any]] = {}
    for item in items:
        key, eq, value = item.partition("=")
        family, dot, name = key.strip().partition(".")
        if not (eq and dot and family and name):
            raise UsageError(
                f"bad --option {item!r}", fix="write FAMILY.KEY=VALUE, e.g. tvm.tuning_log=tuned/"
            )
        out.setdefault(family, {})[name] = int(value) if value.strip().lstrip("-").isdigit() else value
    return out


def _families(names: list[str], rows: list[Any]) -> str:
    """``tflite-*`` for every precision of a family, else the variant names, comma-separated."""
    out = []
    for family in dict.fromkeys(n.split("-", 1)[0] for n in names):
        mine = [n for n in names if n.split("-", 1)[0] == family]
        every = [r.variant for r in rows if r.variant.split("-", 1)[0] == family]
        out += [f"{family}-*"] if len(mine) > 1 and mine == every else mine
    return ", ".join(out)


def _first_clause(text: str) -> str:
    """The reason up to its first ';' or '(', without a leading file path (the full text is in matrix.md)."""
    import re

    text = re.sub(r"(^|: )/\S+?: ", r"\1", text)  # "build failed: /x/y.onnx: why" -> "build failed: why"
    for sep in ("; ", " ("):
        text = text.split(sep, 1)[0]
    return text.strip()


def _print_matrix(result: Any) -> None:
    """The summary: one row per variant in at most 80 columns, then the decision and the files."""
    res, d = result.result, result.decision
    from rich import box

    table = Table(
        title=f"{Path(result.model).name} · {res.samples} samples of {res.dataset}\nmetric: {res.metric_key}",
        title_justify="left",
        box=box.SIMPLE_HEAD,
    )
    table.add_column("variant", overflow="fold", max_width=20)
    for col in ("ms", "speed", "metric"):
        table.add_column(col, justify="right", overflow="fold")
    table.add_column("MB", justify="right")
    table.add_column("note", overflow="fold", max_width=16)
    skipped: dict[str, list[str]] = {}
    for r in res.rows:
        if r.error and r.error.startswith("not built: "):  # grouped below, first clause only
            skipped.setdefault(_first_clause(r.error[len("not built: ") :]), []).append(r.variant)
            continue
        if not r.ok:
            table.add_row(escape(r.variant), "", "", "", "", escape(_first_clause(r.error or "")))
            continue
        metric = (
            "ref" if r.reference else f"{r.metric:.6f}" if res.metric_key == "cosine" else f"{r.metric:.4g}"
        )
        note = "cached" if r.extra.get("cached") else ""
        if r.extra.get("via"):
            note = f"via {r.extra['via']}" + (", cached" if note else "")
        table.add_row(
            escape(r.variant),
            f"{r.latency_ms:.2f}",
            f"{r.speedup:.3g}x" if r.speedup else "",
            metric,
            f"{r.size_mb:.2f}",
            escape(note),
        )
    for reason, names in skipped.items():
        table.add_row(escape(_families(names, res.rows)), "", "", "", "", escape(f"not built: {reason}"))
    out.print(table)
    out.print(escape(d.summary()), highlight=False)
    out.print(f"tables, plot, commands: {escape(result.out)}/matrix.md", highlight=False, soft_wrap=True)


@app.command()
@one_line_errors
def ops(
    artifact: Annotated[Path, typer.Argument(help="Keras model (.keras/.h5/SavedModel), .onnx or .tflite.")],
    batch_size: Annotated[int, typer.Option(help="Batch size of the traced runs.")] = 1,
    input_shape: Annotated[
        list[str] | None, typer.Option(help="ONNX with dynamic inputs: x:1x3x640x640 (repeat per input).")
    ] = None,
    runs: Annotated[int, typer.Option(help="Traced runs to average.")] = 10,
    sort: Annotated[str, typer.Option(help="Sort by time, bytes, count or name.")] = "time",
    top: Annotated[int | None, typer.Option(help="Show only the first N op types.")] = None,
    threads: Annotated[int | None, typer.Option(help="CPU threads (default: all).")] = None,
    csv_path: Annotated[
        Path | None, typer.Option("--csv", help="Also write the profile as CSV here.")
    ] = None,
    json_out: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """Op-level profile by op type: time (ms), self/cumulative share, requested bytes — one table for all.

    Keras models are traced with TensorFlow's step stats, .onnx with ONNX Runtime's profiler; .tflite uses
    TensorFlow Lite's benchmark_model op profiling when installed (PATH or $EDGESMITH_TFLITE_BENCHMARK),
    else op counts by type with the whole-model time measured through the interpreter.

    Example: edgesmith-profile ops det.onnx --input-shape x:1x3x640x640 --runs 20 --top 10
    """
    from edgesmith.profiling.ops import profile_ops
    from edgesmith.profiling.shapes import parse_input_shapes

    prof = profile_ops(
        artifact,
        batch_size=batch_size,
        runs=runs,
        threads=threads,
        input_shapes=parse_input_shapes(input_shape),
    )
    prof = prof.sorted(sort if prof.timed or sort != "time" else "count")
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
        timed = (
            (f"{r.time_ms:.4f}", f"{100 * r.share:.1f}", f"{100 * r.cumulative:.1f}")
            if prof.timed
            else ("",) * 3
        )
        table.add_row(r.op_type, str(r.count), *timed, kb)
    out.print(table)


@app.command()
@one_line_errors
def train(
    model: Annotated[Path, typer.Argument(help="Keras model (.keras/.h5) to train from its saved weights.")],
    dataset: Annotated[str, typer.Option(help="Training data with targets: " + DATA_HELP)],
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
    from edgesmith.profiling.errors import require

    require("edgesmith.models", "a training profile", "keras")
    from edgesmith.models.training_profile import profile_training
    from edgesmith.profiling.dataspec import load_data

    loaded = load_data(dataset, split="train", limit=limit)
    x, y = loaded.x, loaded.y
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
    data: Annotated[str | None, typer.Option(help=DATA_HELP)] = None,
    preprocess: Annotated[str | None, typer.Option(help=PREPROCESS_HELP)] = None,
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

    inputs = _model_inputs(reference, None, data, preprocess, limit=samples) if data else None
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
