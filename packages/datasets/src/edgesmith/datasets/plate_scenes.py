"""Street photos with 0, 1 or several Costa Rican plates, for training a detector that finds small plates.

A user photographs a car in a street, not a plate filling the frame: plates here are 8–80 % of the photo
width, anywhere in the frame, seen with perspective (±30° yaw, ±15° pitch, ±10° roll), on real photographs
(scikit-image's and scikit-learn's bundled ones) or procedural streets with several cars, next to signs and
stickers with text that are not plates, then degraded like a phone camera (motion/defocus blur, low light,
glare, shadows, dirt, sensor noise, JPEG quality 30–95). The plate itself comes from
:func:`edgesmith.datasets.plate_synth.render_plate`. Every draw comes from one numpy ``Generator``.
"""

from __future__ import annotations

import csv
import dataclasses
import functools
import io
import json
import os
from collections.abc import Callable
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from edgesmith.datasets.plate_synth import PLATE_LETTERS, _perspective_coeffs, plate_font_path, render_plate

LABEL_COLUMNS = ("name", "width", "height", "x1", "y1", "x2", "y2", "plate",
                 "qx1", "qy1", "qx2", "qy2", "qx3", "qy3", "qx4", "qy4")  # fmt: skip
"""Header of a labelled photo folder's ``labels.csv``: one row per plate, coordinates normalised to [0, 1]."""

SCENE_SIZES = ((640, 480), (480, 360), (512, 384), (400, 300), (384, 384), (360, 480), (640, 360))
"""Photo sizes (w, h) drawn when ``generate_scene`` gets none: phone-like 4:3, 16:9, square, portrait."""

WIDTH_RANGE = (0.08, 0.8)
"""Plate width as a share of the photo width (drawn log-uniformly, so small plates are common)."""

YAW_DEG, PITCH_DEG, ROLL_DEG = 30.0, 15.0, 10.0
"""Largest plate yaw (turn left/right), pitch (tilt up/down) and roll (in-plane rotation), in degrees."""

_SKIMAGE_PHOTOS = ("astronaut.png", "coffee.png", "chelsea.png", "rocket.jpg", "motorcycle_left.png",
                   "motorcycle_right.png", "brick.png", "grass.png", "gravel.png", "camera.png",
                   "clock_motion.png", "coins.png", "page.png", "text.png", "moon.png",
                   "hubble_deep_field.jpg", "retina.jpg", "ihc.png", "logo.png", "horse.png", "color.png",
                   "cell.png")  # fmt: skip
_SKLEARN_PHOTOS = ("china.jpg", "flower.jpg")
_SIGN_WORDS = ("PARE", "ALTO", "SALIDA", "ENTRADA", "PARQUEO", "SE VENDE", "TEL 2222-3456", "SODA",
               "FARMACIA", "TAXI", "BUS", "VENTA", "OPEN", "SALE", "CALLE 5", "AV 2", "NO PARK", "40",
               "25", "1998", "8888-1234", "KM 12", "HOTEL", "BANCO", "CR", "AUTO", "MOTOR", "4X4",
               "TOYOTA", "NISSAN", "HYUNDAI", "SUZUKI", "12B", "A-7", "RTV 2025", "MARCHAMO")  # fmt: skip


@dataclasses.dataclass
class Plate:
    """One plate in a scene: its text, its four corners (TL, TR, BR, BL; pixels) and their bounding box."""

    text: str
    quad: np.ndarray
    box: tuple[int, int, int, int]


@dataclasses.dataclass
class Scene:
    """An RGB photo and every plate in it (``plates`` is empty for a photo without one), and the boxes
    ``(x1, y1, x2, y2)`` of its signs and stickers with text that is not a plate (hard negatives)."""

    image: Image.Image
    plates: list[Plate]
    distractors: list[tuple[int, int, int, int]] = dataclasses.field(default_factory=list)


