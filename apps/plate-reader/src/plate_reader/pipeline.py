"""Photo → every plate box → loose crop → OCR → restriction day, refusing to name a day it is not sure of.

The detector runs through edgesmith.profiling's runner registry (int8 TFLite by default, via ai-edge-litert);
:mod:`plate_reader.detectors` turns its output into boxes. Each box is clamped to the photo (an inverted or
degenerate box is dropped, never a crash), grown by the reader's crop margin and read; a reading the reader
marks unreadable keeps its partial text and reason but gets no restriction day.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, ImageDraw, ImageFont, UnidentifiedImageError

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".bmp", ".webp", ".tif", ".tiff")
DEFAULT_CROP_MARGIN = 0.06
"""Share of the box width/height added on each side before reading, when the reader exports none."""
MAX_PLATES = 6
"""At most this many boxes (best scores first) are read per photo."""


class PipelineError(RuntimeError):
    """The pipeline cannot start (missing model, unknown backend or reader); the message names the fix."""


def crop_margin() -> float:
    """The loose-crop margin the readers expect (``edgesmith.ocr_plate.CROP_MARGIN`` when it exists)."""
    try:
        from edgesmith.ocr_plate import CROP_MARGIN  # type: ignore[attr-defined]
    except ImportError:
        return DEFAULT_CROP_MARGIN
    return float(CROP_MARGIN)


@dataclasses.dataclass
class PlateFound:
    """One plate found in a photo: its box (photo pixels), detector score and what the reader made of it."""

    box: tuple[int, int, int, int]
    score: float
    text: str = ""
    status: str = "unreadable"
    reason: str | None = None
    last_digit: int | None = None
    restriction_day: str | None = None
    confidence: float = 0.0

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    def to_dict(self) -> dict[str, Any]:
        return {
            "box": [int(v) for v in self.box],
            "score": round(float(self.score), 4),
            "text": self.text,
            "status": self.status,
            "reason": self.reason,
            "last_digit": self.last_digit,
            "restriction_day": self.restriction_day,
            "confidence": round(float(self.confidence), 4),
        }


@dataclasses.dataclass
class PhotoResult:
    """Every plate found in one photo (``plates`` empty when none), or why the photo could not be read."""

    path: str
    width: int = 0
    height: int = 0
    plates: list[PlateFound] = dataclasses.field(default_factory=list)
    error: str | None = None
    detect_ms: float | None = None
    read_ms: float | None = None
    total_ms: float | None = None
    output: str | None = None

    @property
    def ok(self) -> bool:
        """At least one plate was read with a full format and confident characters."""
        return self.error is None and any(p.ok for p in self.plates)

    def to_dict(self) -> dict[str, Any]:
        """The ``--json`` object of one photo (the plate-study output contract)."""
        return {"image": self.path, "width": self.width, "height": self.height,
                "plates": [p.to_dict() for p in self.plates], "error": self.error}  # fmt: skip


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
        im = Image.open(p)
        try:
            im.load()  # a one-frame file is read and closed here
        except BaseException:
            im.close()
            raise
        if im.mode == "RGB" and not getattr(im, "is_animated", False):
            return im  # convert() would copy the decoded photo: milliseconds for a large one
        with im:
            return im.convert("RGB")
    except UnidentifiedImageError:
        raise ValueError(f"{p}: not an image file PIL can read (JPEG, PNG, BMP, WebP, TIFF)") from None
    except (OSError, SyntaxError) as exc:
        raise ValueError(f"{p}: corrupt or truncated image ({exc})") from None


def clamp_box(
    box: Iterable[float], width: int, height: int, min_side: int = 4
) -> tuple[int, int, int, int] | None:
    """``x1, y1, x2, y2`` ordered, rounded and clipped to the photo; ``None`` when under ``min_side`` px or
    not finite (an inverted box is reordered, a degenerate one dropped)."""
    v = np.asarray(list(box), np.float64).reshape(-1)
    if v.size != 4 or not np.isfinite(v).all():
        return None
    x1, x2 = sorted((v[0], v[2]))
    y1, y2 = sorted((v[1], v[3]))
    x1, x2 = (round(min(max(float(c), 0.0), width)) for c in (x1, x2))
    y1, y2 = (round(min(max(float(c), 0.0), height)) for c in (y1, y2))
    if x2 - x1 < min_side or y2 - y1 < min_side:
        return None
    return (x1, y1, x2, y2)


def loose_crop(photo: Image.Image | np.ndarray, box: tuple[int, int, int, int], margin: float) -> np.ndarray:
    """The box grown by ``margin`` × its size on each side (clipped to the photo), as uint8 RGB; from a PIL
    photo only the crop's pixels are copied out."""
    w, h = photo.size if isinstance(photo, Image.Image) else photo.shape[1::-1]
    x1, y1, x2, y2 = box
    mx, my = (x2 - x1) * margin, (y2 - y1) * margin
    a, b = int(max(0, np.floor(x1 - mx))), int(max(0, np.floor(y1 - my)))
    c, d = int(min(w, np.ceil(x2 + mx))), int(min(h, np.ceil(y2 + my)))
    if isinstance(photo, Image.Image):
        return np.asarray(photo.crop((a, b, c, d)))
    return np.ascontiguousarray(photo[b:d, a:c])


