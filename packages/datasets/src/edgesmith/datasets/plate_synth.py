"""Synthetic Costa Rican licence plates in real photographs, with exact box annotations (document 001).

Document 001 trained its detector on 130 annotated photos that cannot be shipped; this module makes the same
kind of data from scratch: a plate drawn by :mod:`edgesmith.datasets.plate_render` (many TrueType faces,
templates with borders, screws and the "COSTA RICA" band), warped with a random perspective into crops of
scikit-image's bundled photographs, then degraded with blur, lighting, noise and JPEG artifacts. Every step
draws from a numpy ``Generator``: a seed reproduces a dataset. Nothing is downloaded.
"""

from __future__ import annotations

import csv
import functools
import io
import json
import os
import string
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
from PIL import Image, ImageFilter

from edgesmith.datasets.plate_fonts import training_fonts
from edgesmith.datasets.plate_render import PLATE_ASPECT, plate_font_path, render_plate

PLATE_LETTERS = string.ascii_uppercase
"""Letters drawn on the three-letter plates."""

PLATE_STYLES = ("letters", "numeric")
"""``letters``: ``ABC-123`` (current plates); ``numeric``: one to six digits (older plates)."""

CSV_COLUMNS = ("name", "width", "height", "x1", "y1", "x2", "y2")
"""Document 001's annotation CSV (``edgesmith.datasets.PLATE_CSV_HEADER``): name, size px, normalised box."""

_BACKGROUNDS = (
    "astronaut", "camera", "coffee", "chelsea", "rocket", "brick", "grass", "gravel", "coins", "page",
    "text", "moon", "hubble_deep_field", "immunohistochemistry", "retina", "clock", "cell",
)  # fmt: skip


def random_plate_text(rng: np.random.Generator, style: str | None = None) -> str:
    """A plate number in a Costa Rican format: ``ABC-123`` or an older numeric plate of up to six digits."""
    if style is None:
        style = "letters" if rng.random() < 0.6 else "numeric"
    if style == "letters":
        letters = "".join(rng.choice(list(PLATE_LETTERS), size=3))
        digits = "".join(str(d) for d in rng.integers(0, 10, size=3))
        return f"{letters}-{digits}"
    if style == "numeric":
        length = int(rng.choice([1, 2, 3, 4, 5, 6], p=[0.02, 0.03, 0.05, 0.15, 0.3, 0.45]))
        first = str(rng.integers(1, 10))
        return first + "".join(str(d) for d in rng.integers(0, 10, size=length - 1))
    raise ValueError(f"unknown plate style {style!r}; use one of {', '.join(PLATE_STYLES)}")


@functools.cache
def _background_photos() -> tuple[np.ndarray, ...]:
    """scikit-image's bundled photographs as uint8 RGB arrays (they ship in its wheel; no download)."""
    import skimage.data

    photos = []
    for name in _BACKGROUNDS:
        try:
            im = np.asarray(getattr(skimage.data, name)())
        except Exception:  # a photo that this scikit-image build would have to download: skip it
            continue
        if im.ndim == 2:
            im = np.stack([im] * 3, axis=-1)
        photos.append(np.ascontiguousarray(im[..., :3].astype(np.uint8)))
    if not photos:
        raise RuntimeError(
            "no bundled scikit-image photographs found; reinstall scikit-image (pip install scikit-image)"
        )
    return tuple(photos)


def random_background(rng: np.random.Generator, size: tuple[int, int]) -> Image.Image:
    """A random crop (scale, position, flip, colour cast) of a bundled photo, resized to ``size`` (w, h)."""
    photos = _background_photos()
    photo = photos[int(rng.integers(len(photos)))]
    w, h = size
    ph, pw = photo.shape[:2]
    aspect = w / h
    frac = rng.uniform(0.35, 1.0)
    cw = int(min(pw, ph * aspect) * frac)
    ch = max(int(cw / aspect), 1)
    cw = max(cw, 1)
    x = int(rng.integers(0, pw - cw + 1))
    y = int(rng.integers(0, ph - ch + 1))
    crop = Image.fromarray(photo[y : y + ch, x : x + cw]).resize((w, h), Image.BILINEAR)
    if rng.random() < 0.5:
        crop = crop.transpose(Image.FLIP_LEFT_RIGHT)
    arr = np.asarray(crop, dtype=np.float32) * rng.uniform(0.8, 1.2, size=3)
    return Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8))


def _perspective_coeffs(dst: np.ndarray, src: np.ndarray) -> list[float]:
    """PIL PERSPECTIVE coefficients mapping output points ``dst`` (4×2) back to input points ``src`` (4×2)."""
    rows = []
    for (x, y), (u, v) in zip(dst, src, strict=True):
        rows.append([x, y, 1, 0, 0, 0, -u * x, -u * y])
        rows.append([0, 0, 0, x, y, 1, -v * x, -v * y])
    return np.linalg.solve(np.asarray(rows, np.float64), src.reshape(8).astype(np.float64)).tolist()


