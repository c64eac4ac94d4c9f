"""``edgesmith-trt``: Keras -> ONNX, ONNX -> TensorRT engine, run/inspect an engine.

Thin verbs over :mod:`edgesmith.export_trt`: every command body calls one library function.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import numpy as np
import typer

from edgesmith.export_trt.errors import ExportError
from edgesmith.profiling.console import emit, fail, run_cli
from edgesmith.profiling.runner import RunnerError

app = typer.Typer(
    name="edgesmith-trt",
    help=(
        "Export Keras models to ONNX and build TensorRT engines (FP32/FP16/INT8).\n\n"
        "Example:\n\n"
        "  edgesmith-trt onnx model.keras -o model.onnx --opset 17\n\n"
        "  edgesmith-trt build model.onnx -o model.engine --precision int8 --calib-data calib.npy"
    ),
    no_args_is_help=True,
    add_completion=False,
)


@app.command("onnx")
def onnx_cmd(
    model: Annotated[Path, typer.Argument(help="Keras model: .keras, .h5 or SavedModel directory.")],
    output: Annotated[Path, typer.Option("-o", "--output", help="ONNX file to write.")] = Path("model.onnx"),
    opset: Annotated[int, typer.Option(help="ONNX opset version (7-21).")] = 17,
    batch: Annotated[int, typer.Option(help="Fixed batch size; 0 keeps the batch axis dynamic.")] = 0,
    samples: Annotated[
        Path | None, typer.Option(help=".npy inputs to compare ORT vs Keras on (default: 2 random samples).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Convert a Keras model to ONNX (tf2onnx), check it and report the max abs error of ORT vs Keras.

    Example: edgesmith-trt onnx cifar.keras -o cifar.onnx --opset 17
    """
    from edgesmith.export_trt.calibration import load_calibration_array
    from edgesmith.export_trt.onnx_export import keras_to_onnx

    try:
        x = load_calibration_array(samples) if samples else None
        result = keras_to_onnx(model, output, opset=opset, batch=batch or None, samples=x)
    except ExportError as exc:
        fail(exc)
    emit(result.to_dict(), as_json, f"ONNX export: {output}")


