"""Draw a Costa Rican licence plate: templates (border, screws, "COSTA RICA" band) and jittered lettering.

``render_plate(text)`` without a generator gives the clean reference template (blue border and band,
DejaVu Sans Bold); with one, every plate differs: one of the installed TRAINING faces
(:mod:`edgesmith.datasets.plate_fonts`), stroke width (thicker or eroded thinner), slant, letter spacing,
glyph width, dash or gap, the
template (band on top, band at the bottom, plain black frame), screws, colours. A reader trained on
these plates sees many glyph shapes for each character, not one font.
"""

from __future__ import annotations

import functools
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from edgesmith.datasets.plate_fonts import fallback_font, training_fonts

PLATE_ASPECT = 2.0
"""Width / height of a Costa Rican plate (30 cm × 15 cm)."""

TEMPLATES = ("band_top", "band_bottom", "frame")
"""``band_top``: blue band with "COSTA RICA" above the number (current plates); ``band_bottom``: the
band under the number; ``frame``: thin dark frame, "COSTA RICA" printed small above, no band."""

_GLYPH_SIZE = 96  # faces are rasterised at this size and then scaled: one cached font object per face


@functools.cache
def _face(path: str, size: int = _GLYPH_SIZE) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(path, size)


def plate_font_path() -> str:
    """Path of the face the clean template is drawn with (DejaVu Sans Bold, in matplotlib's wheel)."""
    return str(fallback_font())


def _glyph_line(
    text: str, font: ImageFont.FreeTypeFont, stroke: int = 0, spacing: float = 0.0, dash_gap: bool = False
) -> Image.Image:
    """``text`` as an "L" mask cut to its ink; glyphs advance by their width + ``spacing`` × font size.

    ``dash_gap`` leaves the dash out (plates with a gap instead of a hyphen). With no spacing, stroke or
    gap the string is drawn in one call (the face's own kerning).
    """
    size = font.size
    ascent, descent = font.getmetrics()
    height = ascent + descent + 2 * stroke + 8
    plain = spacing == 0 and stroke == 0 and not dash_gap
    width = int(font.getlength(text) + abs(spacing) * size * len(text)) + 2 * stroke + 8 + size
    canvas = Image.new("L", (width, height), 0)
    draw = ImageDraw.Draw(canvas)
    if plain:
        draw.text((4, 4), text, font=font, fill=255)
    else:
        x = 4.0 + stroke
        for ch in text:
            if not (ch == "-" and dash_gap):
                draw.text((x, 4 + stroke), ch, font=font, fill=255, stroke_width=stroke, stroke_fill=255)
            x += font.getlength(ch) + stroke + spacing * size
    bbox = canvas.getbbox()
    if bbox is None:
        raise ValueError(f"the font {getattr(font, 'path', '?')} draws nothing for {text!r}")
    return canvas.crop(bbox)


def _vary_glyphs(mask: Image.Image, rng: np.random.Generator) -> Image.Image:
    """Lettering no listed face has: thinner strokes (grey erosion) on a fifth of plates, oblique glyphs
    (shear up to ±10°) on a quarter. A stroke the erosion would wipe out keeps its width."""
    if rng.random() < 0.2:
        thin = mask.filter(ImageFilter.MinFilter(int(rng.choice([3, 5]))))
        ink, kept = np.asarray(mask, np.float32).sum(), np.asarray(thin, np.float32).sum()
        if thin.getbbox() is not None and kept > 0.4 * ink:
            mask = thin.crop(thin.getbbox())
    if rng.random() < 0.25:
        k = float(rng.uniform(-0.18, 0.18))
        w, h = mask.size
        pad = int(np.ceil(abs(k) * h)) + 2
        # output x samples input x - pad/2 + k (y - h/2): the middle row stays, top and bottom lean
        mask = mask.transform((w + pad, h), Image.AFFINE, (1, k, -pad / 2 - k * h / 2, 0, 1, 0),
                              resample=Image.BILINEAR)  # fmt: skip
        mask = mask.crop(mask.getbbox())
    return mask


def _paste_fitted(
    img: Image.Image,
    glyphs: Image.Image,
    box: tuple[float, float, float, float],
    fill: tuple[int, int, int],
    stretch: float = 1.0,
) -> None:
    """Scale the ``glyphs`` mask into ``box`` (x0, y0, x1, y1), centred, shape kept (× ``stretch`` in x)."""
    x0, y0, x1, y1 = box
    bw, bh = max(int(x1 - x0), 1), max(int(y1 - y0), 1)
    tw, th = glyphs.size
    scale = min(bw / (tw * stretch), bh / th)
    nw, nh = max(int(tw * scale * stretch), 1), max(int(th * scale), 1)
    glyphs = glyphs.resize((nw, nh), Image.LANCZOS)
    px, py = int(x0 + (bw - nw) / 2), int(y0 + (bh - nh) / 2)
    img.paste(Image.new("RGB", (nw, nh), fill), (px, py), glyphs)


