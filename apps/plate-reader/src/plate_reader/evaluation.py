"""``plate-reader matrix``: the regressor's backend matrix and its end-to-end figures per reader.

The matrix (latency, % IoU > 0.5, memory, size per backend × precision × pruned) is measured by
edgesmith.profiling's ``run_matrix``; the end-to-end table runs the whole pipeline (decode → detect →
crop → OCR) on each held-out photo and scores the plate text against the generator's ground truth.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from plate_reader.artifacts import BACKENDS, cache_dir, detector_artifact
from plate_reader.detector import DETECTOR_INPUT, AnnotationError, load_annotated_images

VARIANT_NAMES = {
    "keras": "Keras FP32",
    "tflite": "TFLite FP32",
    "tflite-int8": "TFLite INT8",
    "onnx": "ONNX Runtime FP32",
    "tvm": "TVM FP32",
    "tensorrt": "TensorRT FP32",
}


class BenchError(RuntimeError):
    """The benchmark cannot run (no data, nothing to measure); the message names the fix."""


@dataclasses.dataclass
class EvalSet:
    """Held-out photos with their boxes (and plate texts when known)."""

    paths: list[Path]
    x: np.ndarray  # uint8 (N, 128, 128, 3)
    y: np.ndarray  # (N, 4) normalised boxes
    texts: list[str | None]
    name: str


def eval_set(n: int = 500, seed: int = 9001, data: str | Path | None = None) -> EvalSet:
    """The annotation CSV ``data``, or ``n`` generated photos with ``seed`` (cached in the cache folder)."""
    from edgesmith.datasets.plate_synth import generate_dataset, read_texts

    if data is None:
        folder = cache_dir() / "data" / f"seed{seed}_320x240_n{n}"
        csv_path = folder / "plates.csv"
        if not (folder / "dataset.json").exists():
            generate_dataset(folder, n=n, seed=seed, size=(320, 240))
        name = f"generated plates (seed {seed}, {n} photos 320x240)"
    else:
        csv_path = Path(data)
        name = str(csv_path)
    try:
        x, y, names = load_annotated_images(csv_path, size=DETECTOR_INPUT[:2])
    except AnnotationError as exc:
        raise BenchError(str(exc)) from exc
    texts_file = csv_path.parent / "texts.csv"
    texts = read_texts(texts_file) if texts_file.exists() else {}
    return EvalSet([csv_path.parent / nm for nm in names], x, y, [texts.get(nm) for nm in names], name)


@dataclasses.dataclass
class ReaderScore:
    """End-to-end accuracy and latency of the pipeline with one reader (or why it could not run)."""

    reader: str
    detector: str
    n: int = 0
    plate_found_pct: float | None = None
    last_digit_pct: float | None = None
    exact_plate_pct: float | None = None
    valid_format_pct: float | None = None
    mean_ms: float | None = None
    p50_ms: float | None = None
    p90_ms: float | None = None
    detect_ms: float | None = None
    read_ms: float | None = None
    error: str | None = None


def score_reader(reader: str, data: EvalSet, backend: str = "tflite-int8", threads: int | None = None,
                 progress: bool = False) -> ReaderScore:  # fmt: skip
    """Run the whole pipeline on every photo of ``data`` and score text, last digit and latency."""
    from plate_reader.runtime import SetupError, build_pipeline, run_images

    score = ReaderScore(reader, backend)
    if not any(data.texts):
        score.error = "no texts.csv beside the annotation CSV: plate texts unknown"
        return score
    try:
        pipeline = build_pipeline(backend, reader, detector="regressor", threads=threads)
    except SetupError as exc:
        score.error = str(exc)
        return score
    try:
        pipeline.process(data.paths[0])  # warm-up (first OCR call loads the model / spawns tesseract)
        results = run_images(pipeline, data.paths, progress=progress)
    finally:
        pipeline.close()
    truth = data.texts
    best = [r.plates[0] if r.plates else None for r in results]  # the regressor reports one box
    score.n = len(results)
    pct = lambda flags: float(np.mean(flags) * 100) if len(flags) else None  # noqa: E731
    score.plate_found_pct = pct([r.ok for r in results])
    score.exact_plate_pct = pct(
        [p is not None and p.ok and p.text == t for p, t in zip(best, truth, strict=True)]
    )
    score.last_digit_pct = pct([p is not None and p.last_digit is not None and str(p.last_digit) == t[-1]
                                for p, t in zip(best, truth, strict=True) if t])  # fmt: skip
    score.valid_format_pct = pct([p is not None and p.ok for p in best])
    total = np.array([r.total_ms for r in results if r.total_ms is not None])
    if total.size:
        score.mean_ms, score.p50_ms, score.p90_ms = (float(total.mean()), float(np.percentile(total, 50)),
                                                      float(np.percentile(total, 90)))  # fmt: skip
    score.detect_ms = float(np.mean([r.detect_ms for r in results if r.detect_ms is not None]))
    reads = [r.read_ms for r in results if r.read_ms is not None]
    score.read_ms = float(np.mean(reads)) if reads else None
    return score


@dataclasses.dataclass
class BenchReport:
    """The matrix (edgesmith.profiling ``MatrixResult``) and the end-to-end scores."""

    matrix: Any
    e2e: list[ReaderScore]
    data: str

    def to_dict(self) -> dict[str, Any]:
        return {"data": self.data, "matrix": self.matrix.to_dict(),
                "end_to_end": [dataclasses.asdict(s) for s in self.e2e]}  # fmt: skip

    def e2e_markdown(self) -> str:
        """The end-to-end scores as a Markdown table (what the closing note of the issue quotes)."""
        f = lambda v, fmt=".1f": "" if v is None else format(v, fmt)  # noqa: E731
        lines = [
            "| reader | detector | photos | plate found % | last digit % | exact plate % | valid format % | "
            "ms/photo mean | p50 | p90 | detect ms | OCR ms |",
            "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for s in self.e2e:
            if s.error:
                lines.append(f"| {s.reader} | {s.detector} | failed: {s.error} | | | | | | | | | |")
                continue
            lines.append(
                f"| {s.reader} | {s.detector} | {s.n} | {f(s.plate_found_pct)} | {f(s.last_digit_pct)} | "
                f"{f(s.exact_plate_pct)} | {f(s.valid_format_pct)} | {f(s.mean_ms)} | {f(s.p50_ms)} | "
                f"{f(s.p90_ms)} | {f(s.detect_ms, '.2f')} | {f(s.read_ms, '.2f')} |"
            )
        return (
            "\n".join(lines) + f"\n\nend to end = decode → detect → crop → OCR per photo, on {self.data}.\n"
        )


def matrix_variants(backends: Sequence[str], extra: Sequence[str], threads: int | None) -> tuple[list, list]:
    """Matrix variants for ``backends`` (exported on demand) plus ``extra`` specs, and the failures."""
    from edgesmith.profiling.matrix import Variant

    variants, failed = [], []
    for b in backends:
        if b not in BACKENDS:
            raise BenchError(f"unknown backend {b!r}; choose from: {', '.join(BACKENDS)}")
        name = VARIANT_NAMES[b]
        try:
            artifact = detector_artifact(b)
        except Exception as exc:  # exporter missing or failing: keep the row with the reason
            failed.append(
                (name, b, str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__)
            )
            continue
        opts = {"threads": threads} if threads else {}
        variants.append(Variant(name, artifact, backend=BACKENDS[b], baseline=(b == "keras"), options=opts,
                                precision="int8" if b == "tflite-int8" else "fp32"))  # fmt: skip
    for spec in extra:
        try:
            variants.append(Variant.parse(spec))
        except ValueError as exc:
            raise BenchError(str(exc)) from exc
    return variants, failed


def run_bench(
    n: int = 500,
    seed: int = 9001,
    data: str | Path | None = None,
    backends: Sequence[str] = ("keras", "tflite", "tflite-int8", "onnx", "tvm", "tensorrt"),
    readers: Sequence[str] = ("crnn", "tesseract"),
    extra_variants: Sequence[str] = (),
    runs: int = 200,
    threads: int | None = None,
    out_dir: str | Path | None = None,
    progress: bool = True,
    isolate: bool = True,
) -> BenchReport:
    """Measure the detector matrix and the end-to-end pipeline per reader; write files to ``out_dir``."""
    from edgesmith.profiling.matrix import MatrixRow, run_matrix

    if n < 1:
        raise BenchError("--n must be at least 1 (the issue's target uses 500)")
    ds = eval_set(n, seed, data)
    variants, failed = matrix_variants(backends, extra_variants, threads)
    x = ds.x.astype(np.float32) / 255.0
    if not variants:
        reasons = "; ".join(f"{name}: {reason}" for name, _, reason in failed)
        raise BenchError(f"no detector variant could be prepared: {reasons}")
    matrix = run_matrix(variants, (x, ds.y), metric="iou", batch_size=1, eval_batch_size=1, warmup=20,
                        runs=runs, isolate=isolate, progress=progress)  # fmt: skip
    for name, backend, reason in failed:
        matrix.rows.append(MatrixRow(name, "", backend=backend, error=reason))
    e2e = [score_reader(r, ds, threads=threads, progress=progress) for r in readers]
    report = BenchReport(matrix, e2e, ds.name)
    if out_dir is not None:
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        matrix.to_csv(out / "matrix.csv")
        matrix.to_json(out / "matrix.json")
        (out / "matrix.md").write_text(matrix.to_markdown())
        try:
            matrix.plot(out / "matrix.png")
        except Exception as exc:  # plotting is a convenience; never lose the measurements over it
            (out / "matrix.png.error.txt").write_text(f"{exc}\n")
        (out / "e2e.json").write_text(json.dumps([dataclasses.asdict(s) for s in e2e], indent=2) + "\n")
        (out / "e2e.md").write_text(report.e2e_markdown())
    return report


__all__ = ["BenchError", "BenchReport", "EvalSet", "ReaderScore", "eval_set", "run_bench", "score_reader"]
