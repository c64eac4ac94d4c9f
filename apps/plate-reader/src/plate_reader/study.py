"""``plate-reader bench``: every detector × reader on labelled photo sets, scored plate by plate.

For each set (the project's own scenes with a seed never used in training, the original one-plate photos,
and any labelled folder given with ``--data``) and each detector × reader pipeline, the whole path runs on
every photo (decode → detect → crop → OCR) and is scored against the labels: plates found with IoU > 0.5,
last digit right, exact plate, wrong restriction day, unreadable, plates invented on photos without one, and
milliseconds per photo, the Keras float detector measured beside the int8 one in the same run. The detector
models themselves are edgesmith's own-model matrix (``profile_model``): per detector, its Keras model on the
first set's photos as that detector sees them, the pipelines' other backends as variants, scored by fidelity
to the Keras outputs (the photos hold several plates, one-box and grid outputs have no common label).
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from edgesmith.datasets.box_grid import box_iou_matrix
from edgesmith.datasets.plate_scenes import LabelledPhoto, Plate, read_labels
from plate_reader.detectors import ZOOM

DEFAULT_PIPELINES = (
    ("regressor (baseline)", "regressor", "tflite-int8", 1.0),
    ("centernet float (Keras)", "centernet", "keras", ZOOM),
    ("centernet int8", "centernet", "tflite-int8", ZOOM),
)
"""(row label, ``--detector``, ``--backend``, ``--zoom``) of the detector rows."""

ONE_PASS = ("centernet int8, one pass (--zoom 1)", "centernet", "tflite-int8", 1.0)
"""The default detector without its small-plate pass: what the second pass buys, side by side."""

OWN_SEED = 9001
"""Seed of the project's own evaluation scenes: training uses seed 1, validation 1001."""


class BenchError(RuntimeError):
    """The benchmark cannot run (no data, nothing to measure); the message names the fix."""


@dataclasses.dataclass
class PhotoSet:
    """Labelled photos and the name the report gives them."""

    name: str
    photos: list[LabelledPhoto]


def own_scenes(n: int, seed: int = OWN_SEED, cache: Path | None = None) -> PhotoSet:
    """``n`` scenes from edgesmith.datasets.plate_scenes with ``seed`` (cached under the cache folder)."""
    from edgesmith.datasets.plate_scenes import write_scenes
    from plate_reader.artifacts import cache_dir

    folder = (cache or cache_dir() / "data") / f"scenes_seed{seed}_n{n}"
    if not (folder / "labels.csv").is_file():
        write_scenes(folder, n=n, seed=seed)
    return PhotoSet(f"project scenes (seed {seed}, {n} photos)", read_labels(folder))


def document_001_set(n: int, seed: int = OWN_SEED, cache: Path | None = None) -> PhotoSet:
    """``n`` one-plate photos (320×240) of the original generator (the old figures' set)."""
    from edgesmith.datasets.plate_synth import generate_dataset, read_texts
    from edgesmith.datasets.plates import read_plate_csv
    from plate_reader.artifacts import cache_dir

    folder = (cache or cache_dir() / "data") / f"seed{seed}_320x240_n{n}"
    if not (folder / "dataset.json").exists():
        generate_dataset(folder, n=n, seed=seed, size=(320, 240))
    texts = read_texts(folder / "texts.csv")
    photos = []
    for b in read_plate_csv(folder / "plates.csv"):
        x1, y1, x2, y2 = b.to_pixels()
        quad = np.array([[x1, y1], [x2, y1], [x2, y2], [x1, y2]], np.float32)
        photos.append(
            LabelledPhoto(folder / b.name, b.width, b.height, [Plate(texts[b.name], quad, (x1, y1, x2, y2))])
        )
    return PhotoSet(f"original one-plate photos (seed {seed}, {n} photos 320x240)", photos)


def labelled_folder(folder: Path) -> PhotoSet:
    """A labelled folder (``labels.csv``); errors become :class:`BenchError`."""
    from edgesmith.datasets.errors import DatasetError

    try:
        photos = read_labels(folder)
    except DatasetError as exc:
        raise BenchError(str(exc)) from exc
    return PhotoSet(f"{folder} ({len(photos)} photos)", photos)


@dataclasses.dataclass
class Score:
    """One pipeline on one set; percentages are of the labelled plates unless named otherwise."""

    detector: str
    reader: str
    photos: int = 0
    plates: int = 0
    found_pct: float | None = None
    last_digit_pct: float | None = None
    exact_pct: float | None = None
    wrong_day_pct: float | None = None
    unreadable_pct: float | None = None
    empty_photos: int = 0
    invented_on_empty: int = 0
    invented_elsewhere: int = 0
    ms_per_photo: float | None = None
    detect_ms: float | None = None
    error: str | None = None


