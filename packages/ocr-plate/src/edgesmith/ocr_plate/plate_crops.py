"""Plate crops as a detector hands them over, generated from edgesmith.datasets.plate_synth (seeded).

Two sources, deliberately different so evaluation is not a replay of training:

* :func:`synth_crop` — fast (~1 ms) crop-level rendering for training: a plate drawn by
  ``render_plate`` warped (rotation, perspective) onto a patch of a bundled photo, degraded (lighting,
  blur, noise, JPEG), then cut with detector-like box jitter.
* :func:`scene_crop` — the app's real input: a full ``compose_scene`` photo, its box jittered as a
  detector with IoU ≈ 0.9 would give it, cut with :func:`~edgesmith.ocr_plate.preprocess.crop_box`.

Needs the ``edgesmith-datasets`` distribution (the ``train`` extra); the readers do not.
"""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType

import cv2
import numpy as np

from edgesmith.ocr_plate.preprocess import crop_box


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


def synth_crop(rng: np.random.Generator, text: str | None = None) -> tuple[np.ndarray, str]:
    """One training crop ``(uint8 RGB H×W×3, text)``: warped plate on a photo patch, degraded, jitter-cut."""
    ps = _plate_synth()
    text = text or ps.random_plate_text(rng)
    width = int(rng.uniform(110, 420))
    size = (width, int(width * 0.75))
    corners = ps.plate_corners(rng, size, width_range=(0.5, 0.8)).astype(np.float32)
    scene = np.array(ps.random_background(rng, size))
    plate_h = int(np.clip((corners[:, 1].max() - corners[:, 1].min()) * 1.5, 24, 160))
    plate = np.asarray(ps.render_plate(text, rng, height=plate_h))
    ph, pw = plate.shape[:2]
    src = np.array([[0, 0], [pw, 0], [pw, ph], [0, ph]], np.float32)
    matrix = cv2.getPerspectiveTransform(src, corners)
    warped = cv2.warpPerspective(plate, matrix, size, flags=cv2.INTER_LINEAR)
    mask = cv2.warpPerspective(np.full((ph, pw), 255, np.uint8), matrix, size, flags=cv2.INTER_LINEAR)
    alpha = (mask.astype(np.float32) / 255.0)[..., None]
    scene = (warped * alpha + scene * (1 - alpha)).astype(np.uint8)
    x1, y1 = corners.min(axis=0)
    x2, y2 = corners.max(axis=0)
    box = np.array([x1 / size[0], y1 / size[1], x2 / size[0], y2 / size[1]], np.float32)
    # degrading the cut rather than the whole canvas is the same to the reader and 3× cheaper
    return _degrade(crop_box(scene, detector_jitter(box, rng, sigma=0.05), margin=0.0), rng), text


def scene_crop(
    rng: np.random.Generator, text: str | None = None, margin: float = 0.0
) -> tuple[np.ndarray, str]:
    """One evaluation crop ``(uint8 RGB, text)``: a ``compose_scene`` photo cut at a jittered, grown box."""
    ps = _plate_synth()
    scene, box, text = ps.compose_scene(rng, text=text)
    return crop_box(np.asarray(scene), detector_jitter(box, rng), margin=margin), text


def crop_set(
    n: int,
    seed: int,
    source: str = "scene",
    progress: Callable[[int], None] | None = None,
    margin: float = 0.0,
) -> tuple[list[np.ndarray], list[str]]:
    """``n`` seeded crops and texts; crop ``i`` depends only on ``(seed, i)``; ``source``: scene|synth.

    ``margin`` grows scene boxes like an app that pads the detector's box (plate-reader uses 0.06).
    """
    if source not in ("scene", "synth"):
        raise ValueError(f"unknown crop source {source!r}; use 'scene' or 'synth'")
    crops, texts = [], []
    for i in range(n):
        rng = np.random.default_rng([seed, i])
        crop, text = scene_crop(rng, margin=margin) if source == "scene" else synth_crop(rng)
        crops.append(crop)
        texts.append(text)
        if progress is not None:
            progress(i + 1)
    return crops, texts


__all__ = ["crop_set", "detector_jitter", "scene_crop", "synth_crop"]
