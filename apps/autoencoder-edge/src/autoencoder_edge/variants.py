"""The Edge TPU study's comparison (Tables 5.1–5.3) here: Keras vs TFLite float vs TFLite int8 vs Edge TPU.

For each variant: quality on the test images (reconstruction MAE/MSE for the autoencoder, pixel accuracy and
mean IoU for the U-Net), file size, per-image latency (batch 1, through
edgesmith.profiling's ``bench``), and the time to reconstruct the whole test set one image at a time, with and
without loading the model, as the Edge TPU study timed its 10,000 reconstructions.
"""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path
from typing import Any

import numpy as np
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from autoencoder_edge.artifacts import RunLayout
from autoencoder_edge.steps import AppError, check_image_shape


@dataclasses.dataclass(frozen=True)
class Variant:
    """One deployable form of the model and how to open it with the profiler's registry."""

    name: str
    path: Path
    backend: str
    options: dict[str, Any] = dataclasses.field(default_factory=dict)


@dataclasses.dataclass
class VariantResult:
    """Quality, size and time of one variant on the same test images."""

    name: str
    path: str
    size_bytes: int
    precision: str
    metrics: dict[str, float]
    per_image_ms: float
    per_image_p50_ms: float
    per_image_p90_ms: float
    test_images: int
    test_set_s: float
    test_set_with_load_s: float
    load_s: float
    runtime: dict[str, Any] = dataclasses.field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        d = dataclasses.asdict(self)
        return {**d.pop("metrics"), **d}


@dataclasses.dataclass
class Comparison:
    """All variants side by side, plus the variants that could not run here and why."""

    results: list[VariantResult]
    skipped: dict[str, str]
    threads: int | None
    runs: int
    task: str = "cae"

    def by_name(self, name: str) -> VariantResult | None:
        return next((r for r in self.results if r.name == name), None)

    def targets(self) -> dict[str, Any]:
        """The targets: int8 MAE within 10 % of float, int8 file <= 0.3x Keras, int8/Keras latency
        (for the U-Net, the int8 change in pixel accuracy replaces the MAE target)."""
        keras, f32, i8 = self.by_name("keras"), self.by_name("tflite-float32"), self.by_name("tflite-int8")
        out: dict[str, Any] = {}
        if keras and i8:
            if self.task == "cae":
                base, mae = keras.metrics["mae"], i8.metrics["mae"]
                out["int8_mae_increase"] = mae / base - 1 if base else None
                out["int8_mae_within_10pct"] = bool(base and mae <= 1.10 * base)
            else:
                out["int8_pixel_accuracy_change"] = (
                    i8.metrics["pixel_accuracy"] - keras.metrics["pixel_accuracy"]
                )
            out["int8_size_ratio"] = i8.size_bytes / keras.size_bytes
            out["int8_size_within_0.3x"] = i8.size_bytes <= 0.3 * keras.size_bytes
            # Medians: robust to other processes stealing the CPU during a run.
            out["int8_over_keras_latency"] = i8.per_image_p50_ms / keras.per_image_p50_ms
            out["int8_over_keras_latency_mean"] = i8.per_image_ms / keras.per_image_ms
        if f32 and i8:
            out["int8_over_float_tflite_latency"] = i8.per_image_p50_ms / f32.per_image_p50_ms
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "threads": self.threads,
            "runs": self.runs,
            "results": [r.to_dict() for r in self.results],
            "skipped": self.skipped,
            "task": self.task,
            "targets": self.targets(),
        }


def variants(layout: RunLayout, edgetpu: bool = True) -> tuple[list[Variant], dict[str, str]]:
    """The variants present in ``layout`` and, for absent ones, why they are not measured."""
    found: list[Variant] = []
    skipped: dict[str, str] = {}
    for name, path, backend in (  # keras first: the reference every ratio is taken against
        ("keras", layout.keras, "keras"),
        ("tflite-float32", layout.tflite_float, "tflite"),
        ("tflite-int8", layout.tflite_int8, "tflite"),
    ):
        if path.exists():
            found.append(Variant(name, path, backend))
        else:
            skipped[name] = f"{path.name} not found (run the earlier steps)"
    if edgetpu:
        from edgesmith.export_edgetpu.runner import EdgeTPURunner

        ok, why = EdgeTPURunner.available()
        if not layout.edgetpu.exists():
            skipped["edgetpu"] = f"{layout.edgetpu.name} not compiled (edgetpu_compiler absent or not run)"
        elif not ok:
            skipped["edgetpu"] = why
        else:
            found.append(Variant("edgetpu", layout.edgetpu, "edgetpu"))
    return found, skipped