def _plain(text: str) -> str:
    return "".join(c for c in text.upper() if c.isalnum())


def score_results(results: Sequence[Any], photos: Sequence[LabelledPhoto], score: Score) -> Score:
    """Fill ``score`` from pipeline results (one per photo, same order) against the photos' labels."""
    from edgesmith.ocr_plate import restriction_day

    counts = dict(found=0, digit=0, exact=0, wrong_day=0, unreadable=0)
    for res, photo in zip(results, photos, strict=True):
        preds = list(res.plates)
        if not photo.plates:
            score.empty_photos += 1
            score.invented_on_empty += sum(p.ok for p in preds)
            continue
        score.plates += len(photo.plates)
        used: set[int] = set()
        if preds:
            iou = box_iou_matrix(np.array([t.box for t in photo.plates]), np.array([p.box for p in preds]))
        for ti, truth in enumerate(photo.plates):
            cand = [j for j in np.argsort(-iou[ti]) if iou[ti, j] > 0.5 and j not in used] if preds else []
            if not cand:
                continue
            used.add(int(cand[0]))
            p = preds[int(cand[0])]
            counts["found"] += 1
            if not p.ok:
                counts["unreadable"] += 1
                continue
            digits = [c for c in truth.text if c.isdigit()]
            right_day = restriction_day(int(digits[-1])) if digits else None
            counts["digit"] += int(bool(digits) and p.last_digit == int(digits[-1]))
            counts["exact"] += int(_plain(p.text) == _plain(truth.text))
            counts["wrong_day"] += int(p.restriction_day != right_day)
        score.invented_elsewhere += sum(p.ok for j, p in enumerate(preds) if j not in used)
    score.photos = len(results)
    if score.plates:
        pct = lambda k: round(100 * counts[k] / score.plates, 2)  # noqa: E731
        score.found_pct, score.last_digit_pct, score.exact_pct = pct("found"), pct("digit"), pct("exact")
        score.wrong_day_pct, score.unreadable_pct = pct("wrong_day"), pct("unreadable")
    total = [r.total_ms for r in results if r.total_ms is not None]
    score.ms_per_photo = round(float(np.mean(total)), 2) if total else None
    det = [r.detect_ms for r in results if r.detect_ms is not None]
    score.detect_ms = round(float(np.mean(det)), 2) if det else None
    return score


def run_pipeline(label: str, detector: str, backend: str, reader: str, photos: PhotoSet,
                 threads: int | None, progress: bool, zoom: float = ZOOM) -> Score:  # fmt: skip
    """Build the pipeline, run it on every photo of the set (after a warm-up photo) and score it."""
    from plate_reader.runtime import SetupError, build_pipeline, run_images

    score = Score(label, reader)
    try:
        pipeline = build_pipeline(backend, reader, detector=detector, threads=threads, zoom=zoom)
    except SetupError as exc:
        score.error = str(exc)
        return score
    try:
        pipeline.process(photos.photos[0].path)  # warm-up
        results = run_images(pipeline, [p.path for p in photos.photos], progress=progress)
    finally:
        pipeline.close()
    return score_results(results, photos.photos, score)


def detector_matrices(
    pipelines: Sequence[tuple[str, str, str, float]], photos: PhotoSet, threads: int | None = None,
    limit: int = 100, out_dir: Path | None = None, progress: bool = False,
) -> dict[str, Any]:  # fmt: skip
    """Per detector of ``pipelines``: the matrix of its Keras model on the first ``limit`` photos (the
    pixels that detector is fed), with the pipelines' other backends for it as variants, scored by
    fidelity to the Keras outputs; a detector that cannot be opened is left out with its error raised."""
    from edgesmith.profiling.dataspec import Data
    from edgesmith.profiling.matrix import Variant
    from edgesmith.profiling.model_matrix import profile_model
    from plate_reader.artifacts import cache_dir, detector_artifact
    from plate_reader.pipeline import open_photo
    from plate_reader.runtime import build_detector, detector_model

    backends: dict[str, list[str]] = {}
    for _, det, backend, _zoom in pipelines:
        backends.setdefault(det, []).append(backend)
    matrices = {}
    for det, chosen in backends.items():
        keras = detector_model(det)
        detector = build_detector("keras", det, threads)
        try:
            x = np.concatenate([detector.inputs(open_photo(p.path)) for p in photos.photos[:limit]])
        finally:
            detector.close()
        extra = [Variant(f"{det} {b}", detector_artifact(b, keras)) for b in dict.fromkeys(chosen)
                 if b != "keras"]  # fmt: skip
        data = Data(x, None, f"{photos.name}: the first {len(x)} as the {det} sees them", photos.name)
        matrices[det] = profile_model(
            keras, data, metric="fidelity", variants=["none"], extra=extra, source_name=f"{det} keras",
            warmup=10, runs=100, budget_s=10.0, threads=threads, progress=progress,
            out=(out_dir or cache_dir() / "bench") / "models" / det,
        )  # fmt: skip
    return matrices


