"""``edgesmith-quantize``: convert Keras models to TFLite in every mode, QAT, prune, report, inspect."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from edgesmith.profiling.console import FoldingConsole, run_cli
from edgesmith.quantize.errors import QuantizeError
from edgesmith.quantize.modes import IoDtype, Mode

app = typer.Typer(
    name="edgesmith-quantize",
    help="Quantize and prune Keras models for TFLite and measure what it cost.\n\n"
    "Example: edgesmith-quantize convert cae.keras -o cae_int8.tflite --mode int8 --calib-data digits "
    "&& edgesmith-quantize report cae.keras cae_int8.tflite --data digits",
    no_args_is_help=True,
    add_completion=False,
)
out = FoldingConsole()
err = FoldingConsole(stderr=True)

DATA_HELP = "image folder, .npy/.npz, CSV of image paths + targets, digits, photos, mnist/cifar10 + data dir"
ModelArg = Annotated[Path, typer.Argument(help="float Keras model: .keras, .h5 or SavedModel directory")]
JsonOpt = Annotated[bool, typer.Option("--json", help="print machine-readable JSON instead of tables")]
DataDirOpt = Annotated[
    Path | None, typer.Option("--data-dir", help="folder with the real MNIST IDX / CIFAR-10 batch files")
]
SeedOpt = Annotated[int, typer.Option("--seed", help="seed that picks the calibration samples")]
CalibOpt = Annotated[
    int, typer.Option("--calib-samples", min=1, help="calibration samples for full-integer modes (count)")
]
IoOpt = Annotated[
    IoDtype | None,
    typer.Option(
        "--io-dtype", help="input/output tensor dtype of full-integer models [default: int8 for int8]"
    ),
]
BatchOpt = Annotated[int, typer.Option("--batch-size", min=1, help="training batch size (samples)")]
LrOpt = Annotated[float, typer.Option("--lr", min=0.0, help="fine-tuning learning rate (Adam)")]
MaxLossOpt = Annotated[
    float | None,
    typer.Option(
        "--max-loss",
        min=0.0,
        help="int8 budget: most the int8 model may lose vs float TFLite on held-out data (points of "
        "accuracy/IoU, or % of the float MAE/MSE); keeps the fewest layers in float that meet it",
    ),
]
MetricOpt = Annotated[
    str, typer.Option("--metric", help="task metric: auto, accuracy, iou50, miou (IoU ×100), mae or mse")
]
EvalDataOpt = Annotated[
    str | None,
    typer.Option(
        "--eval-data",
        help="held-out data the loss is measured on [default: the test split of digits/mnist/cifar10; "
        "for other --data the samples after the first --calib-samples, which calibrate]",
    ),
]
EvalSamplesOpt = Annotated[int, typer.Option("--eval-samples", min=1, help="held-out samples scored (count)")]
ThreadsOpt = Annotated[int, typer.Option("--threads", min=1, help="TFLite interpreter CPU threads")]


@contextlib.contextmanager
def _errors() -> Iterator[None]:
    """Print the package errors as one red line, exit with the contract's code (tracebacks: real bugs)."""
    from edgesmith.datasets import DatasetError
    from edgesmith.models import ModelError

    try:
        yield
    except (QuantizeError, ModelError, DatasetError) as exc:
        err.print(f"[bold red]error:[/] {escape(str(exc))}", highlight=False, soft_wrap=True)
        raise typer.Exit(int(exc.exit_code)) from None  # 2 bad input, 3 missing dependency


def _usage_error(message: str) -> None:
    err.print(f"[bold red]error:[/] {escape(message)}", highlight=False, soft_wrap=True)
    raise typer.Exit(2)