def _progress(enabled: bool) -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        transient=True,
        disable=not enabled,
    )


def measure(
    variant: Variant,
    task: Any,
    x_test: np.ndarray,
    y_test: np.ndarray | None,
    runs: int = 200,
    warmup: int = 20,
    threads: int | None = None,
    progress: bool = True,
    keep: int = 10,
) -> tuple[VariantResult, np.ndarray]:
    """Measure one variant; returns its result and its first ``keep`` reconstructions (for the picture)."""
    from edgesmith.profiling import RunnerError, bench, open_runner

    runner = open_runner(variant.path, backend=variant.backend, threads=threads, **variant.options)
    try:
        t0 = time.perf_counter()
        runner.activate()
        spec = runner.input_specs()[0]
        check_image_shape(x_test, spec.shape, f"bench {variant.name}")
        runner.predict(x_test[:1])  # first call: graph tracing / tensor allocation count as loading
        loaded = time.perf_counter()
        outputs = []
        with _progress(progress) as bar:
            bar_task = bar.add_task(f"{variant.name}: test set", total=len(x_test))
            for i in range(len(x_test)):
                outputs.append(np.array(runner.predict(x_test[i : i + 1])[0], dtype=np.float32))
                bar.advance(bar_task)
        done = time.perf_counter()
        pred = np.stack(outputs)
        result = bench(runner, batch_sizes=(1,), warmup=warmup, runs=runs, inputs=x_test, progress=progress)
        info = runner.describe()
    except RunnerError as exc:
        raise AppError(f"{variant.name}: {exc}") from exc
    finally:
        runner.deactivate()
    stats = result.stats(1)
    return (
        VariantResult(
            name=variant.name,
            path=str(variant.path),
            size_bytes=info.size_bytes,
            precision=info.precision,
            metrics=task.score(pred, x_test, y_test),
            per_image_ms=stats.mean_ms,
            per_image_p50_ms=stats.p50_ms,
            per_image_p90_ms=stats.p90_ms,
            test_images=len(x_test),
            test_set_s=done - loaded,
            test_set_with_load_s=done - t0,
            load_s=loaded - t0,
            runtime={"backend": info.backend, "device": info.device, **dict(info.extra)},
        ),
        pred[:keep].copy(),
    )


def compare(
    layout: RunLayout,
    task: Any,
    x_test: np.ndarray,
    y_test: np.ndarray | None,
    runs: int = 200,
    warmup: int = 20,
    threads: int | None = 2,
    edgetpu: bool = True,
    progress: bool = True,
    keep: int = 10,
) -> tuple[Comparison, dict[str, np.ndarray]]:
    """Measure every variant present in ``layout`` on the same images, one after the other."""
    found, skipped = variants(layout, edgetpu)
    if not found:
        raise AppError(
            f"{layout.root}: no model to benchmark; run 'autoencoder-edge train' and 'quantize' first"
        )
    if any(v.backend == "keras" for v in found):
        import edgesmith.datasets.tf_runtime  # noqa: F401  (import TensorFlow outside every timer)
    results, recons = [], {}
    for v in found:
        res, rec = measure(v, task, x_test, y_test, runs, warmup, threads, progress, keep)
        results.append(res)
        recons[v.name] = rec
    return Comparison(results, skipped, threads, runs, task.name), recons


def reconstruct(layout: RunLayout, x: np.ndarray, edgetpu: bool = True) -> dict[str, np.ndarray]:
    """Each present variant's reconstructions of ``x`` (no timing), for the picture."""
    from edgesmith.profiling import RunnerError, open_runner

    found, _ = variants(layout, edgetpu)
    if not found:
        raise AppError(f"{layout.root}: no model to draw; run 'autoencoder-edge train' and 'quantize' first")
    recons = {}
    for v in found:
        try:
            with open_runner(v.path, backend=v.backend, **v.options) as runner:
                check_image_shape(x, runner.input_specs()[0].shape, f"show {v.name}")
                recons[v.name] = np.concatenate([runner.predict(x[i : i + 1]) for i in range(len(x))])
        except RunnerError as exc:
            raise AppError(f"{v.name}: {exc}") from exc
    return recons
