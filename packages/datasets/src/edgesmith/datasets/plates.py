"""Licence-plate box annotations (document 001): the ``name,width,height,x1,y1,x2,y2`` CSV and its images."""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterable
from dataclasses import astuple, dataclass
from pathlib import Path

import numpy as np

from edgesmith.datasets.arrays import ArrayDataset
from edgesmith.datasets.errors import DatasetError
from edgesmith.datasets.files import Progress, atomic_write, existing_dir, existing_file

PLATE_CSV_HEADER = ("name", "width", "height", "x1", "y1", "x2", "y2")
# The header the source's own script wrote with pandas (image_name ... bottom_y); read as a synonym.
_SOURCE_HEADER = ("image_name", "image_width", "image_height", "top_x", "top_y", "bottom_x", "bottom_y")
IMAGE_SUFFIXES = (".jpeg", ".jpg", ".png", ".bmp", ".webp", ".tif", ".tiff")


@dataclass(frozen=True)
class PlateBox:
    """One annotated plate: image name, its size in pixels and the box corners normalised to [0, 1]."""

    name: str
    width: int
    height: int
    x1: float
    y1: float
    x2: float
    y2: float

    def __post_init__(self) -> None:
        coords = (self.x1, self.y1, self.x2, self.y2)
        if not all(0.0 <= c <= 1.0 for c in coords):
            raise DatasetError(
                f"plate box for {self.name!r} has coordinates {coords} outside [0, 1]; "
                "store corners divided by the image width/height"
            )
        if self.x2 <= self.x1 or self.y2 <= self.y1:
            raise DatasetError(
                f"plate box for {self.name!r} has x2<=x1 or y2<=y1 {coords}; store top-left then bottom-right"
            )
        if self.width < 1 or self.height < 1:
            raise DatasetError(f"plate box for {self.name!r} has image size {self.width}×{self.height}")

    @property
    def coords(self) -> np.ndarray:
        """``[x1, y1, x2, y2]`` as float32 (the regressor's target)."""
        return np.array([self.x1, self.y1, self.x2, self.y2], dtype=np.float32)

    def to_pixels(self, width: int | None = None, height: int | None = None) -> tuple[int, int, int, int]:
        """Box corners in pixels of an image ``width``×``height`` (default: the annotated size)."""
        w, h = width or self.width, height or self.height
        return (round(self.x1 * w), round(self.y1 * h), round(self.x2 * w), round(self.y2 * h))


def _parse_rows(rows: list[list[str]], source: str) -> list[PlateBox]:
    if rows and [c.strip().lower() for c in rows[0]] in (list(PLATE_CSV_HEADER), list(_SOURCE_HEADER)):
        rows = rows[1:]
    boxes = []
    for lineno, row in enumerate(rows, start=1):
        if not row or all(not c.strip() for c in row):
            continue
        if len(row) != 7:
            raise DatasetError(
                f"{source} row {lineno} has {len(row)} fields, expected 7 ({','.join(PLATE_CSV_HEADER)})"
            )
        name = row[0].strip()
        try:
            width, height = int(float(row[1])), int(float(row[2]))
            x1, y1, x2, y2 = (float(v) for v in row[3:])
        except ValueError as exc:
            raise DatasetError(f"{source} row {lineno}: non-numeric size or coordinate ({exc})") from exc
        try:
            boxes.append(PlateBox(name, width, height, x1, y1, x2, y2))
        except DatasetError as exc:
            raise DatasetError(f"{source} row {lineno}: {exc}") from exc
    return boxes


def read_plate_csv(path: str | os.PathLike[str]) -> list[PlateBox]:
    """Plate boxes from CSV: header ``name,width,height,x1,y1,x2,y2``, the source's pandas header, or none."""
    p = existing_file(path, "plate CSV")
    try:
        text = p.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DatasetError(f"{p} is not a UTF-8 text CSV ({exc}); export the annotations as CSV") from exc
    boxes = _parse_rows(list(csv.reader(io.StringIO(text))), str(p))
    if not boxes:
        raise DatasetError(f"{p} holds no plate boxes; add rows name,width,height,x1,y1,x2,y2")
    return boxes


