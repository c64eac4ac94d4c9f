"""Benchmark for issue 3: float32 vs full-int8 TFLite on the CIFAR-10 tutorial CNN and the MNIST autoencoder.

Trains each model briefly on the offline data (edgesmith.datasets stand-ins unless --mnist-dir/--cifar-dir),
converts it to float32 and full-int8 TFLite (100 calibration samples, document 004), then prints the
int8/float32 file-size ratio, the task-metric delta against the Keras model on the test split, and the
batch-1 CPU latency ratio measured side by side in one run (same interpreter threads, interleaved rounds).

The tutorial CNN's LRN layers have no int8 kernel in TFLite, so the CNN is benchmarked twice: without LRN
in full int8, and as built by default (with LRN) in int8-fallback (LRN in float). Its full-int8 attempt
is recorded with the one-line error edgesmith.quantize gives.

    uv run python tools/bench_quantize.py --json bench_quantize.json
"""

from __future__ import annotations

import json
import tempfile
import time
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import typer
from rich.console import Console
from rich.table import Table

from edgesmith.datasets import load_cifar10, load_mnist
from edgesmith.datasets.tf_runtime import keras
from edgesmith.models import cifar10_cnn, conv_autoencoder, train
from edgesmith.quantize import UnquantizableOpError, convert, measure_latency, report

console = Console(width=160)
TARGET_SIZE_RATIO = 0.27
TARGET_ACC_POINTS = 1.0
TARGET_MAE_REL = 0.10


def _bench_one(
    name: str,
    model: keras.Model,
    x_calib: np.ndarray,
    x_test: np.ndarray,
    y_test: np.ndarray | None,
    mode: str,
    workdir: Path,
    threads: int,
    runs: int,
) -> dict[str, Any]:
    """float32 vs ``mode`` TFLite of one trained model: sizes, metrics, side-by-side latency."""
    f32 = convert(model, "float32", output=workdir / f"{name}_float32.tflite")
    q = convert(model, mode, x_calib, output=workdir / f"{name}_{mode}.tflite")
    rep = report(model, [f32, q], x_test, y_test, threads=threads)
    timings = measure_latency(
        {"float32": f32.content, mode: q.content}, x_test, threads=threads, warmup=50, runs=runs, rounds=5
    )
    metric = rep.primary
    keras_row, f32_row, q_row = rep.rows
    out = {
        "model": name,
        "mode": mode,
        "io_dtype": q.io_dtype.value,
        "task": rep.task,
        "test_samples": rep.samples,
        "calibration_samples": q.calibration["samples"],
        "float32_bytes": f32.size_bytes,
        "quantized_bytes": q.size_bytes,
        "size_ratio": q.size_bytes / f32.size_bytes,
        "metric": metric,
        "keras": keras_row.metrics[metric],
        "float32_tflite": f32_row.metrics[metric],
        "quantized_tflite": q_row.metrics[metric],
        "delta_vs_keras": q_row.delta[metric],
        "float_ops": sorted(set(q_row.float_ops)),
        "latency_ms_float32": timings["float32"].median_ms,
        "latency_ms_quantized": timings[mode].median_ms,
        "latency_ratio": timings[mode].median_ms / timings["float32"].median_ms,
        "threads": threads,
        "latency_runs": runs,
    }
    if metric == "mae":
        out["delta_rel_pct"] = 100.0 * q_row.delta[metric] / keras_row.metrics[metric]
        out["meets_metric_target"] = out["delta_rel_pct"] <= 100 * TARGET_MAE_REL
    else:
        out["meets_metric_target"] = abs(out["delta_vs_keras"]) <= TARGET_ACC_POINTS
    out["meets_size_target"] = out["size_ratio"] <= TARGET_SIZE_RATIO
    return out