def random_full_plate_text(rng: np.random.Generator) -> str:
    """A plate in a full Costa Rican format: ``ABC-123`` (60 %) or five or six digits (older plates)."""
    if rng.random() < 0.6:
        letters = "".join(rng.choice(list(PLATE_LETTERS), size=3))
        return f"{letters}-{''.join(str(d) for d in rng.integers(0, 10, size=3))}"
    length = int(rng.choice([5, 6], p=[0.4, 0.6]))
    return str(rng.integers(1, 10)) + "".join(str(d) for d in rng.integers(0, 10, size=length - 1))


# --------------------------------------------------------------------------------------- backgrounds


@functools.cache
def _photo_paths() -> tuple[Path, ...]:
    """Bundled photographs: scikit-image's ``skimage/data`` and scikit-learn's sample images."""
    import importlib.util

    paths: list[Path] = []
    for module, names in (("skimage.data", _SKIMAGE_PHOTOS), ("sklearn.datasets", _SKLEARN_PHOTOS)):
        spec = importlib.util.find_spec(module)
        if spec is None or spec.origin is None:
            continue
        folder = Path(spec.origin).parent / ("images" if module == "sklearn.datasets" else "")
        paths += [folder / n for n in names if (folder / n).is_file()]
    if not paths:
        raise RuntimeError(
            "no bundled photographs found (skimage/data, sklearn/datasets/images); "
            "reinstall scikit-image and scikit-learn"
        )
    return tuple(paths)


@functools.cache
def _photo(path: Path) -> np.ndarray:
    with Image.open(path) as im:
        return np.asarray(im.convert("RGB"))


def photo_background(rng: np.random.Generator, size: tuple[int, int]) -> Image.Image:
    """A random crop (scale, position, flip, colour cast) of a bundled photograph, resized to ``size``."""
    paths = _photo_paths()
    photo = _photo(paths[int(rng.integers(len(paths)))])
    w, h = size
    ph, pw = photo.shape[:2]
    frac = rng.uniform(0.4, 1.0)
    cw = max(int(min(pw, ph * w / h) * frac), 8)
    ch = max(int(cw * h / w), 8)
    x, y = int(rng.integers(0, max(pw - cw, 0) + 1)), int(rng.integers(0, max(ph - ch, 0) + 1))
    img = Image.fromarray(photo[y : y + ch, x : x + cw]).resize(size, Image.BILINEAR)
    if rng.random() < 0.5:
        img = img.transpose(Image.FLIP_LEFT_RIGHT)
    arr = np.asarray(img, np.float32) * rng.uniform(0.8, 1.2, size=3)
    return Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8))


def _colour(rng: np.random.Generator, lo: int = 0, hi: int = 256) -> tuple[int, int, int]:
    return tuple(int(v) for v in rng.integers(lo, hi, size=3))  # type: ignore[return-value]


