"""Plate crop preprocessing with OpenCV: crop from a normalised box, deskew, threshold, upscale.

Tesseract reads clean, axis-aligned, dark-on-white text lines well and fails a few degrees off
axis (SPEC: measured here), so its reader runs the whole chain; the CRNN only needs
:func:`crnn_input` (grey, resized, [0, 1]).
"""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np


def as_rgb_uint8(image: np.ndarray) -> np.ndarray:
    """Check a crop is an H×W×3 (or H×W grey) uint8 image with some pixels, and return it as RGB."""
    arr = np.asarray(image)
    if arr.dtype != np.uint8:
        raise ValueError(
            f"expected a uint8 image, got dtype {arr.dtype}; convert with (x * 255).astype('uint8')"
        )
    if arr.ndim == 2:
        arr = np.repeat(arr[:, :, None], 3, axis=2)
    if arr.ndim != 3 or arr.shape[2] not in (3, 4):
        raise ValueError(f"expected an H×W×3 RGB image, got shape {arr.shape}")
    if arr.shape[0] < 4 or arr.shape[1] < 4:
        raise ValueError(f"crop of shape {arr.shape[:2]} is too small to read; check the detector's box")
    return np.ascontiguousarray(arr[:, :, :3])


def to_gray(image: np.ndarray) -> np.ndarray:
    """RGB (or grey) uint8 → grey uint8."""
    arr = as_rgb_uint8(image)
    return cv2.cvtColor(arr, cv2.COLOR_RGB2GRAY)


def crop_box(image: np.ndarray, box: Sequence[float], margin: float = 0.05) -> np.ndarray:
    """Cut a normalised ``(x1, y1, x2, y2)`` box out of ``image``, grown by ``margin`` × box size.

    The box is clipped to the image; a box with no area (after clipping) raises ``ValueError``.
    """
    arr = np.asarray(image)
    if arr.ndim < 2:
        raise ValueError(f"expected an image array, got shape {arr.shape}")
    if len(box) != 4:
        raise ValueError(f"box must be (x1, y1, x2, y2) normalised to [0, 1], got {box!r}")
    h, w = arr.shape[:2]
    x1, y1, x2, y2 = (float(v) for v in box)
    x1, x2 = sorted((x1, x2))
    y1, y2 = sorted((y1, y2))
    mx, my = (x2 - x1) * margin, (y2 - y1) * margin
    left = int(np.floor(max(0.0, x1 - mx) * w))
    right = int(np.ceil(min(1.0, x2 + mx) * w))
    top = int(np.floor(max(0.0, y1 - my) * h))
    bottom = int(np.ceil(min(1.0, y2 + my) * h))
    if right - left < 2 or bottom - top < 2:
        raise ValueError(
            f"box {tuple(box)} covers no pixels of a {w}×{h} image; expected normalised coordinates"
        )
    return arr[top:bottom, left:right].copy()


def rotate(gray: np.ndarray, angle_deg: float) -> np.ndarray:
    """Rotate about the centre by ``angle_deg`` (counter-clockwise), keeping the size, edges replicated."""
    h, w = gray.shape[:2]
    matrix = cv2.getRotationMatrix2D((w / 2.0, h / 2.0), angle_deg, 1.0)
    return cv2.warpAffine(gray, matrix, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)


def estimate_skew(gray: np.ndarray, max_angle: float = 10.0, step: float = 0.5) -> float:
    """Angle (degrees) making text rows horizontal: the rotation maximising row-profile variance."""
    small = gray
    if gray.shape[1] > 240:  # the profile search is scale-free; a small copy keeps it ~1 ms
        scale = 240.0 / gray.shape[1]
        small = cv2.resize(gray, (240, max(8, round(gray.shape[0] * scale))), interpolation=cv2.INTER_AREA)
    _, ink = cv2.threshold(small, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)
    best_angle, best_score = 0.0, -1.0
    for angle in np.arange(-max_angle, max_angle + 1e-9, step):
        profile = rotate(ink, float(angle)).sum(axis=1, dtype=np.float64)
        score = float(np.var(np.diff(profile)))
        if score > best_score:
            best_angle, best_score = float(angle), score
    return best_angle


