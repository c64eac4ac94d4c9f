"""Accuracy-guarded int8: the smallest set of Keras layers kept in float that meets a metric budget.

Plain full-int8 first; when it loses more than ``max_loss``, the layers are ranked by their own int8 error
(QuantizationDebugger, :mod:`edgesmith.quantize.layer_stats`) and added to the float set worst first, each
with the layers feeding it (a layer in float still reads an int8-rounded input unless its producer is float
too), re-measuring the task metric after each addition; once the budget is met, the set is pruned back one
layer at a time (best first) while the budget still holds. Every step is a real quantized model evaluated on
the held-out data.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from edgesmith.datasets.tf_runtime import keras
from edgesmith.quantize.calibration import Representative
from edgesmith.quantize.errors import QuantizeError
from edgesmith.quantize.evaluate import tflite_predict
from edgesmith.quantize.layer_stats import LayerError, layer_errors
from edgesmith.quantize.metrics import output_activation
from edgesmith.quantize.modes import IoDtype
from edgesmith.quantize.quality import Metric, resolve_metric
from edgesmith.quantize.selective import CalibratedModel, calibrate
from edgesmith.quantize.sources import ModelSource, load_source

Progress = Callable[[str], None]


@dataclasses.dataclass
class GuardStep:
    """One model tried by the search: which layers stayed float and what it measured."""

    phase: str  # "int8", "add" or "prune"
    float_layers: list[str]
    metric: float
    loss: float
    meets: bool
    size_bytes: int
    latency_ms: float | None = None
    kept: bool = True  # a prune step that broke the budget is reverted (kept=False)
    content: bytes = dataclasses.field(default=b"", repr=False)

    def to_dict(self) -> dict[str, Any]:
        d = dataclasses.asdict(self)
        d.pop("content")
        return d


@dataclasses.dataclass
class GuardResult:
    """The chosen model (``content``), its float layers, every step, and the float reference."""

    metric: Metric
    max_loss: float
    float_metric: float
    float_size_bytes: int
    float_latency_ms: float | None
    layers: list[str]
    steps: list[GuardStep]
    ranking: list[LayerError]
    chosen: GuardStep
    eval_samples: int
    calibration: dict[str, Any]
    io_dtype: IoDtype

    @property
    def met(self) -> bool:
        return self.chosen.meets

    @property
    def content(self) -> bytes:
        return self.chosen.content

    @property
    def float_layers(self) -> list[str]:
        return list(self.chosen.float_layers)

    @property
    def float_share(self) -> float:
        """Share of the model's compute layers left in float."""
        return len(self.chosen.float_layers) / len(self.layers) if self.layers else 0.0

    def summary(self) -> dict[str, Any]:
        """What the sidecar records about the search (no model bytes)."""
        return {
            "variant": "tflite-int8-guarded",
            "metric": self.metric.to_dict(),
            "max_loss": self.max_loss,
            "met": self.met,
            "float_layers": self.float_layers,
            "float_layer_share": round(self.float_share, 4),
            "compute_layers": len(self.layers),
            "float_metric": self.float_metric,
            "metric_value": self.chosen.metric,
            "loss": self.chosen.loss,
            "eval_samples": self.eval_samples,
            "float_size_bytes": self.float_size_bytes,
            "float_latency_ms": self.float_latency_ms,
            "steps": [s.to_dict() for s in self.steps],
        }


def _search(
    calibrated: CalibratedModel,
    measure: Callable[[Sequence[str]], GuardStep],
    ranking: list[LayerError],
    max_steps: int,
    say: Progress,
) -> list[GuardStep]:
    plain = measure([])
    plain.phase = "int8"
    steps = [plain]
    if plain.meets:
        return steps
    chosen: list[str] = []
    current = plain
    for row in sorted(ranking, key=lambda r: r.share, reverse=True):
        if len(steps) > max_steps or row.layer in chosen:
            continue
        unit = [row.layer, *calibrated.layer_map.producers(row.layer)]
        chosen += [layer for layer in unit if layer not in chosen]
        current = measure(chosen)
        current.phase = "add"
        steps.append(current)
        say(f"float {len(chosen):>3} layers: loss {current.loss:.3g} (+{', '.join(unit)})")
        if current.meets:
            break
    if not current.meets:
        return steps
    share = {r.layer: r.share for r in ranking}
    for layer in sorted(chosen, key=lambda name: share.get(name, 0.0)):
        if len(steps) > 2 * max_steps:
            break
        trial = [name for name in chosen if name != layer]
        step = measure(trial)
        step.phase = "prune"
        step.kept = step.meets
        steps.append(step)
        say(f"without {layer}: loss {step.loss:.3g} ({'dropped' if step.meets else 'kept in float'})")
        if step.meets:
            chosen = trial
    return steps


