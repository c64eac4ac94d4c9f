"""Photo → plate box → crop → OCR → restriction day, with the detector run through any registered backend.

The detector artifact for each ``--backend`` name comes from :mod:`plate_reader.artifacts`; it runs through
edgesmith.profiling's runner registry, so Keras, TFLite, ONNX Runtime, TVM and TensorRT share one code path.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, ImageDraw, ImageFont, UnidentifiedImageError

from edgesmith.datasets.native_logs import quiet_native_stderr
from plate_reader.detector import DETECTOR_INPUT, to_input

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".bmp", ".webp", ".tif", ".tiff")
MIN_BOX_FRACTION = 0.0004
"""A predicted box covering less than this share of the photo is treated as "no plate" (degenerate box)."""
MIN_CONFIDENCE = 0.2
"""A reading below this (weakest-character) confidence that also fails format validation means no plate."""


class PipelineError(RuntimeError):
    """The pipeline cannot start (missing model, unknown backend or reader); the message names the fix."""


@dataclasses.dataclass
class PlateResult:
    """What the pipeline found in one photo; ``error`` says why nothing (or nothing valid) was read."""

    path: str
    box: tuple[float, float, float, float] | None = None
    box_px: tuple[int, int, int, int] | None = None
    text: str | None = None
    valid: bool = False
    confidence: float | None = None
    char_confidences: tuple[float, ...] = ()
    last_digit: int | None = None
    restriction_day: str | None = None
    detect_ms: float | None = None
    read_ms: float | None = None
    total_ms: float | None = None
    error: str | None = None
    output: str | None = None

    @property
    def found(self) -> bool:
        """A plate was located and read as a valid plate number."""
        return self.error is None and self.box is not None and bool(self.text)

    def to_dict(self) -> dict[str, Any]:
        d = dataclasses.asdict(self)
        d["found"] = self.found
        d["char_confidences"] = [round(c, 4) for c in self.char_confidences]
        for k in ("confidence", "detect_ms", "read_ms", "total_ms"):
            if d[k] is not None:
                d[k] = round(d[k], 4)
        return d


def iter_images(paths: Iterable[str | Path]) -> Iterator[Path]:
    """Expand folders into their image files (sorted, non-recursive); keep files as given, in order."""
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            yield from sorted(f for f in p.iterdir() if f.is_file() and f.suffix.lower() in IMAGE_SUFFIXES)
        else:
            yield p


def open_photo(path: str | Path) -> Image.Image:
    """Load an image file as RGB; a one-line ``ValueError`` for a missing, unreadable or non-image file."""
    p = Path(path)
    if not p.exists():
        raise ValueError(f"{p}: no such file")
    if p.is_dir():
        raise ValueError(f"{p}: is a folder with no images")
    try:
        with Image.open(p) as im:
            im.load()
            return im.convert("RGB")
    except UnidentifiedImageError:
        raise ValueError(f"{p}: not an image file PIL can read (JPEG, PNG, BMP, WebP, TIFF)") from None
    except (OSError, SyntaxError) as exc:
        raise ValueError(f"{p}: corrupt or truncated image ({exc})") from None


class PlateDetector:
    """The box regressor behind a runner: ``detect(photo) -> (x1, y1, x2, y2)`` normalised to the photo."""

    def __init__(self, artifact: str | Path, backend: str, threads: int | None = None) -> None:
        from edgesmith.profiling import open_runner

        self.artifact = Path(artifact)
        self.backend = backend
        self.runner = open_runner(self.artifact, backend, threads=threads)
        with quiet_native_stderr():  # TFLite prints "INFO: Created ... delegate" on first use
            self.runner.activate()
            spec = self.runner.input_specs()[0].shape
            self.input_hw = (spec[1] or DETECTOR_INPUT[0], spec[2] or DETECTOR_INPUT[1])
            self.runner.predict(np.zeros((1, *self.input_hw, 3), np.float32))  # warm-up

    def detect_batch(self, photos: list[Image.Image]) -> np.ndarray:
        """Boxes (N, 4) for a list of photos (one runner call per photo: batch-1 artifacts work too)."""
        out = [np.asarray(self.runner.predict(to_input(p, self.input_hw)[None]), np.float32).reshape(4).copy()
               for p in photos]  # fmt: skip
        return np.stack(out) if out else np.empty((0, 4), np.float32)

    def detect(self, photo: Image.Image) -> np.ndarray:
        return self.detect_batch([photo])[0]

    def close(self) -> None:
        self.runner.deactivate()


class PlatePipeline:
    """Detector + reader; ``process(path)`` never raises for a bad image: the result carries ``error``."""

    def __init__(self, detector: PlateDetector, reader: Any, margin: float = 0.06) -> None:
        self.detector = detector
        self.reader = reader
        self.margin = margin

    def process(self, path: str | Path, out_dir: str | Path | None = None) -> PlateResult:
        result = PlateResult(path=str(path))
        t0 = time.perf_counter()
        try:
            photo = open_photo(path)
        except ValueError as exc:
            result.error = str(exc)
            return result
        self.read_photo(photo, result)
        result.total_ms = (time.perf_counter() - t0) * 1e3
        if out_dir is not None and result.box is not None:
            result.output = str(save_annotated(photo, result, out_dir))
        return result

    def read_photo(self, photo: Image.Image, result: PlateResult | None = None) -> PlateResult:
        """Detect and read one already-loaded photo (timings in ``detect_ms`` / ``read_ms``)."""
        from edgesmith.ocr_plate.preprocess import crop_box

        result = result or PlateResult(path="<memory>")
        t0 = time.perf_counter()
        box = self.detector.detect(photo)
        t1 = time.perf_counter()
        result.detect_ms = (t1 - t0) * 1e3
        x1, y1, x2, y2 = (float(v) for v in box)
        w, h = photo.size
        result.box = (x1, y1, x2, y2)
        result.box_px = (round(x1 * w), round(y1 * h), round(x2 * w), round(y2 * h))
        if (x2 - x1) * (y2 - y1) < MIN_BOX_FRACTION or x2 <= x1 or y2 <= y1:
            result.error = "no plate found: the detector's box is empty (is there a plate in the photo?)"
            return result
        try:
            crop = crop_box(np.asarray(photo), box, margin=self.margin)
            reading = self.reader.read(crop)
        except ValueError as exc:
            result.error = f"no plate found: {exc}"
            return result
        result.read_ms = (time.perf_counter() - t1) * 1e3
        result.text = reading.text
        result.valid = reading.valid
        result.confidence = reading.confidence
        result.char_confidences = tuple(reading.char_confidences)
        result.last_digit = reading.last_digit
        result.restriction_day = reading.restriction_day
        if not reading.text:
            result.error = "no plate found: no characters could be read in the detected box"
        elif not reading.valid and reading.confidence < MIN_CONFIDENCE:
            result.error = (
                f"no plate found: read {reading.text!r} with confidence {reading.confidence:.2f}, "
                "not a Costa Rican plate format"
            )
        elif not reading.valid:
            result.error = (
                f"read {reading.text!r} (weakest character confidence {reading.confidence:.2f}), not a "
                "Costa Rican plate format (ABC-123 or up to 6 digits); check the photo or try another reader"
            )
        return result

    def close(self) -> None:
        self.detector.close()


def save_annotated(photo: Image.Image, result: PlateResult, out_dir: str | Path) -> Path:
    """Write a copy of the photo with the plate box (and the reading) drawn, as ``out_dir/<name>.jpg``."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    img = draw_box(photo, result.box_px, label=_label(result))
    target = out / (Path(result.path).stem + "_plate.jpg")
    tmp = target.with_name(f".{target.name}.tmp")
    img.save(tmp, format="JPEG", quality=92)
    tmp.replace(target)
    return target