def _print(results: list[dict[str, Any]]) -> None:
    table = Table(title="float32 vs quantized TFLite (batch 1, side by side)")
    for col in (
        "model",
        "mode",
        "f32 KB",
        "q KB",
        "size ×",
        "metric",
        "keras",
        "q",
        "Δ",
        "f32 ms",
        "q ms",
        "lat ×",
    ):
        table.add_column(col, justify="left" if col in ("model", "mode", "metric") else "right")
    for r in results:
        delta = f"{r['delta_vs_keras']:+.3g}" + (
            f" ({r['delta_rel_pct']:+.1f} %)" if "delta_rel_pct" in r else ""
        )
        table.add_row(
            r["model"],
            f"{r['mode']}/{r['io_dtype']}",
            f"{r['float32_bytes'] / 1024:.1f}",
            f"{r['quantized_bytes'] / 1024:.1f}",
            f"{r['size_ratio']:.3f}",
            r["metric"],
            f"{r['keras']:.4g}",
            f"{r['quantized_tflite']:.4g}",
            delta,
            f"{r['latency_ms_float32']:.3f}",
            f"{r['latency_ms_quantized']:.3f}",
            f"{r['latency_ratio']:.2f}",
        )
    console.print(table)


def main(
    cifar_epochs: Annotated[int, typer.Option(help="training epochs of the CIFAR-10 CNN")] = 5,
    cae_epochs: Annotated[int, typer.Option(help="training epochs of the MNIST autoencoder")] = 10,
    threads: Annotated[int, typer.Option(help="TFLite interpreter threads for latency and evaluation")] = 2,
    runs: Annotated[int, typer.Option(help="timed batch-1 invokes per model")] = 500,
    mnist_dir: Annotated[
        Path | None, typer.Option(help="real MNIST IDX files (default: offline stand-in)")
    ] = None,
    cifar_dir: Annotated[
        Path | None, typer.Option(help="real CIFAR-10 batches (default: offline stand-in)")
    ] = None,
    json_out: Annotated[
        Path | None, typer.Option("--json", help="also write the results to this JSON file")
    ] = None,
) -> None:
    """Train briefly, convert float32 vs full int8, print size ratio, metric delta and latency ratio."""
    started = time.perf_counter()
    results: list[dict[str, Any]] = []
    notes: list[str] = []
    with tempfile.TemporaryDirectory(prefix="bench_quantize_") as tmp:
        workdir = Path(tmp)

        cifar = load_cifar10(cifar_dir, image_size=24, crop=True)
        console.print(f"CIFAR-10 data: {cifar.name}, train {len(cifar.train)}, test {len(cifar.test)}")
        loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
        for lrn in (False, True):
            model = cifar10_cnn(lrn=lrn)
            train(model, cifar.train, cifar.val, epochs=cifar_epochs, loss=loss, learning_rate=1e-3)
            name = "cifar10_cnn" + ("" if lrn else "_nolrn")
            mode = "int8"
            if lrn:
                try:
                    convert(model, "int8", cifar.train.x)
                except UnquantizableOpError as exc:
                    notes.append(f"{name} int8: {exc}")
                    mode = "int8-fallback"
            results.append(
                _bench_one(
                    name, model, cifar.train.x, cifar.test.x, cifar.test.y, mode, workdir, threads, runs
                )
            )

        mnist = load_mnist(mnist_dir)
        console.print(f"MNIST data: {mnist.name}, train {len(mnist.train)}, test {len(mnist.test)}")
        cae = conv_autoencoder()
        # Binary cross-entropy on [0, 1] pixels: with MSE this tiny sigmoid model often collapses to a
        # constant image in the first epoch on the digits stand-in.
        train(
            cae,
            (mnist.train.x, mnist.train.x),
            (mnist.val.x, mnist.val.x),
            epochs=cae_epochs,
            loss="binary_crossentropy",
            learning_rate=1e-3,
        )
        results.append(
            _bench_one(
                "conv_autoencoder", cae, mnist.train.x, mnist.test.x, None, "int8", workdir, threads, runs
            )
        )

    _print(results)
    for note in notes:
        console.print(f"[yellow]note:[/] {note}", highlight=False)
    elapsed = time.perf_counter() - started
    console.print(
        f"targets: size ≤ {TARGET_SIZE_RATIO}× float32, accuracy within {TARGET_ACC_POINTS} point, "
        f"MAE within {100 * TARGET_MAE_REL:.0f} % · total {elapsed:.0f} s"
    )
    for r in results:
        ok = r["meets_size_target"] and r["meets_metric_target"]
        console.print(
            f"  {r['model']} ({r['mode']}): {'[green]meets[/]' if ok else '[red]misses[/]'} targets"
        )
    if json_out is not None:
        json_out.write_text(
            json.dumps({"results": results, "notes": notes, "seconds": elapsed}, indent=2) + "\n"
        )


if __name__ == "__main__":
    typer.run(main)