def _heldout_data(
    spec: str, eval_spec: str | None, model: Any, data_dir: Path | None, eval_samples: int, calib_samples: int
) -> tuple[Any, Any, Any, str]:
    """(calibration x, held-out x, held-out y, description): never the same samples for both.

    A set with splits (digits, mnist, cifar10) calibrates on train and is scored on test; any other data
    given only as --data is split as ``edgesmith-profile matrix`` does (the first ``calib_samples``
    calibrate, the rest are scored; half each when there are fewer than twice as many).
    """
    from edgesmith.quantize.data_sources import load_arrays

    shape = model.input_shape
    has_splits = spec.split(":", 1)[0].lower() in ("digits", "mnist", "cifar10")
    if eval_spec is None and not has_splits:
        x, y, name = load_arrays(spec, "test", shape, data_dir=data_dir)
        if len(x) < 2:
            raise QuantizeError(f"{spec}: needs at least 2 samples to calibrate on some and score the rest")
        k = calib_samples if len(x) >= 2 * calib_samples else len(x) // 2
        held_y = None if y is None else y[k:][:eval_samples]
        return x[:k], x[k:][:eval_samples], held_y, f"{name} ([:{k}] calibrate, [{k}:] scored)"
    calib, _, calib_name = load_arrays(spec, "train", shape, data_dir=data_dir)
    ex, ey, eval_name = load_arrays(eval_spec or spec, "test", shape, data_dir=data_dir, limit=eval_samples)
    return calib, ex, ey, f"calibration {calib_name}, scored on {eval_name}"


def _calibration_data(spec: str | None, model: Any, data_dir: Path | None) -> Any:
    if spec is None:
        return None
    from edgesmith.quantize.data_sources import load_arrays

    x, _, _ = load_arrays(spec, "train", model.input_shape, data_dir=data_dir)
    return x


def _print_artifact(art: Any, as_json: bool) -> None:
    side = art.sidecar()
    if as_json:
        out.print_json(json.dumps(side))
        return
    table = Table(title=f"{art.path} ({art.mode.value}, io {art.io_dtype.value})")
    table.add_column("fact")
    table.add_column("value", overflow="fold")
    metrics = side["metrics"]
    table.add_row("size", f"{art.size_bytes / 1024:.1f} KB")
    table.add_row("ops", ", ".join(f"{k}×{v}" for k, v in metrics["op_counts"].items()))
    table.add_row("float ops", ", ".join(f"{o['op']} ({o['layer']})" for o in metrics["float_ops"]) or "-")
    table.add_row(
        "weights", f"{', '.join(metrics['weight_dtypes'])}, sparsity {100 * art.graph.weight_sparsity:.1f} %"
    )
    if art.calibration:
        cal = art.calibration
        table.add_row(
            "calibration", f"{cal['samples']} samples, seed {cal['seed']}, sha256 {cal['data_hash'][:12]}…"
        )
    table.add_row("sidecar", str(art.path) + ".json")
    out.print(table)


@app.command()
def convert(
    model: ModelArg,
    output: Annotated[Path, typer.Option("-o", "--output", help="TFLite file to write (.tflite)")],
    mode: Annotated[Mode, typer.Option("--mode", help="conversion mode")] = Mode.INT8,
    io_dtype: IoOpt = None,
    calib_data: Annotated[
        str | None, typer.Option("--calib-data", "--data", help=f"calibration data: {DATA_HELP}")
    ] = None,
    calib_samples: CalibOpt = 100,
    seed: SeedOpt = 0,
    data_dir: DataDirOpt = None,
    max_loss: MaxLossOpt = None,
    metric: MetricOpt = "auto",
    eval_data: EvalDataOpt = None,
    eval_samples: EvalSamplesOpt = 500,
    max_steps: Annotated[
        int,
        typer.Option(
            "--max-steps", min=0, help="with --max-loss: most layer additions tried (each a quantize + score)"
        ),
    ] = 40,
    threads: ThreadsOpt = 2,
    as_json: JsonOpt = False,
) -> None:
    """Convert a Keras model to TFLite: float32, float16, dynamic, int8 or int8-fallback.

    With --max-loss (int8 only), layers are kept in float, fewest first, until the int8 model loses at
    most that much of --metric on held-out data; the sidecar lists them.
    Example: edgesmith-quantize convert cifar.keras -o cifar_int8.tflite --data cifar10 --max-loss 1
    """
    from edgesmith.quantize.converter import convert as do_convert
    from edgesmith.quantize.sources import load_source

    if max_loss is not None:
        if mode is not Mode.INT8:
            _usage_error(f"--max-loss guards full-int8 models; use --mode int8 (got --mode {mode.value})")
        if calib_data is None:
            _usage_error("--max-loss needs --data (calibration and held-out evaluation data)")
        _convert_guarded(
            model,
            output,
            calib_data,
            eval_data,
            metric,
            max_loss,
            io_dtype,
            calib_samples,
            eval_samples,
            seed,
            max_steps,
            threads,
            data_dir,
            as_json,
        )
        return
    with _errors():
        keras_model, source_hash = load_source(model)
        rep = _calibration_data(calib_data, keras_model, data_dir) if mode.needs_calibration else None
        art = do_convert(
            keras_model,
            mode,
            rep,
            io_dtype,
            calibration_samples=calib_samples,
            seed=seed,
            output=output,
            source_sha256=source_hash,
        )
    _print_artifact(art, as_json)


