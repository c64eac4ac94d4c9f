"""``edgesmith-tvm``: compile ONNX/TFLite with TVM, tune it with MetaSchedule, run it.

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
        "Compile ONNX/TFLite models with Apache TVM (Relax), tune them with MetaSchedule and time them.\n\n"
        "Example:\n\n"
        "  edgesmith-tvm tune model.onnx --log tuning/ --target x86-avx512 --trials 500 --max-minutes 30\n\n"
        "  edgesmith-tvm compile model.onnx -o model.tvm --target x86-avx512 --tuning-log tuning/\n\n"
        "  edgesmith-tvm compile model.onnx -o model-rpi4.tvm --target rpi4\n\n"
        "  edgesmith-tvm run model.tvm --runs 100"
    ),
    no_args_is_help=True,
    add_completion=False,
)
TARGET_HELP = (
    "TVM target: a preset (x86-avx2, x86-avx512, rpi4, rpi5, jetson-nano, jetson-orin), native "
    "(llvm -mcpu=<this CPU>), 'llvm -mcpu=X -num-cores=N', cuda, or a JSON dict."
)


def _bar(disabled: bool) -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        disable=disabled,
        transient=True,
    )


@app.command("compile")
def compile_cmd(
    model: Annotated[Path, typer.Argument(help="Source model: .onnx or .tflite.")],
    output: Annotated[Path, typer.Option("-o", "--output", help="Directory to write (<name>.tvm).")] = Path(
        "model.tvm"
    ),
    target: Annotated[str, typer.Option(help=TARGET_HELP)] = "native",
    opt_level: Annotated[int, typer.Option(help="Relax/TIR optimization level 0-3.")] = 3,
    batch: Annotated[int, typer.Option(help="Batch size the library is compiled for (samples).")] = 1,
    tuning_log: Annotated[
        Path | None,
        typer.Option(
            help="Tuning log from `edgesmith-tvm tune` (default: the preset's shipped log, if any)."
        ),
    ] = None,
    use_shipped_log: Annotated[
        bool,
        typer.Option(
            "--shipped-log/--no-shipped-log",
            help="Apply the preset's shipped log when no --tuning-log is given (off: an untuned build).",
        ),
    ] = True,
    cc: Annotated[
        str | None,
        typer.Option(
            help="Cross compiler for foreign targets (default: aarch64-linux-gnu-g++ for ARM presets)."
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Compile a model to a reloadable library + weights directory.

    Kernels without a tuning record get a default schedule: the fastest of the hand-written schedules,
    timed on this machine (a MetaSchedule sample where none applies).

    Example: edgesmith-tvm compile mobilenet.onnx -o mobilenet.tvm --target x86-avx512 --tuning-log tuning/
    """
    from edgesmith.export_tvm.compile import compile_model

    try:
        with _bar(as_json) as bar:
            job = bar.add_task("default schedules", total=None)
            result = compile_model(
                model,
                output,
                target=target,
                opt_level=opt_level,
                batch=batch,
                tuning_log=tuning_log,
                use_shipped_log=use_shipped_log,
                cc=cc,
                progress=lambda name, done, total: bar.update(
                    job, description=f"default schedule {name[:36]}", completed=done, total=total
                ),
            )
    except TVMExportError as exc:
        fail(exc)
    emit(result.to_dict(), as_json, f"TVM compile: {output}")


def _task_table(report, title: str) -> Table:
    table = Table(title=title)
    for col, justify in (
        ("task", "left"),
        ("MFLOP", "right"),
        ("×", "right"),
        ("trials", "right"),
        ("default ms", "right"),
        ("best ms", "right"),
        ("GFLOP/s", "right"),
        ("schedule", "left"),
    ):
        table.add_column(col, justify=justify, overflow="fold")
    for t in report.tasks:
        table.add_row(
            t.name,
            f"{t.flops / 1e6:.2f}",
            str(t.weight),
            str(t.trials),
            f"{t.default_ms:.4f}" if t.default_ms is not None else "-",
            f"{t.best_ms:.4f}" if t.best_ms is not None else "-",
            f"{t.gflops:.1f}" if t.gflops else "-",
            t.schedule + (" (log)" if t.reused else "") + (" (not searched)" if t.skipped else ""),
        )
    return table