def street_background(rng: np.random.Generator, size: tuple[int, int]) -> tuple[Image.Image, list]:
    """A procedural street (sky, buildings with windows, road, kerb) and the car slots drawn on it.

    Returns the image and a list of ``(x_centre, y_plate, car_width)`` where a plate may be mounted.
    """
    w, h = size
    img = Image.new("RGB", size, _colour(rng, 90, 230))
    draw = ImageDraw.Draw(img)
    horizon = int(h * rng.uniform(0.25, 0.55))
    for _ in range(int(rng.integers(2, 7))):  # buildings
        bx = int(rng.integers(-w // 4, w))
        bw, bh = int(rng.integers(w // 8, w // 2)), int(rng.integers(h // 6, horizon + h // 6))
        draw.rectangle((bx, horizon - bh, bx + bw, horizon + 5), fill=_colour(rng, 40, 220))
        win = _colour(rng, 20, 200)
        step = max(6, bw // int(rng.integers(3, 8)))
        for wx in range(bx + step // 3, bx + bw - step // 2, step):
            for wy in range(horizon - bh + step // 3, horizon - step // 2, step):
                draw.rectangle((wx, wy, wx + step // 2, wy + step // 2), fill=win)
    road = _colour(rng, 50, 120)
    draw.rectangle((0, horizon, w, h), fill=(road[0],) * 3)
    for x in range(int(rng.integers(0, 60)), w, int(rng.integers(60, 160))):  # lane marks
        y = int(horizon + (h - horizon) * rng.uniform(0.4, 0.9))
        draw.rectangle((x, y, x + w // 20, y + max(2, h // 120)), fill=(230, 230, 200))
    slots = []
    for _ in range(int(rng.integers(1, 5))):  # cars, far ones first
        cw = int(w * rng.uniform(0.15, 0.7))
        cx = int(rng.uniform(0.05, 0.95) * w)
        cy = int(horizon + (h - horizon) * rng.uniform(0.3, 1.0))
        slots.append(_draw_car(draw, rng, cx, cy, cw))
    return img, slots


def _draw_car(draw: ImageDraw.ImageDraw, rng: np.random.Generator, cx: int, bottom: int, cw: int) -> tuple:
    """Draw a car seen from behind (body, rear window, lights, bumper, wheels); return its plate slot."""
    ch = int(cw * rng.uniform(0.6, 0.85))
    x0, x1, y0 = cx - cw // 2, cx + cw // 2, bottom - ch
    wheel = (20, 20, 20)
    draw.rectangle((x0 + cw // 12, bottom - ch // 8, x0 + cw // 4, bottom), fill=wheel)
    draw.rectangle((x1 - cw // 4, bottom - ch // 8, x1 - cw // 12, bottom), fill=wheel)
    body = _colour(rng, 10, 250)
    draw.rounded_rectangle((x0, y0 + ch // 3, x1, bottom - ch // 10), radius=max(2, cw // 12), fill=body)
    draw.rounded_rectangle((x0 + cw // 8, y0, x1 - cw // 8, y0 + ch // 2), radius=max(2, cw // 10), fill=body)
    draw.rectangle(
        (x0 + cw // 5, y0 + ch // 12, x1 - cw // 5, y0 + ch // 2 - ch // 12), fill=_colour(rng, 20, 90)
    )
    light = (int(rng.integers(150, 255)), int(rng.integers(0, 60)), int(rng.integers(0, 60)))
    ly = y0 + ch // 2
    draw.rectangle((x0 + cw // 30, ly, x0 + cw // 6, ly + ch // 10), fill=light)
    draw.rectangle((x1 - cw // 6, ly, x1 - cw // 30, ly + ch // 10), fill=light)
    draw.rectangle((x0, bottom - ch // 4, x1, bottom - ch // 8), fill=_colour(rng, 10, 80))
    return (cx, y0 + int(ch * 0.72), cw)


# ---------------------------------------------------------------------------------------------- plates


def plate_quad(
    rng: np.random.Generator,
    size: tuple[int, int],
    width_px: float,
    aspect: float,
    centre: tuple[float, float] | None = None,
) -> np.ndarray:
    """Corners (TL, TR, BR, BL) of a plate ``width_px`` wide seen under a random yaw/pitch/roll, in frame.

    A pinhole projection of the 3D plate rectangle, so far edges shrink as on a real photo; the quad is
    scaled to ``width_px`` and placed at ``centre`` (or at random), then shifted to lie inside the frame.
    """
    w, h = size
    yaw, pitch, roll = (np.deg2rad(rng.uniform(-a, a)) for a in (YAW_DEG, PITCH_DEG, ROLL_DEG))
    pts = np.array([[-1, -1 / aspect, 0], [1, -1 / aspect, 0], [1, 1 / aspect, 0], [-1, 1 / aspect, 0]])
    ry = np.array([[np.cos(yaw), 0, np.sin(yaw)], [0, 1, 0], [-np.sin(yaw), 0, np.cos(yaw)]])
    rx = np.array([[1, 0, 0], [0, np.cos(pitch), -np.sin(pitch)], [0, np.sin(pitch), np.cos(pitch)]])
    rz = np.array([[np.cos(roll), -np.sin(roll), 0], [np.sin(roll), np.cos(roll), 0], [0, 0, 1]])
    pts = pts @ (rz @ rx @ ry).T
    dist = rng.uniform(3.0, 8.0)  # camera distance in plate half-widths: closer = stronger perspective
    quad = pts[:, :2] / (dist + pts[:, 2:3])
    quad *= width_px / max(np.ptp(quad[:, 0]), 1e-6)
    span = np.ptp(quad, axis=0)
    limit = np.array([w, h]) * 0.98
    if (span > limit).any():
        quad *= float(np.min(limit / span))
    quad -= quad.min(axis=0)
    span = np.ptp(quad, axis=0)
    if centre is None:
        origin = rng.uniform(0, 1, size=2) * (np.array([w, h]) - span)
    else:
        origin = np.clip(np.asarray(centre) - span / 2, 0, np.array([w, h]) - span)
    return quad + origin


def _paste_plate(img: Image.Image, plate_img: Image.Image, quad: np.ndarray) -> None:
    """Warp ``plate_img`` onto ``img`` so its corners land on ``quad`` (anti-aliased by supersampling)."""
    pw, ph = plate_img.size
    src = np.array([[0, 0], [pw, 0], [pw, ph], [0, ph]], np.float64)
    x0, y0 = np.floor(quad.min(axis=0)).astype(int)
    x1, y1 = np.ceil(quad.max(axis=0)).astype(int) + 1
    local = (quad - [x0, y0]) * 2
    patch = plate_img.convert("RGBA").transform(
        ((x1 - x0) * 2, (y1 - y0) * 2), Image.PERSPECTIVE, _perspective_coeffs(local, src), Image.BILINEAR
    )
    patch = patch.resize((x1 - x0, y1 - y0), Image.BILINEAR)
    img.paste(patch, (int(x0), int(y0)), patch)


def _dirty(plate: Image.Image, rng: np.random.Generator) -> Image.Image:
    """Mud splashes and grime: translucent brown blotches and an overall darkening of the plate."""
    arr = np.asarray(plate, np.float32)
    arr *= rng.uniform(0.75, 1.0)
    layer = Image.new("L", plate.size, 0)
    d = ImageDraw.Draw(layer)
    pw, ph = plate.size
    for _ in range(int(rng.integers(2, 12))):
        r = rng.uniform(0.02, 0.12) * pw
        x, y = rng.uniform(0, pw), rng.uniform(0, ph)
        d.ellipse((x - r, y - r * 0.6, x + r, y + r * 0.6), fill=int(rng.integers(60, 180)))
    alpha = np.asarray(layer.filter(ImageFilter.GaussianBlur(pw / 80)), np.float32)[..., None] / 255
    mud = np.array([90, 70, 45], np.float32) * rng.uniform(0.6, 1.2)
    return Image.fromarray(np.clip(arr * (1 - alpha) + mud * alpha, 0, 255).astype(np.uint8))


# ------------------------------------------------------------------------------------------ distractors


@functools.cache
def _font(size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(plate_font_path(), size)


def _draw_distractor(img: Image.Image, rng: np.random.Generator) -> tuple[int, int, int, int] | None:
    """A sign or sticker with text (words, phone numbers, letters and digits) that is not a plate; its box
    (``None`` when it does not fit)."""
    w, h = img.size
    text = str(rng.choice(_SIGN_WORDS))
    size = int(np.clip(h * rng.uniform(0.03, 0.12), 8, 80))
    font = _font(size)
    left, top, right, bottom = font.getbbox(text)
    pad = size // 3
    sw, sh = right - left + 2 * pad, bottom - top + 2 * pad
    if sw >= w or sh >= h:
        return None
    sign = Image.new("RGBA", (sw, sh), (0, 0, 0, 0))
    d = ImageDraw.Draw(sign)
    bg = _colour(rng)
    shape = rng.integers(3)
    if shape == 0:
        d.rectangle((0, 0, sw - 1, sh - 1), fill=(*bg, 255))
    elif shape == 1:
        d.rounded_rectangle((0, 0, sw - 1, sh - 1), radius=pad, fill=(*bg, 255), outline=(255, 255, 255, 255),
                            width=max(1, pad // 3))  # fmt: skip
    else:
        d.ellipse((0, 0, sw - 1, sh - 1), fill=(*bg, 255))
    ink = tuple(255 - v for v in bg) if rng.random() < 0.7 else _colour(rng)
    d.text((pad - left, pad - top), text, font=font, fill=(*ink, 255))
    sign = sign.rotate(float(rng.uniform(-15, 15)), expand=True, resample=Image.BILINEAR)
    x, y = int(rng.integers(0, max(1, w - sign.width))), int(rng.integers(0, max(1, h - sign.height)))
    img.paste(sign, (x, y), sign)
    return x, y, min(w, x + sign.width), min(h, y + sign.height)


# -------------------------------------------------------------------------------------------- camera


def _shadow_and_glare(img: Image.Image, rng: np.random.Generator) -> Image.Image:
    """A hard shadow polygon across part of the frame and/or a soft bright glare spot."""
    w, h = img.size
    arr = np.asarray(img, np.float32)
    if rng.random() < 0.35:
        mask = Image.new("L", img.size, 0)
        pts = [(float(rng.uniform(-0.2, 1.2) * w), float(rng.uniform(-0.2, 1.2) * h)) for _ in range(4)]
        ImageDraw.Draw(mask).polygon(pts, fill=255)
        m = np.asarray(mask.filter(ImageFilter.GaussianBlur(rng.uniform(0, 4))), np.float32)[..., None] / 255
        arr *= 1 - m * rng.uniform(0.3, 0.65)
    if rng.random() < 0.3:
        yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
        cx, cy, r = rng.uniform(0, w), rng.uniform(0, h), rng.uniform(0.05, 0.3) * w
        glare = np.exp(-((xx - cx) ** 2 + (yy - cy) ** 2) / (2 * r * r))[..., None]
        arr += glare * rng.uniform(80, 220)
    return Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8))


def _motion_blur(arr: np.ndarray, rng: np.random.Generator, length: int) -> np.ndarray:
    """Average of ``length`` copies shifted along a random direction (a linear motion-blur kernel)."""
    angle = rng.uniform(0, np.pi)
    dx, dy = np.cos(angle), np.sin(angle)
    acc = np.zeros_like(arr)
    for t in np.linspace(-(length - 1) / 2, (length - 1) / 2, length):
        acc += np.roll(arr, (round(t * dy), round(t * dx)), axis=(0, 1))
    return acc / length


def degrade(img: Image.Image, rng: np.random.Generator) -> Image.Image:
    """Phone-camera effects of random strength: light level, blur (motion or defocus), noise, JPEG 30–95."""
    img = _shadow_and_glare(img, rng)
    w, h = img.size
    arr = np.asarray(img, np.float32) / 255
    dark = rng.random() < 0.25
    gain = rng.uniform(0.2, 0.5) if dark else rng.uniform(0.7, 1.25)
    gx, gy = rng.uniform(-0.4, 0.4, size=2)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    arr = (
        (arr ** rng.uniform(0.8, 1.5 if dark else 1.2))
        * gain
        * (1 + gx * (xx / w - 0.5) + gy * (yy / h - 0.5))[..., None]
    )
    blur = rng.random()
    scale = max(w, h) / 480
    if blur < 0.25:
        arr = _motion_blur(arr, rng, int(rng.integers(2, max(3, int(9 * scale)))))
    elif blur < 0.5:
        arr = (
            np.asarray(
                Image.fromarray(np.clip(arr * 255, 0, 255).astype(np.uint8)).filter(
                    ImageFilter.GaussianBlur(rng.uniform(0.5, 2.2) * scale)
                ),
                np.float32,
            )
            / 255
        )
    sigma = rng.uniform(0.0, 0.05) if dark else rng.uniform(0.0, 0.025)
    arr = arr + rng.normal(0, sigma, size=arr.shape).astype(np.float32)
    out = Image.fromarray(np.clip(arr * 255, 0, 255).astype(np.uint8))
    buf = io.BytesIO()
    out.save(buf, format="JPEG", quality=int(rng.integers(30, 96)))
    buf.seek(0)
    return Image.open(buf).convert("RGB")


# ------------------------------------------------------------------------------------------- scenes


def _width_fraction(rng: np.random.Generator, lo: float, hi: float) -> float:
    return float(np.exp(rng.uniform(np.log(lo), np.log(hi))))


def _overlaps(quad: np.ndarray, others: list[np.ndarray], pad: float = 4.0) -> bool:
    a0, a1 = quad.min(axis=0) - pad, quad.max(axis=0) + pad
    return any((a0 < q.max(axis=0)).all() and (q.min(axis=0) < a1).all() for q in others)


def generate_scene(
    rng: np.random.Generator, size: tuple[int, int] | None = None, n_plates: int | None = None
) -> Scene:
    """One photo (``size`` = (w, h), or drawn from :data:`SCENE_SIZES`) with ``n_plates`` plates (0–3 drawn
    when ``None``: 12 % none, 63 % one, 25 % several), its plate texts, corners and boxes."""
    if size is None:
        size = SCENE_SIZES[int(rng.integers(len(SCENE_SIZES)))]
    w, h = int(size[0]), int(size[1])
    if n_plates is None:
        n_plates = int(rng.choice([0, 1, 2, 3], p=[0.12, 0.63, 0.17, 0.08]))
    slots: list = []
    if rng.random() < 0.5:
        img = photo_background(rng, (w, h))
    else:
        img, slots = street_background(rng, (w, h))
    signs = [_draw_distractor(img, rng) for _ in range(int(rng.integers(0, 4)))]
    hi = WIDTH_RANGE[1] if n_plates <= 1 else min(WIDTH_RANGE[1], 0.9 / n_plates)
    quads: list[np.ndarray] = []
    plates: list[Plate] = []
    order = list(rng.permutation(len(slots))) if slots else []
    for _ in range(n_plates):
        for _attempt in range(20):
            width_px = _width_fraction(rng, WIDTH_RANGE[0], hi) * w
            text = random_full_plate_text(rng)
            plate_img = render_plate(text, rng, height=int(np.clip(width_px / 2 * 1.5, 24, 200)))
            aspect = plate_img.width / plate_img.height
            centre = None
            if order and rng.random() < 0.8:
                cx, cy, _cw = slots[order[len(plates) % len(order)]]
                centre = (cx + rng.normal(0, 0.02 * w), cy)
            quad = plate_quad(rng, (w, h), width_px, aspect, centre)
            if not _overlaps(quad, quads):
                break
        else:
            continue
        if rng.random() < 0.25:
            plate_img = _dirty(plate_img, rng)
        _paste_plate(img, plate_img, quad)
        quads.append(quad)
        x1, y1 = np.floor(quad.min(axis=0)).astype(int)
        x2, y2 = np.ceil(quad.max(axis=0)).astype(int)
        box = (max(int(x1), 0), max(int(y1), 0), min(int(x2), w), min(int(y2), h))
        plates.append(Plate(text, quad.astype(np.float32), box))
    return Scene(degrade(img, rng), plates, [b for b in signs if b is not None])


def label_rows(name: str, scene: Scene) -> list[list[object]]:
    """The ``labels.csv`` rows of one photo (one per plate, or one empty row when it has none)."""
    w, h = scene.image.size
    if not scene.plates:
        return [[name, w, h] + [""] * (len(LABEL_COLUMNS) - 3)]
    rows = []
    for p in scene.plates:
        x1, y1, x2, y2 = p.box
        quad = [round(float(v), 6) for xy in p.quad for v in (xy[0] / w, xy[1] / h)]
        rows.append([name, w, h, round(x1 / w, 6), round(y1 / h, 6), round(x2 / w, 6), round(y2 / h, 6),
                     p.text, *quad])  # fmt: skip
    return rows


def write_scenes(
    out_dir: str | os.PathLike[str],
    n: int,
    seed: int = 0,
    size: tuple[int, int] | None = None,
    progress: Callable[[int], None] | None = None,
    start: int = 0,
) -> Path:
    """Write ``n`` scenes as JPEGs (quality 95, after the scene's own JPEG pass) plus ``labels.csv``.

    Photo ``i`` depends only on ``(seed, i)``. ``dataset.json`` records the recipe. Returns the CSV path.
    """
    from edgesmith.datasets.files import atomic_write

    if n < 1:
        raise ValueError(f"n must be at least 1, got {n}")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    rows: list[list[object]] = []
    for i in range(start, start + n):
        scene = generate_scene(np.random.default_rng([seed, i]), size)
        name = f"scene_{seed}_{i:06d}.jpg"
        scene.image.save(out / name, quality=95)
        rows += label_rows(name, scene)
        if progress is not None:
            progress(i - start + 1)
    csv_path = out / "labels.csv"
    with atomic_write(csv_path, "w") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(LABEL_COLUMNS)
        writer.writerows(rows)
    csv_path.chmod(0o644)  # the atomic write's temporary file is private; a label file is for everyone
    recipe = {"generator": "edgesmith.datasets.plate_scenes", "seed": seed, "n": n, "start": start,
              "size": list(size) if size else "random", "width_range": list(WIDTH_RANGE)}  # fmt: skip
    (out / "dataset.json").write_text(json.dumps(recipe, indent=2) + "\n")
    return csv_path


@dataclasses.dataclass
class LabelledPhoto:
    """One photo of a labelled folder: its path, size and plates (boxes/quads in pixels of that size)."""

    path: Path
    width: int
    height: int
    plates: list[Plate]


def read_labels(folder: str | os.PathLike[str]) -> list[LabelledPhoto]:
    """The photos of a labelled folder (``labels.csv`` in :data:`LABEL_COLUMNS` format), in file order."""
    from edgesmith.datasets.errors import DatasetError

    root = Path(folder)
    csv_path = root / "labels.csv" if root.is_dir() else root
    if not csv_path.is_file():
        raise DatasetError(f"{csv_path}: no labels.csv; write one with edgesmith.datasets.plate_scenes")
    photos: dict[str, LabelledPhoto] = {}
    with csv_path.open(newline="", encoding="utf-8-sig") as fh:
        reader = csv.DictReader(fh)
        missing = set(LABEL_COLUMNS) - set(reader.fieldnames or ())
        if missing:
            raise DatasetError(
                f"{csv_path}: missing columns {sorted(missing)}; header must be {','.join(LABEL_COLUMNS)}"
            )
        for lineno, row in enumerate(reader, start=2):
            try:
                w, h = int(row["width"]), int(row["height"])
                photo = photos.setdefault(row["name"], LabelledPhoto(csv_path.parent / row["name"], w, h, []))
                if not (row["x1"] or "").strip():
                    continue
                x1, y1, x2, y2 = (float(row[k]) for k in ("x1", "y1", "x2", "y2"))
                if (row.get("qx1") or "").strip():
                    corners = [[float(row[f"qx{i}"]) * w, float(row[f"qy{i}"]) * h] for i in range(1, 5)]
                else:
                    corners = [[x1 * w, y1 * h], [x2 * w, y1 * h], [x2 * w, y2 * h], [x1 * w, y2 * h]]
                quad = np.array(corners, np.float32)
            except (TypeError, ValueError) as exc:
                raise DatasetError(f"{csv_path} line {lineno}: unreadable number ({exc})") from exc
            box = (round(x1 * w), round(y1 * h), round(x2 * w), round(y2 * h))
            photo.plates.append(Plate((row["plate"] or "").strip(), quad, box))
    if not photos:
        raise DatasetError(f"{csv_path} lists no photos")
    return list(photos.values())


__all__ = [
    "LABEL_COLUMNS",
    "SCENE_SIZES",
    "WIDTH_RANGE",
    "LabelledPhoto",
    "Plate",
    "Scene",
    "degrade",
    "generate_scene",
    "label_rows",
    "photo_background",
    "plate_quad",
    "random_full_plate_text",
    "read_labels",
    "street_background",
    "write_scenes",
]
