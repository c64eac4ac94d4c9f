"""The labelled photo folder format shared with plate-reader bench: DIR/labels.csv, one row per plate."""

from __future__ import annotations

import csv
import dataclasses
from pathlib import Path

import numpy as np

HEADER = (
    "name",
    "width",
    "height",
    "x1",
    "y1",
    "x2",
    "y2",
    "plate",
    "qx1",
    "qy1",
    "qx2",
    "qy2",
    "qx3",
    "qy3",
    "qx4",
    "qy4",
)


@dataclasses.dataclass
class LabelledPlate:
    """A labelled plate in pixels: box (x1, y1, x2, y2), canonical text and corner quad (4×2)."""

    box: tuple[float, float, float, float]
    text: str
    quad: np.ndarray


@dataclasses.dataclass
class LabelledPhoto:
    name: str
    width: int
    height: int
    plates: list[LabelledPlate]


def label_rows(name: str, width: int, height: int, plates) -> list[list[str]]:
    """CSV rows for one photo (``plates`` have ``text``, ``quad``, ``box``); one empty row when none."""
    if not plates:
        return [[name, str(width), str(height)] + [""] * (len(HEADER) - 3)]
    rows = []
    for p in plates:
        x1, y1, x2, y2 = p.box
        box = [x1 / width, y1 / height, x2 / width, y2 / height]
        quad = [v for x, y in p.quad for v in (x / width, y / height)]
        rows.append(
            [name, str(width), str(height)]
            + [f"{v:.6f}" for v in box]
            + [p.text]
            + [f"{v:.6f}" for v in quad]
        )
    return rows


def write_labels(path: Path, rows: list[list[str]]) -> None:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(HEADER)
        writer.writerows(rows)


def read_labels(path: Path) -> dict[str, LabelledPhoto]:
    """Photos by file name, plates in pixels; raises ValueError naming the row on a malformed file."""
    photos: dict[str, LabelledPhoto] = {}
    with open(path, newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        if tuple(reader.fieldnames or ()) != HEADER:
            raise ValueError(f"{path}: header must be {','.join(HEADER)}")
        for i, row in enumerate(reader, start=2):
            try:
                w, h = int(row["width"]), int(row["height"])
                photo = photos.setdefault(row["name"], LabelledPhoto(row["name"], w, h, []))
                if not row["plate"]:
                    continue
                box = tuple(float(row[k]) * s for k, s in (("x1", w), ("y1", h), ("x2", w), ("y2", h)))
                quad = np.array([[float(row[f"qx{j}"]) * w, float(row[f"qy{j}"]) * h] for j in range(1, 5)])
                photo.plates.append(LabelledPlate(box=box, text=row["plate"], quad=quad))  # type: ignore[arg-type]
            except (KeyError, ValueError) as exc:
                raise ValueError(f"{path}:{i}: malformed row ({exc})") from None
    return photos