def write_plate_csv(path: str | os.PathLike[str], boxes: Iterable[PlateBox]) -> Path:
    """Write plate boxes as CSV with the ``name,width,height,x1,y1,x2,y2`` header, atomically."""
    with atomic_write(path, "w") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(PLATE_CSV_HEADER)
        for box in boxes:
            writer.writerow([repr(v) if isinstance(v, float) else v for v in astuple(box)])
    return Path(path)


def find_image(images_dir: Path, name: str) -> Path:
    """The image file for annotation ``name`` (as given, or with a usual image suffix added)."""
    direct = images_dir / name
    if direct.is_file():
        return direct
    for suffix in IMAGE_SUFFIXES:
        for candidate in (images_dir / f"{name}{suffix}", images_dir / f"{name}{suffix.upper()}"):
            if candidate.is_file():
                return candidate
    raise DatasetError(
        f"no image for annotation {name!r} in {images_dir} (tried {name} and {name}.jpeg/.jpg/.png); "
        "pass the folder holding the annotated photos"
    )


def read_rgb(
    path: Path, size: tuple[int, int] | None = None, expect: tuple[int, int] | None = None
) -> np.ndarray:
    """An image as float32 RGB in [0, 1], resized to ``size`` = (height, width) when given.

    ``expect`` = (width, height) from an annotation: if the EXIF-rotated image has that size, the rotated
    pixels are used (annotation tools show photos EXIF-rotated); otherwise the stored pixels.
    """
    from PIL import Image, ImageOps, UnidentifiedImageError

    try:
        with Image.open(path) as img:
            img.load()
            if expect is not None and img.size != expect:
                rotated = ImageOps.exif_transpose(img)
                if rotated.size == expect:
                    img = rotated
            rgb = img.convert("RGB")
    except (UnidentifiedImageError, OSError) as exc:
        raise DatasetError(f"{path} is not a readable image ({exc}); replace or remove the file") from exc
    if size is not None:
        rgb = rgb.resize((size[1], size[0]), Image.Resampling.BILINEAR)
    return np.asarray(rgb, dtype=np.float32) / 255.0


def load_plate_dataset(
    csv_path: str | os.PathLike[str],
    images_dir: str | os.PathLike[str],
    image_size: tuple[int, int] = (224, 224),
    progress: Progress | None = None,
    dtype: str = "float32",
) -> ArrayDataset:
    """Annotated plate photos as x float32 (N, H, W, 3) in [0, 1] and y (N, 4) normalised x1, y1, x2, y2.

    ``image_size`` is (height, width); normalised boxes stay valid after resizing. Memory is N·H·W·12 bytes
    (``dtype="uint8"``: pixels 0–255 in a quarter of that, for large training sets).
    ``progress(done, total)`` is called after each image read.
    """
    if dtype not in ("float32", "uint8"):
        raise DatasetError(f"dtype must be float32 or uint8, got {dtype!r}")
    boxes = read_plate_csv(csv_path)
    folder = existing_dir(images_dir, "plate images")
    x = np.empty((len(boxes), image_size[0], image_size[1], 3), dtype=dtype)
    for i, box in enumerate(boxes):
        rgb = read_rgb(find_image(folder, box.name), image_size, expect=(box.width, box.height))
        x[i] = np.rint(rgb * 255) if dtype == "uint8" else rgb
        if progress is not None:
            progress(i + 1, len(boxes))
    y = np.stack([box.coords for box in boxes])
    return ArrayDataset(x, y, "plates")


__all__ = [
    "IMAGE_SUFFIXES",
    "PLATE_CSV_HEADER",
    "PlateBox",
    "find_image",
    "load_plate_dataset",
    "read_plate_csv",
    "read_rgb",
    "write_plate_csv",
]
