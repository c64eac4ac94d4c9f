"""``plate-reader matrix``: the regressor's backend matrix and its end-to-end figures per reader.

The matrix (latency, % IoU > 0.5, memory, size per backend × precision × pruned) is edgesmith's own-model
matrix (``profile_model``) of the shipped Keras detector on the held-out photos and their boxes, scored by
IoU, with the shipped int8 model beside the variants the exporters build; the end-to-end table runs the
whole pipeline (decode → detect → crop → OCR) on each held-out photo and scores the plate text against the
generator's ground truth.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from plate_reader.artifacts import BACKENDS, INT8_MODEL, KERAS_MODEL, cache_dir
from plate_reader.detector import DETECTOR_INPUT, AnnotationError, load_annotated_images

MATRIX_VARIANTS = {
    "tflite": "tflite-fp32",
    "onnx": "onnx-fp32",
    "tvm": "tvm-fp32",
    "tensorrt": "tensorrt-fp32",
}
"""``--backends`` name -> the matrix variant the exporters build from the Keras detector. ``keras`` is the
matrix's source row and ``tflite-int8`` the shipped int8 file, measured as it is deployed."""

BOX_COLUMNS = "x1,y1,x2,y2"
PREPROCESS = f"resize={DETECTOR_INPUT[0]}x{DETECTOR_INPUT[1]},scale=1/255"
"""The matrix reads the annotation CSV's boxes with the detector's own input: the pixels the app feeds it."""


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
    csv: Path | None = None  # the annotation CSV the photos and boxes come from


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
    return EvalSet(
        [csv_path.parent / nm for nm in names], x, y, [texts.get(nm) for nm in names], name, csv_path
    )


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

    matrix: Any  # edgesmith.profiling MatrixResult
    e2e: list[ReaderScore]
    data: str
    decision: Any = None  # which detector variant to ship, as the matrix decides it

    def to_dict(self) -> dict[str, Any]:
        return {"data": self.data, "matrix": self.matrix.to_dict(),
                "decision": self.decision.to_dict() if self.decision is not None else None,
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


def matrix_variants(backends: Sequence[str], extra: Sequence[str]) -> tuple[list[str], list[Any]]:
    """The matrix variants ``backends`` name, and the extra rows: the shipped int8 detector when asked
    for, then each ``NAME=PATH[,backend=B][,pruned]`` spec."""
    from edgesmith.profiling.matrix import Variant

    unknown = [b for b in backends if b not in BACKENDS]
    if unknown:
        raise BenchError(f"unknown backend {unknown[0]!r}; choose from: {', '.join(BACKENDS)}")
    planned = [MATRIX_VARIANTS[b] for b in backends if b in MATRIX_VARIANTS]
    rows = [Variant("TFLite INT8", INT8_MODEL)] if "tflite-int8" in backends else []
    for spec in extra:
        try:
            rows.append(Variant.parse(spec))
        except ValueError as exc:
            raise BenchError(str(exc)) from exc
    return planned or ["none"], rows


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
    from edgesmith.profiling.model_matrix import profile_model

    if n < 1:
        raise BenchError("--n must be at least 1 (the issue's target uses 500)")
    planned, extra = matrix_variants(backends, extra_variants)  # bad names fail before any photo is drawn
    ds = eval_set(n, seed, data)
    folder = Path(out_dir) if out_dir is not None else cache_dir() / "matrix"
    result = profile_model(
        KERAS_MODEL, f"{ds.csv}:{BOX_COLUMNS}", preprocess=PREPROCESS, metric="iou", variants=planned,
        extra=extra, eval_batch_size=1, warmup=20,
        runs=runs, budget_s=30.0, threads=threads, isolate=isolate, progress=progress,
        source_name="Keras FP32", out=folder,
    )  # fmt: skip
    matrix = result.result
    e2e = [score_reader(r, ds, threads=threads, progress=progress) for r in readers]
    report = BenchReport(matrix, e2e, ds.name, result.decision)
    if out_dir is not None:
        out = Path(out_dir)
        result.write(out)
        (out / "e2e.json").write_text(json.dumps([dataclasses.asdict(s) for s in e2e], indent=2) + "\n")
        (out / "e2e.md").write_text(report.e2e_markdown())
    return report


__all__ = ["BenchError", "BenchReport", "EvalSet", "ReaderScore", "eval_set", "run_bench", "score_reader"]
