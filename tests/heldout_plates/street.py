"""Backgrounds of the held-out photos: drawn streets (sky, buildings, road) or real photographs, cars seen
from behind or in front, and distractor text (shop signs, stickers, house numbers) that is not a plate."""

from __future__ import annotations

import functools
import importlib.util
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

from .fonts import Face

_PHOTOS = (
    "astronaut",
    "brick",
    "chelsea",
    "coffee",
    "grass",
    "gravel",
    "motorcycle_left",
    "motorcycle_right",
    "rocket",
    "camera",
    "page",
    "text",
    "hubble_deep_field",
    "retina",
)
_SIGN_WORDS = (
    "FARMACIA",
    "SODA LA PALMA",
    "PANADERIA",
    "SE VENDE",
    "TEL 2256-7781",
    "ABIERTO",
    "BAR 1990",
    "FERRETERIA",
    "LAVACAR",
    "PULPERIA",
    "SUPER 24H",
    "OPTICA",
    "CAFE",
    "ZAPATERIA",
    "CALLE 5",
    "AVENIDA 2",
    "No 248",
    "LOCAL 12",
    "PARQUEO",
    "BANCO",
)
_STICKER_WORDS = ("4X4", "PURA VIDA", "TURBO", "I LOVE CR", "SPORT", "GUANACASTE", "2.0", "HYBRID")
_PAINT = (
    (180, 20, 25),
    (30, 30, 35),
    (225, 225, 228),
    (150, 155, 160),
    (20, 50, 120),
    (200, 170, 30),
    (40, 90, 50),
    (110, 20, 40),
    (240, 240, 240),
    (90, 60, 40),
)


@functools.lru_cache(maxsize=1)
def _photo_files() -> tuple[Path, ...]:
    """The photographs scikit-image and scikit-learn ship (found without importing them: that is slow)."""
    files: list[Path] = []
    for package, folder, stems in (("skimage", "data", _PHOTOS), ("sklearn", "datasets/images", ("*",))):
        spec = importlib.util.find_spec(package)
        if spec is None or not spec.submodule_search_locations:
            continue
        root = Path(next(iter(spec.submodule_search_locations))) / folder
        files += [p for stem in stems for p in sorted(root.glob(stem + ".*")) if p.suffix in (".png", ".jpg")]
    return tuple(files)


@functools.lru_cache(maxsize=32)
def _load_photo(path: Path) -> np.ndarray:
    return np.asarray(Image.open(path).convert("RGB"))


def photo_background(rng: np.random.Generator, size: tuple[int, int]) -> np.ndarray:
    """A real photograph, cropped at a random scale and place, flipped at times, resized to ``size``."""
    w, h = size
    files = _photo_files()
    src = _load_photo(files[int(rng.integers(len(files)))])
    sh, sw = src.shape[:2]
    zoom = rng.uniform(0.35, 1.0)
    cw = min(sw, sh * w / h) * zoom
    ch = cw * h / w
    x0 = rng.uniform(0, sw - cw)
    y0 = rng.uniform(0, sh - ch)
    crop = src[int(y0) : int(y0 + ch), int(x0) : int(x0 + cw)]
    if rng.random() < 0.5:
        crop = crop[:, ::-1]
    return cv2.resize(np.ascontiguousarray(crop), (w, h), interpolation=cv2.INTER_LINEAR).astype(np.float32)


