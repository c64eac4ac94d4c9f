"""Quality bars of the profiling harness: overhead vs a bare ``interpreter.invoke()`` loop,
and the repeatability (coefficient of variation) of three repeated ``bench`` runs.

Both are measured on one TFLite model, in one process, side by side on the very same interpreter and
input: (1) rounds alternating a bare invoke loop with a full ``bench()`` call; (2) call by call,
interleaved, a bare invoke, a bare set_tensor+invoke+get_tensor and the harness's call, in wall-clock
and in process CPU time (which a preempting neighbour on a shared machine cannot inflate).

    uv run python tools/bench_harness.py                         # MobileNetV2 224×224 float32, 2 threads
    uv run python tools/bench_harness.py --arch cifar10 --runs 300
    uv run python tools/bench_harness.py --tflite model.tflite --output harness.json
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from time import perf_counter_ns, process_time_ns
from typing import Annotated

import numpy as np
import typer

from edgesmith.profiling import bench, latency_cv, make_batch
from edgesmith.profiling.bench import atomic_write, time_calls
from edgesmith.profiling.host import host_info
from edgesmith.quantize.runner import TFLiteRunner

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


def interleaved_ns(
    calls: list[Callable[[], object]], runs: int, clock: Callable[[], int] = perf_counter_ns
) -> list[np.ndarray]:
    """Per-call nanoseconds of each callable, run one after the other in every iteration (order
    reversed every other iteration) so that machine noise hits all of them alike. ``clock`` may be
    ``time.process_time_ns`` to count CPU time only, which a preempting neighbour cannot inflate."""
    times = [np.empty(runs, dtype=np.int64) for _ in calls]
    order = list(range(len(calls)))
    for i in range(runs):
        for k in order if i % 2 else order[::-1]:
            t0 = clock()
            calls[k]()
            times[k][i] = clock() - t0
    return times


def paired_ns(
    runner: TFLiteRunner, batch: np.ndarray, runs: int, clock: Callable[[], int] = perf_counter_ns
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Interleaved per-call times of: a bare ``invoke()``; the bare loop a caller must write to feed new
    data (``set_tensor`` + ``invoke`` + ``get_tensor``); and the harness's timed call, exactly what
    ``bench`` times (``runner.predict``: float input set, invoke, output copied back)."""
    interp = runner.interpreter
    in_index = interp.get_input_details()[0]["index"]
    out_index = interp.get_output_details()[0]["index"]

    def set_invoke_get() -> object:
        interp.set_tensor(in_index, batch)
        interp.invoke()
        return interp.get_tensor(out_index)

    call = lambda: runner.predict(batch)  # noqa: E731 - the same closure bench() times
    call()  # sets the input tensor that the bare invokes then reuse
    bare, io, harness = interleaved_ns([interp.invoke, set_invoke_get, call], runs, clock)
    return bare, io, harness


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
            pb, pio, ph = paired_ns(runner, batch, rounds * runs // 2)
            cb, cio, ch = paired_ns(runner, batch, rounds * runs // 2, process_time_ns)
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
        "paired_calls": len(pb),
        "paired_bare_mean_ms": float(pb.mean() / 1e6),
        "paired_harness_mean_ms": float(ph.mean() / 1e6),
        "paired_overhead_pct": float(100 * (ph.mean() - pb.mean()) / pb.mean()),
        "paired_set_invoke_get_overhead_pct": float(100 * (pio.mean() - pb.mean()) / pb.mean()),
        "paired_median_extra_us": float(np.median(ph - pb) / 1e3),
        "paired_cpu_bare_mean_ms": float(cb.mean() / 1e6),
        "paired_cpu_harness_mean_ms": float(ch.mean() / 1e6),
        "paired_cpu_set_invoke_get_mean_ms": float(cio.mean() / 1e6),
        "paired_cpu_set_invoke_get_overhead_pct": float(100 * (cio.mean() - cb.mean()) / cb.mean()),
        "paired_cpu_overhead_pct": float(100 * (ch.mean() - cb.mean()) / cb.mean()),
        "repeat_means_ms": [r.stats().mean_ms for r in repeats],
        "repeat_cv_pct": 100 * latency_cv(repeats),
        "within_run_cv_pct": [100 * r.stats().cv for r in repeats],
        "load_average_1min": os.getloadavg()[0],
        "host": host_info(),
    }
    if output:
        atomic_write(output, json.dumps(figures, indent=2))
    lines = [
        f"model: {figures['model']}, {threads} threads, batch 1, {rounds} rounds × {runs} runs, "
        f"load average {figures['load_average_1min']:.1f}",
        f"rounds: bare invoke() mean {bare:.4f} ms, bench() mean {harness:.4f} ms, "
        f"overhead {figures['overhead_pct']:+.2f} % (bar: within 3 %), "
        f"median per round {figures['median_round_overhead_pct']:+.2f} %",
        "per-round overhead %: " + ", ".join(f"{v:+.1f}" for v in figures["per_round_overhead_pct"]),
        f"paired wall clock ({figures['paired_calls']} pairs): bare {figures['paired_bare_mean_ms']:.4f} ms, "
        f"harness {figures['paired_harness_mean_ms']:.4f} ms, "
        f"overhead {figures['paired_overhead_pct']:+.2f} %, "
        f"median extra {figures['paired_median_extra_us']:.1f} µs per call; "
        f"a bare set_tensor+invoke+get_tensor loop: {figures['paired_set_invoke_get_overhead_pct']:+.2f} %",
        f"paired process CPU time: bare {figures['paired_cpu_bare_mean_ms']:.4f} ms, "
        f"harness {figures['paired_cpu_harness_mean_ms']:.4f} ms, "
        f"overhead {figures['paired_cpu_overhead_pct']:+.2f} %; bare set_tensor+invoke+get_tensor "
        f"{figures['paired_cpu_set_invoke_get_mean_ms']:.4f} ms "
        f"({figures['paired_cpu_set_invoke_get_overhead_pct']:+.2f} %)",
        "3 repeated bench means (ms): " + ", ".join(f"{v:.4f}" for v in figures["repeat_means_ms"]),
        f"CV of the 3 repeated means: {figures['repeat_cv_pct']:.2f} %",
    ]
    print("\n".join(lines))


if __name__ == "__main__":
    app()
