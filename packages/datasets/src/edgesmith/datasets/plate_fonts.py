"""The TRAINING font list for synthetic plates: bold sans and mono faces from Debian font packages.

Plates drawn for training use every face of this list that is installed (``tools/bootstrap.sh`` installs
the packages), so a reader learns glyph shapes rather than one font. The held-out test set draws with a
disjoint list of its own; keep this list free of metric clones of those faces. When none of the Debian
faces is installed, rendering falls back to matplotlib's DejaVu Sans Bold (shipped in its wheel), and
:func:`require_training_fonts` tells a training run which packages to install.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path

TRAINING_FONTS: tuple[tuple[str, str], ...] = (
    ("fonts-dejavu-core", "DejaVuSans-Bold.ttf"),
    ("fonts-dejavu-core", "DejaVuSansMono-Bold.ttf"),
    ("fonts-dejavu-core", "DejaVuSansCondensed-Bold.ttf"),
    ("fonts-liberation", "LiberationSans-Bold.ttf"),
    ("fonts-liberation", "LiberationMono-Bold.ttf"),
    ("fonts-liberation", "LiberationSansNarrow-Bold.ttf"),
    ("fonts-freefont-ttf", "FreeSansBold.ttf"),
    ("fonts-freefont-ttf", "FreeMonoBold.ttf"),
    ("fonts-hack", "Hack-Bold.ttf"),
    ("fonts-inconsolata", "Inconsolata.otf"),
    ("fonts-jetbrains-mono", "JetBrainsMono-Bold.ttf"),
    ("fonts-jetbrains-mono", "JetBrainsMono-ExtraBold.ttf"),
    ("fonts-firacode", "FiraCode-Bold.ttf"),
    ("fonts-open-sans", "OpenSans-Bold.ttf"),
    ("fonts-open-sans", "OpenSans-CondBold.ttf"),
    ("fonts-open-sans", "OpenSans-ExtraBold.ttf"),
    ("fonts-cantarell", "Cantarell-Bold.otf"),
    ("fonts-lato", "Lato-Bold.ttf"),
    ("fonts-lato", "Lato-Black.ttf"),
    ("fonts-inter", "Inter-Bold.otf"),
    ("fonts-inter", "Inter-ExtraBold.otf"),
    ("fonts-b612", "B612-Bold.otf"),
    ("fonts-b612", "B612Mono-Bold.otf"),
    ("fonts-go", "Go-Bold.ttf"),
    ("fonts-go", "Go-Mono-Bold.ttf"),
    ("fonts-bebas-neue", "BebasNeue-Bold.otf"),
    ("fonts-anonymous-pro", "Anonymous Pro B.ttf"),
    ("fonts-clear-sans", "ClearSans-Bold.ttf"),
    ("fonts-karla", "Karla-Bold.otf"),
    ("fonts-karla", "Karla-ExtraBold.otf"),
    ("fonts-roboto", "Roboto-Bold.ttf"),
    ("fonts-roboto", "Roboto-Black.ttf"),
    ("fonts-roboto", "RobotoCondensed-Bold.ttf"),
    # road-sign, plate and machine-reading faces: the letterings real plates are cut in
    ("fonts-opendin", "OSP-DIN.ttf"),
    ("fonts-roadgeek", "RG2014B.ttf"),
    ("fonts-roadgeek", "RG2014D.ttf"),
    ("fonts-roadgeek", "RG2014E.ttf"),
    ("fonts-tiresias", "tiresias_lpfont_bold.ttf"),
    ("fonts-tiresias", "tiresias_signfont_bold.ttf"),
    ("fonts-national-park", "NationalPark-Heavy.otf"),
    ("fonts-ocr-b", "OCRB.otf"),
    ("fonts-osifont", "osifont.ttf"),
    ("fonts-allerta", "allerta_medium.otf"),
    # more bold grotesques, humanists and monos
    ("fonts-paratype", "PTS75F.ttf"),
    ("fonts-paratype", "PTN77F.ttf"),
    ("fonts-paratype", "PTM75F.ttf"),
    ("fonts-play", "Play-Bold.ttf"),
    ("fonts-tuffy", "Tuffy_Bold.ttf"),
    ("fonts-sora", "Sora-Bold.otf"),
    ("fonts-manrope", "Manrope-Bold.ttf"),
    ("fonts-monoid", "Monoid-Bold.ttf"),
    ("fonts-sil-andika", "Andika-Bold.ttf"),
)
"""(Debian package, font file name) of every face plates are drawn with for training."""

FONT_DIRS: tuple[str, ...] = (
    "/usr/share/fonts",
    "/usr/local/share/fonts",
    "~/.local/share/fonts",
    "~/.fonts",
)
"""Where installed fonts are looked for (``EDGESMITH_FONT_DIRS``, ``os.pathsep``-separated, adds more)."""


class FontsMissing(RuntimeError):
    """None of a font list's faces is installed; the message names the packages to install."""


def _search_dirs() -> list[Path]:
    extra = [d for d in os.environ.get("EDGESMITH_FONT_DIRS", "").split(os.pathsep) if d]
    return [Path(d).expanduser() for d in (*extra, *FONT_DIRS)]


@functools.cache
def _font_index(dirs: tuple[Path, ...]) -> dict[str, Path]:
    """File name → path of every TrueType/OpenType file under ``dirs`` (first one found wins)."""
    index: dict[str, Path] = {}
    for root in dirs:
        if not root.is_dir():
            continue
        for path in sorted(root.rglob("*")):
            if path.suffix.lower() in (".ttf", ".otf") and path.name not in index:
                index[path.name] = path
    return index


def find_fonts(names: tuple[tuple[str, str], ...]) -> tuple[Path, ...]:
    """Installed paths of the ``(package, file name)`` faces in ``names``, in order; absent ones skipped."""
    index = _font_index(tuple(_search_dirs()))
    return tuple(index[name] for _pkg, name in names if name in index)


@functools.cache
def fallback_font() -> Path:
    """DejaVu Sans Bold from matplotlib's wheel: the face every machine has, used by the clean template."""
    from matplotlib import font_manager

    props = font_manager.FontProperties(family="DejaVu Sans", weight="bold")
    return Path(font_manager.findfont(props, fallback_to_default=False))


def training_fonts() -> tuple[Path, ...]:
    """The installed TRAINING faces, or matplotlib's DejaVu Sans Bold alone when none is installed."""
    return find_fonts(TRAINING_FONTS) or (fallback_font(),)


def missing_training_packages() -> list[str]:
    """Debian packages of the TRAINING list with no face installed (what ``apt-get install`` would add)."""
    present = {name for name in _font_index(tuple(_search_dirs()))}
    packages = dict.fromkeys(pkg for pkg, _ in TRAINING_FONTS)
    have = {pkg for pkg, name in TRAINING_FONTS if name in present}
    return [pkg for pkg in packages if pkg not in have]


def require_training_fonts() -> tuple[Path, ...]:
    """The installed TRAINING faces; :class:`FontsMissing` naming the packages when none is installed."""
    found = find_fonts(TRAINING_FONTS)
    if not found:
        packages = " ".join(dict.fromkeys(pkg for pkg, _ in TRAINING_FONTS))
        raise FontsMissing(
            f"no training plate font is installed (looked in {', '.join(map(str, _search_dirs()))}): "
            f"run tools/bootstrap.sh or apt-get install {packages}"
        )
    return found


__all__ = [
    "FONT_DIRS",
    "TRAINING_FONTS",
    "FontsMissing",
    "fallback_font",
    "find_fonts",
    "missing_training_packages",
    "require_training_fonts",
    "training_fonts",
]
