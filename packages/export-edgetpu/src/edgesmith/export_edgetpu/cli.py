"""``edgesmith-edgetpu``: check a TFLite model for the Edge TPU, compile it, read a compiler log, time it."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from edgesmith.export_edgetpu.check import CheckReport, check_model
from edgesmith.export_edgetpu.compiler import CompileOptions, CompilerError, compile_models
from edgesmith.export_edgetpu.compiler_log import CompilerLog, CompilerLogError, parse_compiler_output
from edgesmith.export_edgetpu.ops_table import LATEST_RUNTIME
from edgesmith.profiling.console import FoldingConsole, run_cli
from edgesmith.profiling.tflite_graph import ModelFileError

app = typer.Typer(
    name="edgesmith-edgetpu",
    help="Get TFLite models onto a Coral Edge TPU: readiness check, edgetpu_compiler wrapper, latency "
    "run.\n\nExample: edgesmith-edgetpu check cae_int8.tflite && "
    "edgesmith-edgetpu compile cae_int8.tflite -o out/",
    no_args_is_help=True,
    add_completion=False,
)
out = FoldingConsole()
err = FoldingConsole(stderr=True)


def _fail(message: str, code: int = 2) -> typer.Exit:
    err.print(f"[bold red]error:[/] {escape(message)}", highlight=False, soft_wrap=True)
    return typer.Exit(code)


def _print_check(report: CheckReport, verbose: bool) -> None:
    table = Table(title=f"Edge TPU check: {Path(report.model).name} (runtime {report.min_runtime_version})")
    for col in ("#", "op", "where", "status", "tensors"):
        table.add_column(col, overflow="fold")
    for v in report.ops:
        where = "[green]TPU[/]" if v.placement == "tpu" else "[yellow]CPU[/]"
        status = v.status + (f": {v.reason}" if v.reason else "")
        if v.index == report.split_index:
            status = f"[bold red]split here[/] · {status}"
        table.add_row(str(v.index), v.op, where, status, v.tensors if verbose else "")
    out.print(table)
    for w in report.warnings:
        out.print(f"[yellow]warning:[/] {w}", highlight=False)
    for h in report.hints():
        out.print(f"[cyan]hint:[/] {h}", highlight=False)
    out.print(report.summary(), highlight=False)


@app.command()
def check(
    model: Annotated[Path, typer.Argument(help="TFLite model (.tflite) to check, int8 for the Edge TPU")],
    min_runtime: Annotated[
        int,
        typer.Option(
            "--min-runtime", "-m", help=f"Edge TPU runtime version the device has (10-{LATEST_RUNTIME})"
        ),
    ] = LATEST_RUNTIME,
    strict: Annotated[
        bool, typer.Option(help="Exit 2 unless every op maps to the Edge TPU and shapes are static")
    ] = False,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Show each op's tensors (dtype[shape])")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON")] = False,
) -> None:
    """Report op by op whether the model runs on the Edge TPU, where the graph splits, and how to fix it.

    Example: edgesmith-edgetpu check autoencoder_int8.tflite --strict
    """
    try:
        report = check_model(model, min_runtime)
    except ModelFileError as exc:
        raise _fail(str(exc)) from None
    if as_json:
        print(json.dumps(report.to_dict(), indent=2))
    else:
        _print_check(report, verbose)
    if strict and not report.ready:
        raise typer.Exit(2)


def _print_log(log: CompilerLog) -> None:
    table = Table(title=f"edgetpu_compiler {log.compiler_version}")
    for col in ("output model", "TPU ops", "CPU ops", "subgraphs", "on-chip KiB", "off-chip KiB", "size KiB"):
        table.add_column(col, justify="right" if col != "output model" else "left")

    def kib(v: int | None) -> str:
        return "?" if v is None else f"{v / 1024:.1f}"

    for m in log.models:
        table.add_row(
            Path(m.output_model).name, str(m.tpu_ops), str(m.cpu_ops), str(m.subgraphs),
            kib(m.on_chip_used_bytes), kib(m.off_chip_used_bytes), kib(m.output_size_bytes),
        )  # fmt: skip
    out.print(table)
    for m in log.models:
        for o in m.cpu_operators():
            out.print(
                f"[yellow]{Path(m.output_model).name}: {o.count} × {o.operator} on the CPU:[/] {o.status}"
            )
        if m.off_chip_used_bytes:
            out.print(
                f"[yellow]{Path(m.output_model).name}: {kib(m.off_chip_used_bytes)} KiB of parameters stream "
                "from off-chip memory every inference; smaller layers or --num-segments keep them on chip[/]"
            )


@app.command(name="compile")
def compile_(
    models: Annotated[list[Path], typer.Argument(help="int8 .tflite model(s); several are co-compiled")],
    out_dir: Annotated[
        Path, typer.Option("--out-dir", "-o", help="Directory for *_edgetpu.tflite + logs")
    ] = Path("."),
    min_runtime: Annotated[
        int | None,
        typer.Option("--min-runtime", "-m", help="Lowest Edge TPU runtime version to support (10-14)"),
    ] = None,
    search_delegate: Annotated[
        bool, typer.Option(help="On failure, search for the largest part of the graph that compiles")
    ] = False,
    delegate_search_step: Annotated[
        int | None, typer.Option(help="Ops removed per step of --search-delegate (>= 1)")
    ] = None,
    num_segments: Annotated[
        int | None,
        typer.Option("--num-segments", "-n", help="Split into N segments for a pipeline of N TPUs"),
    ] = None,
    timeout: Annotated[int, typer.Option(help="Compiler timeout in seconds")] = 180,
    as_json: Annotated[bool, typer.Option("--json", help="Print the parsed compiler log as JSON")] = False,
) -> None:
    """Run edgetpu_compiler and summarise its log: ops on TPU vs CPU, on-chip vs off-chip parameter memory.

    Example: edgesmith-edgetpu compile cae_int8.tflite unet_int8.tflite -o compiled/ --min-runtime 13
    """
    options = CompileOptions(min_runtime, search_delegate, delegate_search_step, num_segments, timeout)
    try:
        result = compile_models(models, out_dir, options)
    except (CompilerError, ModelFileError, CompilerLogError) as exc:
        raise _fail(str(exc), int(exc.exit_code)) from None
    if as_json:
        print(json.dumps(result.to_dict(), indent=2, default=str))
        return
    _print_log(result.log)
    for p in result.outputs:
        out.print(f"wrote {p}", highlight=False)


@app.command(name="parse-log")
def parse_log(
    log_file: Annotated[Path, typer.Argument(help="Saved compiler output or a *_edgetpu.log operation log")],
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON")] = False,
) -> None:
    """Summarise a saved edgetpu_compiler log (e.g. from a machine that has the compiler).

    Example: edgetpu_compiler -s m.tflite > compile.txt; edgesmith-edgetpu parse-log compile.txt --json
    """
    if not log_file.is_file():
        raise _fail(f"{log_file}: no such file; pass the saved compiler output or the *_edgetpu.log file")
    try:
        log = parse_compiler_output(log_file.read_text(errors="replace"))
    except CompilerLogError as exc:
        raise _fail(f"{log_file}: {exc}") from None
    if as_json:
        print(json.dumps(log.to_dict(), indent=2))
    else:
        _print_log(log)


@app.command()
def run(
    model: Annotated[
        Path, typer.Argument(help="Compiled *_edgetpu.tflite (or, with --cpu, the int8 .tflite)")
    ],
    cpu: Annotated[
        bool, typer.Option("--cpu", help="Run the same int8 model on the CPU TFLite interpreter")
    ] = False,
    device: Annotated[str, typer.Option(help="Edge TPU to use: usb, pci, usb:0 ...")] = "edgetpu",
    runs: Annotated[int, typer.Option(help="Timed runs (batch 1)", min=1)] = 100,
    warmup: Annotated[int, typer.Option(help="Untimed warm-up runs", min=0)] = 10,
    threads: Annotated[int | None, typer.Option(help="CPU interpreter threads")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON")] = False,
) -> None:
    """Time batch-1 inference on the Edge TPU, or with --cpu on the CPU interpreter (random input).

    Example: edgesmith-edgetpu run cae_int8_edgetpu.tflite; edgesmith-edgetpu run cae_int8.tflite --cpu
    """
    import numpy as np

    from edgesmith.export_edgetpu.runner import EdgeTPURunner
    from edgesmith.profiling.runner import RunnerError

    runner = EdgeTPURunner(model, cpu=cpu, device=device, threads=threads)
    try:
        with runner:
            spec = runner.input_specs()[0]
            x = np.random.default_rng(0).random((1, *[d or 1 for d in spec.shape[1:]]), dtype=np.float32)
            for _ in range(warmup):
                runner.predict(x)
            times = []
            for _ in range(runs):
                t0 = time.perf_counter()
                runner.predict(x)
                times.append((time.perf_counter() - t0) * 1e3)
            info = runner.describe()
    except RunnerError as exc:
        raise _fail(str(exc), int(exc.exit_code)) from None
    ms = np.asarray(times)
    result = {
        "model": str(model),
        "device": info.device,
        "runtime": info.extra.get("runtime"),
        "runs": runs,
        "mean_ms": float(ms.mean()),
        "p50_ms": float(np.percentile(ms, 50)),
        "p90_ms": float(np.percentile(ms, 90)),
        "p99_ms": float(np.percentile(ms, 99)),
    }
    if as_json:
        print(json.dumps(result, indent=2))
        return
    table = Table(title=f"{model.name} on {'CPU (TFLite int8)' if cpu else 'Edge TPU'}")
    for col in ("runs", "mean ms", "p50 ms", "p90 ms", "p99 ms"):
        table.add_column(col, justify="right")
    table.add_row(str(runs), *(f"{result[k]:.3f}" for k in ("mean_ms", "p50_ms", "p90_ms", "p99_ms")))
    out.print(table)


def main() -> None:
    """Console-script entry: one error line and the exit-code contract (``--debug`` for tracebacks)."""
    run_cli(app)


if __name__ == "__main__":
    main()
