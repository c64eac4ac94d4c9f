"""One held-out photo: a street or a real photograph, 0-2 cars with Costa Rican plates, distractor text,
camera effects; returns the encoded photo and each plate's text, corner quad and box."""

from __future__ import annotations

import dataclasses

import numpy as np

from . import camera, street
from .fonts import Face
from .plate_art import draw_plate
from .plate_text import random_plate

WIDTHS = (480, 640, 720, 800, 960, 1024, 1280)
ASPECTS = (4 / 3, 4 / 3, 3 / 2, 16 / 9, 1.0, 3 / 4, 9 / 16)
MIN_PLATE_PX = 56  # narrower plates are photographed with a larger photo (phones shoot 12 MP)
MAX_WIDTH = 1280
P_TWO = 0.12
EMPTY_EVERY = 7  # photo i has no plate when i % 7 == 3: 14 % of any run of photos


@dataclasses.dataclass
class HeldoutPlate:
    """A plate in a photo: canonical text, corners TL, TR, BR, BL (pixels) and clipped bounding box."""

    text: str
    quad: np.ndarray
    box: tuple[int, int, int, int]


@dataclasses.dataclass
class HeldoutPhoto:
    """An encoded photo (``data`` in format ``ext``) and its plates."""

    data: bytes
    ext: str
    width: int
    height: int
    plates: list[HeldoutPlate]
    quality: int | None


def plate_fraction(rng: np.random.Generator) -> float:
    """Plate width / photo width: mostly a car a few metres away, sometimes far, sometimes a close-up."""
    r = rng.random()
    if r < 0.45:
        return float(np.exp(rng.uniform(np.log(0.08), np.log(0.2))))
    if r < 0.8:
        return float(rng.uniform(0.2, 0.45))
    return float(rng.uniform(0.45, 0.8))


def _angles(rng: np.random.Generator) -> tuple[float, float, float]:
    yaw = float(np.clip(rng.normal(0, 13), -30, 30))
    pitch = float(np.clip(rng.normal(-3, 6), -15, 15))
    roll = float(np.clip(rng.normal(0, 4), -10, 10))
    return yaw, pitch, roll


def _box(quad: np.ndarray, w: int, h: int) -> tuple[int, int, int, int]:
    x1, y1 = np.floor(quad.min(axis=0)).astype(int)
    x2, y2 = np.ceil(quad.max(axis=0)).astype(int)
    return int(max(0, x1)), int(max(0, y1)), int(min(w, x2)), int(min(h, y2))


def make_photo(rng: np.random.Generator, faces: list[Face], empty: bool = False) -> HeldoutPhoto:
    """Draw one photo from ``rng`` (same generator state, same photo); ``empty``: a photo with no plate."""
    n_plates = 0 if empty else (2 if rng.random() < P_TWO else 1)
    if n_plates == 2:
        fractions = sorted(float(rng.uniform(0.08, 0.14)) for _ in range(2))
    else:
        fractions = [plate_fraction(rng)] if n_plates else []
    width = int(rng.choice(WIDTHS))
    if fractions:
        width = int(min(MAX_WIDTH, max(width, np.ceil(MIN_PLATE_PX / min(fractions)))))
        fractions = [max(f, MIN_PLATE_PX / width) for f in fractions]
    aspect = float(rng.choice(ASPECTS))
    height = round(width / aspect)
    if fractions:  # a close-up plate in a wide frame: make the frame tall enough to hold it tilted
        height = max(height, int(np.ceil(0.95 * max(fractions) * width)))
    size = (width, height)

    ttf = [f for f in faces if f.path is not None]
    hershey = [f for f in faces if f.hershey is not None]

    def face() -> Face:
        pool = hershey if (hershey and rng.random() < 0.22) else ttf
        return pool[int(rng.integers(len(pool)))]

    # Place the plates first (far cars before near ones), so the road can meet the cars' wheels.
    placements = []  # (centre, plate width, roll, yaw, quad)
    for frac in fractions:
        pw = frac * width
        for _ in range(40):
            yaw, pitch, roll = _angles(rng)
            depth = float(rng.uniform(2.5, 9.0))
            aspect_p = float(rng.uniform(1.95, 2.08))
            cx = float(rng.uniform(0.55 * pw, width - 0.55 * pw))
            cy = float(rng.uniform(0.4 * pw, height - 0.4 * pw))
            quad = camera.plate_quad((cx, cy), pw, aspect_p, yaw, pitch, roll, depth)
            inside = quad.min() >= 2 and (quad[:, 0].max() <= width - 2) and (quad[:, 1].max() <= height - 2)
            clear = all(abs(cx - c[0]) > 3.3 * pw + 0.6 * ow for c, ow, *_ in placements)
            if inside and clear:
                placements.append(((cx, cy), pw, roll, yaw, quad))
                break

    horizon = float(rng.uniform(0.3, 0.65))
    if placements:  # the kerb a little above the lowest wheels, or the cars float
        wheels = max(c[1] + 1.6 * pw for c, pw, *_ in placements)
        horizon = float(np.clip((wheels - rng.uniform(1.0, 3.0) * placements[0][1]) / height, 0.08, 0.9))
    if rng.random() < 0.4:
        img = street.photo_background(rng, size)
        signs_area = (0, 0, width, height)
        n_signs = int(rng.random() < 0.35)
    else:
        img = street.street_background(rng, size, horizon)
        signs_area = (0, 0, width, int(height * horizon))
        n_signs = int(rng.integers(0, 4))
    if n_plates == 0:
        n_signs = max(n_signs, int(rng.random() < 0.6))
    for _ in range(n_signs):
        street.draw_sign(rng, img, face(), signs_area)

    plates: list[HeldoutPlate] = []
    for centre, pw, roll, yaw, quad in placements:
        sticker = face() if rng.random() < 0.3 else None
        street.draw_car(rng, img, centre, pw, roll, yaw, sticker)
        camera.holder(
            img, quad, float(rng.uniform(0.04, 0.12)), tuple(float(v) for v in rng.uniform(5, 45, 3))
        )
        text = random_plate(rng)
        camera.paste_plate(img, draw_plate(rng, text, face(), face()), quad)
        plates.append(HeldoutPlate(text=text, quad=quad, box=_box(quad, width, height)))
    if n_plates == 0 and rng.random() < 0.5:  # a car without a plate (bumper, stickers, lights)
        pw = float(rng.uniform(0.08, 0.3)) * width
        cx, cy = float(rng.uniform(0, width)), float(rng.uniform(0.3, 0.9)) * height
        street.draw_car(rng, img, (cx, cy), pw, float(rng.normal(0, 4)), float(rng.normal(0, 12)), face())

    low_light = rng.random() < 0.15
    img = camera.lighting(rng, img, low_light)
    if rng.random() < 0.25:
        camera.shadow(rng, img)
    if plates and rng.random() < 0.12:
        target = plates[int(rng.integers(len(plates)))]
        camera.glare(
            rng, img, target.quad.mean(axis=0), (target.box[2] - target.box[0]) * rng.uniform(0.25, 0.5)
        )
    smallest = min((p.box[2] - p.box[0] for p in plates), default=width * 0.2)
    if rng.random() < 0.45:
        img = camera.blur(rng, img, smallest)
    img = camera.noise(rng, img, low_light)
    data, ext, quality = camera.encode(rng, img)
    return HeldoutPhoto(data=data, ext=ext, width=width, height=height, plates=plates, quality=quality)
