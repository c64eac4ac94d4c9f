"""The held-out camera: projects a flat plate through yaw/pitch/roll onto the photo, then degrades the
whole photo (light, shadow, glare, motion or defocus blur, sensor noise) and encodes it (JPEG or PNG)."""

from __future__ import annotations

import io

import cv2
import numpy as np
from PIL import Image


def plate_quad(
    centre, width_px: float, aspect: float, yaw: float, pitch: float, roll: float, depth: float
) -> np.ndarray:
    """Corners TL, TR, BR, BL (4×2 float pixels) of a plate seen by a pinhole camera.

    The plate (``width_px`` wide when seen face-on) turns by ``yaw``/``pitch``/``roll`` degrees about its
    centre at ``depth`` plate widths from the camera; near plates (small depth) show stronger perspective.
    """
    half_w, half_h = 0.5, 0.5 / aspect
    corners = np.array(
        [[-half_w, -half_h, 0], [half_w, -half_h, 0], [half_w, half_h, 0], [-half_w, half_h, 0]]
    )
    y, p, r = np.radians([yaw, pitch, roll])
    ry = np.array([[np.cos(y), 0, np.sin(y)], [0, 1, 0], [-np.sin(y), 0, np.cos(y)]])
    rx = np.array([[1, 0, 0], [0, np.cos(p), -np.sin(p)], [0, np.sin(p), np.cos(p)]])
    rz = np.array([[np.cos(r), -np.sin(r), 0], [np.sin(r), np.cos(r), 0], [0, 0, 1]])
    pts = corners @ (rz @ rx @ ry).T
    z = depth + pts[:, 2]
    proj = pts[:, :2] * (depth / z)[:, None]
    return proj * width_px + np.asarray(centre, float)


def paste_plate(photo: np.ndarray, plate_rgba: np.ndarray, quad: np.ndarray) -> None:
    """Warp the RGBA plate onto ``photo`` (float32 RGB, in place) so its corners land on ``quad``."""
    h, w = photo.shape[:2]
    side = max(np.linalg.norm(quad[1] - quad[0]), np.linalg.norm(quad[2] - quad[3]))
    ph, pw = plate_rgba.shape[:2]
    target_w = int(np.clip(side * 1.5, 16, pw))
    if target_w < pw:  # shrink with area filtering first, or the warp aliases the characters away
        plate_rgba = cv2.resize(
            plate_rgba, (target_w, max(4, round(ph * target_w / pw))), interpolation=cv2.INTER_AREA
        )
    ph, pw = plate_rgba.shape[:2]
    x0, y0 = np.maximum(np.floor(quad.min(axis=0)).astype(int) - 2, 0)
    x1, y1 = np.minimum(np.ceil(quad.max(axis=0)).astype(int) + 3, [w, h])
    if x0 >= x1 or y0 >= y1:
        return
    src = np.array([[0, 0], [pw, 0], [pw, ph], [0, ph]], np.float32)
    m = cv2.getPerspectiveTransform(src, (quad - [x0, y0]).astype(np.float32))
    warped = cv2.warpPerspective(
        plate_rgba.astype(np.float32),
        m,
        (int(x1 - x0), int(y1 - y0)),
        flags=cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_CONSTANT,
        borderValue=0,
    )
    a = warped[..., 3:4] / 255.0
    region = photo[y0:y1, x0:x1]
    region[:] = region * (1 - a) + warped[..., :3] * a


def holder(photo: np.ndarray, quad: np.ndarray, grow: float, colour) -> None:
    """A dark plate holder (frame) slightly larger than the plate, drawn before the plate."""
    c = quad.mean(axis=0)
    cv2.fillPoly(photo, [np.round(c + (quad - c) * (1 + grow)).astype(np.int32)], colour, cv2.LINE_AA)