def judge(reading: Any) -> tuple[str, str | None]:
    """``(status, reason)`` of a reading: the reader's own ``readable``/``reason`` when it has them, else
    edgesmith.ocr_plate's rule for the CRNN (``CRNN_RULE``: a full plate format, each character as sure
    as its format asks)."""
    from edgesmith.ocr_plate import CRNN_RULE

    readable = getattr(reading, "readable", None)
    if readable is not None and reading.text:
        reason = getattr(reading, "reason", None)
        return ("ok", None) if readable else ("unreadable", reason or "not a full plate format")
    confs = tuple(getattr(reading, "char_confidences", ()))
    reason = CRNN_RULE.reason(reading.text, confs)
    if not reading.text and getattr(reading, "reason", None):
        reason = reading.reason
    return ("ok", None) if reason is None else ("unreadable", reason)


class PlatePipeline:
    """Detector + reader; ``process(path)`` never raises for a bad image: the result carries ``error``."""

    def __init__(self, detector: Any, reader: Any, margin: float | None = None) -> None:
        self.detector = detector
        self.reader = reader
        self.margin = crop_margin() if margin is None else margin

    def process(
        self, path: str | Path, out_dir: str | Path | None = None, out_all: bool = False
    ) -> PhotoResult:
        result = PhotoResult(path=str(path))
        t0 = time.perf_counter()
        try:
            photo = open_photo(path)
        except ValueError as exc:
            result.error = str(exc)
            return result
        self.read_photo(photo, result)
        result.total_ms = (time.perf_counter() - t0) * 1e3
        if out_dir is not None and (result.plates or out_all):
            result.output = str(save_annotated(photo, result, out_dir))
        return result

    def read_photo(self, photo: Image.Image, result: PhotoResult | None = None) -> PhotoResult:
        """Detect and read every plate of one loaded photo (timings in ``detect_ms`` / ``read_ms``)."""
        result = result or PhotoResult(path="<memory>")
        result.width, result.height = photo.size
        t0 = time.perf_counter()
        detections = self.detector.detect(photo)
        t1 = time.perf_counter()
        result.detect_ms = (t1 - t0) * 1e3
        for det in detections[:MAX_PLATES]:
            box = clamp_box(det.box, *photo.size)
            if box is None:
                continue
            found = PlateFound(box=box, score=float(det.score))
            try:
                reading = self.reader.read(loose_crop(photo, box, self.margin))
            except ValueError as exc:
                found.reason = f"crop could not be read ({exc})"
                result.plates.append(found)
                continue
            found.text = reading.text
            found.confidence = float(reading.confidence)
            found.status, found.reason = judge(reading)
            if found.ok:
                found.last_digit = reading.last_digit
                found.restriction_day = reading.restriction_day
            result.plates.append(found)
        result.read_ms = (time.perf_counter() - t1) * 1e3
        return result

    def close(self) -> None:
        self.detector.close()


OK_COLOUR, UNREADABLE_COLOUR = (0, 220, 0), (255, 150, 0)


def save_annotated(photo: Image.Image, result: PhotoResult, out_dir: str | Path) -> Path:
    """Write a copy of the photo with every plate box drawn (readable green, unreadable orange + reason)."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    img = draw_plates(photo, result.plates)
    target = out / (Path(result.path).stem + "_plates.jpg")
    tmp = target.with_name(f".{target.name}.tmp")
    try:
        img.save(tmp, format="JPEG", quality=92)
        tmp.replace(target)
    finally:
        tmp.unlink(missing_ok=True)
    return target


def _label(p: PlateFound) -> str:
    if p.ok:
        return f"{p.text} → {p.restriction_day}" if p.restriction_day else p.text
    shown = f"{p.text!r} " if p.text else ""
    return f"{shown}unreadable: {p.reason}" if p.reason else f"{shown}unreadable"


def draw_plates(photo: Image.Image, plates: list[PlateFound]) -> Image.Image:
    """A copy of ``photo`` with each plate's box and label (text and day, or the reason it was refused)."""
    from edgesmith.datasets.plate_synth import plate_font_path

    img = photo.copy()
    draw = ImageDraw.Draw(img)
    width = max(2, round(min(img.size) / 200))
    font = ImageFont.truetype(plate_font_path(), max(11, round(min(img.size) / 30)))
    for p in plates:
        colour = OK_COLOUR if p.ok else UNREADABLE_COLOUR
        draw.rectangle(p.box, outline=colour, width=width)
        label = _label(p)
        x, y = p.box[0], max(0, p.box[1] - font.size - 6)
        tb = draw.textbbox((x, y), label, font=font)
        draw.rectangle((tb[0] - 2, tb[1] - 2, tb[2] + 2, tb[3] + 2), fill=(0, 0, 0))
        draw.text((x, y), label, font=font, fill=colour)
    return img


__all__ = [
    "IMAGE_SUFFIXES",
    "PhotoResult",
    "PipelineError",
    "PlateFound",
    "PlatePipeline",
    "clamp_box",
    "crop_margin",
    "draw_plates",
    "iter_images",
    "judge",
    "loose_crop",
    "open_photo",
    "save_annotated",
]
