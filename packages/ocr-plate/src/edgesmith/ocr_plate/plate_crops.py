"""Loose plate crops as a detector hands them over, with the plate's true corners (seeded).

Every source cuts the same way (:func:`loose_crop`): the plate's bounding box is disturbed like a
detector's (size ±10 %, position ±8 % of the box), grown by :data:`CROP_MARGIN` per side and cut, so a
reader sees what the plate-reader app gives it. The sources:

* ``street`` — photos of edgesmith.datasets.plate_scenes (street scenes, plates 8–80 % of the width,
  ±30° yaw, ±15° pitch, ±10° roll, camera damage); one crop per plate wide enough to read.
* ``synth`` — fast (~2 ms) crop-level rendering: a ``render_plate`` plate projected with a random
  yaw/pitch/roll onto a patch of a bundled photo, degraded (lighting, blur, noise, JPEG).
* ``scene`` — the plate study's one-plate ``compose_scene`` photos (the old crop set, for comparison).

:func:`negative_crops` cuts the same way around what is *not* a plate (signs, stickers, plate-shaped
windows of plate-free street photos): a reader must refuse them, and the thresholds are chosen so it does.

Needs the ``edgesmith-datasets`` distribution (the ``train`` extra); the readers do not.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import cv2
import numpy as np

from edgesmith.ocr_plate.preprocess import crop_box
from edgesmith.ocr_plate.rectify import CROP_MARGIN

SOURCES = ("street", "synth", "scene")
MIN_PLATE_WIDTH = 40
"""Plates narrower than this (pixels) in a street photo are not cut: too few pixels per character."""


def _plate_synth() -> ModuleType:
    """Import the plate generator lazily, naming the extra to install when it is absent."""
    try:
        from edgesmith.datasets import plate_synth
    except ImportError as exc:
        raise ImportError(
            "edgesmith.datasets.plate_synth is needed to generate plate crops: "
            "pip install 'edgesmith-ocr-plate[train]'"
        ) from exc
    return plate_synth


def detector_jitter(
    box: np.ndarray,
    rng: np.random.Generator,
    sigma: float = 0.04,
    limits: tuple[float, float] = (-0.06, 0.14),
) -> np.ndarray:
    """Move each box edge by N(0, ``sigma``) × box size, clipped to ``limits`` (negative cuts in)."""
    x1, y1, x2, y2 = (float(v) for v in box)
    bw, bh = x2 - x1, y2 - y1
    grow = np.clip(rng.normal(0.0, sigma, size=4), *limits)
    out = np.array([x1 - grow[0] * bw, y1 - grow[1] * bh, x2 + grow[2] * bw, y2 + grow[3] * bh])
    return np.clip(out, 0.0, 1.0).astype(np.float32)


def _degrade(img: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Camera effects on a uint8 RGB array: uneven lighting, blur, sensor noise, JPEG artifacts."""
    h, w = img.shape[:2]
    arr = img.astype(np.float32)
    gx, gy = rng.uniform(-0.5, 0.5, size=2)
    ramp = (1 + gx * (np.arange(w, dtype=np.float32) / w - 0.5))[None, :] * (
        1 + gy * (np.arange(h, dtype=np.float32) / h - 0.5)
    )[:, None]
    arr = arr * (rng.uniform(0.55, 1.3) * ramp)[..., None] + rng.uniform(-25, 25)
    arr += rng.standard_normal(size=arr.shape, dtype=np.float32) * np.float32(rng.uniform(0, 10))
    out = np.clip(arr, 0, 255).astype(np.uint8)
    sigma = rng.uniform(0, 1.6) * w / 180
    if sigma > 0.25:
        out = cv2.GaussianBlur(out, (0, 0), sigma)
    ok, buf = cv2.imencode(".jpg", out, [cv2.IMWRITE_JPEG_QUALITY, int(rng.integers(25, 96))])
    return cv2.imdecode(buf, cv2.IMREAD_UNCHANGED) if ok else out


def loose_crop(
    image: np.ndarray,
    quad: np.ndarray,
    rng: np.random.Generator,
    margin: float = CROP_MARGIN,
    size_noise: float = 0.10,
    shift_noise: float = 0.08,
) -> tuple[np.ndarray, np.ndarray]:
    """Cut ``image`` around ``quad`` as a detector would: ``(crop, quad in crop pixels)``.

    The quad's bounding box is scaled by 1 ± ``size_noise`` and shifted by ± ``shift_noise`` of its size
    (uniform, per axis), then grown by ``margin`` on each side and clipped to the image.
    """
    h, w = image.shape[:2]
    q = np.asarray(quad, np.float32)
    (x1, y1), (x2, y2) = q.min(axis=0), q.max(axis=0)
    bw, bh = x2 - x1, y2 - y1
    cx = (x1 + x2) / 2 + rng.uniform(-shift_noise, shift_noise) * bw
    cy = (y1 + y2) / 2 + rng.uniform(-shift_noise, shift_noise) * bh
    bw *= 1 + rng.uniform(-size_noise, size_noise)
    bh *= 1 + rng.uniform(-size_noise, size_noise)
    half_w, half_h = bw * (0.5 + margin), bh * (0.5 + margin)
    left, top = int(max(0, np.floor(cx - half_w))), int(max(0, np.floor(cy - half_h)))
    right, bottom = int(min(w, np.ceil(cx + half_w))), int(min(h, np.ceil(cy + half_h)))
    if right - left < 4 or bottom - top < 4:
        raise ValueError(f"plate at {q.tolist()} lies outside the {w}x{h} image")
    return image[top:bottom, left:right].copy(), q - np.array([left, top], np.float32)