def street_background(rng: np.random.Generator, size: tuple[int, int], horizon: float) -> np.ndarray:
    """Sky gradient, a row of buildings with windows, a road with lane marks below ``horizon`` (0..1)."""
    w, h = size
    img = np.zeros((h, w, 3), np.float32)
    top = np.array(
        [(90, 140, 210), (170, 180, 190), (230, 150, 90), (40, 50, 90)][int(rng.integers(4))], np.float32
    )
    low = np.clip(top + rng.uniform(30, 80), 0, 255)
    t = np.linspace(0, 1, h)[:, None, None]
    img[:] = top * (1 - t) + low * t
    ground = round(h * horizon)
    x = -int(rng.integers(0, 60))
    while x < w:
        bw = int(rng.uniform(0.12, 0.35) * w)
        bh = int(rng.uniform(0.25, 0.75) * ground) if ground > 10 else 0
        colour = rng.uniform(60, 230, 3)
        cv2.rectangle(img, (x, ground - bh), (x + bw, ground), colour.tolist(), -1)
        _windows(rng, img, (x, ground - bh, x + bw, ground), colour)
        x += bw + int(rng.integers(0, 12))
    road = rng.uniform(70, 120)
    img[ground:] = np.array([road, road, road * 1.02]) + rng.normal(0, 3, (h - ground, w, 1))
    cv2.rectangle(img, (0, ground), (w, ground + max(2, h // 40)), (170, 170, 165), -1)  # kerb
    for lx in range(int(rng.integers(-40, 0)), w, max(20, w // 6)):
        y = ground + (h - ground) * 0.6
        cv2.rectangle(img, (lx, round(y)), (lx + w // 14, round(y + max(2, h // 90))), (230, 230, 200), -1)
    return img


def _windows(rng, img, rect, colour) -> None:
    x0, y0, x1, y1 = rect
    bw, bh = x1 - x0, y1 - y0
    if bw < 20 or bh < 20:
        return
    step_x, step_y = max(8, bw // int(rng.integers(2, 6))), max(8, bh // int(rng.integers(2, 6)))
    glass = np.clip(colour * 0.4 + rng.uniform(20, 90), 0, 255).tolist()
    for wy in range(y0 + step_y // 3, y1 - step_y // 2, step_y):
        for wx in range(x0 + step_x // 4, x1 - step_x // 2, step_x):
            cv2.rectangle(img, (wx, wy), (wx + step_x // 2, wy + step_y // 2), glass, -1)


def draw_sign(rng: np.random.Generator, img: np.ndarray, face: Face, area: tuple[int, int, int, int]) -> None:
    """A shop sign, street name or house number somewhere in ``area`` (x0, y0, x1, y1): text, not a plate."""
    _h, w = img.shape[:2]
    x0, y0, x1, y1 = area
    if x1 - x0 < 30 or y1 - y0 < 12:
        return
    word = _SIGN_WORDS[int(rng.integers(len(_SIGN_WORDS)))]
    sw = int(rng.uniform(0.12, 0.4) * w)
    sh = int(sw * rng.uniform(0.18, 0.4))
    sx = int(rng.integers(x0, max(x0 + 1, x1 - sw)))
    sy = int(rng.integers(y0, max(y0 + 1, y1 - sh)))
    board = rng.uniform(0, 255, 3)
    ink = 255 - board if rng.random() < 0.7 else rng.uniform(0, 255, 3)
    cv2.rectangle(img, (sx, sy), (sx + sw, sy + sh), board.tolist(), -1)
    paint_text(img, face.glyph_mask(word, 64), (sx + sw / 2, sy + sh / 2), (sw * 0.9, sh * 0.7), ink)


def paint_text(img, mask: np.ndarray, centre, box, colour) -> None:
    """Paint a text mask into ``img`` at ``centre``, scaled to fit ``box`` (w, h)."""
    mh, mw = mask.shape
    s = min(box[0] / mw, box[1] / mh)
    tw, th = max(1, round(mw * s)), max(1, round(mh * s))
    glyph = cv2.resize(mask, (tw, th), interpolation=cv2.INTER_AREA)
    x0, y0 = round(centre[0] - tw / 2), round(centre[1] - th / 2)
    h, w = img.shape[:2]
    xa, ya, xb, yb = max(0, x0), max(0, y0), min(w, x0 + tw), min(h, y0 + th)
    if xa >= xb or ya >= yb:
        return
    a = glyph[ya - y0 : yb - y0, xa - x0 : xb - x0, None].astype(np.float32) / 255.0
    img[ya:yb, xa:xb] = img[ya:yb, xa:xb] * (1 - a) + np.asarray(colour, np.float32) * a


def draw_car(
    rng: np.random.Generator,
    img: np.ndarray,
    centre,
    plate_w: float,
    roll_deg: float,
    yaw_deg: float,
    sticker_face: Face | None = None,
) -> None:
    """A car seen from behind or in front, drawn around a plate holder centred at ``centre``.

    Units are plate widths: the car is about 5-6 plates wide and its plate sits low on the bumper, as on a
    real car; the whole car rolls with the plate and narrows with the yaw.
    """
    u = plate_w
    cx, cy = centre
    width = rng.uniform(4.8, 6.3)
    squash = np.cos(np.radians(yaw_deg)) * rng.uniform(0.95, 1.05)
    rear = rng.random() < 0.6
    paint = np.array(_PAINT[int(rng.integers(len(_PAINT)))], np.float32) + rng.uniform(-12, 12, 3)
    dark = paint * 0.55
    ground = rng.uniform(1.45, 1.9)  # plate centre above the ground, in plate widths
    half = width / 2
    roof = -rng.uniform(2.6, 3.2)
    shoulder = -rng.uniform(1.1, 1.5)

    def pts(seq):
        a = np.radians(roll_deg)
        rot = np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]])
        p = np.asarray(seq, float) * [u * squash, u]
        return np.round(p @ rot.T + [cx, cy]).astype(np.int32)

    shift = np.sign(yaw_deg) * (1 - squash) * 3.0
    tyre = (22, 22, 24)
    for sx in (-half + 0.35, half - 1.25):
        cv2.fillPoly(
            img, [pts([(sx, ground - 0.8), (sx + 0.9, ground - 0.8), (sx + 0.9, ground), (sx, ground)])], tyre
        )
    body = [
        (-half, shoulder),
        (half, shoulder),
        (half + 0.05, ground - 0.55),
        (half - 0.2, ground - 0.35),
        (-half + 0.2, ground - 0.35),
        (-half - 0.05, ground - 0.55),
    ]
    cv2.fillPoly(img, [pts(body)], paint.tolist(), cv2.LINE_AA)
    cabin = [
        (-half + 0.55 + shift, roof),
        (half - 0.55 + shift, roof),
        (half - 0.1, shoulder),
        (-half + 0.1, shoulder),
    ]
    cv2.fillPoly(img, [pts(cabin)], paint.tolist(), cv2.LINE_AA)
    glass = np.clip(np.array([60, 75, 90]) + rng.uniform(-20, 40), 0, 255)
    window = [
        (-half + 0.8 + shift, roof + 0.2),
        (half - 0.8 + shift, roof + 0.2),
        (half - 0.4, shoulder - 0.12),
        (-half + 0.4, shoulder - 0.12),
    ]
    cv2.fillPoly(img, [pts(window)], glass.tolist(), cv2.LINE_AA)
    bumper = [(-half - 0.05, 0.55), (half + 0.05, 0.55), (half, ground - 0.4), (-half, ground - 0.4)]
    cv2.fillPoly(img, [pts(bumper)], (dark * 0.8).tolist(), cv2.LINE_AA)
    if rear:
        lamp = (200, 25, 30)
        for side in (-1, 1):
            x0 = side * (half - 0.15)
            x1 = side * (half - rng.uniform(0.9, 1.3))
            cv2.fillPoly(
                img,
                [pts([(x0, shoulder + 0.15), (x1, shoulder + 0.15), (x1, -0.2), (x0, -0.1)])],
                lamp,
                cv2.LINE_AA,
            )
    else:
        grille = [(-1.1, -0.75), (1.1, -0.75), (1.0, -0.35), (-1.0, -0.35)]
        cv2.fillPoly(img, [pts(grille)], (25, 25, 28), cv2.LINE_AA)
        for side in (-1, 1):
            x0, x1 = side * (half - 0.2), side * (half - 1.2)
            cv2.fillPoly(
                img,
                [pts([(x0, shoulder + 0.2), (x1, shoulder + 0.25), (x1, -0.45), (x0, -0.5)])],
                (235, 235, 215),
                cv2.LINE_AA,
            )
    if sticker_face is not None:
        word = _STICKER_WORDS[int(rng.integers(len(_STICKER_WORDS)))]
        spot = pts([(rng.uniform(1.1, half - 0.9) * rng.choice([-1, 1]), rng.uniform(-0.9, -0.4))])[0]
        sw = u * rng.uniform(0.5, 0.9)
        board = rng.uniform(0, 255, 3)
        cv2.rectangle(
            img,
            (round(spot[0] - sw / 2), round(spot[1] - sw * 0.18)),
            (round(spot[0] + sw / 2), round(spot[1] + sw * 0.18)),
            board.tolist(),
            -1,
        )
        paint_text(img, sticker_face.glyph_mask(word, 48), spot, (sw * 0.9, sw * 0.3), 255 - board)


def car_extent(centre, plate_w: float) -> tuple[float, float]:
    """Horizontal span (x0, x1) a car drawn by :func:`draw_car` around this plate can cover, in pixels."""
    return centre[0] - 3.3 * plate_w, centre[0] + 3.3 * plate_w
