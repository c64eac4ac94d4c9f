"""The held-out fonts: OpenCV's Hershey fonts plus Debian font packages that the training side never uses.

The training list (shared plate contract) is repeated here only to prove the two lists are disjoint; Carlito
(a Lato derivative) and Croscore (Liberation's designs) are left out on purpose, as is Noto Sans (Open Sans).
"""

from __future__ import annotations

import dataclasses
import functools
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

FONT_ROOTS = (Path("/usr/share/fonts"), Path("/usr/local/share/fonts"))

#: Debian package → plate-suitable faces (file names) it installs. `tools/bootstrap.sh` installs them.
HELDOUT_FONT_PACKAGES: dict[str, tuple[str, ...]] = {
    "fonts-cabin": ("Cabin-Bold.otf", "Cabin-SemiBold.otf"),
    "fonts-dosis": ("Dosis-Bold.otf", "Dosis-ExtraBold.otf"),
    "fonts-jura": ("Jura-Bold.otf", "Jura-SemiBold.otf"),
    "fonts-fantasque-sans": ("FantasqueSansMono-Bold.ttf",),
    "fonts-agave": ("agave-b-autohinted.ttf",),
    "fonts-hermit": ("Hermit-bold.otf", "Hermit-medium.otf"),
    "fonts-3270": ("3270-Regular.ttf", "3270SemiCondensed-Regular.ttf"),
    "fonts-oxygen": ("Oxygen-Sans-Bold.ttf", "OxygenMono-Regular.ttf"),
    "fonts-mononoki": ("mononoki-Bold.ttf",),
    "fonts-league-spartan": ("LeagueSpartan-Bold.otf", "LeagueSpartan-SemiBold.otf"),
    "fonts-comfortaa": ("Comfortaa-Bold.ttf",),
    "fonts-quicksand": ("Quicksand-Bold.ttf",),
}

#: The training side's packages, copied from the shared plate contract, to check disjointness only.
TRAINING_FONT_PACKAGES = (
    "fonts-dejavu-core",
    "fonts-liberation",
    "fonts-freefont-ttf",
    "fonts-hack",
    "fonts-inconsolata",
    "fonts-jetbrains-mono",
    "fonts-firacode",
    "fonts-open-sans",
    "fonts-cantarell",
    "fonts-lato",
    "fonts-inter",
    "fonts-b612",
    "fonts-go",
    "fonts-bebas-neue",
    "fonts-anonymous-pro",
    "fonts-clear-sans",
    "fonts-karla",
    "fonts-roboto",
    "fonts-opendin",
    "fonts-roadgeek",
    "fonts-tiresias",
    "fonts-national-park",
    "fonts-ocr-b",
    "fonts-osifont",
    "fonts-allerta",
    "fonts-paratype",
    "fonts-play",
    "fonts-tuffy",
    "fonts-sora",
    "fonts-manrope",
    "fonts-monoid",
    "fonts-sil-andika",
)

#: Family names of the training fonts and of their metric clones / derivatives, which must not appear here.
TRAINING_FAMILY_WORDS = (
    "dejavu",
    "liberation",
    "free",
    "hack",
    "inconsolata",
    "jetbrains",
    "fira",
    "open sans",
    "cantarell",
    "lato",
    "inter",
    "b612",
    "go",
    "bebas",
    "anonymous",
    "clear sans",
    "karla",
    "roboto",
    "arimo",
    "cousine",
    "tinos",
    "carlito",
    "noto sans",
    "bitstream vera",
    "din",
    "roadgeek",
    "tiresias",
    "national park",
    "ocr",
    "osifont",
    "allerta",
    "pt sans",
    "pt mono",
    "play",
    "tuffy",
    "sora",
    "manrope",
    "monoid",
    "andika",
)