def projected_quad(
    rng: np.random.Generator,
    width_px: float,
    aspect: float = 2.0,
    yaw: float = 30,
    pitch: float = 15,
    roll: float = 10,
) -> np.ndarray:
    """Corners TL, TR, BR, BL (origin at their minimum) of a plate ``width_px`` wide under a random pose.

    A pinhole view of the plate rectangle turned by up to ``yaw``/``pitch``/``roll`` degrees.
    """
    a, b, c = (np.deg2rad(rng.uniform(-v, v)) for v in (yaw, pitch, roll))
    pts = np.array([[-1, -1 / aspect, 0], [1, -1 / aspect, 0], [1, 1 / aspect, 0], [-1, 1 / aspect, 0]])
    ry = np.array([[np.cos(a), 0, np.sin(a)], [0, 1, 0], [-np.sin(a), 0, np.cos(a)]])
    rx = np.array([[1, 0, 0], [0, np.cos(b), -np.sin(b)], [0, np.sin(b), np.cos(b)]])
    rz = np.array([[np.cos(c), -np.sin(c), 0], [np.sin(c), np.cos(c), 0], [0, 0, 1]])
    pts = pts @ (rz @ rx @ ry).T
    quad = pts[:, :2] / (rng.uniform(3.0, 8.0) + pts[:, 2:3])
    quad *= width_px / max(float(np.ptp(quad[:, 0])), 1e-6)
    return (quad - quad.min(axis=0)).astype(np.float32)


def synth_crop(rng: np.random.Generator, text: str | None = None) -> tuple[np.ndarray, np.ndarray, str]:
    """One fast loose crop ``(uint8 RGB, quad in crop pixels, text)``: a posed plate on a photo patch."""
    ps = _plate_synth()
    text = text or ps.random_plate_text(rng)
    width_px = float(np.exp(rng.uniform(np.log(48), np.log(300))))
    plate = np.asarray(ps.render_plate(text, rng, height=int(np.clip(width_px / 2 * 1.4, 24, 200))))
    ph, pw = plate.shape[:2]
    quad = projected_quad(rng, width_px, aspect=pw / ph)
    span = quad.max(axis=0)
    size = (int(span[0] * 1.8) + 8, int(span[1] * 2.2) + 8)
    room = np.array(size, np.float32) - span
    quad += (rng.uniform(0.2, 0.8, size=2) * room).astype(np.float32)
    scene = np.array(ps.random_background(rng, size))
    src = np.array([[0, 0], [pw, 0], [pw, ph], [0, ph]], np.float32)
    matrix = cv2.getPerspectiveTransform(src, quad)
    warped = cv2.warpPerspective(plate, matrix, size, flags=cv2.INTER_LINEAR)
    mask = cv2.warpPerspective(np.full((ph, pw), 255, np.uint8), matrix, size, flags=cv2.INTER_LINEAR)
    alpha = (mask.astype(np.float32) / 255.0)[..., None]
    scene = (warped * alpha + scene * (1 - alpha)).astype(np.uint8)
    crop, crop_quad = loose_crop(scene, quad, rng)
    # degrading the cut rather than the whole canvas is the same to the reader and cheaper
    return _degrade(crop, rng), crop_quad, text


def street_crops(rng: np.random.Generator) -> list[tuple[np.ndarray, np.ndarray, str]]:
    """Loose crops of every readable-size plate of one plate_scenes street photo (maybe none)."""
    try:
        from edgesmith.datasets.plate_scenes import generate_scene
    except ImportError as exc:
        raise ImportError(
            "edgesmith.datasets.plate_scenes is needed for street crops: "
            "pip install 'edgesmith-ocr-plate[train]'"
        ) from exc
    scene = generate_scene(rng)
    image = np.asarray(scene.image.convert("RGB"))
    out = []
    for plate in scene.plates:
        if float(np.ptp(plate.quad[:, 0])) < MIN_PLATE_WIDTH:
            continue
        crop, quad = loose_crop(image, plate.quad, rng)
        out.append((crop, quad, plate.text))
    return out