def plate_corners(
    rng: np.random.Generator, size: tuple[int, int], width_range: tuple[float, float] = (0.25, 0.7)
) -> np.ndarray:
    """Random plate corners (TL, TR, BR, BL; pixels) inside a ``size`` image: scale, rotation, perspective."""
    w, h = size
    pw = rng.uniform(*width_range) * w
    ph = pw / PLATE_ASPECT * rng.uniform(0.85, 1.15)
    angle = np.deg2rad(rng.normal(0, 6))
    base = np.array([[-pw / 2, -ph / 2], [pw / 2, -ph / 2], [pw / 2, ph / 2], [-pw / 2, ph / 2]])
    # perspective: shrink one side (yaw / pitch), then jitter each corner a little
    yaw, pitch = rng.uniform(-0.18, 0.18), rng.uniform(-0.12, 0.12)
    base[:, 1] *= 1 + yaw * np.sign(base[:, 0])
    base[:, 0] *= 1 + pitch * np.sign(base[:, 1])
    base += rng.normal(0, 0.02, size=base.shape) * np.array([pw, ph])
    rot = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    pts = base @ rot.T
    span = pts.max(axis=0) - pts.min(axis=0)
    if span[0] >= w or span[1] >= h:  # too big after rotation: shrink to fit
        pts *= 0.95 * min(w / span[0], h / span[1])
    lo, hi = -pts.min(axis=0), np.array([w, h]) - pts.max(axis=0)
    centre = np.array([rng.uniform(lo[0], hi[0]), rng.uniform(lo[1], hi[1])])
    return pts + centre


def compose_scene(
    rng: np.random.Generator, size: tuple[int, int] = (320, 240), text: str | None = None
) -> tuple[Image.Image, np.ndarray, str]:
    """A photo with one plate in it: ``(RGB image of size (w, h), box x1,y1,x2,y2 normalised float32, text)``.

    The box is the exact axis-aligned bounding box of the warped plate's four corners.
    """
    w, h = size
    text = text or random_plate_text(rng)
    scene = random_background(rng, size)
    corners = plate_corners(rng, size)
    plate_h = int(np.clip((corners[:, 1].max() - corners[:, 1].min()) * 2, 24, 256))
    plate = render_plate(text, rng, height=plate_h).convert("RGBA")
    pw, ph = plate.size
    src = np.array([[0, 0], [pw, 0], [pw, ph], [0, ph]], np.float64)
    warped = plate.transform(size, Image.PERSPECTIVE, _perspective_coeffs(corners, src), Image.BICUBIC)
    scene.paste(warped, (0, 0), warped)
    scene = _degrade(scene, rng)
    x1, y1 = corners.min(axis=0)
    x2, y2 = corners.max(axis=0)
    box = np.clip(np.array([x1 / w, y1 / h, x2 / w, y2 / h], np.float32), 0.0, 1.0)
    return scene, box, text


def _degrade(img: Image.Image, rng: np.random.Generator) -> Image.Image:
    """Camera effects: uneven lighting, blur, sensor noise and JPEG artifacts, each of random strength."""
    w, h = img.size
    arr = np.asarray(img, dtype=np.float32)
    gx, gy = rng.uniform(-0.4, 0.4, size=2)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    light = rng.uniform(0.6, 1.25) * (1 + gx * (xx / w - 0.5) + gy * (yy / h - 0.5))
    arr = arr * light[..., None] + rng.uniform(-20, 20)
    arr += rng.normal(0, rng.uniform(0, 8), size=arr.shape)
    img = Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8))
    radius = rng.uniform(0, 1.3) * min(w, h) / 240
    if radius > 0.2:
        img = img.filter(ImageFilter.GaussianBlur(radius))
    buf = io.BytesIO()
    img.save(buf, format="JPEG", quality=int(rng.integers(30, 96)))
    buf.seek(0)
    return Image.open(buf).convert("RGB")


def generate_dataset(
    out_dir: str | os.PathLike[str],
    n: int,
    seed: int = 0,
    size: tuple[int, int] = (320, 240),
    progress: Callable[[int], None] | None = None,
) -> Path:
    """Write ``n`` scenes as JPEGs, ``plates.csv`` (document 001's columns) and ``texts.csv``; return the CSV.

    Image ``i`` depends only on ``(seed, i)``, so datasets with the same seed share their first images.
    ``progress`` is called with the number of images written so far. A ``dataset.json`` records the recipe.
    """
    if n < 1:
        raise ValueError(f"n must be at least 1, got {n}")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    from edgesmith.datasets.plates import PlateBox, write_plate_csv

    boxes, texts = [], []
    for i in range(n):
        rng = np.random.default_rng([seed, i])
        img, box, text = compose_scene(rng, size)
        name = f"plate_{seed}_{i:06d}.jpg"
        img.save(out / name, quality=95)
        boxes.append(PlateBox(name, size[0], size[1], *(round(float(v), 6) for v in box)))
        texts.append((name, text))
        if progress is not None:
            progress(i + 1)
    csv_path = write_plate_csv(out / "plates.csv", boxes)
    _write_rows(out / "texts.csv", ("name", "text"), texts)
    recipe = {
        "generator": "edgesmith.datasets.plate_synth",
        "seed": seed,
        "n": n,
        "size": list(size),
        "fonts": [p.name for p in training_fonts()],
        "backgrounds": len(_background_photos()),
    }
    (out / "dataset.json").write_text(json.dumps(recipe, indent=2) + "\n")
    return csv_path


def _write_rows(path: Path, header: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    """Write a CSV atomically (temp file, then rename)."""
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        for row in rows:
            writer.writerow([f"{v:.6f}" if isinstance(v, float) else v for v in row])
    tmp.replace(path)


def read_texts(path: str | os.PathLike[str]) -> dict[str, str]:
    """The ``texts.csv`` written by :func:`generate_dataset`: image name → plate text."""
    with Path(path).open(newline="") as fh:
        return {row["name"]: row["text"] for row in csv.DictReader(fh)}


__all__ = [
    "CSV_COLUMNS",
    "PLATE_ASPECT",
    "PLATE_LETTERS",
    "PLATE_STYLES",
    "compose_scene",
    "generate_dataset",
    "plate_corners",
    "plate_font_path",
    "random_background",
    "random_plate_text",
    "read_texts",
    "render_plate",
]
