"""Size limits checked before decoding an image or loading a model, so a hostile or mistaken input is refused
with one clear line instead of exhausting memory (a 1 kB PNG can claim 40,000 × 40,000 pixels).
"""

from __future__ import annotations

import os
from pathlib import Path

from edgesmith.profiling.errors import InputError, from_os_error

DEFAULT_MAX_PIXELS = 50_000_000
"""Default image limit: 50 megapixels (a 8,660 × 5,773 photo); CLIs expose it as ``--max-pixels``."""

DEFAULT_MAX_MODEL_MB = 4096.0
"""Default model file limit in MB; ``EDGESMITH_MAX_MODEL_MB`` overrides it."""


def max_model_bytes() -> int:
    """The model size limit in bytes: ``EDGESMITH_MAX_MODEL_MB`` if set, else :data:`DEFAULT_MAX_MODEL_MB`."""
    raw = os.environ.get("EDGESMITH_MAX_MODEL_MB", "")
    try:
        mb = float(raw) if raw.strip() else DEFAULT_MAX_MODEL_MB
    except ValueError:
        mb = DEFAULT_MAX_MODEL_MB
    return int(mb * 1_000_000)


def _mb(n_bytes: float) -> str:
    mb = n_bytes / 1e6
    return f"{mb:,.1f}".removesuffix(".0") if mb >= 1 else f"{mb:.3g}"


def _size_of(path: Path) -> int:
    if path.is_dir():
        return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
    return path.stat().st_size


def check_model_size(path: str | os.PathLike[str], limit_bytes: int | None = None) -> int:
    """Refuse a model file (or SavedModel folder) larger than the limit before anything loads it.

    Returns the size in bytes. Raises :class:`InputError` naming the size, the limit and the override.
    """
    path = Path(path)
    limit = max_model_bytes() if limit_bytes is None else int(limit_bytes)
    try:
        size = _size_of(path)
    except OSError as exc:
        raise from_os_error(exc, path) from exc
    if size > limit:
        raise InputError(
            f"model is {_mb(size)} MB, over the {_mb(limit)} MB limit",
            path=path,
            fix="pass a smaller model, or raise the limit with EDGESMITH_MAX_MODEL_MB",
        )
    return size


def image_size(path: str | os.PathLike[str]) -> tuple[int, int]:
    """Width and height read from the image header only (Pillow decodes pixels lazily)."""
    from PIL import Image, UnidentifiedImageError

    path = Path(path)
    saved = Image.MAX_IMAGE_PIXELS
    Image.MAX_IMAGE_PIXELS = None  # our own limit applies; Pillow's would raise before we read the size
    try:
        with Image.open(path) as im:
            return int(im.size[0]), int(im.size[1])
    except UnidentifiedImageError as exc:
        raise InputError(
            "not an image Pillow can read", path=path, fix="pass a PNG, JPEG or BMP photo"
        ) from exc
    except OSError as exc:
        raise from_os_error(exc, path) from exc
    finally:
        Image.MAX_IMAGE_PIXELS = saved


def check_image_pixels(
    path: str | os.PathLike[str], max_pixels: int | None = DEFAULT_MAX_PIXELS
) -> tuple[int, int]:
    """Refuse an image whose header claims over ``max_pixels`` before decoding it; returns (width, height).

    ``max_pixels`` of None or 0 disables the check (the header is still read, so a non-image is refused).
    """
    width, height = image_size(path)
    if width <= 0 or height <= 0:
        raise InputError(f"image has no pixels ({width}×{height})", path=path, fix="pass a real photo")
    if max_pixels and width * height > max_pixels:
        raise InputError(
            f"image is {width}×{height} = {width * height / 1e6:,.1f} MP, "
            f"over the {max_pixels / 1e6:,.0f} MP limit",
            path=path,
            fix="downscale it, or raise the limit with --max-pixels",
        )
    return width, height


def _verify(path: Path) -> None:
    """Pillow's structural check (chunk CRCs, truncation) without decoding the pixels."""
    from PIL import Image

    try:
        with Image.open(path) as im:
            im.verify()
    except Exception as exc:  # Pillow raises OSError, SyntaxError or struct errors for a damaged file
        raise InputError(
            f"corrupt or truncated image ({type(exc).__name__})", path=path, fix="pass an intact photo"
        ) from exc


def check_photos(named: list[Path], found: list[Path], max_pixels: int | None = DEFAULT_MAX_PIXELS) -> None:
    """Check a command's photos before any model loads: ``named`` files (given one by one) must be intact,
    readable images under the limit; ``found`` ones (from a folder scan) only must not exceed it, so one odd
    file in a folder is reported per photo by the command instead of stopping it. Raises :class:`InputError`.
    """
    for path in named:
        if path.is_dir():
            continue
        if not path.exists():
            raise InputError("no such photo", path=path, fix="check the path")
        if path.stat().st_size == 0:
            raise InputError("empty photo (0 bytes)", path=path, fix="pass a real JPEG or PNG")
        check_image_pixels(path, max_pixels)
        _verify(path)
    for path in found:
        try:
            width, height = image_size(path)
        except InputError:
            continue
        if max_pixels and width * height > max_pixels:
            check_image_pixels(path, max_pixels)


__all__ = [
    "DEFAULT_MAX_MODEL_MB",
    "DEFAULT_MAX_PIXELS",
    "check_image_pixels",
    "check_model_size",
    "check_photos",
    "image_size",
    "max_model_bytes",
]