@app.command("build")
def build_cmd(
    onnx_model: Annotated[Path, typer.Argument(help="ONNX model to build from.")],
    output: Annotated[Path, typer.Option("-o", "--output", help="Engine file to write.")] = Path(
        "model.engine"
    ),
    precision: Annotated[str, typer.Option(help="fp32, fp16 or int8.")] = "fp32",
    min_batch: Annotated[int, typer.Option(help="Smallest batch of the optimization profile (samples).")] = 1,
    opt_batch: Annotated[int, typer.Option(help="Batch TensorRT tunes kernels for (samples).")] = 1,
    max_batch: Annotated[int, typer.Option(help="Largest batch of the optimization profile (samples).")] = 8,
    workspace: Annotated[int, typer.Option(help="Builder workspace limit in MiB.")] = 1024,
    calib_data: Annotated[
        Path | None, typer.Option(help="INT8: .npy/.npz calibration samples (N, ...).")
    ] = None,
    calib_samples: Annotated[int, typer.Option(help="INT8: samples drawn from --calib-data.")] = 100,
    calib_batch: Annotated[int, typer.Option(help="INT8: calibration batch size (samples).")] = 8,
    calib_cache: Annotated[
        Path | None,
        typer.Option(help="INT8: calibration cache to reuse/write (default: <output>.calib.cache)."),
    ] = None,
    device: Annotated[int, typer.Option(help="CUDA device index.")] = 0,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Build a TensorRT engine from ONNX (needs TensorRT + an NVIDIA GPU).

    Example: edgesmith-trt build model.onnx -o model.int8.engine --precision int8 --calib-data calib.npy
    """
    from edgesmith.export_trt.calibration import CalibrationBatcher, load_calibration_array
    from edgesmith.export_trt.engine import BuildConfig, build_engine

    try:
        batcher = None
        if calib_data is not None:
            batcher = CalibrationBatcher(
                load_calibration_array(calib_data), calib_batch, max_samples=calib_samples
            )
        cfg = BuildConfig(
            precision=precision.lower(),
            min_batch=min_batch,
            opt_batch=opt_batch,
            max_batch=max_batch,
            workspace_mib=workspace,
            calibration=batcher,
            cache_path=calib_cache,
            device=device,
        )
        result = build_engine(onnx_model, output, cfg)
    except ExportError as exc:
        fail(exc)
    payload = {k: str(v) if isinstance(v, Path) else v for k, v in result.__dict__.items()}
    emit(payload, as_json, f"TensorRT engine: {output}")


@app.command("run")
def run_cmd(
    engine: Annotated[Path, typer.Argument(help="Serialized TensorRT engine.")],
    inputs: Annotated[
        Path | None, typer.Option("--input", help=".npy batch (default: random, batch 1).")
    ] = None,
    runs: Annotated[int, typer.Option(help="Timed runs.")] = 100,
    warmup: Annotated[int, typer.Option(help="Untimed warm-up runs.")] = 10,
    device: Annotated[str, typer.Option(help="CUDA device, e.g. cuda:0.")] = "cuda:0",
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Time an engine (host->device and device->host copies included, in ms).

    Example: edgesmith-trt run model.engine --input batch.npy --runs 1000 --warmup 50
    """
    from edgesmith.export_trt.calibration import load_calibration_array
    from edgesmith.export_trt.runner import TensorRTRunner
    from edgesmith.profiling import bench

    try:
        with TensorRTRunner(engine, device=device) as runner:
            spec = runner.input_specs()[0]
            if inputs is not None:
                x = load_calibration_array(inputs)
            else:
                x = np.random.default_rng(0).random((1, *[d or 1 for d in spec.shape[1:]]), dtype=np.float32)
            result = bench(runner, batch_sizes=[len(x)], warmup=warmup, runs=runs, inputs=x, keep_active=True)
            out = runner.predict(x)
            info = runner.describe().to_dict()
    except (ExportError, RunnerError) as exc:
        fail(exc)
    stats = result.stats()
    payload = {
        "engine": str(engine),
        "batch": stats.batch_size,
        "latency_ms_mean": stats.mean_ms,
        "latency_ms_p50": stats.p50_ms,
        "latency_ms_p99": stats.p99_ms,
        "throughput_per_s": stats.throughput,
        "output_shape": list(np.asarray(out if isinstance(out, np.ndarray) else out[0]).shape),
        "precision": info["precision"],
        "gpu": info["extra"].get("gpu"),
    }
    emit(payload, as_json, f"TensorRT run: {engine}")


@app.command("info")
def info_cmd(
    artifact: Annotated[Path, typer.Argument(help="An .onnx file or a TensorRT engine.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Show an artifact's inputs/outputs and its sidecar (ONNX is checked with onnx.checker).

    Example: edgesmith-trt info model.onnx
    """
    from edgesmith.export_trt.onnx_export import check_onnx, onnx_io
    from edgesmith.export_trt.runner import TensorRTRunner
    from edgesmith.profiling.artifacts import read_sidecar

    try:
        if artifact.suffix.lower() == ".onnx":
            ins, outs = onnx_io(check_onnx(artifact))
            payload = {"artifact": str(artifact), "inputs": dict(ins), "outputs": dict(outs)}
        else:
            if artifact.suffix.lower() not in TensorRTRunner.suffixes:
                raise ExportError(
                    f"{artifact}: not an ONNX model or a TensorRT engine",
                    fix=f"pass a .onnx or {'/'.join(TensorRTRunner.suffixes)} file "
                    "(a .tflite is inspected with `edgesmith-quantize inspect`)",
                )
            if not artifact.exists():
                raise ExportError(f"{artifact}: no such engine file; build one with `edgesmith-trt build`")
            with TensorRTRunner(artifact) as runner:
                payload = runner.describe().to_dict()
        payload["sidecar"] = read_sidecar(artifact)
    except (ExportError, RunnerError) as exc:
        fail(exc)
    emit(payload, as_json, f"{artifact}")


def main() -> None:
    """Console-script entry: one error line and the exit-code contract (``--debug`` for tracebacks)."""
    run_cli(app)


__all__ = ["app", "main"]
