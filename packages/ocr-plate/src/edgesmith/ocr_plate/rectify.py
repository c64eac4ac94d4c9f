"""Find the plate's quadrilateral inside a loose detector crop and warp it to an upright plate (OpenCV).

A detector's box is grown by :data:`CROP_MARGIN` on each side and is off by up to ~10 % in size and ~8 %
in position, and the plate inside is seen at an angle. Readers therefore get the crop, not the plate: a
rectifier fits the plate's four corners and :func:`rectify` undoes the perspective. Three rectifiers:

* ``corners`` (default) — a small CNN regressing the four corners (``weights/corners_*.tflite``,
  trained by tools/train_plate_ocr.py on loose crops with known corners);
* ``contour`` — classical OpenCV fitting: the bright plate face or its outline as a convex quadrilateral
  of plate-like aspect near the crop's centre (:func:`find_plate_quad`);
* ``margin`` — no fitting: the region the margin says the plate is in (the baseline).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from edgesmith.ocr_plate.reading import OcrError

CROP_MARGIN = 0.15
"""Fraction of the detector box's width / height added on each side before a crop reaches a reader.

Big enough that a box 10 % too small and 8 % off-centre still holds the whole plate."""

RECTIFIED_SIZE = (192, 96)
"""(width, height) of a rectified plate: the plate's own 2:1 aspect."""

CORNER_INPUT = (96, 48)
"""(width, height) of the corner regressor's grey input: the whole loose crop, resized."""

CORNER_WEIGHTS = {"float": "corners_float.tflite", "int8": "corners_int8.tflite"}

_WORK_WIDTH = 160  # crops are fitted at this width: the fit is scale-free, a small copy keeps it ~1 ms


@dataclasses.dataclass(frozen=True)
class QuadFit:
    """Plate corners TL, TR, BR, BL in crop pixels, how well they fit (0 = the margin's guess) and how."""

    quad: np.ndarray
    score: float
    method: str


def order_corners(points: np.ndarray) -> np.ndarray:
    """Four points as TL, TR, BR, BL (smallest x+y first, then clockwise)."""
    pts = np.asarray(points, np.float32).reshape(4, 2)
    centre = pts.mean(axis=0)
    angles = np.arctan2(pts[:, 1] - centre[1], pts[:, 0] - centre[0])
    pts = pts[np.argsort(angles)]  # clockwise in image coordinates (y down), starting anywhere
    start = int(np.argmin(pts.sum(axis=1)))
    return np.roll(pts, -start, axis=0)


def margin_quad(width: int, height: int, margin: float = CROP_MARGIN) -> np.ndarray:
    """Where the plate sits in a crop grown by ``margin`` on each side, if the detector's box was exact."""
    fx, fy = margin / (1 + 2 * margin) * width, margin / (1 + 2 * margin) * height
    return np.array([[fx, fy], [width - fx, fy], [width - fx, height - fy], [fx, height - fy]], np.float32)


def _quad_of(contour: np.ndarray) -> np.ndarray:
    """The contour's convex hull simplified to four corners (or its minimum-area rectangle)."""
    hull = cv2.convexHull(contour)
    perimeter = cv2.arcLength(hull, True)
    for eps in (0.02, 0.04, 0.06, 0.09):
        approx = cv2.approxPolyDP(hull, eps * perimeter, True)
        if len(approx) == 4:
            return order_corners(approx.reshape(4, 2))
    return order_corners(cv2.boxPoints(cv2.minAreaRect(hull)))


def _side_lengths(quad: np.ndarray) -> tuple[float, float]:
    """Mean width (top, bottom) and mean height (left, right) of a TL, TR, BR, BL quad."""
    tl, tr, br, bl = quad
    w = (np.linalg.norm(tr - tl) + np.linalg.norm(br - bl)) / 2
    h = (np.linalg.norm(bl - tl) + np.linalg.norm(br - tr)) / 2
    return float(w), float(h)