def _label(result: PlateResult) -> str:
    if not result.text:
        return "plate?"
    day = f" → {result.restriction_day}" if result.restriction_day else ""
    return f"{result.text}{day}"


def draw_box(photo: Image.Image, box_px: tuple[int, int, int, int] | None, label: str = "") -> Image.Image:
    """A copy of ``photo`` with a green rectangle at ``box_px`` and ``label`` above it."""
    img = photo.copy()
    if box_px is None:
        return img
    draw = ImageDraw.Draw(img)
    width = max(2, round(min(img.size) / 160))
    draw.rectangle(box_px, outline=(0, 220, 0), width=width)
    if label:
        from edgesmith.datasets.plate_synth import plate_font_path

        font = ImageFont.truetype(plate_font_path(), max(12, round(min(img.size) / 18)))
        x, y = box_px[0], max(0, box_px[1] - font.size - 6)
        tb = draw.textbbox((x, y), label, font=font)
        draw.rectangle((tb[0] - 3, tb[1] - 3, tb[2] + 3, tb[3] + 3), fill=(0, 0, 0))
        draw.text((x, y), label, font=font, fill=(0, 255, 0))
    return img


__all__ = [
    "IMAGE_SUFFIXES",
    "PipelineError",
    "PlateDetector",
    "PlatePipeline",
    "PlateResult",
    "draw_box",
    "iter_images",
    "open_photo",
    "save_annotated",
]