@dataclasses.dataclass
class BenchReport:
    """Scores per set, and the detector models' matrices."""

    sets: list[tuple[str, list[Score]]]
    models: dict[str, Any] = dataclasses.field(default_factory=dict)  # detector -> ModelMatrix

    def to_dict(self) -> dict[str, Any]:
        return {"sets": [{"data": name, "scores": [dataclasses.asdict(s) for s in scores]}
                         for name, scores in self.sets],
                "models": {det: m.to_dict() for det, m in self.models.items()}}  # fmt: skip

    def to_markdown(self) -> str:
        f = lambda v: "" if v is None else f"{v:.1f}"  # noqa: E731
        out = []
        for name, scores in self.sets:
            out += [f"**{name}**", "",
                    "| detector | reader | plates | IoU>0.5 % | last digit % | exact % | wrong day % | "
                    "unreadable % | invented on empty photos | invented elsewhere | ms/photo | detect ms |",
                    "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]  # fmt: skip
            for s in scores:
                if s.error:
                    out.append(f"| {s.detector} | {s.reader} | failed: {s.error} |||||||||| |")
                    continue
                out.append(
                    f"| {s.detector} | {s.reader} | {s.plates} | {f(s.found_pct)} | {f(s.last_digit_pct)} | "
                    f"{f(s.exact_pct)} | {f(s.wrong_day_pct)} | {f(s.unreadable_pct)} | "
                    f"{s.invented_on_empty} of {s.empty_photos} | {s.invented_elsewhere} | "
                    f"{f(s.ms_per_photo)} | {f(s.detect_ms)} |"
                )
            out.append("")
        for det, m in self.models.items():
            out += [f"**{det} detector model** (edgesmith's own-model matrix, fidelity to Keras)", "",
                    m.result.to_markdown()]  # fmt: skip
        return "\n".join(out)


def run_bench(
    n: int = 500,
    data: Sequence[Path] = (),
    readers: Sequence[str] = ("crnn", "tesseract"),
    pipelines: Sequence[tuple[str, str, str, float]] = DEFAULT_PIPELINES,
    own: bool = True,
    threads: int | None = None,
    out_dir: Path | None = None,
    progress: bool = True,
    on_set: Callable[[str], None] | None = None,
    models: bool = True,
) -> BenchReport:
    """Score every pipeline × reader on the project's sets (``own``) and each labelled folder of ``data``;
    with ``models``, add each detector model's matrix on the first set."""
    if n < 1:
        raise BenchError("--n must be at least 1 (the issue's targets use 500)")
    sets = [labelled_folder(Path(d)) for d in data]
    if own:
        sets = [own_scenes(n), document_001_set(n), *sets]
    if not sets:
        raise BenchError("nothing to score: drop --no-own or pass a labelled folder with --data")
    report = BenchReport([])
    for s in sets:
        if on_set is not None:
            on_set(s.name)
        scores = [run_pipeline(label, det, backend, reader, s, threads, progress, zoom)
                  for label, det, backend, zoom in pipelines for reader in readers]  # fmt: skip
        report.sets.append((s.name, scores))
    if models:
        if on_set is not None:
            on_set(f"detector models on {sets[0].name}")
        report.models = detector_matrices(pipelines, sets[0], threads, out_dir=out_dir, progress=progress)
    if out_dir is not None:
        out_dir.mkdir(parents=True, exist_ok=True)
        (out_dir / "bench.json").write_text(json.dumps(report.to_dict(), indent=2, default=str) + "\n")
        (out_dir / "bench.md").write_text(report.to_markdown())
        for det, m in report.models.items():
            m.write(out_dir / "models" / det)
    return report


__all__ = [
    "DEFAULT_PIPELINES",
    "ONE_PASS",
    "BenchError",
    "BenchReport",
    "PhotoSet",
    "Score",
    "detector_matrices",
    "run_bench",
    "score_results",
]
