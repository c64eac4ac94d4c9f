"""CLI wiring: build a pipeline from ``--detector`` / ``--backend`` / ``--reader``, run it on photos."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from edgesmith.datasets.native_logs import quiet_native_stderr
from plate_reader.artifacts import BACKENDS, MODELS_DIR, ArtifactError, detector_artifact
from plate_reader.detectors import ZOOM, RunnerDetector, open_detector
from plate_reader.pipeline import PhotoResult, PlatePipeline, iter_images

DETECTORS: dict[str, Path] = {
    "centernet": MODELS_DIR / "plate_centernet.keras",
    "regressor": MODELS_DIR / "plate_detector.keras",
}
"""``--detector`` names → shipped Keras model (each with its ``_int8.tflite`` sibling): the dense detector
(default) and the Costa Rica plate study's one-box regressor (the baseline)."""


class SetupError(RuntimeError):
    """The pipeline cannot be built (model, backend or reader problem); one line naming the fix."""


def build_reader(name: str, **kwargs: object) -> object:
    """The OCR reader ``name`` from edgesmith.ocr_plate; errors become :class:`SetupError`."""
    try:
        from edgesmith.ocr_plate.readers import get_reader
        from edgesmith.ocr_plate.reading import OcrError
    except ImportError as exc:
        raise SetupError(f"edgesmith.ocr_plate is not installed ({exc}); `uv sync --all-packages`") from exc
    try:
        return get_reader(name, **kwargs)
    except (OcrError, ValueError) as exc:
        raise SetupError(str(exc).splitlines()[0]) from exc


def check_options(backend: str, zoom: float) -> None:
    """:class:`SetupError` for an unknown ``--backend`` or a ``--zoom`` under 1."""
    if backend not in BACKENDS:
        raise SetupError(f"unknown backend {backend!r}; choose one of: {', '.join(BACKENDS)}")
    if not zoom >= 1:
        raise SetupError(f"--zoom must be 1 (one pass) or more, got {zoom:g}")


def detector_model(detector: str | Path | None) -> Path:
    """The Keras file for a ``--detector`` value: a name in :data:`DETECTORS` or a path to a .keras file."""
    if detector is None:
        return DETECTORS["centernet"]
    if str(detector) in DETECTORS:
        return DETECTORS[str(detector)]
    path = Path(detector)
    if path.suffix != ".keras":
        raise SetupError(
            f"--detector {detector!r} is neither {' nor '.join(DETECTORS)} nor a .keras file; "
            "pass one of those names or a model written by tools/train_plate_detector.py"
        )
    return path


def build_detector(
    backend: str, detector: str | Path | None = None, threads: int | None = None, zoom: float = ZOOM
) -> RunnerDetector:
    """The detector for ``--detector`` on ``--backend``, exporting the Keras model for it on first use
    (``zoom``: the dense detector's small-plate pass, 1 for one pass)."""
    from edgesmith.profiling import RunnerError

    check_options(backend, zoom)
    try:
        artifact = detector_artifact(backend, detector_model(detector))
        return open_detector(artifact, BACKENDS[backend], threads=threads, zoom=zoom)
    except (ArtifactError, RunnerError) as exc:
        raise SetupError(str(exc).splitlines()[0]) from exc
    except SetupError:
        raise
    except Exception as exc:  # an exporter failing deep inside a converter: keep it to one line
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise SetupError(f"backend {backend}: could not prepare the detector ({first})") from exc


def build_pipeline(
    backend: str = "tflite-int8",
    reader: str = "crnn",
    detector: str | Path | None = None,
    threads: int | None = None,
    zoom: float = ZOOM,
) -> PlatePipeline:
    """A ready pipeline: ``detector`` on ``backend`` + OCR ``reader`` (both warmed up)."""
    check_options(backend, zoom)  # before loading anything
    detector_model(detector)  # a bad --detector value fails before the reader loads
    with quiet_native_stderr():  # the reader's runtime prints a banner on its first inference
        ocr = build_reader(reader)
        with contextlib.suppress(Exception):  # a blank crop may be unreadable; only the warm-up matters
            ocr.read(np.full((40, 120, 3), 255, np.uint8))
    return PlatePipeline(build_detector(backend, detector, threads, zoom), ocr)


def run_images(
    pipeline: PlatePipeline,
    paths: Iterable[str | Path],
    out_dir: str | Path | None = None,
    out_all: bool = False,
    progress: bool = True,
) -> list[PhotoResult]:
    """Process every photo (folders expanded) with a progress bar on stderr when there is more than one."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    files = list(iter_images(paths))
    results: list[PhotoResult] = []
    show = progress and len(files) > 1
    columns = (TextColumn("reading plates"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True, disable=not show) as bar:
        task = bar.add_task("read", total=len(files))
        for f in files:
            results.append(pipeline.process(f, out_dir=out_dir, out_all=out_all))
            bar.advance(task)
    return results


__all__ = ["DETECTORS", "SetupError", "build_detector", "build_pipeline", "build_reader", "check_options",
           "detector_model", "run_images"]  # fmt: skip
