"""The solar study's result: training, inference and accuracy tables, written as Markdown, CSV, JSON, PNG."""

from __future__ import annotations

import dataclasses
import json
import os
from pathlib import Path
from typing import Any

import numpy as np

from edgesmith.profiling.artifacts import atomic_write
from edgesmith.studies.provenance import Provenance
from edgesmith.studies.solar.config import TEST_SPLIT, VAL_SPLIT, SolarConfig
from edgesmith.studies.solar.plots import plot_forecast, plot_time_vs_batch, plot_time_vs_params
from edgesmith.studies.tables import csv_text, markdown_table


@dataclasses.dataclass
class SolarStudy:
    """Every table of the study as lists of flat records, plus provenance and notes."""

    config: SolarConfig
    provenance: Provenance
    data: dict[str, Any]
    accuracy: list[dict[str, Any]]
    training: list[dict[str, Any]]
    inference: list[dict[str, Any]]
    capacity: list[dict[str, Any]]
    speedups: list[dict[str, Any]]
    notes: list[str]
    forecast: dict[str, Any]
    wall_s: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        d = dataclasses.asdict(self)
        d["provenance"] = self.provenance.to_dict()
        d["wide_vs_deep"] = self.wide_vs_deep()
        d.pop("forecast")
        return d

    def to_json(self, path: str | os.PathLike[str] | None = None) -> str:
        text = json.dumps(self.to_dict(), indent=2, default=str)
        if path is not None:
            atomic_write(path, text)
        return text

    def wide_vs_deep(self) -> list[dict[str, Any]]:
        """Each deeper MLP beside the one-hidden-layer MLP nearest in parameters, at the same device/batch."""
        rows = [r for r in self.training if r["kind"] == "mlp"]
        out = []
        for deep in (r for r in rows if r["depth"] > 1):
            wide = [
                r
                for r in rows
                if r["depth"] == 1 and r["device"] == deep["device"] and r["batch_size"] == deep["batch_size"]
            ]
            if not wide:
                continue
            w = min(wide, key=lambda r: abs(np.log(r["params"] / deep["params"])))
            out.append(
                {
                    "device": deep["device"],
                    "batch_size": deep["batch_size"],
                    "deep": deep["model"],
                    "deep_params": deep["params"],
                    "deep_epoch_s": deep["epoch_median_s"],
                    "wide": w["model"],
                    "wide_params": w["params"],
                    "wide_epoch_s": w["epoch_median_s"],
                    "deep_over_wide": deep["epoch_median_s"] / w["epoch_median_s"],
                }
            )
        return out

    def to_markdown(self) -> str:
        c = self.config
        d = self.data
        parts = [
            "# Solar forecast: training and inference time per device\n",
            f"Forecast of sensor `{d['target']}` {c.horizon_s} s ahead from {d['features']} other sensors "
            f"({d['source']} data). {len(self.accuracy) - 2} models, devices: {', '.join(d['devices'])}. "
            f"Study wall time {self.wall_s:.0f} s.\n",
            *[f"> {n}\n" for n in self.notes],
            self.provenance.to_markdown(),
            "## Data\n",
            markdown_table(
                [
                    {"layout": k, **v}
                    for k, v in d["splits"].items()  # windows (MLP) and maps (CNN)
                ],
                [
                    ("layout", "layout", None),
                    ("train", "train", "d"),
                    ("val", "val", "d"),
                    ("test", "test", "d"),
                    ("input", "input shape", None),
                    ("test_period", "test period", None),
                ],
            ),
            f"\nChronological split {1 - VAL_SPLIT - TEST_SPLIT:.0%} / {VAL_SPLIT:.0%} / {TEST_SPLIT:.0%}; "
            "standardisation fitted on the training split only; errors below are in W/m².\n",
            "## Test error after "
            f"{c.fit_epochs} epoch(s) (MLP batch {c.mlp_fit_batch}, CNN batch {c.cnn_fit_batch})\n",
            "The solar study trained one epoch on months of 1 s data; a short grid needs more epochs.\n",
            markdown_table(
                self.accuracy,
                [
                    ("model", "model", None),
                    ("params", "parameters", ","),
                    ("mse", "MSE (W/m²)²", ".1f"),
                    ("mae", "MAE W/m²", ".2f"),
                    ("rmse", "RMSE W/m²", ".2f"),
                    ("skill", "skill vs persistence", ".3f"),
                ],
            ),
            "\nSkill = 1 − RMSE / RMSE(persistence on the same test samples); > 0 beats persistence.\n",
            "## One-epoch training time\n",
            f"One warm-up epoch (graph tracing), then {c.repeats} timed epoch(s): median and min–max. "
            "Step ms = median step of the timed epochs; linearity = t_epoch / (t_step · N_steps), ≈ 1 when "
            "the epoch is just its steps.\n\n",
            markdown_table(
                self.training,
                [
                    ("model", "model", None),
                    ("params", "parameters", ","),
                    ("device", "device", None),
                    ("batch_size", "batch", "d"),
                    ("steps", "steps", "d"),
                    ("warmup_epoch_s", "warm-up epoch s", ".3f"),
                    ("epoch_median_s", "epoch s (median)", ".3f"),
                    ("epoch_spread", "min–max s", None),
                    ("step_ms", "step ms", ".3f"),
                    ("linearity", "linearity", ".3f"),
                    ("samples_per_s", "samples/s", ",.0f"),
                ],
            ),
            "\n## Wide vs deep\n",
            "Each deeper MLP next to the single-hidden-layer MLP closest in parameter count.\n\n",
            markdown_table(
                self.wide_vs_deep(),
                [
                    ("device", "device", None),
                    ("batch_size", "batch", "d"),
                    ("deep", "deep", None),
                    ("deep_params", "params", ","),
                    ("deep_epoch_s", "epoch s", ".3f"),
                    ("wide", "wide", None),
                    ("wide_params", "params", ","),
                    ("wide_epoch_s", "epoch s", ".3f"),
                    ("deep_over_wide", "deep / wide", ".2f"),
                ],
            ),
            "\n## Inference time\n",
            f"{c.inference_warmup} warm-up calls, then {c.inference_runs} timed calls per batch size.\n\n",
            markdown_table(
                self.inference,
                [
                    ("model", "model", None),
                    ("device", "device", None),
                    ("batch_size", "samples", "d"),
                    ("p50_ms", "p50 ms", ".3f"),
                    ("mean_ms", "mean ms", ".3f"),
                    ("std_ms", "std ms", ".3f"),
                    ("per_sample_ms", "ms/sample (p50)", ".4f"),
                    ("error", "error", None),
                ],
            ),
            "\n## Largest inference batch that fits\n",
            f"Doubling from the largest inference batch up to {c.probe_max_batch}.\n\n",
            markdown_table(
                self.capacity,
                [
                    ("model", "model", None),
                    ("device", "device", None),
                    ("largest_batch", "largest batch", "d"),
                    ("activation_mb_per_sample", "activations MB/sample", ".3f"),
                    ("stopped_by", "probe stopped by", None),
                ],
            ),
            "\n## CPU vs GPU\n",
        ]
        if self.speedups:
            parts.append(
                markdown_table(
                    self.speedups,
                    [
                        ("model", "model", None),
                        ("batch_size", "batch", "d"),
                        ("cpu_epoch_s", "CPU epoch s", ".3f"),
                        ("gpu_epoch_s", "GPU epoch s", ".3f"),
                        ("speedup", "GPU speed-up", ".2f"),
                    ],
                )
            )
        else:
            parts.append("No GPU visible to TensorFlow on this host: the speed-up was not measured.\n")
        parts += [
            "\n## Plots\n",
            "![training time vs parameters](time_vs_params.png)\n",
            "![time vs batch size](time_vs_batch.png)\n",
            "![forecast vs truth](forecast.png)\n",
        ]
        return "\n".join(parts)

    def write(self, out_dir: str | os.PathLike[str]) -> list[Path]:
        """report.md, study.json, accuracy/training/inference/capacity CSVs and three PNG plots."""
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        paths = []
        for name, rows in (
            ("accuracy", self.accuracy),
            ("training", self.training),
            ("inference", self.inference),
            ("capacity", self.capacity),
            ("wide_vs_deep", self.wide_vs_deep()),
        ):
            atomic_write(out / f"{name}.csv", csv_text(rows))
            paths.append(out / f"{name}.csv")
        paths.append(plot_time_vs_params(self.training, out / "time_vs_params.png"))
        paths.append(plot_time_vs_batch(self.training, self.inference, out / "time_vs_batch.png"))
        paths.append(plot_forecast(self.forecast, out / "forecast.png"))
        self.to_json(out / "study.json")
        atomic_write(out / "report.md", self.to_markdown())
        return [*paths, out / "study.json", out / "report.md"]
