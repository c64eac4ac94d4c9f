"""Accuracy/size report: every TFLite artifact next to the float Keras model on the same evaluation data."""

from __future__ import annotations

import dataclasses
import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from edgesmith.quantize.artifact import QuantizedArtifact, sidecar_path, update_sidecar
from edgesmith.quantize.errors import QuantizeError
from edgesmith.quantize.evaluate import keras_predict, load_tflite, tflite_predict
from edgesmith.quantize.latency import measure_latency
from edgesmith.quantize.metrics import check_task, infer_task, output_activation, primary_metric, task_metrics
from edgesmith.quantize.pruning import weight_sparsity
from edgesmith.quantize.sources import ModelSource, load_source
from edgesmith.quantize.tflite_graph import summarize

ArtifactLike = QuantizedArtifact | str | os.PathLike


@dataclasses.dataclass
class ReportRow:
    """One model of the report: the float Keras reference or a TFLite artifact."""

    name: str
    mode: str
    io_dtype: str
    size_bytes: int
    weight_sparsity: float
    float_ops: list[str]
    metrics: dict[str, float]
    delta: dict[str, float]
    latency_ms: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclasses.dataclass
class Report:
    """Rows in input order (the Keras reference first), the task, sample count and the headline metric."""

    task: str
    samples: int
    primary: str
    rows: list[ReportRow]
    threads: int | None

    def row(self, name: str) -> ReportRow:
        return next(r for r in self.rows if r.name == name)

    def to_dict(self) -> dict[str, Any]:
        return {
            "task": self.task,
            "samples": self.samples,
            "primary_metric": self.primary,
            "threads": self.threads,
            "rows": [r.to_dict() for r in self.rows],
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2)

    def table(self) -> Any:
        """A rich Table: size, ratio to the float32 TFLite file, sparsity, metric and delta, float ops."""
        from rich.table import Table

        ref = next((r.size_bytes for r in self.rows if r.mode == "float32" and r.name != "keras"), None)
        timed = any(r.latency_ms is not None for r in self.rows)
        table = Table(title=f"{self.task} on {self.samples} samples (Δ = artifact − keras)")
        headers = ["model", "mode/io", "KB", "×f32", "sparse %", self.primary, "Δ"]
        headers += ["ms b1"] if timed else []
        headers += ["float ops"]
        for col in headers:
            table.add_column(col, justify="left" if col in ("model", "mode/io", "float ops") else "right")
        for r in self.rows:
            tflite = r.name != "keras"
            distinct = sorted(set(r.float_ops))
            floats = (
                ", ".join(distinct) if len(distinct) <= 2 else f"{len(r.float_ops)} ({len(distinct)} kinds)"
            )
            cells = [
                r.name,
                r.mode if r.io_dtype == "float32" else f"{r.mode}/{r.io_dtype}",
                f"{r.size_bytes / 1024:.1f}",
                f"{r.size_bytes / ref:.3f}" if ref and tflite else "",
                f"{100 * r.weight_sparsity:.1f}",
                f"{r.metrics.get(self.primary, float('nan')):.4g}",
                f"{r.delta.get(self.primary, 0.0):+.3g}" if tflite else "",
            ]
            if timed:
                cells.append(f"{r.latency_ms:.3g}" if r.latency_ms is not None else "")
            cells.append((floats or "-") if tflite else "")
            table.add_row(*cells)
        return table


def _artifact_facts(item: ArtifactLike, layer_names: list[str]) -> tuple[str, bytes, str, str, Path | None]:
    if isinstance(item, QuantizedArtifact):
        name = item.path.name if item.path else item.mode.value
        return name, item.content, item.mode.value, item.io_dtype.value, item.path
    path = Path(item)
    content = load_tflite(path)
    side = sidecar_path(path)
    meta = json.loads(side.read_text()) if side.exists() else {}
    return path.name, content, meta.get("mode", "unknown"), meta.get("io_dtype", "unknown"), path


def report(
    float_model: ModelSource,
    artifacts: Sequence[ArtifactLike],
    x: np.ndarray,
    y: np.ndarray | None = None,
    *,
    task: str = "auto",
    threads: int | None = 2,
    latency: bool = False,
    update_sidecars: bool = True,
) -> Report:
    """Evaluate the Keras model and every TFLite artifact on ``(x, y)`` through the TFLite interpreter.

    Each row holds file size, measured kernel sparsity, ops that stayed float, the task metrics and their
    difference to the Keras model (whose "size" is its float32 weight bytes). ``latency=True`` adds batch-1
    CPU latency of the artifacts measured side by side. Saved artifacts get the metrics merged into their
    sidecar JSON.
    """
    check_task(task)
    model, _ = load_source(float_model)
    x = np.asarray(x, dtype=np.float32)
    if len(x) == 0:
        raise QuantizeError("evaluation data is empty; pass at least one sample")
    task = infer_task(x, y, model.output_shape) if task == "auto" else task
    primary, _ = primary_metric(task)
    activation = output_activation(model)
    layer_names = [layer.name for layer in model.layers]

    ref_pred = keras_predict(model, x)
    ref_metrics = task_metrics(task, x, y, ref_pred, activation)
    keras_size = sum(int(np.asarray(w).nbytes) for w in model.get_weights())
    rows = [ReportRow("keras", "float32", "float32", keras_size, weight_sparsity(model), [], ref_metrics, {})]

    contents: dict[str, bytes] = {}
    paths: dict[str, Path | None] = {}
    for item in artifacts:
        name, content, mode, io, path = _artifact_facts(item, layer_names)
        graph = summarize(content, layer_names)
        pred = tflite_predict(content, x, threads=threads)
        metrics = task_metrics(task, x, y, pred, activation)
        delta = {k: metrics[k] - ref_metrics[k] for k in metrics}
        if abs(ref_metrics.get(primary, 0.0)) > 0 and not primary_metric(task)[1]:
            delta[f"{primary}_rel_pct"] = 100.0 * delta[primary] / ref_metrics[primary]
        rows.append(
            ReportRow(
                name,
                mode,
                io,
                len(content),
                graph.weight_sparsity,
                [op.name for op in graph.float_ops],
                metrics,
                delta,
            )
        )
        contents[name] = content
        paths[name] = path

    if latency and contents:
        timings = measure_latency(contents, x[:1], threads=threads)
        for row in rows[1:]:
            row.latency_ms = timings[row.name].median_ms

    if update_sidecars:
        for row in rows[1:]:
            path = paths[row.name]
            if path is not None and path.exists():
                update_sidecar(
                    path,
                    {
                        "task": task,
                        "eval_samples": len(x),
                        "tflite": row.metrics,
                        "keras": ref_metrics,
                        "delta_vs_keras": row.delta,
                        **(
                            {"latency_ms_batch1": row.latency_ms, "threads": threads}
                            if row.latency_ms
                            else {}
                        ),
                    },
                )
    return Report(task=task, samples=len(x), primary=primary, rows=rows, threads=threads)
