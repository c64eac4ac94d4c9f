"""The Edge TPU study's comparison (Tables 5.1–5.3) here: Keras vs TFLite float vs TFLite int8 vs Edge TPU.

It is edgesmith's own-model matrix (``profile_model``) of the Keras model on the test images, with the files
the earlier steps made as the variants and the task's metric (reconstruction MAE/MSE against the inputs for
the autoencoder, pixel accuracy and mean IoU for the U-Net). The scoring pass runs one image at a time, so
its time is the study's "reconstruct the whole test set" figure; adding the load gives the other one.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np

from autoencoder_edge.artifacts import RunLayout
from autoencoder_edge.steps import AppError, check_image_shape

MB = 1024 * 1024


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
    matrix: Any = None  # the edgesmith.profiling ModelMatrix the results come from

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
            "matrix": self.matrix.to_dict() if self.matrix is not None else None,
        }


def variants(layout: RunLayout, edgetpu: bool = True) -> list[Any]:
    """The variants the study compares after Keras (the source), each with why it is absent when it is."""
    from edgesmith.profiling.matrix import Variant
    from edgesmith.profiling.registry import runner_class

    not_run = "not found (run the earlier steps)"
    named = [
        ("tflite-float32", layout.tflite_float, None, not_run),
        ("tflite-int8", layout.tflite_int8, None, not_run),
    ]
    if edgetpu:
        named.append(
            ("edgetpu", layout.edgetpu, "edgetpu", "not compiled (edgetpu_compiler absent or not run)")
        )
    found = []
    for name, path, backend, absent in named:
        why = None if path.exists() else f"{path.name} {absent}"
        if why is None and backend is not None:
            ok, reason = runner_class(backend).available()
            why = None if ok else reason
        found.append(Variant(name, path, backend=backend, why_not=why))
    return found


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
) -> Comparison:
    """The matrix of the Keras model and every variant in ``layout`` on the same images."""
    from edgesmith.profiling.artifacts import Artifact
    from edgesmith.profiling.dataspec import Data
    from edgesmith.profiling.model_matrix import profile_model

    if not layout.keras.exists():
        raise AppError(
            f"{layout.root}: no model to benchmark; run 'autoencoder-edge train' and 'quantize' first"
        )
    keras = Artifact.open(layout.keras, format="keras")
    if keras.sidecar.inputs:  # the app's own message: resize the images or retrain, not a matrix flag
        check_image_shape(x_test, (None, *keras.sidecar.inputs[0].shape[1:]), f"bench {task.name}")
    data = Data(x_test, y_test, f"{task.name} test images", f"{layout.root} test split")
    matrix = profile_model(
        layout.keras,
        data,
        metric=task.metric,
        variants=["none"],  # quantize and compile built the variants; the matrix measures them
        extra=variants(layout, edgetpu),
        eval_batch_size=1,  # the study reconstructs its test set one image at a time
        warmup=warmup,
        runs=runs,
        budget_s=None,
        threads=threads,
        progress=progress,
        source_name="keras",
        out=layout.matrix_dir,
    )
    results = [_result(r, len(x_test)) for r in matrix.result.rows if r.ok]
    skipped = {r.variant: r.error.removeprefix("not built: ") for r in matrix.result.rows if not r.ok}
    if "keras" in skipped:
        raise AppError(f"keras: {skipped['keras']}")
    return Comparison(results, skipped, threads, runs, task.name, matrix)


def _result(row: Any, images: int) -> VariantResult:
    """One measured matrix row in the study's terms."""
    return VariantResult(
        name=row.variant,
        path=row.artifact,
        size_bytes=round(row.size_mb * MB),
        precision=row.precision,
        metrics=dict(row.metrics),
        per_image_ms=row.latency_ms,
        per_image_p50_ms=row.p50_ms,
        per_image_p90_ms=row.p90_ms,
        test_images=images,
        test_set_s=row.eval_s,
        test_set_with_load_s=row.load_s + row.eval_s,
        load_s=row.load_s,
        runtime={"backend": row.backend, **dict(row.extra)},
    )


def reconstruct(layout: RunLayout, x: np.ndarray, edgetpu: bool = True) -> dict[str, np.ndarray]:
    """Keras's and each present variant's reconstructions of ``x`` (no timing), for the picture."""
    from edgesmith.profiling import RunnerError, open_runner

    if not layout.keras.exists():
        raise AppError(f"{layout.root}: no model to draw; run 'autoencoder-edge train' and 'quantize' first")
    present = [(v.name, v.artifact, v.backend) for v in variants(layout, edgetpu) if not v.why_not]
    recons = {}
    for name, path, backend in [("keras", layout.keras, None), *present]:
        try:
            with open_runner(path, backend=backend) as runner:
                check_image_shape(x, runner.input_specs()[0].shape, f"show {name}")
                recons[name] = np.concatenate([runner.predict(x[i : i + 1]) for i in range(len(x))])
        except RunnerError as exc:
            raise AppError(f"{name}: {exc}") from exc
    return recons