@app.command("tune")
def tune_cmd(
    model: Annotated[Path, typer.Argument(help="Source model: .onnx or .tflite.")],
    log: Annotated[
        Path, typer.Option(help="Tuning log directory (MetaSchedule JSON database): created or extended.")
    ] = Path("tvm-tuning"),
    target: Annotated[str, typer.Option(help=TARGET_HELP)] = "native",
    trials: Annotated[
        int, typer.Option(help="Trial budget (candidates built and measured), all tasks.")
    ] = 500,
    max_minutes: Annotated[
        float | None, typer.Option(help="Wall-clock budget for the search (minutes); stops early.")
    ] = None,
    min_trials: Annotated[int, typer.Option(help="Trials every task gets before any task gets more.")] = 16,
    focus: Annotated[
        float,
        typer.Option(
            help="Share of the model's default-scheduled time to tune (0-1]: the slowest tasks first; "
            "1 searches every task."
        ),
    ] = 0.9,
    batch: Annotated[int, typer.Option(help="Batch size to tune for (samples).")] = 1,
    seed: Annotated[int, typer.Option(help="Random seed of the search.")] = 0,
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="Compiled .tvm dir (default: <log>/model.tvm).")
    ] = None,
    threads: Annotated[int, typer.Option(help="Threads for the final TVM vs reference timing.")] = 2,
    rounds: Annotated[int, typer.Option(help="Interleaved rounds of the final timing.")] = 50,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Tune each kernel with MetaSchedule within a trial and time budget; extend the log; time the result.

    Tasks already in the log spend no trials. Prints every task (FLOPs, trials, GFLOP/s, tuned or default)
    and the compiled model's latency beside ONNX Runtime's (or TFLite's) measured in this process.

    Example: edgesmith-tvm tune cifar.onnx --log tuning/ --target x86-avx512 --trials 300 --max-minutes 20
    """
    from edgesmith.export_tvm.session import tune_and_measure

    try:
        with _bar(as_json) as bar:
            job = bar.add_task("tuning", total=trials)

            def progress(name: str, done: int, total: int) -> None:
                bar.update(job, description=f"{name[:36]}", completed=done, total=total)

            result = tune_and_measure(
                model,
                log,
                target=target,
                trials=trials,
                max_seconds=max_minutes * 60 if max_minutes else None,
                min_trials=min_trials,
                focus=focus,
                batch=batch,
                seed=seed,
                output=output,
                threads=threads,
                rounds=rounds,
                progress=progress,
            )
    except (TVMExportError, RunnerError) as exc:
        fail(exc)
    if as_json:
        emit(result.to_dict(), True, "")
        return
    report = result.report
    title = f"TVM tuning log {log}: {report.trials} trials now, {report.seconds:.0f} s" + (
        " (time budget reached)" if report.stopped_by_time else ""
    )
    out.print(_task_table(report, title))
    sbs = result.comparison
    out.print(f"{result.compiled}: {result.tuned} tuned + {result.default} default-scheduled kernels")
    if sbs is None:
        out.print(f"no side-by-side latency: {result.comparison_skipped}")
        return
    out.print(
        f"latency, batch {batch}, {sbs.threads} threads, {sbs.rounds} interleaved rounds: "
        f"TVM {sbs.tvm_ms:.3f} ms · {sbs.reference} {sbs.reference_ms:.3f} ms · {sbs.ratio:.2f}× "
        f"(max |diff| {sbs.max_abs_diff:.1e})"
    )


@app.command("bench")
def bench_cmd(
    artifact: Annotated[Path, typer.Argument(help="A compiled .tvm directory.")],
    against: Annotated[Path, typer.Option(help="The source model (.onnx or .tflite) to time beside it.")],
    threads: Annotated[int, typer.Option(help="Threads for both runtimes.")] = 2,
    rounds: Annotated[int, typer.Option(help="Interleaved rounds (one call of each per round).")] = 50,
    warmup: Annotated[int, typer.Option(help="Untimed calls of each first.")] = 5,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Time a compiled model beside ONNX Runtime / TFLite running its source, interleaved, in one process.

    Example: edgesmith-tvm bench mobilenet.tvm --against mobilenet.onnx --threads 2 --rounds 100
    """
    from edgesmith.export_tvm.compare import side_by_side

    try:
        result = side_by_side(artifact, against, threads=threads, rounds=rounds, warmup=warmup)
    except (TVMExportError, RunnerError, OSError) as exc:
        fail(exc)
    emit(result.to_dict(), as_json, f"TVM vs {result.reference}: {result.ratio:.2f}×")


@app.command("compact")
def compact_cmd(
    logs: Annotated[list[Path], typer.Argument(help="Tuning logs to merge (directories from `tune`).")],
    output: Annotated[Path, typer.Option("-o", "--output", help="Log directory to write (replaced).")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Keep only the best record of each kernel of one or more logs: a small log to ship or share.

    Example: edgesmith-tvm compact cifar-log/ plate-log/ -o logs/x86-avx512
    """
    from edgesmith.export_tvm.tuning import compact_log

    try:
        records = compact_log(list(logs), output)
    except TVMExportError as exc:
        fail(exc)
    emit({"output": str(output), "records": records, "sources": [str(p) for p in logs]}, as_json, "compacted")


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
