"""``edgesmith-tvm``: compile ONNX/TFLite with TVM, tune it (MetaSchedule search space), run it.

Thin verbs over :mod:`edgesmith.export_tvm`, in the spirit of tvmc.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import numpy as np
import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from edgesmith.export_tvm.errors import TVMExportError
from edgesmith.profiling.console import emit, err, fail, out, run_cli
from edgesmith.profiling.runner import RunnerError

app = typer.Typer(
    name="edgesmith-tvm",
    help=(
        "Compile ONNX/TFLite models with Apache TVM (Relax), tune them and time them.\n\n"
        "Example:\n\n"
        "  edgesmith-tvm tune model.onnx --db tuning/ --target native --trials 300\n\n"
        "  edgesmith-tvm compile model.onnx -o model.tvm --target native --tuning-db tuning/\n\n"
        "  edgesmith-tvm run model.tvm --runs 100"
    ),
    no_args_is_help=True,
    add_completion=False,
)
TARGET_HELP = (
    "TVM target: llvm, native (llvm -mcpu=<this CPU>), 'llvm -mcpu=X -num-cores=N', cuda, JSON dict."
)


@app.command("compile")
def compile_cmd(
    model: Annotated[Path, typer.Argument(help="Source model: .onnx or .tflite.")],
    output: Annotated[Path, typer.Option("-o", "--output", help="Directory to write (<name>.tvm).")] = Path(
        "model.tvm"
    ),
    target: Annotated[str, typer.Option(help=TARGET_HELP)] = "llvm",
    opt_level: Annotated[int, typer.Option(help="Relax/TIR optimization level 0-3.")] = 3,
    batch: Annotated[int, typer.Option(help="Batch size the library is compiled for (samples).")] = 1,
    tuning_db: Annotated[Path | None, typer.Option(help="Tuning database from `edgesmith-tvm tune`.")] = None,
    cc: Annotated[
        str | None, typer.Option(help="Cross compiler for foreign targets, e.g. aarch64-linux-gnu-g++.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Compile a model to a reloadable library + weights directory.

    Example: edgesmith-tvm compile mobilenet.onnx -o mobilenet.tvm --target native --tuning-db tuning/
    """
    from edgesmith.export_tvm.compile import compile_model

    try:
        result = compile_model(
            model, output, target=target, opt_level=opt_level, batch=batch, tuning_db=tuning_db, cc=cc
        )
    except TVMExportError as exc:
        fail(exc)
    emit(result.to_dict(), as_json, f"TVM compile: {output}")


@app.command("tune")
def tune_cmd(
    model: Annotated[Path, typer.Argument(help="Source model: .onnx or .tflite.")],
    db: Annotated[
        Path, typer.Option(help="Tuning database directory (created, or reused and extended).")
    ] = Path("tvm-tuning"),
    target: Annotated[str, typer.Option(help=TARGET_HELP)] = "native",
    trials: Annotated[
        int, typer.Option(help="Measurement budget (compiled + timed candidates), all tasks.")
    ] = 200,
    batch: Annotated[int, typer.Option(help="Batch size to tune for (samples).")] = 1,
    seed: Annotated[int, typer.Option(help="Random seed of the search.")] = 0,
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="Also compile to this .tvm dir.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Search schedules for each fused kernel within a trial budget; store the best in --db.

    Example: edgesmith-tvm tune cifar.onnx --db tuning/ --trials 100 -o cifar.tvm
    """
    from edgesmith.export_tvm.compile import compile_model
    from edgesmith.export_tvm.frontends import import_model
    from edgesmith.export_tvm.targets import parse_target
    from edgesmith.export_tvm.tuning import tune_module

    try:
        tgt = parse_target(target)
        imported = import_model(model, batch=batch)
        with Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=err,
            disable=as_json,
        ) as bar:
            job = bar.add_task("tuning", total=None)

            def progress(name: str, done: int, total: int) -> None:
                bar.update(job, description=f"tuning {name[:40]}", completed=done, total=total)

            report = tune_module(imported.mod, tgt, db, trials=trials, seed=seed, progress=progress)
        payload = report.to_dict()
        if output is not None:
            payload["compiled"] = compile_model(
                model, output, target=target, batch=batch, tuning_db=db
            ).to_dict()
    except TVMExportError as exc:
        fail(exc)
    if as_json:
        emit(payload, True, "")
        return
    table = Table(title=f"TVM tuning: {db} ({report.trials} trials, {report.seconds:.0f} s)")
    for col in ("task", "MFLOP", "trials", "best ms", "reused"):
        table.add_column(col)
    for t in report.tasks:
        best = f"{t.best_ms:.3f}" if t.best_ms is not None else "untunable"
        table.add_row(t.name, f"{t.flops / 1e6:.1f}", str(t.trials), best, "yes" if t.reused else "")
    out.print(table)
    if output is not None:
        out.print(f"compiled {output} ({payload['compiled']['tuned_functions']} tuned functions)")


@app.command("run")
def run_cmd(
    artifact: Annotated[Path, typer.Argument(help="A compiled .tvm directory.")],
    inputs: Annotated[Path | None, typer.Option("--input", help=".npy batch (default: random).")] = None,
    runs: Annotated[int, typer.Option(help="Timed runs.")] = 50,
    warmup: Annotated[int, typer.Option(help="Untimed warm-up runs.")] = 5,
    threads: Annotated[int | None, typer.Option(help="CPU threads (default: one per core).")] = None,
    device: Annotated[str, typer.Option(help="cpu or cuda[:N].")] = "cpu",
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Load a .tvm directory without its source model and time it (ms per batch).

    Example: edgesmith-tvm run mobilenet.tvm --runs 100 --threads 2 --json
    """
    from edgesmith.export_tvm.runner import TVMRunner
    from edgesmith.profiling import bench

    try:
        with TVMRunner(artifact, device=device, threads=threads) as runner:
            meta_shape = runner._inputs[0]["shape"]
            x = (
                np.load(inputs).astype(np.float32)
                if inputs is not None
                else np.random.default_rng(0).random(meta_shape, dtype=np.float32)
            )
            result = bench(runner, batch_sizes=[len(x)], warmup=warmup, runs=runs, inputs=x, keep_active=True)
            out = runner.predict(x)
            info = runner.describe().to_dict()
    except (TVMExportError, RunnerError, OSError, ValueError) as exc:
        fail(exc)
    stats = result.stats()
    payload = {
        "artifact": str(artifact),
        "batch": stats.batch_size,
        "latency_ms_mean": stats.mean_ms,
        "latency_ms_p50": stats.p50_ms,
        "latency_ms_p99": stats.p99_ms,
        "throughput_per_s": stats.throughput,
        "output_shape": list(np.asarray(out if isinstance(out, np.ndarray) else out[0]).shape),
        "target": info["extra"]["target"],
        "tuned_functions": info["extra"]["tuned_functions"],
    }
    emit(payload, as_json, f"TVM run: {artifact}")


def main() -> None:
    """Console-script entry: one error line and the exit-code contract (``--debug`` for tracebacks)."""
    run_cli(app)


__all__ = ["app", "main"]