def deskew(gray: np.ndarray, max_angle: float = 10.0) -> np.ndarray:
    """Rotate a grey crop so its text lines are horizontal (searches ±``max_angle`` degrees)."""
    return rotate(gray, estimate_skew(gray, max_angle=max_angle))


def upscale(gray: np.ndarray, height: int = 96) -> np.ndarray:
    """Resize to ``height`` pixels keeping the aspect ratio (Tesseract likes ~30+ px glyphs)."""
    h, w = gray.shape[:2]
    width = max(1, round(w * height / h))
    interp = cv2.INTER_CUBIC if height > h else cv2.INTER_AREA
    return cv2.resize(gray, (width, height), interpolation=interp)


def threshold(gray: np.ndarray, clear_border: bool = True) -> np.ndarray:
    """Otsu binarisation to dark text on white; optionally erase edge-touching ink (frame, background)."""
    blurred = cv2.GaussianBlur(gray, (3, 3), 0)
    _, ink = cv2.threshold(blurred, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)
    if clear_border:
        count, labels, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
        h, w = ink.shape
        for label in range(1, count):
            x, y, bw, bh, _area = stats[label]
            touches = x == 0 or y == 0 or x + bw >= w or y + bh >= h
            # a glyph cut by the crop edge is still text: keep components that are glyph-sized
            if touches and (bh > 0.8 * h or bw > 0.35 * w or bh < 0.25 * h):
                ink[labels == label] = 0
    return 255 - ink


def text_region(binary: np.ndarray, pad: int = 4) -> np.ndarray:
    """Cut a dark-on-white binary image to the box around its text-height glyphs (no specks/small print)."""
    ink = (binary < 128).astype(np.uint8)
    count, _labels, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    if count <= 1:
        return binary
    boxes = stats[1:]
    tallest = boxes[:, 3].max()
    glyphs = boxes[(boxes[:, 3] >= 0.5 * tallest) & (boxes[:, 4] > 8)]
    x0, y0 = glyphs[:, 0].min(), glyphs[:, 1].min()
    x1, y1 = (glyphs[:, 0] + glyphs[:, 2]).max(), (glyphs[:, 1] + glyphs[:, 3]).max()
    h, w = binary.shape
    return binary[max(0, y0 - pad) : min(h, y1 + pad), max(0, x0 - pad) : min(w, x1 + pad)]


def prepare_for_tesseract(crop: np.ndarray, text_height: int = 48, pad: int = 16) -> np.ndarray:
    """Document 001's crop made readable: grey → deskew → upscale → threshold → text box → pad.

    The text line is rescaled to ``text_height`` pixels (Tesseract reads 30–50 px glyphs best) and
    framed with ``pad`` white pixels.
    """
    gray = deskew(to_gray(crop))
    binary = threshold(upscale(gray, 160))
    line = text_region(binary)
    line = upscale(line, text_height + 8)
    _, line = cv2.threshold(line, 127, 255, cv2.THRESH_BINARY)
    return cv2.copyMakeBorder(line, pad, pad, pad, pad, cv2.BORDER_CONSTANT, value=255)


def crnn_input(crop: np.ndarray, height: int, width: int) -> np.ndarray:
    """The CRNN's input: grey, resized to H×W (crops are plate-shaped), float32 in [0, 1], H×W×1."""
    gray = to_gray(crop)
    resized = cv2.resize(gray, (width, height), interpolation=cv2.INTER_AREA)
    return resized.astype(np.float32)[:, :, None] / 255.0


__all__ = [
    "as_rgb_uint8",
    "crnn_input",
    "crop_box",
    "deskew",
    "estimate_skew",
    "prepare_for_tesseract",
    "rotate",
    "text_region",
    "threshold",
    "to_gray",
    "upscale",
]
