"""TVM vs ONNX Runtime vs TFLite on this CPU, side by side: untuned (default schedules), then tuned.

Models: MobileNetV2 (weights=None, 224x224, batch 1), the CIFAR-10 tutorial CNN from
edgesmith.models and plate-reader's shipped plate detector (CenterNet, 384x384). Each is exported once
(Keras -> ONNX with edgesmith.export_trt, Keras -> TFLite float32), compiled with TVM for ``--target``
with default schedules only, then tuned with MetaSchedule within a trial and a wall-clock budget (a
reusable log under --out) and recompiled. Latency is measured
interleaved (one call of each backend per round, so machine load hits all alike); the table reports
medians, ratios to ONNX Runtime, the tuning wall time and the max error against Keras (relative to the
output's largest value).

    uv run python tools/bench_tvm.py --target x86-avx512 --trials-mobilenet 1500 --minutes-mobilenet 60
    uv run python tools/bench_tvm.py --skip-tuning      # untuned only: minutes, not an hour
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
from rich.table import Table

from edgesmith.datasets.tf_runtime import keras, tf
from edgesmith.export_trt import keras_to_onnx
from edgesmith.export_tvm import compile_model, import_model, parse_target, tune_model
from edgesmith.export_tvm.shipped_logs import shipped_log
from edgesmith.models import cifar10_cnn
from edgesmith.profiling.console import FoldingConsole
from edgesmith.profiling.registry import open_runner

console = FoldingConsole()  # tables print whole, never cut to 80 columns, when piped to a log


PLATE_DETECTOR = (
    Path(__file__).resolve().parents[1] / "apps/plate-reader/src/plate_reader/models/plate_centernet.keras"
)


MODELS = {
    # logits, not softmax: a randomly initialised MobileNetV2's softmax is ~uniform (1/1000 everywhere),
    # which would make every backend's error vs Keras look like exactly 0
    "mobilenetv2": lambda: keras.applications.MobileNetV2(
        weights=None, input_shape=(224, 224, 3), classifier_activation=None
    ),
    "cifar10_cnn": cifar10_cnn,
    "plate_centernet": lambda: keras.models.load_model(PLATE_DETECTOR, compile=False),
}


def build_models(names: list[str]) -> dict[str, keras.Model]:
    """The named models only, each from seed 0 (so a model's weights do not depend on the others built)."""
    models = {}
    for name in names:
        keras.utils.set_random_seed(0)
        models[name] = MODELS[name]()
    return models


def to_tflite(model: keras.Model, path: Path) -> Path:
    converter = tf.lite.TFLiteConverter.from_keras_model(model)
    path.write_bytes(converter.convert())
    return path


def interleaved_latency(
    runners: dict[str, object], x: np.ndarray, rounds: int, warmup: int
) -> dict[str, float]:
    """Median ms per backend, calling each once per round in turn."""
    for r in runners.values():
        for _ in range(warmup):
            r.predict(x)
    times: dict[str, list[float]] = {k: [] for k in runners}
    for _ in range(rounds):
        for name, r in runners.items():
            t0 = time.perf_counter()
            r.predict(x)
            times[name].append((time.perf_counter() - t0) * 1e3)
    return {k: float(np.median(v)) for k, v in times.items()}


def bench(name: str, model: keras.Model, args: argparse.Namespace) -> list[dict]:
    out = args.out / name
    out.mkdir(parents=True, exist_ok=True)
    x = np.random.default_rng(1).random((1, *model.input_shape[1:]), dtype=np.float32)
    reference = model(x, training=False).numpy()
    onnx_path = out / f"{name}.onnx"
    export = keras_to_onnx(model, onnx_path)
    tflite_path = to_tflite(model, out / f"{name}.tflite")
    target = parse_target(args.target)

    t0 = time.perf_counter()
    untuned = compile_model(onnx_path, out / f"{name}.untuned.tvm", target=args.target, use_shipped_log=False)
    untuned_compile_s = time.perf_counter() - t0
    print_kernel_shares(name, untuned.default_latency_ms, untuned.path)
    runners = {
        "onnxruntime": open_runner(onnx_path, threads=args.threads),
        "tflite_fp32": open_runner(tflite_path, threads=args.threads),
        "tvm_untuned": open_runner(out / f"{name}.untuned.tvm", threads=args.threads),
    }
    if shipped_log(args.target) is not None:  # the preset's shipped log, as `compile --target` applies it
        compile_model(onnx_path, out / f"{name}.shipped.tvm", target=args.target)
        runners["tvm_shipped_log"] = open_runner(out / f"{name}.shipped.tvm", threads=args.threads)
    report = None
    if not args.skip_tuning:
        trials, minutes = {
            "mobilenetv2": (args.trials_mobilenet, args.minutes_mobilenet),
            "cifar10_cnn": (args.trials_cifar, args.minutes_cifar),
            "plate_centernet": (args.trials_plate, args.minutes_plate),
        }[name]
        log = out / "tuning-log"
        report = tune_model(
            import_model(onnx_path).mod,
            target,
            log,
            trials=trials,
            max_seconds=minutes * 60,
            min_trials=8,
            focus=args.focus,
        )
        compile_model(onnx_path, out / f"{name}.tuned.tvm", target=args.target, tuning_log=log)
        console.print(
            f"{name}: tuned {report.trials} trials in {report.seconds:.0f} s; "
            f"{sum(t.schedule == 'tuned' for t in report.tasks)} of {len(report.tasks)} tasks tuned, "
            "the rest default-scheduled"
        )
        runners["tvm_tuned"] = open_runner(out / f"{name}.tuned.tvm", threads=args.threads)
    console.print(
        f"{name}: ONNX export max abs err {export.max_abs_error:.2e}; untuned TVM compile "
        f"{untuned_compile_s:.1f} s ({untuned.default_functions} kernels, all default-scheduled)"
    )
    for r in runners.values():
        r.activate()
    errors = {k: float(np.max(np.abs(np.asarray(r.predict(x)) - reference))) for k, r in runners.items()}
    latency = interleaved_latency(runners, x, args.rounds, args.warmup)
    for r in runners.values():
        r.deactivate()
    rows = []
    for k in runners:
        rows.append(
            {
                "model": name,
                "backend": k,
                "latency_ms": latency[k],
                "vs_onnxruntime": latency[k] / latency["onnxruntime"],
                "max_abs_err_vs_keras": errors[k],
                # relative to the output's scale: a randomly initialised MobileNetV2's logits are ~1e-11
                # (its activations shrink block by block), so an absolute error says nothing there
                "max_rel_err_vs_keras": errors[k] / max(float(np.max(np.abs(reference))), 1e-30),
                "tuning_trials": report.trials if report and k == "tvm_tuned" else None,
                "tuning_seconds": round(report.seconds) if report and k == "tvm_tuned" else None,
                "compile_seconds": round(untuned_compile_s, 1) if k == "tvm_untuned" else None,
            }
        )
    return rows


def print_kernel_shares(name: str, latency_ms: dict[str, float | None], library: Path) -> None:
    """Each default-scheduled kernel's measured time x its calls in the model, largest share first.

    Kernel times are the default-schedule picks' own measurements (weight packing included, so weight-heavy
    kernels read high); calls are counted in the compiled module's ``main``.
    """
    calls = json.loads((library / "meta.json").read_text()).get("kernel_calls", {})
    rows = [(k, v or 0.0, calls.get(k, 1)) for k, v in latency_ms.items()]
    total = sum(v * c for _, v, c in rows) or 1.0
    table = Table(title=f"{name}: default-scheduled kernels (untuned), share of the summed kernel time")
    for col in ("kernel", "ms", "calls", "share"):
        table.add_column(col)
    for k, v, c in sorted(rows, key=lambda r: -r[1] * r[2])[:12]:
        table.add_row(k, f"{v:.3f}", str(c), f"{100 * v * c / total:.1f}%")
    console.print(table)
    console.print(f"summed kernel time {total:.2f} ms over {len(rows)} kernels")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--target", default="x86-avx512", help="TVM target or preset (e.g. x86-avx2)")
    parser.add_argument("--trials-mobilenet", type=int, default=1500, help="tuning budget (measurements)")
    parser.add_argument("--minutes-mobilenet", type=float, default=60, help="tuning wall-clock budget")
    parser.add_argument("--trials-cifar", type=int, default=200, help="tuning budget (measurements)")
    parser.add_argument("--minutes-cifar", type=float, default=20, help="tuning wall-clock budget")
    parser.add_argument("--trials-plate", type=int, default=300, help="tuning budget (measurements)")
    parser.add_argument("--minutes-plate", type=float, default=15, help="tuning wall-clock budget")
    parser.add_argument("--focus", type=float, default=0.9, help="share of default time to tune")
    parser.add_argument("--threads", type=int, default=2, help="threads for every backend")
    parser.add_argument("--rounds", type=int, default=30, help="timed interleaved rounds")
    parser.add_argument("--warmup", type=int, default=5, help="untimed calls per backend")
    parser.add_argument("--models", default=",".join(MODELS), help="comma-separated subset")
    parser.add_argument("--skip-tuning", action="store_true", help="untuned TVM only (no tune, no tuned row)")
    parser.add_argument("--out", type=Path, default=Path("/tmp/bench_tvm"), help="work dir (reused DB)")
    args = parser.parse_args()
    names = args.models.split(",")
    models = build_models(names)
    rows = []
    for name in names:
        rows += bench(name, models[name], args)
    table = Table(
        title=f"TVM ({args.target}) vs ONNX Runtime vs TFLite fp32, batch 1, {args.threads} threads"
    )
    for col in ("model", "backend", "median ms", "× ORT", "max |err| / max |Keras|", "tuning"):
        table.add_column(col)
    for r in rows:
        tuning = (
            f"{r['tuning_trials']} trials / {r['tuning_seconds']} s" if r["tuning_trials"] is not None else ""
        )
        table.add_row(
            r["model"],
            r["backend"],
            f"{r['latency_ms']:.2f}",
            f"{r['vs_onnxruntime']:.2f}",
            f"{r['max_rel_err_vs_keras']:.1e}",
            tuning,
        )
    console.print(table)
    (args.out / "bench_tvm.json").write_text(json.dumps(rows, indent=2) + "\n")
    console.print(f"rows written to {args.out / 'bench_tvm.json'}")


if __name__ == "__main__":
    main()
