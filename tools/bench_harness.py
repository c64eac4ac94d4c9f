"""Quality bars of the profiling harness (issue 4): overhead vs a bare ``interpreter.invoke()`` loop,
and the repeatability (coefficient of variation) of three repeated ``bench`` runs.

Both are measured on one TFLite model, in one process, side by side: the bare loop and the harness
alternate in rounds on the very same interpreter and input, so machine noise hits both alike.

    uv run python tools/bench_harness.py                         # MobileNetV2 224×224 float32, 2 threads
    uv run python tools/bench_harness.py --arch cifar10 --runs 300
    uv run python tools/bench_harness.py --tflite model.tflite --output harness.json
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from time import perf_counter_ns
from typing import Annotated

import numpy as np
import typer

from edgesmith.profiling import bench, latency_cv, make_batch
from edgesmith.profiling.bench import atomic_write, time_calls
from edgesmith.profiling.host import host_info
from edgesmith.profiling.tflite_runner import TFLiteRunner

app = typer.Typer(add_completion=False, pretty_exceptions_enable=False)


def build_tflite(arch: str, directory: Path) -> Path:
    """A float32 TFLite model of ``arch`` (random weights: nothing is downloaded)."""
    from edgesmith.datasets.tf_runtime import keras, tf

    keras.utils.set_random_seed(0)
    if arch == "mobilenetv2":
        model = keras.applications.MobileNetV2(input_shape=(224, 224, 3), weights=None)
    elif arch == "cifar10":
        from edgesmith.models import cifar10_cnn

        model = cifar10_cnn()
    else:
        raise typer.BadParameter(f"unknown arch {arch!r}; use mobilenetv2 or cifar10")
    path = directory / f"{arch}.tflite"
    path.write_bytes(tf.lite.TFLiteConverter.from_keras_model(model).convert())
    return path


def bare_invoke_ns(interpreter, batch: np.ndarray, runs: int) -> np.ndarray:
    """Per-call nanoseconds of ``interpreter.invoke()`` alone, input set once beforehand."""
    detail = interpreter.get_input_details()[0]
    interpreter.set_tensor(detail["index"], batch)
    times = np.empty(runs, dtype=np.int64)
    for i in range(runs):
        t0 = perf_counter_ns()
        interpreter.invoke()
        times[i] = perf_counter_ns() - t0
    return times


@app.command()
def main(
    tflite: Annotated[
        Path | None, typer.Option(help="A float32 .tflite to measure (default: build --arch).")
    ] = None,
    arch: Annotated[
        str, typer.Option(help="Model to build when --tflite is not given: mobilenetv2, cifar10.")
    ] = ("mobilenetv2"),
    threads: Annotated[int, typer.Option(help="Interpreter threads.")] = 2,
    rounds: Annotated[
        int, typer.Option(help="Alternating bare/harness rounds for the overhead figure.")
    ] = 20,
    runs: Annotated[int, typer.Option(help="Timed runs per round and per repeated bench.")] = 100,
    warmup: Annotated[int, typer.Option(help="Warm-up runs before each measurement.")] = 20,
    output: Annotated[Path | None, typer.Option(help="Write the figures as JSON here.")] = None,
) -> None:
    """Measure the harness overhead and its repeatability on one TFLite model."""
    with tempfile.TemporaryDirectory() as tmp:
        path = tflite or build_tflite(arch, Path(tmp))
        runner = TFLiteRunner(path, threads=threads)
        with runner:
            (batch,) = make_batch(runner.input_specs(), 1, seed=0)
            interp = runner.interpreter
            runner.predict(batch)
            bare_means, harness_means = [], []
            for _ in range(rounds):  # side by side: bare loop, then the harness, same interpreter and input
                time_calls(interp.invoke, warmup, 1)
                bare_means.append(bare_invoke_ns(interp, batch, runs).mean() / 1e6)
                harness_means.append(
                    bench(runner, (1,), warmup=warmup, runs=runs, inputs=batch).stats().mean_ms
                )
            repeats = [bench(runner, (1,), warmup=warmup, runs=runs, inputs=batch) for _ in range(3)]
    bare, harness = float(np.mean(bare_means)), float(np.mean(harness_means))
    figures = {
        "model": str(tflite or f"{arch} (built, float32)"),
        "threads": threads,
        "rounds": rounds,
        "runs_per_round": runs,
        "bare_invoke_mean_ms": bare,
        "harness_mean_ms": harness,
        "overhead_pct": 100 * (harness - bare) / bare,
        "median_round_overhead_pct": float(
            np.median([100 * (h - b) / b for b, h in zip(bare_means, harness_means, strict=True)])
        ),
        "per_round_overhead_pct": [100 * (h - b) / b for b, h in zip(bare_means, harness_means, strict=True)],
        "repeat_means_ms": [r.stats().mean_ms for r in repeats],
        "repeat_cv_pct": 100 * latency_cv(repeats),
        "within_run_cv_pct": [100 * r.stats().cv for r in repeats],
        "host": host_info(),
    }
    if output:
        atomic_write(output, json.dumps(figures, indent=2))
    print(f"model: {figures['model']}, {threads} threads, batch 1, {rounds} rounds × {runs} runs")
    print(f"bare interpreter.invoke() mean: {bare:.4f} ms")
    print(f"harness bench() mean:           {harness:.4f} ms")
    print(f"harness overhead:               {figures['overhead_pct']:+.2f} % (bar: within 3 %)")
    print(
        "per-round overhead %:           " + ", ".join(f"{v:+.2f}" for v in figures["per_round_overhead_pct"])
    )
    print("3 repeated bench means (ms):    " + ", ".join(f"{v:.4f}" for v in figures["repeat_means_ms"]))
    print(f"CV of the 3 repeated means:     {figures['repeat_cv_pct']:.2f} %")


if __name__ == "__main__":
    app()