@app.command()
def qat(
    model: ModelArg,
    output: Annotated[Path, typer.Option("-o", "--output", help="full-int8 TFLite file to write (.tflite)")],
    data: Annotated[str, typer.Option("--data", help=f"training + calibration data: {DATA_HELP}")],
    epochs: Annotated[int, typer.Option("--epochs", min=1, help="QAT fine-tuning epochs")] = 1,
    batch_size: BatchOpt = 32,
    lr: LrOpt = 1e-4,
    io_dtype: IoOpt = None,
    calib_samples: CalibOpt = 100,
    seed: SeedOpt = 0,
    data_dir: DataDirOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Quantization-aware training (tfmot), then full-integer int8 conversion.

    Example: edgesmith-quantize qat cae.keras -o cae_qat.tflite --data digits --epochs 2
    """
    from edgesmith.models import RichProgress
    from edgesmith.quantize.artifact import check_output_path
    from edgesmith.quantize.converter import convert as do_convert
    from edgesmith.quantize.data_sources import load_arrays
    from edgesmith.quantize.qat import quantize_aware_train
    from edgesmith.quantize.sources import load_source

    with _errors():
        check_output_path(output)
        keras_model, source_hash = load_source(model)
        x, y, name = load_arrays(data, "train", keras_model.input_shape, data_dir=data_dir)
        result = quantize_aware_train(
            keras_model,
            (x, y),
            epochs=epochs,
            batch_size=batch_size,
            learning_rate=lr,
            callbacks=[RichProgress(err)],
        )
        training = {**result.training, "data": name}
        art = do_convert(
            result.model,
            Mode.INT8,
            x,
            io_dtype,
            calibration_samples=calib_samples,
            seed=seed,
            output=output,
            training=training,
            source_sha256=source_hash,
        )
    _print_artifact(art, as_json)


@app.command()
def prune(
    model: ModelArg,
    output: Annotated[
        Path, typer.Option("-o", "--output", help="pruned model: .keras / .h5 (Keras) or .tflite (converted)")
    ],
    data: Annotated[str, typer.Option("--data", help=f"training data: {DATA_HELP}")],
    epochs: Annotated[int, typer.Option("--epochs", min=1, help="pruning fine-tuning epochs")] = 2,
    initial_sparsity: Annotated[float, typer.Option(help="sparsity at begin step (0-1)")] = 0.2,
    final_sparsity: Annotated[float, typer.Option(help="sparsity reached at end step (0-1)")] = 0.8,
    end_step: Annotated[
        int | None, typer.Option(help="optimizer step where final sparsity is reached [default: last step]")
    ] = None,
    batch_size: BatchOpt = 32,
    lr: LrOpt = 1e-4,
    mode: Annotated[
        Mode, typer.Option("--mode", help="conversion mode when --output is .tflite")
    ] = Mode.FLOAT32,
    qat_epochs: Annotated[
        int,
        typer.Option("--qat-epochs", min=0, help="then sparsity-preserving QAT epochs (forces --mode int8)"),
    ] = 0,
    calib_samples: CalibOpt = 100,
    seed: SeedOpt = 0,
    data_dir: DataDirOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Magnitude pruning (polynomial decay 20 % → 80 %), optionally followed by QAT and TFLite conversion.

    Example: edgesmith-quantize prune vgg.keras -o vgg_pruned_int8.tflite --data plates.npz --qat-epochs 1
    """
    from edgesmith.models import RichProgress, save_model
    from edgesmith.quantize.artifact import check_output_path
    from edgesmith.quantize.converter import convert as do_convert
    from edgesmith.quantize.data_sources import load_arrays
    from edgesmith.quantize.pruning import prune as do_prune
    from edgesmith.quantize.qat import quantize_aware_train
    from edgesmith.quantize.sources import load_source

    with _errors():
        to_tflite = output.suffix.lower() == ".tflite"
        check_output_path(output, (".tflite", ".keras", ".h5"))
        if qat_epochs and not to_tflite:
            raise QuantizeError("--qat-epochs produces a full-int8 model; give an --output ending in .tflite")
        keras_model, source_hash = load_source(model)
        x, y, name = load_arrays(data, "train", keras_model.input_shape, data_dir=data_dir)
        result = do_prune(
            keras_model,
            (x, y),
            epochs=epochs,
            batch_size=batch_size,
            initial_sparsity=initial_sparsity,
            final_sparsity=final_sparsity,
            end_step=end_step,
            learning_rate=lr,
            callbacks=[RichProgress(err)],
        )
        training: dict[str, Any] = {
            "pruning": result.schedule,
            "measured_sparsity": result.sparsity,
            "data": name,
        }
        if not to_tflite:
            save_model(result.model, output, metadata={"source_sha256": source_hash, "training": training})
            summary = {"output": str(output), "sparsity": result.sparsity, **training}
            if as_json:
                out.print_json(json.dumps(summary))
            else:
                out.print(
                    f"pruned {keras_model.name}: kernel sparsity {100 * result.sparsity:.1f} % → {output}"
                )
            return
        pruned_model = result.model
        if qat_epochs:
            q = quantize_aware_train(
                pruned_model,
                (x, y),
                epochs=qat_epochs,
                batch_size=batch_size,
                learning_rate=lr,
                preserve_sparsity=True,
                callbacks=[RichProgress(err)],
            )
            pruned_model, mode = q.model, Mode.INT8
            training["qat"] = q.training
        art = do_convert(
            pruned_model,
            mode,
            x if mode.needs_calibration else None,
            calibration_samples=calib_samples,
            seed=seed,
            output=output,
            training=training,
            source_sha256=source_hash,
        )
    _print_artifact(art, as_json)


@app.command()
def report(
    model: ModelArg,
    artifacts: Annotated[list[Path], typer.Argument(help="TFLite files to compare with the Keras model")],
    data: Annotated[str, typer.Option("--data", help=f"evaluation data: {DATA_HELP}")],
    split: Annotated[
        str, typer.Option("--split", help="which split of digits/mnist/cifar10 to evaluate on")
    ] = "test",
    limit: Annotated[
        int | None, typer.Option("--limit", min=1, help="evaluate only the first N samples")
    ] = None,
    task: Annotated[
        str, typer.Option("--task", help="auto, classification, boxes, reconstruction or regression")
    ] = "auto",
    threads: Annotated[int, typer.Option("--threads", min=1, help="TFLite interpreter CPU threads")] = 2,
    latency: Annotated[
        bool, typer.Option("--latency", help="also time batch-1 invoke() side by side (ms)")
    ] = False,
    data_dir: DataDirOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Size, sparsity, float ops and task metric of each TFLite file next to the Keras model.

    The metrics are also merged into each artifact's sidecar JSON.
    Example: edgesmith-quantize report cae.keras cae_f32.tflite cae_int8.tflite --data digits --latency
    """
    from edgesmith.quantize.data_sources import load_arrays
    from edgesmith.quantize.report import report as do_report
    from edgesmith.quantize.sources import load_source

    with _errors():
        keras_model, _ = load_source(model)
        x, y, _ = load_arrays(data, split, keras_model.input_shape, data_dir=data_dir, limit=limit)
        result = do_report(keras_model, artifacts, x, y, task=task, threads=threads, latency=latency)
    if as_json:
        out.print_json(result.to_json())
    else:
        out.print(result.table())


@app.command()
def inspect(
    artifact: Annotated[Path, typer.Argument(help="TFLite file (.tflite)")],
    as_json: JsonOpt = False,
) -> None:
    """List a TFLite file's ops, the ops computing in float, weight dtypes and sparsity.

    Example: edgesmith-quantize inspect cae_int8.tflite --json
    """
    from edgesmith.quantize.evaluate import load_tflite
    from edgesmith.quantize.tflite_graph import summarize

    with _errors():
        content = load_tflite(artifact)
        try:
            graph = summarize(content)
        except (ValueError, RuntimeError) as exc:
            raise QuantizeError(f"{artifact}: not a valid TFLite model ({str(exc).splitlines()[0]})") from exc
    facts = {"artifact": str(artifact), "size_bytes": len(content), **graph.to_dict()}
    if as_json:
        out.print_json(json.dumps(facts))
        return
    table = Table(title=f"{artifact.name}: {len(content) / 1024:.1f} KB")
    table.add_column("op")
    table.add_column("count", justify="right")
    table.add_column("float", justify="right")
    floats: dict[str, int] = {}
    for op in graph.float_ops:
        floats[op.name] = floats.get(op.name, 0) + 1
    for name, count in graph.op_counts().items():
        table.add_row(name, str(count), str(floats.get(name, 0)))
    out.print(table)
    out.print(
        f"inputs {', '.join(graph.input_dtypes)} · outputs {', '.join(graph.output_dtypes)} · weights "
        f"{', '.join(sorted(set(graph.weight_dtypes))) or '-'} · "
        f"kernel sparsity {100 * graph.weight_sparsity:.1f} %",
        highlight=False,
    )


def _steps_table(result: Any, output: Path | None) -> Table:
    unit = result.metric.loss_unit
    title = (
        f"guarded int8: {result.metric.name} float {result.float_metric:.4g}, "
        f"budget loss ≤ {result.max_loss:g} {unit}, {result.eval_samples} held-out samples, "
        f"{len(result.layers)} compute layers"
    )
    table = Table(title=title)
    for col in (
        "step",
        "phase",
        "float layers",
        result.metric.name,
        "loss",
        "meets",
        "KB",
        "ms b1",
        "×float",
    ):
        table.add_column(
            col, justify="left" if col in ("phase", "float layers") else "right", overflow="fold"
        )
    if result.float_latency_ms is not None:
        table.add_row(
            "-",
            "float TFLite",
            "all",
            f"{result.float_metric:.4g}",
            "0",
            "",
            f"{result.float_size_bytes / 1024:.1f}",
            f"{result.float_latency_ms:.3g}",
            "1.00",
        )
    for i, step in enumerate(result.steps):
        layers = ", ".join(step.float_layers) if step.float_layers else "none"
        if step.phase == "prune" and not step.kept:
            layers += " (reverted)"
        speed = (
            f"{result.float_latency_ms / step.latency_ms:.2f}"
            if step.latency_ms and result.float_latency_ms
            else ""
        )
        marker = " ◀ chosen" if step is result.chosen else ""
        table.add_row(
            str(i),
            step.phase + marker,
            f"{len(step.float_layers)}: {layers}",
            f"{step.metric:.4g}",
            f"{step.loss:.3g}",
            "yes" if step.meets else "no",
            f"{step.size_bytes / 1024:.1f}",
            f"{step.latency_ms:.3g}" if step.latency_ms else "",
            speed,
        )
    if output is not None:
        table.caption = f"wrote {output} (+ .json sidecar listing the float layers)"
    return table


def _convert_guarded(
    model: Path,
    output: Path,
    data: str,
    eval_data: str | None,
    metric: str,
    max_loss: float,
    io_dtype: IoDtype | None,
    calib_samples: int,
    eval_samples: int,
    seed: int,
    max_steps: int,
    threads: int,
    data_dir: Path | None,
    as_json: bool,
) -> None:
    from edgesmith.quantize.artifact import check_output_path
    from edgesmith.quantize.guard import guarded_artifact, guarded_int8
    from edgesmith.quantize.sources import load_source

    with _errors():
        check_output_path(output)
        keras_model, source_hash = load_source(model)
        calib, ex, ey, described = _heldout_data(
            data, eval_data, keras_model, data_dir, eval_samples, calib_samples
        )
        with err.status("guarded int8 search") as status:
            result = guarded_int8(
                keras_model,
                calib,
                ex,
                ey,
                metric=metric,
                max_loss=max_loss,
                calibration_samples=calib_samples,
                seed=seed,
                io_dtype=io_dtype or IoDtype.INT8,
                max_steps=max_steps,
                threads=threads,
                progress=lambda msg: status.update(f"guarded int8: {escape(msg)}"),
            )
        written = None
        if result.met:
            art = guarded_artifact(result, keras_model, source_hash)
            art.extra["guard"]["data"] = described
            written = art.save(output)
    if as_json:
        out.print_json(json.dumps({"output": str(written) if written else None, **result.summary()}))
    else:
        out.print(_steps_table(result, written))
    if not result.met:
        err.print(
            f"[bold red]error:[/] no float-layer set within the search met --max-loss {max_loss:g} "
            f"(best loss {result.chosen.loss:.3g} {result.metric.loss_unit}); nothing written: raise "
            "--max-loss or fine-tune with `edgesmith-quantize qat`",
            highlight=False,
            soft_wrap=True,
        )
        raise typer.Exit(1)


@app.command()
def debug(
    model: ModelArg,
    data: Annotated[str, typer.Option("--data", help=f"calibration + held-out data: {DATA_HELP}")],
    eval_data: EvalDataOpt = None,
    metric: MetricOpt = "auto",
    samples: Annotated[
        int, typer.Option("--samples", min=1, help="held-out samples the per-layer debugger runs (count)")
    ] = 100,
    eval_samples: EvalSamplesOpt = 500,
    calib_samples: CalibOpt = 100,
    top: Annotated[int | None, typer.Option("--top", min=1, help="show only the N worst layers")] = None,
    plot: Annotated[Path | None, typer.Option("--plot", help="also write error by depth as a PNG")] = None,
    seed: SeedOpt = 0,
    threads: ThreadsOpt = 2,
    data_dir: DataDirOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Per-layer full-int8 error named by Keras layer (TFLite QuantizationDebugger) and why it happens.

    Each layer's RMSE in int8 steps (RMSE / scale), mean error, share of the total squared error, int8
    range use, clipped values, channel and weight-scale spread; with labels, float vs int8 task metric.
    Example: edgesmith-quantize debug cifar.keras --data cifar10 --top 10 --plot cifar_int8_error.png
    """
    from edgesmith.quantize.debug import debug_int8
    from edgesmith.quantize.sources import load_source

    with _errors():
        if plot is not None and (plot.suffix.lower() != ".png" or not plot.parent.is_dir()):
            _usage_error(f"--plot {plot}: give a .png path in an existing folder")
        keras_model, _ = load_source(model)
        calib, ex, ey, _ = _heldout_data(
            data, eval_data, keras_model, data_dir, max(eval_samples, samples), calib_samples
        )
        with err.status("int8 debug: calibrating, then running the NumericVerify model"):
            report = debug_int8(
                keras_model,
                calib,
                ex,
                ey,
                metric=metric,
                samples=samples,
                calibration_samples=calib_samples,
                seed=seed,
                threads=threads,
            )
        if plot is not None:
            from edgesmith.quantize.debug_plot import plot_error_by_depth

            plot_error_by_depth(report, plot)
    if as_json:
        out.print_json(report.to_json())
    else:
        out.print(report.table(top))
        for line in report.explanations(top):
            out.print(f"  {escape(line)}", highlight=False)
        worst = ", ".join(r.layer for r in report.worst(3))
        out.print(f"worst layers: {worst}" + (f" · plot {plot}" if plot else ""), highlight=False)


def main() -> None:
    """Console-script entry: one error line and the exit-code contract (``--debug`` for tracebacks)."""
    run_cli(app)


if __name__ == "__main__":
    main()