def _clean_plate(text: str, h: int) -> Image.Image:
    """The reference template: white plate, blue border and band, "COSTA RICA", DejaVu Sans Bold number."""
    w = round(h * PLATE_ASPECT)
    white, blue, ink = (240, 240, 240), (20, 65, 160), (20, 20, 45)
    img = Image.new("RGB", (w, h), white)
    draw = ImageDraw.Draw(img)
    border = max(1, round(h * 0.045))
    radius = max(2, round(h * 0.08))
    draw.rounded_rectangle((0, 0, w - 1, h - 1), radius=radius, fill=blue)
    draw.rounded_rectangle((border, border, w - 1 - border, h - 1 - border), radius=radius, fill=white)
    band = round(h * 0.23)
    draw.rectangle((border, border + radius // 2, w - 1 - border, band), fill=blue)
    draw.rounded_rectangle((border, border, w - 1 - border, band), radius=radius, fill=blue)
    face = _face(plate_font_path())
    _paste_fitted(img, _glyph_line("COSTA RICA", face), (0.3 * w, border, 0.7 * w, band), white)
    text_top = band + round(h * 0.08)
    text_box = (0.07 * w, text_top, 0.93 * w, h - border - round(h * 0.1))
    _paste_fitted(img, _glyph_line(text, face), text_box, ink)
    return img


def _screw(draw: ImageDraw.ImageDraw, cx: float, cy: float, r: float, rng: np.random.Generator) -> None:
    """A screw head: a grey disc with a darker rim and a slot."""
    grey = int(rng.uniform(110, 200))
    draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=(grey,) * 3, outline=(grey // 2,) * 3)
    a = rng.uniform(0, np.pi)
    dx, dy = np.cos(a) * r * 0.8, np.sin(a) * r * 0.8
    draw.line((cx - dx, cy - dy, cx + dx, cy + dy), fill=(grey // 3,) * 3, width=max(1, round(r / 3)))


def _jittered_plate(text: str, h: int, rng: np.random.Generator, font: str | Path | None) -> Image.Image:
    """One random plate: template, colours, face, stroke, spacing, dash and screws drawn from ``rng``."""
    w = round(h * PLATE_ASPECT)
    fonts = training_fonts()
    face = _face(str(font) if font is not None else str(fonts[int(rng.integers(len(fonts)))]))
    template = TEMPLATES[int(rng.choice(len(TEMPLATES), p=[0.6, 0.2, 0.2]))]
    paper = rng.uniform(215, 255)
    white = tuple(int(np.clip(paper + rng.uniform(-8, 8), 0, 255)) for _ in range(3))
    if rng.random() < 0.1:  # a yellowed plate
        white = (white[0], white[1], int(white[2] * 0.82))
    blue = (int(rng.uniform(0, 40)), int(rng.uniform(40, 95)), int(rng.uniform(120, 195)))
    ink = (int(rng.uniform(0, 45)),) * 2 + (int(rng.uniform(10, 90)),)
    frame = blue if template != "frame" else tuple(int(v * 0.5) for v in ink)
    img = Image.new("RGB", (w, h), white)
    draw = ImageDraw.Draw(img)
    border = max(1, round(h * rng.uniform(0.025, 0.07)))
    radius = max(2, round(h * rng.uniform(0.03, 0.12)))
    draw.rounded_rectangle((0, 0, w - 1, h - 1), radius=radius, fill=frame)
    draw.rounded_rectangle((border, border, w - 1 - border, h - 1 - border), radius=radius, fill=white)
    band = round(h * rng.uniform(0.18, 0.27))
    label_face = _face(str(fonts[int(rng.integers(len(fonts)))]))
    label = _glyph_line("COSTA RICA", label_face, spacing=float(rng.uniform(0, 0.1)))
    top, bottom = border, h - border
    if template == "band_top":
        draw.rectangle((border, border + radius // 2, w - 1 - border, band), fill=blue)
        draw.rounded_rectangle((border, border, w - 1 - border, band), radius=radius, fill=blue)
        _paste_fitted(img, label, (0.28 * w, border, 0.72 * w, band), white)
        top = band
    elif template == "band_bottom":
        y = h - band
        draw.rectangle((border, y, w - 1 - border, h - 1 - border - radius // 2), fill=blue)
        draw.rounded_rectangle((border, y, w - 1 - border, h - 1 - border), radius=radius, fill=blue)
        _paste_fitted(img, label, (0.28 * w, y, 0.72 * w, h - border), white)
        bottom = y
    else:
        small = band * 0.75
        _paste_fitted(img, label, (0.32 * w, border + 0.1 * small, 0.68 * w, border + small), blue)
        top = round(border + small)
    stroke = int(rng.choice([0, 0, 1, 2, 3]))
    spacing = float(rng.uniform(-0.02, 0.2))
    glyphs = _glyph_line(text, face, stroke=stroke, spacing=spacing, dash_gap=rng.random() < 0.15)
    glyphs = _vary_glyphs(glyphs, rng)
    margin_x = rng.uniform(0.04, 0.12) * w
    gap_top, gap_bottom = rng.uniform(0.04, 0.1) * h, rng.uniform(0.05, 0.12) * h
    _paste_fitted(
        img,
        glyphs,
        (margin_x, top + gap_top, w - margin_x, bottom - gap_bottom),
        ink,
        stretch=float(rng.uniform(0.8, 1.15)),
    )
    screws = int(rng.choice([0, 2, 2, 4]))
    if screws:
        r = h * rng.uniform(0.03, 0.05)
        sx = rng.uniform(0.12, 0.25) * w
        rows = [border + r * 1.6] if screws == 2 else [border + r * 1.6, h - border - r * 1.6]
        for cy in rows:
            for cx in (sx, w - sx):
                _screw(draw, cx, cy, r, rng)
    return img


def render_plate(
    text: str, rng: np.random.Generator | None = None, height: int = 96, font: str | Path | None = None
) -> Image.Image:
    """Draw ``text`` on a Costa Rican plate as an RGB image ``PLATE_ASPECT`` times wider than ``height``.

    Without ``rng``: the clean reference template. With it: a random template, face (or ``font``, a font
    file), stroke width, letter spacing, colours and screws, reproducible from the generator's state.
    """
    if not text:
        raise ValueError("plate text is empty")
    h = max(int(height), 16)
    return _clean_plate(text, h) if rng is None else _jittered_plate(text, h, rng, font)


__all__ = ["PLATE_ASPECT", "TEMPLATES", "plate_font_path", "render_plate"]