def _score(contour: np.ndarray, quad: np.ndarray, size: tuple[int, int]) -> float:
    """How plate-like a candidate is: fill of its quad × aspect fit × size × closeness to the centre."""
    w, h = size
    quad_area = float(cv2.contourArea(quad))
    if quad_area < 0.12 * w * h or not cv2.isContourConvex(quad.astype(np.float32)):
        return 0.0
    fill = float(cv2.contourArea(contour)) / quad_area
    qw, qh = _side_lengths(quad)
    aspect = qw / max(qh, 1e-6)
    if not 1.2 <= aspect <= 4.5:
        return 0.0
    aspect_fit = float(np.exp(-(np.log(aspect / 2.3) ** 2) / 0.3))
    centre = quad.mean(axis=0) / np.array([w, h], np.float32) - 0.5
    centred = float(np.exp(-float(np.sum(centre**2)) / 0.05))
    share = quad_area / (w * h)
    size_fit = min(1.0, share / 0.35)
    # a background region runs off the crop; a plate in a loose crop touches at most one edge
    near = 0.02 * max(w, h)
    touching = sum(
        (
            bool((quad[:, 0] < near).sum() >= 2),
            bool((quad[:, 0] > w - near).sum() >= 2),
            bool((quad[:, 1] < near).sum() >= 2),
            bool((quad[:, 1] > h - near).sum() >= 2),
        )
    )
    edge_fit = (1.0, 0.9, 0.4, 0.25, 0.2)[touching]
    return min(fill, 1.0) ** 2 * aspect_fit * centred * size_fit * edge_fit


def _candidates(gray: np.ndarray) -> list[tuple[np.ndarray, str]]:
    """External contours of the bright plate face (Otsu) and of the plate's outline (edges)."""
    h, w = gray.shape
    k = max(3, round(w / 40)) | 1
    blurred = cv2.GaussianBlur(gray, (3, 3), 0)
    _, bright = cv2.threshold(blurred, 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)
    bright = cv2.morphologyEx(bright, cv2.MORPH_CLOSE, np.ones((k, k), np.uint8))
    bright = cv2.morphologyEx(bright, cv2.MORPH_OPEN, np.ones((3, 3), np.uint8))
    edges = cv2.Canny(blurred, 40, 120)
    edges = cv2.dilate(edges, np.ones((3, 3), np.uint8))
    out = []
    for mask, method in ((bright, "face"), (edges, "outline")):
        contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
        out.extend((c, method) for c in contours if cv2.contourArea(c) > 0.05 * w * h)
    return out


def find_plate_quad(crop: np.ndarray, margin: float = CROP_MARGIN, min_score: float = 0.25) -> QuadFit:
    """The plate's corners in a loose uint8 RGB (or grey) crop; the margin's guess when nothing fits."""
    arr = np.asarray(crop)
    gray = cv2.cvtColor(arr[..., :3], cv2.COLOR_RGB2GRAY) if arr.ndim == 3 else arr
    h, w = gray.shape
    scale = _WORK_WIDTH / w if w > _WORK_WIDTH else 1.0
    small = cv2.resize(gray, (max(8, round(w * scale)), max(8, round(h * scale))), cv2.INTER_AREA)
    size = (small.shape[1], small.shape[0])
    best, best_score, best_method = None, min_score, "margin"
    for contour, method in _candidates(small):
        quad = _quad_of(contour)
        score = _score(contour, quad, size)
        if score > best_score:
            best, best_score, best_method = quad, score, method
    if best is None:
        return QuadFit(margin_quad(w, h, margin), 0.0, "margin")
    return QuadFit((best / np.float32(scale)).astype(np.float32), best_score, best_method)


def rectify(
    crop: np.ndarray, quad: np.ndarray, size: tuple[int, int] = RECTIFIED_SIZE, pad: float = 0.04
) -> np.ndarray:
    """Warp ``quad`` (TL, TR, BR, BL) of ``crop`` upright into a ``size`` image, ``pad`` × size around it."""
    w, h = size
    px, py = pad * w, pad * h
    dst = np.array([[px, py], [w - px, py], [w - px, h - py], [px, h - py]], np.float32)
    matrix = cv2.getPerspectiveTransform(np.asarray(quad, np.float32), dst)
    return cv2.warpPerspective(
        np.asarray(crop), matrix, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE
    )


def rectify_crop(crop: np.ndarray, margin: float = CROP_MARGIN) -> tuple[np.ndarray, QuadFit]:
    """Find the plate in a loose crop and return it upright, with the fit that was used."""
    fit = find_plate_quad(crop, margin=margin)
    return rectify(crop, fit.quad), fit