def guarded_int8(
    model: ModelSource,
    representative: Representative,
    eval_x: np.ndarray,
    eval_y: np.ndarray | None = None,
    *,
    metric: str = "auto",
    max_loss: float = 1.0,
    calibration_samples: int = 100,
    seed: int = 0,
    io_dtype: IoDtype | str = IoDtype.INT8,
    debug_samples: int = 100,
    max_steps: int = 40,
    threads: int | None = 2,
    latency: bool = True,
    progress: Progress | None = None,
) -> GuardResult:
    """Full-int8 TFLite of ``model`` with the fewest Keras layers in float that keeps the loss ≤ ``max_loss``.

    ``representative`` calibrates (and feeds the per-layer debugger); ``eval_x``/``eval_y`` must be held-out
    data: the loss is the task ``metric`` of the float TFLite model minus that of each candidate on them
    (points for accuracy/IoU, % of the float error for mae/mse). Without ``eval_y`` the metric is
    ``agreement`` with the float model's own outputs (points). When no set within ``max_steps`` additions
    meets the budget, the result's ``met`` is False and ``chosen`` is the best model tried.
    """
    say = progress or (lambda _msg: None)
    if max_loss < 0:
        raise QuantizeError(f"--max-loss must be >= 0, got {max_loss}")
    keras_model, _ = load_source(model)
    eval_x = np.asarray(eval_x, dtype=np.float32)
    if len(eval_x) == 0:
        raise QuantizeError("evaluation data is empty; pass held-out samples to measure the loss on")
    activation = output_activation(keras_model)
    if metric == "auto" and eval_y is None:
        metric = "agreement"  # unlabeled held-out data: guard how closely int8 follows float
    spec = resolve_metric(metric, eval_x, eval_y, keras_model.output_shape, activation)
    io = IoDtype(io_dtype)
    say("calibrating")
    calibrated = calibrate(keras_model, representative, calibration_samples=calibration_samples, seed=seed)
    float_pred = tflite_predict(calibrated.float_content, eval_x, threads=threads)
    if spec.name == "agreement":
        eval_y = float_pred  # the float model's own outputs are the targets
    float_metric = spec.value(eval_x, eval_y, float_pred)
    say(f"float TFLite {spec.name} {float_metric:.4g}")

    cache: dict[tuple[str, ...], GuardStep] = {}

    def measure(float_layers: Sequence[str]) -> GuardStep:
        key = tuple(sorted(float_layers))
        if key in cache:
            return dataclasses.replace(cache[key], float_layers=list(float_layers))
        content = calibrated.quantize(float_layers, io)
        value = spec.value(eval_x, eval_y, tflite_predict(content, eval_x, threads=threads))
        loss = spec.loss(float_metric, value)
        step = GuardStep(
            "add", list(float_layers), value, loss, loss <= max_loss, len(content), content=content
        )
        cache[key] = step
        return step

    plain = measure([])
    ranking: list[LayerError] = []
    if not plain.meets:
        say(f"plain int8 loses {plain.loss:.3g} {spec.loss_unit}; ranking layers")
        pool = calibrated.calibration.samples
        samples = np.concatenate(pool[: max(1, min(debug_samples, len(pool)))])
        ranking = layer_errors(calibrated, samples, quantized=plain.content)
    steps = _search(calibrated, measure, ranking, max_steps, say)
    chosen = next((s for s in reversed(steps) if s.meets and s.kept), None)
    if chosen is None:
        chosen = min(steps, key=lambda s: s.loss)
    float_latency = None
    if latency:
        from edgesmith.quantize.latency import measure_latency

        say("timing every step side by side with float")
        models = {"float": calibrated.float_content}
        models.update({f"step{i}": s.content for i, s in enumerate(steps)})
        timings = measure_latency(models, eval_x[:1], threads=threads, warmup=5, runs=100, rounds=5)
        float_latency = timings["float"].median_ms
        for i, s in enumerate(steps):
            s.latency_ms = timings[f"step{i}"].median_ms
    return GuardResult(
        metric=spec,
        max_loss=max_loss,
        float_metric=float_metric,
        float_size_bytes=len(calibrated.float_content),
        float_latency_ms=float_latency,
        layers=list(calibrated.layers),
        steps=steps,
        ranking=ranking,
        chosen=chosen,
        eval_samples=len(eval_x),
        calibration=calibrated.calibration.to_dict(),
        io_dtype=io,
    )


def guarded_artifact(result: GuardResult, source: keras.Model, source_sha256: str) -> Any:
    """The chosen model as a :class:`QuantizedArtifact` whose sidecar lists the float layers and steps."""
    from edgesmith.quantize.artifact import QuantizedArtifact
    from edgesmith.quantize.layer_map import keras_layer_names
    from edgesmith.quantize.modes import Mode
    from edgesmith.quantize.tflite_graph import summarize

    return QuantizedArtifact(
        content=result.content,
        mode=Mode.INT8,
        io_dtype=result.io_dtype,
        source_sha256=source_sha256,
        source_name=source.name,
        graph=summarize(result.content, keras_layer_names(source)),
        calibration=result.calibration,
        extra={"guard": result.summary()},
    )


def export_guarded(
    source: str | Any,
    out: str | Any,
    calibration: np.ndarray,
    *,
    max_loss: float = 1.0,
    metric: str = "auto",
    eval_x: np.ndarray | None = None,
    eval_y: np.ndarray | None = None,
    source_sha256: str | None = None,
    **options: Any,
) -> GuardResult:
    """Write the guarded int8 model of ``source`` to ``out`` (the ``tflite-int8-guarded`` variant).

    Without ``eval_x`` the calibration samples are split: the first half calibrates and the second half
    scores (agreement with float unless ``eval_y`` is given). Raises QuantizeError when no float-layer set
    meets ``max_loss``; nothing is written then.
    """
    keras_model, file_hash = load_source(source)
    x = np.asarray(calibration, dtype=np.float32)
    if eval_x is None:
        if len(x) < 2:
            raise QuantizeError("tflite-int8-guarded needs at least 2 calibration samples (half score it)")
        x, eval_x = x[: len(x) // 2], x[len(x) // 2 :]
    result = guarded_int8(
        keras_model, x, eval_x, eval_y, metric=metric, max_loss=max_loss, latency=False, **options
    )
    if not result.met:
        raise QuantizeError(
            f"no float-layer set met max_loss {max_loss:g} (best loss {result.chosen.loss:.3g} "
            f"{result.metric.loss_unit}); raise the budget or fine-tune with edgesmith-quantize qat"
        )
    guarded_artifact(result, keras_model, source_sha256 or file_hash).save(out)
    return result
