"""The held-out plate template: white plate, blue border, a "COSTA RICA" band, bolts, dark-blue characters.

Drawn flat at a fixed resolution (RGBA, transparent outside the rounded corners); `camera` warps it into a
photo. Characters are laid out one by one with spacing and stroke jitter so every face looks like a plate.
"""

from __future__ import annotations

import cv2
import numpy as np

from .fonts import Face

PLATE_W = 440

_INKS = ((18, 38, 110), (10, 30, 80), (25, 25, 40), (30, 55, 140), (12, 20, 60))
_BAND_TEXT = ("COSTA RICA", "COSTA RICA", "COSTA RICA", "C O S T A  R I C A")
_FOOT_TEXT = ("", "", "CENTROAMERICA", "PURA VIDA", "PARTICULAR", "")


def draw_plate(rng: np.random.Generator, text: str, face: Face, band_face: Face) -> np.ndarray:
    """One plate image (H×W×4 uint8, RGBA) with ``text`` in ``face``; the band text uses ``band_face``."""
    aspect = rng.uniform(1.9, 2.12)
    w, h = PLATE_W, round(PLATE_W / aspect)
    paper = np.array([255, 255, 255], float) - rng.uniform(0, 22) * np.array([0.4, 0.7, 1.0])
    img = np.empty((h, w, 3), np.float32)
    img[:] = paper
    ink = np.array(_INKS[int(rng.integers(len(_INKS)))], float) + rng.uniform(-8, 8, 3)
    ink = np.clip(ink, 0, 255)
    style = int(rng.integers(3))

    band_h = round(h * rng.uniform(0.17, 0.23))
    if style == 0:  # a solid blue band with light letters
        img[:band_h] = ink * 0.9 + 25
        _stamp(
            img,
            band_face.glyph_mask(_pick(rng, _BAND_TEXT), max(6, round(band_h * 0.55))),
            (w // 2, band_h // 2),
            (w * 0.6, band_h * 0.7),
            paper,
        )
    else:  # blue letters on white, optionally a thin rule under them
        _stamp(
            img,
            band_face.glyph_mask(_pick(rng, _BAND_TEXT), max(6, round(band_h * 0.5))),
            (w // 2, band_h // 2 + 4),
            (w * 0.55, band_h * 0.65),
            ink,
        )
        if style == 2:
            cv2.line(img, (w // 6, band_h + 2), (w - w // 6, band_h + 2), ink.tolist(), 2, cv2.LINE_AA)
    foot = _pick(rng, _FOOT_TEXT)
    foot_h = round(h * 0.11) if foot else 0
    if foot:
        _stamp(
            img,
            band_face.glyph_mask(foot, max(5, round(foot_h * 0.7))),
            (w // 2, h - foot_h // 2 - 6),
            (w * 0.4, foot_h * 0.8),
            ink,
        )

    _draw_characters(rng, img, text, face, ink, top=band_h + round(h * 0.05), bottom=h - foot_h - 8)

    border = round(rng.uniform(3, 8))
    inset = round(rng.uniform(2, 7))
    radius = round(h * rng.uniform(0.05, 0.12))
    _rounded_outline(img, inset, radius, border, ink)
    _bolts(rng, img, band_h)
    if rng.random() < 0.3:
        _sticker(rng, img, band_h)
    if rng.random() < 0.35:
        _dirt(rng, img)

    alpha = np.zeros((h, w), np.uint8)
    _rounded_fill(alpha, 0, radius + inset, 255)
    return np.dstack([np.clip(img, 0, 255).astype(np.uint8), alpha])


def _pick(rng: np.random.Generator, options: tuple[str, ...]) -> str:
    return options[int(rng.integers(len(options)))]


def _draw_characters(rng, img, text, face: Face, ink, top: int, bottom: int) -> None:
    """Lay the plate's characters out left to right, centred, filling most of the plate's width."""
    h, w = img.shape[:2]
    cap = bottom - top
    thickness = rng.uniform(0.85, 1.6)
    masks = [face.glyph_mask(ch, 96, thickness) for ch in text.replace("-", "")]
    dash = "-" in text
    gap = rng.uniform(0.06, 0.22) * 96
    widths = [m.shape[1] * 96 / m.shape[0] for m in masks]  # width at cap height 96
    if dash:
        dash_w = rng.uniform(0.35, 0.6) * 96
        total = sum(widths) + gap * (len(masks) + 1) + dash_w
    else:
        dash_w = 0.0
        total = sum(widths) + gap * (len(masks) - 1)
    height = cap * rng.uniform(0.78, 0.92)
    scale = height / 96
    room = w * rng.uniform(0.8, 0.9)
    squeeze = min(1.0, room / (total * scale)) * rng.uniform(0.88, 1.05)
    sx = scale * squeeze
    x = (w - total * sx) / 2
    y_mid = (top + bottom) / 2 + rng.uniform(-0.03, 0.03) * h
    for i, mask in enumerate(masks):
        cw = widths[i] * sx
        _stamp(img, mask, (x + cw / 2, y_mid), (cw, height), ink, exact=True)
        x += cw + gap * sx
        if dash and i == 2:
            bar_h = max(2, round(height * rng.uniform(0.08, 0.13)))
            y0 = round(y_mid - bar_h / 2)
            cv2.rectangle(img, (round(x), y0), (round(x + dash_w * sx), y0 + bar_h), ink.tolist(), -1)
            x += dash_w * sx + gap * sx


def _stamp(img, mask: np.ndarray, centre, box, colour, exact: bool = False) -> None:
    """Paint ``mask`` in ``colour`` centred at ``centre``, scaled into ``box`` (w, h) keeping its aspect."""
    bw, bh = box
    mh, mw = mask.shape
    if exact:
        tw, th = bw, bh
    else:
        s = min(bw / mw, bh / mh)
        tw, th = mw * s, mh * s
    tw, th = max(1, round(tw)), max(1, round(th))
    glyph = cv2.resize(mask, (tw, th), interpolation=cv2.INTER_AREA if tw < mw else cv2.INTER_CUBIC)
    x0, y0 = round(centre[0] - tw / 2), round(centre[1] - th / 2)
    h, w = img.shape[:2]
    xa, ya, xb, yb = max(0, x0), max(0, y0), min(w, x0 + tw), min(h, y0 + th)
    if xa >= xb or ya >= yb:
        return
    a = glyph[ya - y0 : yb - y0, xa - x0 : xb - x0, None].astype(np.float32) / 255.0
    region = img[ya:yb, xa:xb]
    region[:] = region * (1 - a) + np.asarray(colour, np.float32) * a


def _rounded_fill(canvas: np.ndarray, inset: int, radius: int, value) -> None:
    h, w = canvas.shape[:2]
    r = max(1, radius)
    cv2.rectangle(canvas, (inset + r, inset), (w - 1 - inset - r, h - 1 - inset), value, -1)
    cv2.rectangle(canvas, (inset, inset + r), (w - 1 - inset, h - 1 - inset - r), value, -1)
    for cx, cy in (
        (inset + r, inset + r),
        (w - 1 - inset - r, inset + r),
        (inset + r, h - 1 - inset - r),
        (w - 1 - inset - r, h - 1 - inset - r),
    ):
        cv2.circle(canvas, (cx, cy), r, value, -1, cv2.LINE_AA)


def _rounded_outline(img, inset: int, radius: int, thick: int, ink) -> None:
    mask = np.zeros(img.shape[:2], np.uint8)
    _rounded_fill(mask, inset, radius, 255)
    _rounded_fill(mask, inset + thick, max(1, radius - thick), 0)
    a = mask[..., None].astype(np.float32) / 255.0
    img[:] = img * (1 - a) + ink.astype(np.float32) * a


def _bolts(rng, img, band_h: int) -> None:
    h, w = img.shape[:2]
    r = max(3, round(h * rng.uniform(0.028, 0.045)))
    spots = [(round(w * 0.2), round(band_h * 0.55)), (round(w * 0.8), round(band_h * 0.55))]
    if rng.random() < 0.4:
        spots += [(round(w * 0.2), round(h - band_h * 0.5)), (round(w * 0.8), round(h - band_h * 0.5))]
    metal = rng.uniform(120, 200)
    for cx, cy in spots:
        cv2.circle(img, (cx, cy), r + 1, (metal * 0.5,) * 3, -1, cv2.LINE_AA)
        cv2.circle(img, (cx, cy), r, (metal,) * 3, -1, cv2.LINE_AA)
        cv2.circle(img, (cx - r // 3, cy - r // 3), max(1, r // 3), (min(255, metal + 50),) * 3, -1)
        cv2.line(img, (cx - r + 1, cy), (cx + r - 1, cy), (metal * 0.45,) * 3, 1, cv2.LINE_AA)


def _sticker(rng, img, band_h: int) -> None:
    """A small inspection sticker in an upper corner (the band row, away from the characters)."""
    _h, w = img.shape[:2]
    s = round(band_h * rng.uniform(0.7, 0.95))
    x0 = round(w * 0.04) if rng.random() < 0.5 else round(w * 0.96) - s
    colour = [(230, 60, 40), (40, 160, 70), (240, 200, 30), (60, 120, 220)][int(rng.integers(4))]
    cv2.rectangle(img, (x0, 6), (x0 + s, 6 + s), colour, -1)


def _dirt(rng, img) -> None:
    """Brownish speckles and a smudge; faint enough that the characters stay legible."""
    h, w = img.shape[:2]
    layer = np.zeros((h, w), np.float32)
    for _ in range(int(rng.integers(30, 160))):
        cv2.circle(
            layer,
            (int(rng.integers(w)), int(rng.integers(h))),
            int(rng.integers(1, 4)),
            float(rng.uniform(0.2, 0.6)),
            -1,
        )
    if rng.random() < 0.5:
        cx, cy = int(rng.integers(w)), int(rng.integers(h))
        cv2.ellipse(
            layer,
            (cx, cy),
            (int(w * rng.uniform(0.1, 0.3)), int(h * rng.uniform(0.1, 0.3))),
            float(rng.uniform(0, 180)),
            0,
            360,
            float(rng.uniform(0.1, 0.3)),
            -1,
        )
    layer = cv2.GaussianBlur(layer, (0, 0), 1.5)[..., None]
    brown = np.array([110, 90, 60], np.float32)
    img[:] = img * (1 - layer) + brown * layer
