"""The Markdown report of a run: the TPU study's Tables 5.1–5.3 for this machine, the targets, the picture."""

from __future__ import annotations

import os
import platform
from pathlib import Path
from typing import Any

from autoencoder_edge.variants import Comparison

DOC004 = {
    "mae_keras": 0.0229,
    "mae_int8": 0.0261,
    "size_kb": {"keras": 226, "tflite-int8": 23, "edgetpu": 101},
}


METRIC_NAMES = {"mae": "MAE", "mse": "MSE", "pixel_accuracy": "pixel accuracy", "mean_iou": "mean IoU"}


def _kb(n: int) -> str:
    return f"{n / 1024:.1f}"


def _table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines)


def render(
    comparison: Comparison,
    training: dict[str, Any] | None,
    check: dict[str, Any] | None,
    compiled: dict[str, Any] | None,
    grid: Path | None,
    timings: dict[str, float],
    command: str,
) -> str:
    """The report as Markdown; every number comes from this run's measurements."""
    res = comparison.results
    t = comparison.targets()
    parts = [f"# autoencoder-edge ({comparison.task}): Keras → int8 → Edge TPU (the Edge TPU study)", ""]
    parts.append(
        f"Produced by `{command}` on {platform.node() or 'this host'} ({platform.machine()}, "
        f"{os.cpu_count()} CPUs), TFLite threads = {comparison.threads}."
    )
    if training:
        parts.append(
            f"Model **{training.get('model', 'cae')}**; data **{training.get('dataset')}**, "
            f"{training.get('train_samples')} training / "
            f"{training.get('test_samples')} test images; {training.get('params')} parameters; "
            f"{training.get('epochs_run')} epochs in {training.get('train_seconds')} s."
        )
    cae = comparison.task == "cae"
    parts += [
        "",
        f"## Table 5.1: {'reconstruction error' if cae else 'segmentation quality'} (test images)",
        "",
    ]
    keys = list(res[0].metrics) if res else []
    primary = keys[0] if keys else ""
    base = res[0].metrics.get(primary) if res else None
    parts.append(_table(
        ["variant", "precision", *(METRIC_NAMES.get(k, k) for k in keys),
         f"{METRIC_NAMES.get(primary)} vs Keras"],
        [[r.name, r.precision, *(f"{r.metrics[k]:.5f}" for k in keys),
          f"{(r.metrics[primary] / base - 1) * 100:+.2f} %" if base else "-"] for r in res],
    ))  # fmt: skip
    if cae:
        parts.append(
            f"\nThe Coral autoencoder study: Keras {DOC004['mae_keras']} vs int8 {DOC004['mae_int8']}"
            " (+14 %), full MNIST."
        )
    parts += ["", "## Table 5.2: file sizes", ""]
    size_rows = [[r.name, Path(r.path).name, _kb(r.size_bytes), f"{r.size_bytes / res[0].size_bytes:.2f}×"]
                 for r in res]  # fmt: skip
    if compiled and compiled.get("compiled"):
        for m in compiled.get("models", []):
            if m.get("output_size_bytes"):
                size = m["output_size_bytes"]
                ratio = f"{size / res[0].size_bytes:.2f}×"
                size_rows.append(["edgetpu (compiled)", Path(m["output_model"]).name, _kb(size), ratio])
    parts.append(_table(["variant", "file", "KiB", "vs Keras file"], size_rows))
    parts.append(
        "\nThe Coral autoencoder study: "
        + (
            "226 KB h5 / 23 KB int8 / 101 KB Edge TPU."
            if cae
            else "10,941 KB h5 / 2,847 KB int8 / 3,037 KB Edge TPU."
        )
    )
    parts += ["", "## Table 5.3: time", ""]
    n = res[0].test_images if res else 0
    parts.append(_table(
        ["variant", "per image ms (mean)", "p50 ms", "p90 ms", f"{n} images, s (model loaded)",
         f"{n} images + load, s", "load s", "runtime"],
        [[r.name, f"{r.per_image_ms:.3f}", f"{r.per_image_p50_ms:.3f}", f"{r.per_image_p90_ms:.3f}",
          f"{r.test_set_s:.3f}", f"{r.test_set_with_load_s:.3f}", f"{r.load_s:.3f}",
          str(r.runtime.get("runtime") or r.runtime.get("backend"))] for r in res],
    ))  # fmt: skip
    parts.append(
        f"\nPer-image latency: batch 1, {comparison.runs} timed runs after warm-up "
        "(edgesmith.profiling's matrix); load s = opening the model (its first call's tracing and "
        "allocation fall in the warm-up); the test-set pass is the matrix's scoring pass, one image "
        "at a time. "
        "The TPU study (10,000 reconstructions): Raspberry Pi 40 s CPU vs 5 s Edge TPU; laptop 12.1 s vs "
        "18.3 s."
    )
    for name, why in comparison.skipped.items():
        parts.append(f"\n- **{name}** not measured: {why}")
    parts += ["", "## Targets", ""]
    if t:
        rows = []
        if "int8_mae_increase" in t:
            rows.append(["int8 MAE within 10 % of the float model", f"{t['int8_mae_increase'] * 100:+.2f} %",
                         "yes" if t["int8_mae_within_10pct"] else "**no**"])  # fmt: skip
        if "int8_pixel_accuracy_change" in t:
            rows.append(["int8 pixel accuracy vs the float model",
                         f"{t['int8_pixel_accuracy_change'] * 100:+.2f} points", "-"])  # fmt: skip
        rows += [
            ["int8 file ≤ 0.3× the Keras file", f"{t['int8_size_ratio']:.3f}×",
             "yes" if t["int8_size_within_0.3x"] else "**no**"],
            ["int8 TFLite / Keras per-image latency, medians (same run)",
             f"{t['int8_over_keras_latency']:.3f} (means: {t['int8_over_keras_latency_mean']:.3f})", "-"],
        ]  # fmt: skip
        parts.append(_table(["target", "measured", "met"], rows))
    if check:
        parts += ["", "## Edge TPU readiness of the int8 model", ""]
        parts.append(
            f"{check['tpu_ops']} of {check['tpu_ops'] + check['cpu_ops']} ops map to the Edge TPU"
            + (f"; the graph splits at op {check['split_index']} ({check['split_op']})." if check["split_op"]
               else "; no split.")
        )  # fmt: skip
        for w in check.get("warnings", []):
            parts.append(f"\n- warning: {w}")
        for h in check.get("hints", []):
            parts.append(f"\n- hint: {h}")
    if compiled is not None:
        parts += ["", "## edgetpu_compiler", ""]
        if compiled.get("compiled"):
            for m in compiled.get("models", []):
                parts.append(
                    f"- {Path(m['output_model']).name}: {m['tpu_ops']} ops on the TPU, {m['cpu_ops']} on the "
                    "CPU; "
                    f"on-chip parameters {_kb(m['on_chip_used_bytes'] or 0)} KiB, off-chip "
                    f"{_kb(m['off_chip_used_bytes'] or 0)} KiB (compiler {compiled.get('compiler_version')})"
                )
        else:
            parts.append(f"Not compiled: {compiled.get('reason')}")
    if grid is not None:
        title = "Reconstructions" if cae else "Segmentations"
        parts += ["", f"## {title}", "", f"![inputs above, each variant below]({grid.name})"]
    if timings:
        parts += ["", "## Step times", ""]
        parts.append(_table(["step", "s"], [[k, f"{v:.1f}"] for k, v in timings.items()]))
    return "\n".join(parts) + "\n"


def write_report(path: Path, text: str) -> Path:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text)
    os.replace(tmp, path)
    return path