HERSHEY_FONTS = {
    "hershey-simplex": cv2.FONT_HERSHEY_SIMPLEX,
    "hershey-duplex": cv2.FONT_HERSHEY_DUPLEX,
    "hershey-complex": cv2.FONT_HERSHEY_COMPLEX,
    "hershey-triplex": cv2.FONT_HERSHEY_TRIPLEX,
}

#: Installs every held-out font package (the line tools/bootstrap.sh runs).
INSTALL_HINT = "run: bash tools/bootstrap.sh  (apt-get install " + " ".join(HELDOUT_FONT_PACKAGES) + ")"


class FontsMissingError(RuntimeError):
    """No held-out TrueType/OpenType font is installed; the message says how to install them."""


@dataclasses.dataclass(frozen=True)
class Face:
    """One typeface: a font file of a held-out package, or one of OpenCV's Hershey fonts."""

    name: str
    package: str
    path: Path | None = None
    hershey: int | None = None

    def glyph_mask(self, text: str, cap_px: int, thickness: float = 1.0) -> np.ndarray:
        """``text`` drawn white on black (uint8), cropped tight, capitals about ``cap_px`` tall."""
        if self.hershey is not None:
            return _hershey_mask(self.hershey, text, cap_px, thickness)
        return _ttf_mask(self.path, text, cap_px, thickness)


def _ttf_mask(path: Path | None, text: str, cap_px: int, thickness: float) -> np.ndarray:
    probe = _truetype(str(path), 100)
    _left, top, _right, bottom = probe.getbbox("H")
    size = max(6, round(100 * cap_px / max(1, bottom - top)))
    font = _truetype(str(path), size)
    stroke = max(0, round((thickness - 1.0) * cap_px * 0.05))
    width = round(font.getlength(text)) + 4 * size
    canvas = Image.new("L", (width, 3 * size), 0)
    ImageDraw.Draw(canvas).text(
        (2 * size, size // 2), text, font=font, fill=255, stroke_width=stroke, stroke_fill=255
    )
    return _crop(np.asarray(canvas))


def _hershey_mask(font: int, text: str, cap_px: int, thickness: float) -> np.ndarray:
    (_, h), _ = cv2.getTextSize("H", font, 1.0, 1)
    scale = cap_px / max(1, h)
    line = max(1, round(cap_px * 0.12 * thickness))
    (w, _), _base = cv2.getTextSize(text, font, scale, line)
    canvas = np.zeros((cap_px * 3 + 4 * line, w + 4 * cap_px), np.uint8)
    cv2.putText(canvas, text, (cap_px, 2 * cap_px), font, scale, 255, line, cv2.LINE_AA)
    return _crop(canvas)


def _crop(mask: np.ndarray) -> np.ndarray:
    ys, xs = np.nonzero(mask > 8)
    if len(xs) == 0:
        return mask[:1, :1]
    return np.ascontiguousarray(mask[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1])


@functools.lru_cache(maxsize=256)
def _truetype(path: str, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(path, size)


@functools.lru_cache(maxsize=1)
def _installed_files() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for root in FONT_ROOTS:
        if root.is_dir():
            for path in sorted(root.rglob("*")):
                if path.suffix.lower() in (".ttf", ".otf"):
                    found.setdefault(path.name, path)
    return found


def font_files() -> list[Face]:
    """The installed held-out TrueType/OpenType faces (sorted, so a seed gives the same photos)."""
    files = _installed_files()
    faces = []
    for package, names in HELDOUT_FONT_PACKAGES.items():
        for name in names:
            if name in files:
                faces.append(Face(name=Path(name).stem, package=package, path=files[name]))
    return faces


def heldout_faces() -> list[Face]:
    """Every held-out face present here; raises :class:`FontsMissingError` when no font package is."""
    faces = font_files()
    if not faces:
        raise FontsMissingError(f"no held-out plate font is installed ({FONT_ROOTS[0]}): {INSTALL_HINT}")
    hershey = [Face(name=n, package="opencv", hershey=f) for n, f in HERSHEY_FONTS.items()]
    return faces + hershey