def corner_input(crop: np.ndarray) -> np.ndarray:
    """The corner regressor's input: the crop grey, resized to :data:`CORNER_INPUT`, float32 [0, 1], H×W×1."""
    arr = np.asarray(crop)
    gray = cv2.cvtColor(arr[..., :3], cv2.COLOR_RGB2GRAY) if arr.ndim == 3 else arr
    small = cv2.resize(gray, CORNER_INPUT, interpolation=cv2.INTER_AREA)
    return small.astype(np.float32)[:, :, None] / 255.0


class MarginRectifier:
    """No fitting: the plate is where an exact detector box grown by ``margin`` puts it."""

    name = "margin"

    def __init__(self, margin: float = CROP_MARGIN) -> None:
        self.margin = margin

    def fit(self, crop: np.ndarray) -> QuadFit:
        h, w = np.asarray(crop).shape[:2]
        return QuadFit(margin_quad(w, h, self.margin), 0.0, "margin")

    def info(self) -> dict[str, Any]:
        return {"rectifier": self.name, "margin": self.margin}


class ContourRectifier(MarginRectifier):
    """Classical OpenCV corner fitting (:func:`find_plate_quad`), the margin's guess when nothing fits."""

    name = "contour"

    def fit(self, crop: np.ndarray) -> QuadFit:
        return find_plate_quad(crop, margin=self.margin)


class CornerRegressor:
    """The shipped corner CNN on LiteRT: four normalised corners from the whole crop; ``model``:
    ``"int8"`` (default), ``"float"`` or a path."""

    name = "corners"

    def __init__(self, model: str | Path = "int8", num_threads: int = 1) -> None:
        from edgesmith.ocr_plate.litert_model import WEIGHTS_DIR, TfliteModel, read_sidecar

        path = WEIGHTS_DIR / CORNER_WEIGHTS[model] if model in CORNER_WEIGHTS else Path(model)
        self.path = path
        self._model = TfliteModel(path, num_threads=num_threads, what="corner regressor")
        self.meta = read_sidecar(path, ("input_height", "input_width"))
        expected = (1, CORNER_INPUT[1], CORNER_INPUT[0], 1)
        if self._model.input_shape != expected:
            raise OcrError(f"corner weights {path} take input {self._model.input_shape}, expected {expected}")

    def fit(self, crop: np.ndarray) -> QuadFit:
        h, w = np.asarray(crop).shape[:2]
        corners = self._model.run(corner_input(crop)).reshape(4, 2)
        quad = np.clip(corners, -0.1, 1.1) * np.array([w, h], np.float32)
        return QuadFit(quad.astype(np.float32), 1.0, "corners")

    def info(self) -> dict[str, Any]:
        return {"rectifier": self.name, "weights": str(self.path), "precision": self.meta.get("precision")}


RECTIFIERS = ("corners", "contour", "margin")
DEFAULT_RECTIFIER = "corners"


def get_rectifier(rectifier: Any = None, num_threads: int = 1) -> Any:
    """A rectifier: an object with ``fit(crop) -> QuadFit`` is returned as is; a name builds one
    (``corners`` int8 by default, ``corners-float``, ``contour``, ``margin``)."""
    if rectifier is not None and not isinstance(rectifier, str):
        return rectifier
    name = rectifier or DEFAULT_RECTIFIER
    if name in ("corners", "corners-int8"):
        return CornerRegressor("int8", num_threads=num_threads)
    if name == "corners-float":
        return CornerRegressor("float", num_threads=num_threads)
    if name == "contour":
        return ContourRectifier()
    if name == "margin":
        return MarginRectifier()
    raise ValueError(f"unknown rectifier {name!r}; choose one of: corners, corners-float, contour, margin")


__all__ = [
    "CORNER_INPUT",
    "CORNER_WEIGHTS",
    "CROP_MARGIN",
    "DEFAULT_RECTIFIER",
    "RECTIFIED_SIZE",
    "RECTIFIERS",
    "ContourRectifier",
    "CornerRegressor",
    "MarginRectifier",
    "QuadFit",
    "corner_input",
    "find_plate_quad",
    "get_rectifier",
    "margin_quad",
    "order_corners",
    "rectify",
    "rectify_crop",
]