def lighting(rng: np.random.Generator, photo: np.ndarray, low_light: bool) -> np.ndarray:
    """Exposure, gamma and colour cast; ``low_light`` darkens the photo to a fraction of its level."""
    gain = rng.uniform(0.22, 0.45) if low_light else rng.uniform(0.75, 1.2)
    gamma = rng.uniform(0.8, 1.25)
    cast = 1 + rng.uniform(-0.08, 0.08, 3)
    scale = (np.float32(255 * gain) * cast).astype(np.float32)
    return np.power(np.clip(photo, 0, 255) * np.float32(1 / 255), np.float32(gamma)) * scale


def shadow(rng: np.random.Generator, photo: np.ndarray) -> None:
    """A soft-edged shadow (a random quadrilateral) over part of the photo, in place."""
    h, w = photo.shape[:2]
    mask = np.zeros((h, w), np.float32)
    pts = np.stack([rng.uniform(-0.2, 1.2, 4) * w, rng.uniform(-0.2, 1.2, 4) * h], axis=1)
    cv2.fillConvexPoly(mask, cv2.convexHull(pts.astype(np.int32)), 1.0)
    mask = cv2.GaussianBlur(mask, (0, 0), max(1.0, w / 150))
    photo *= (1 - mask * rng.uniform(0.3, 0.6))[..., None]


def glare(rng: np.random.Generator, photo: np.ndarray, near, radius: float) -> None:
    """A bright sun/headlight reflection near ``near`` (x, y), ``radius`` pixels wide, in place."""
    h, w = photo.shape[:2]
    cx, cy = np.asarray(near) + rng.uniform(-1, 1, 2) * radius
    yy, xx = np.mgrid[0:h, 0:w]
    blob = np.exp(-(((xx - cx) ** 2 + (yy - cy) ** 2) / (2 * radius**2))).astype(np.float32)
    photo += (blob * rng.uniform(70, 150))[..., None]


def blur(rng: np.random.Generator, photo: np.ndarray, plate_px: float) -> np.ndarray:
    """Motion or defocus blur, scaled to the smallest plate so that its characters stay legible."""
    kind = rng.random()
    if kind < 0.45:
        length = max(2, round(rng.uniform(0.01, 0.035) * plate_px + 1))
        kernel = np.zeros((length, length), np.float32)
        kernel[length // 2, :] = 1
        rot = cv2.getRotationMatrix2D((length / 2 - 0.5, length / 2 - 0.5), rng.uniform(0, 180), 1)
        kernel = cv2.warpAffine(kernel, rot, (length, length))
        kernel /= max(kernel.sum(), 1e-6)
        return cv2.filter2D(photo, -1, kernel)
    radius = rng.uniform(0.4, max(0.5, 0.012 * plate_px))
    size = 2 * int(np.ceil(radius)) + 1
    yy, xx = np.mgrid[:size, :size] - size // 2
    disk = ((xx**2 + yy**2) <= radius**2 + 0.5).astype(np.float32)
    return cv2.filter2D(photo, -1, disk / disk.sum())


def noise(rng: np.random.Generator, photo: np.ndarray, strong: bool) -> np.ndarray:
    """Sensor noise: shot-like (grows with brightness) plus read noise; stronger in low light."""
    sigma = rng.uniform(3, 9) if strong else rng.uniform(0.5, 4)
    shot = np.sqrt(np.clip(photo, 0, 255) * np.float32(1 / 255))
    return photo + rng.standard_normal(photo.shape, dtype=np.float32) * np.float32(sigma) * (0.5 + shot)


def encode(rng: np.random.Generator, photo: np.ndarray) -> tuple[bytes, str, int | None]:
    """The photo as file bytes: JPEG (quality 30-95, skewed to phone-like 70-92) or, at times, PNG."""
    img = Image.fromarray(np.clip(photo + 0.5, 0, 255).astype(np.uint8), "RGB")
    buf = io.BytesIO()
    if rng.random() < 0.08:
        img.save(buf, format="PNG")
        return buf.getvalue(), ".png", None
    quality = round(30 + 65 * rng.beta(3.0, 1.4))
    img.save(buf, format="JPEG", quality=quality)
    return buf.getvalue(), ".jpg", quality