def _box_quad(box: tuple[float, float, float, float]) -> np.ndarray:
    x1, y1, x2, y2 = box
    return np.array([[x1, y1], [x2, y1], [x2, y2], [x1, y2]], np.float32)


def negative_crops(n: int, seed: int, progress: Callable[[int], None] | None = None) -> list[np.ndarray]:
    """``n`` seeded loose crops of no plate, cut as a detector's false alarms would be: around each sign
    or sticker of a plate-free plate_scenes photo, and one plate-shaped window (2-4.5:1, 8-60 % of the
    width) anywhere in it. Draw ``i`` depends only on ``(seed, i)``."""
    from edgesmith.datasets.plate_scenes import generate_scene

    crops: list[np.ndarray] = []
    i = 0
    while len(crops) < n:
        rng = np.random.default_rng([seed, i])
        i += 1
        scene = generate_scene(rng, n_plates=0)
        image = np.asarray(scene.image.convert("RGB"))
        h, w = image.shape[:2]
        bw = w * rng.uniform(0.08, 0.6)
        bh = min(bw / rng.uniform(2.0, 4.5), h * 0.9)
        x, y = rng.uniform(0, w - bw), rng.uniform(0, h - bh)
        for box in [*scene.distractors, (x, y, x + bw, y + bh)][: n - len(crops)]:
            crop, _ = loose_crop(image, _box_quad(box), rng)
            crops.append(crop)
        if progress is not None:
            progress(len(crops))
    return crops


def scene_crop(
    rng: np.random.Generator, text: str | None = None, margin: float = CROP_MARGIN
) -> tuple[np.ndarray, str]:
    """A crop of the old one-plate photos ``(uint8 RGB, text)``: jittered box grown by ``margin``."""
    ps = _plate_synth()
    scene, box, text = ps.compose_scene(rng, text=text)
    return crop_box(np.asarray(scene), detector_jitter(box, rng), margin=margin), text


def folder_crops(
    folder: str | os.PathLike[str], seed: int = 0, n: int | None = None
) -> tuple[list[np.ndarray], list[str]]:
    """Loose crops of the labelled plates of a photo folder (``labels.csv`` with normalised quads, the
    format plate-reader's ``bench --data`` reads), cut with seeded detector-like noise; ``n`` caps them."""
    import csv

    from PIL import Image

    root = Path(folder)
    labels = root / "labels.csv"
    if not labels.is_file():
        raise ValueError(f"{labels}: no such file; a labelled photo folder holds labels.csv and the photos")
    with labels.open(newline="") as fh:
        rows = [r for r in csv.DictReader(fh) if (r.get("plate") or "").strip()]
    crops, texts = [], []
    for i, row in enumerate(rows[: n if n is not None else len(rows)]):
        with Image.open(root / row["name"]) as im:
            image = np.asarray(im.convert("RGB"))
        h, w = image.shape[:2]
        quad = np.array(
            [[float(row[f"qx{k}"]) * w, float(row[f"qy{k}"]) * h] for k in range(1, 5)], np.float32
        )
        crop, _ = loose_crop(image, quad, np.random.default_rng([seed, i]))
        crops.append(crop)
        texts.append(row["plate"].strip())
    return crops, texts


def crop_set(
    n: int,
    seed: int,
    source: str = "street",
    progress: Callable[[int], None] | None = None,
    margin: float = CROP_MARGIN,
    with_quads: bool = False,
) -> tuple[list[np.ndarray], list[str]] | tuple[list[np.ndarray], list[str], list[np.ndarray | None]]:
    """``n`` seeded loose crops and their texts (and true quads with ``with_quads``; ``None`` for ``scene``).

    Crops of draw ``i`` depend only on ``(seed, i)``; a street photo may give several crops or none.
    ``margin`` applies to the ``scene`` source (the others cut with :data:`CROP_MARGIN`).
    """
    if source not in SOURCES:
        raise ValueError(f"unknown crop source {source!r}; use one of {', '.join(SOURCES)}")
    crops: list[np.ndarray] = []
    texts: list[str] = []
    quads: list[np.ndarray | None] = []
    i = 0
    while len(crops) < n:
        rng = np.random.default_rng([seed, i])
        i += 1
        if source == "scene":
            crop, text = scene_crop(rng, margin=margin)
            items = [(crop, None, text)]
        elif source == "synth":
            items = [synth_crop(rng)]
        else:
            items = street_crops(rng)
        for crop, quad, text in items[: n - len(crops)]:
            crops.append(crop)
            texts.append(text)
            quads.append(quad)
        if progress is not None:
            progress(len(crops))
    return (crops, texts, quads) if with_quads else (crops, texts)


__all__ = [
    "MIN_PLATE_WIDTH",
    "SOURCES",
    "crop_set",
    "detector_jitter",
    "folder_crops",
    "loose_crop",
    "negative_crops",
    "projected_quad",
    "scene_crop",
    "street_crops",
    "synth_crop",
]
