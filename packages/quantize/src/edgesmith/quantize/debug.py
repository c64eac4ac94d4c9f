"""``debug``: which Keras layers lose accuracy in full-int8, by how much, and why (table, JSON, plot)."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import numpy as np

from edgesmith.quantize.calibration import Representative
from edgesmith.quantize.errors import QuantizeError
from edgesmith.quantize.evaluate import tflite_predict
from edgesmith.quantize.layer_stats import LayerError, layer_errors
from edgesmith.quantize.metrics import output_activation
from edgesmith.quantize.quality import Metric, resolve_metric
from edgesmith.quantize.selective import calibrate
from edgesmith.quantize.sources import ModelSource, load_source


@dataclasses.dataclass
class DebugReport:
    """Per-layer int8 error of one model (depth order) and, with labels, float vs int8 task metric."""

    model_name: str
    layers: list[LayerError]
    samples: int
    calibration: dict[str, Any]
    metric: Metric | None = None
    float_metric: float | None = None
    int8_metric: float | None = None
    eval_samples: int = 0

    @property
    def loss(self) -> float | None:
        if self.metric is None or self.float_metric is None or self.int8_metric is None:
            return None
        return self.metric.loss(self.float_metric, self.int8_metric)

    def worst(self, n: int = 3) -> list[LayerError]:
        """The ``n`` layers with the largest share of the error, worst first."""
        return sorted(self.layers, key=lambda r: r.share, reverse=True)[:n]

    def explanations(self, top: int | None = None) -> list[str]:
        """One line per listed layer that has a range statistic explaining its error."""
        rows = self.worst(top or len(self.layers))
        return [f"{r.layer}: {'; '.join(r.notes)}" for r in rows if r.notes]

    def to_dict(self) -> dict[str, Any]:
        return {
            "model": self.model_name,
            "debug_samples": self.samples,
            "calibration": self.calibration,
            "metric": self.metric.to_dict() if self.metric else None,
            "float_metric": self.float_metric,
            "int8_metric": self.int8_metric,
            "loss": self.loss,
            "eval_samples": self.eval_samples,
            "worst": [r.layer for r in self.worst(3)],
            "layers": [r.to_dict() for r in self.layers],
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2)

    def table(self, top: int | None = None) -> Any:
        """A rich Table of the layers, worst first (``top`` rows), with the statistics that explain them."""
        from rich.table import Table

        rows = self.worst(top or len(self.layers))
        title = f"{self.model_name}: int8 error per layer on {self.samples} samples"
        if self.loss is not None and self.metric is not None:
            title += (
                f" · {self.metric.name} float {self.float_metric:.4g} → int8 {self.int8_metric:.4g}"
                f" (loss {self.loss:.3g} {self.metric.loss_unit}, {self.eval_samples} held-out samples)"
            )
        table = Table(title=title)
        headers = ("#", "layer", "ops", "depth", "RMSE/scale", "mean/scale", "share %", "range %", "clip %")
        for col in (*headers, "chan ×", "weight ×"):
            table.add_column(col, justify="left" if col in ("layer", "ops") else "right", overflow="fold")
        for rank, r in enumerate(rows, 1):
            table.add_row(
                str(rank),
                r.layer,
                ",".join(sorted(set(r.ops))),
                str(r.depth),
                f"{r.rmse_per_scale:.3g}",
                f"{r.mean_error_per_scale:+.2f}",
                f"{100 * r.share:.1f}",
                f"{100 * r.range_use:.0f}",
                f"{100 * r.clipped:.2f}",
                "-" if np.isnan(r.channel_spread) else f"{r.channel_spread:.3g}",
                "-" if r.weight_spread is None else f"{r.weight_spread:.3g}",
            )
        table.caption = (
            "RMSE/scale: error in int8 steps (rounding alone ≈ 0.29); share: of the summed squared error; "
            "range: int8 codes used; chan ×: largest channel over the median; weight ×: spread of the "
            "per-channel weight scales"
        )
        return table


def debug_int8(
    model: ModelSource,
    representative: Representative,
    eval_x: np.ndarray | None = None,
    eval_y: np.ndarray | None = None,
    *,
    metric: str = "auto",
    samples: int = 100,
    calibration_samples: int = 100,
    seed: int = 0,
    threads: int | None = 2,
) -> DebugReport:
    """Per-layer full-int8 error of ``model``, named by Keras layer.

    ``representative`` calibrates; the debugger runs on ``samples`` rows of ``eval_x`` (held-out data) or of
    the calibration samples when ``eval_x`` is None. With ``eval_y`` (or an autoencoder) the float and int8
    TFLite models are also scored with ``metric`` on all of ``eval_x``.
    """
    if samples < 1:
        raise QuantizeError(f"--samples must be >= 1, got {samples}")
    keras_model, _ = load_source(model)
    calibrated = calibrate(keras_model, representative, calibration_samples=calibration_samples, seed=seed)
    plain = calibrated.quantize()
    if eval_x is not None and len(eval_x):
        pool = np.asarray(eval_x, dtype=np.float32)
    else:
        pool = np.concatenate(calibrated.calibration.samples)
    debug_x = pool[:samples]
    report = DebugReport(
        model_name=keras_model.name,
        layers=layer_errors(calibrated, debug_x, quantized=plain),
        samples=len(debug_x),
        calibration=calibrated.calibration.to_dict(),
    )
    if eval_x is not None and len(eval_x):
        activation = output_activation(keras_model)
        if metric == "auto" and eval_y is None and keras_model.output_shape[1:] != pool.shape[1:]:
            metric = "agreement"  # unlabeled data: how closely int8 follows the float model
        spec = resolve_metric(metric, pool, eval_y, keras_model.output_shape, activation)
        float_pred = tflite_predict(calibrated.float_content, pool, threads=threads)
        targets = float_pred if spec.name == "agreement" else eval_y
        report.metric = spec
        report.float_metric = spec.value(pool, targets, float_pred)
        report.int8_metric = spec.value(pool, targets, tflite_predict(plain, pool, threads=threads))
        report.eval_samples = len(pool)
    return report
