"""The one data-spec grammar: a string names the data, a :class:`Preprocess` turns it into model inputs.

Accepted ``--data`` forms (numpy and Pillow only; nothing here imports TensorFlow):

* ``photos/`` — an image folder: class subfolders (``cats/``, ``dogs/``) give labels (sorted names → ids),
  a flat folder gives unlabeled images;
* ``x.npy`` (inputs only) or ``data.npz`` (arrays ``x`` and optional ``y``, else the first two arrays);
  uint8 image arrays go through the preprocessing, float arrays are used as they are;
* ``labels.csv`` — a path column (``path``/``file``/``image``/``name``, else the first) and target columns;
  ``labels.csv:x1,y1,x2,y2`` picks the targets (e.g. boxes). Paths are relative to the CSV's folder;
* named offline sets: ``digits`` (scikit-learn's 8×8 digits upscaled to 28×28, labelled 0-9, split by
  ``split``), ``photos`` (the photographs scikit-image ships, unlabeled), and the real files of
  ``mnist:DIR`` (IDX) and ``cifar10:DIR`` (binary or pickle batches).

Every image takes the same path: decoded as uint8, then :class:`Preprocess` — so calibration and
evaluation always see the same pixels, and the sidecar records which data and which steps::

    data = load_data("photos/", preprocess="mobilenet", input_shape=(1, 224, 224, 3))
    calib, test = data.split_calibration(100)
"""

from __future__ import annotations

import csv
import dataclasses
import hashlib
import random
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from edgesmith.profiling.preprocess import Preprocess, PreprocessError
from edgesmith.profiling.runner import RunnerError

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".bmp", ".gif", ".webp", ".tif", ".tiff", ".ppm", ".pgm")
NAMED = ("digits", "photos", "mnist", "cifar10")
SPLITS = ("train", "val", "test")
_PATH_COLUMNS = ("path", "file", "filename", "image", "name")


class DataError(RunnerError):
    """Data that cannot be read or used; the message names what, where, and the fix."""


@dataclasses.dataclass
class Data:
    """Model-ready inputs ``x`` (float32), optional targets ``y``, and where they came from."""

    x: np.ndarray
    y: np.ndarray | None
    name: str
    spec: str
    preprocess: Preprocess | None = None  # None: float arrays used as given
    classes: tuple[str, ...] | None = None
    files: tuple[str, ...] = ()

    def __len__(self) -> int:
        return len(self.x)

    @property
    def labeled(self) -> bool:
        return self.y is not None

    def fingerprint(self) -> str:
        """SHA-256 (first 16 hex digits) of the exact inputs and targets, to tell data apart in sidecars."""
        h = hashlib.sha256()
        h.update(str(self.x.shape).encode())
        h.update(np.ascontiguousarray(self.x).tobytes())
        if self.y is not None:
            h.update(np.ascontiguousarray(self.y).tobytes())
        return h.hexdigest()[:16]

    def subset(self, index: slice | np.ndarray, suffix: str) -> Data:
        files = tuple(np.asarray(self.files, dtype=object)[index]) if self.files else ()
        return dataclasses.replace(
            self,
            x=self.x[index],
            y=None if self.y is None else self.y[index],
            name=f"{self.name} {suffix}",
            files=files,
        )

    def split_calibration(self, n: int = 100) -> tuple[Data, Data]:
        """``(calibration, evaluation)``: the first ``n`` samples calibrate and the rest evaluate, so int8
        variants are not scored on their own calibration data; with fewer than ``2n`` samples, half each.
        A one-sample set is used for both (and the names say so)."""
        total = len(self)
        if total < 2:
            return self.subset(slice(None), "(calibration, overlaps evaluation)"), self
        k = n if total >= 2 * n else total // 2
        return self.subset(slice(0, k), f"[:{k}] (calibration)"), self.subset(slice(k, None), f"[{k}:]")

    def calibration(self, batch_size: int = 1) -> Callable[[], Iterable[np.ndarray]]:
        """A re-iterable source of input batches, the form exporters take for int8 calibration."""

        def batches() -> Iterator[np.ndarray]:
            for i in range(0, len(self.x), batch_size):
                yield self.x[i : i + batch_size]

        return batches

    def to_dict(self) -> dict[str, Any]:
        """What a sidecar records: the spec, the resolved name, sample count, preprocessing and a hash."""
        return {
            "spec": self.spec,
            "name": self.name,
            "samples": len(self),
            "shape": list(self.x.shape[1:]),
            "labeled": self.labeled,
            "classes": list(self.classes) if self.classes else None,
            "preprocess": self.preprocess.to_dict() if self.preprocess else {"spec": "none (float arrays)"},
            "hash": self.fingerprint(),
        }


def load_data(
    spec: str | Path,
    preprocess: str | Preprocess | None = None,
    input_shape: Sequence[int | None] | None = None,
    *,
    split: str = "test",
    limit: int | None = None,
) -> Data:
    """Read ``spec`` and turn it into model inputs with ``preprocess`` fitted to ``input_shape``.

    ``input_shape`` (``(N, H, W, C)`` or ``(N, C, H, W)``) fills the size, layout and grey/colour that
    ``preprocess`` leaves open; ``limit`` keeps the first N samples (labelled image folders are shuffled
    with a fixed seed first, so the first N cover every class).
    """
    if split not in SPLITS:
        raise DataError(f"unknown split {split!r}: use train, val or test")
    if limit is not None and limit < 1:
        raise DataError(f"--limit must be at least 1, got {limit}")
    try:
        prep = preprocess if isinstance(preprocess, Preprocess) else Preprocess.parse(preprocess)
    except PreprocessError as exc:
        raise DataError(f"{exc} (--preprocess)") from exc
    prep = prep.fit_input(input_shape)
    text = str(spec)
    path = Path(text)
    name, _, arg = text.partition(":")
    try:
        if name.lower() in NAMED and not path.exists():
            data = _named(name.lower(), arg or None, split, prep, limit)
        elif path.is_dir():
            data = _folder(path, prep, limit)
        elif path.suffix.lower() in (".npy", ".npz"):
            data = _arrays(path, prep, limit)
        elif ".csv" in path.name.lower():
            csv_path, _, columns = text.partition(".csv")
            data = _csv(Path(csv_path + ".csv"), columns.lstrip(":") or None, prep, limit)
        elif not path.exists():
            raise DataError(
                f"unknown data ({path}): no such file or folder; pass an image folder, a .npy/.npz, "
                f"a .csv of paths and targets, or one of {', '.join(NAMED)}"
            )
        else:
            raise DataError(
                f"unknown data format ({path}): use an image folder, .npy/.npz or .csv of image paths"
            )
    except PreprocessError as exc:
        raise DataError(f"{exc} ({text})") from exc
    if len(data) == 0:
        raise DataError(f"no samples ({text}): the data holds nothing to evaluate; check the spec")
    data.spec = text
    return data


# -- images ------------------------------------------------------------------------------------------
def _open_image(path: Path) -> Any:
    from PIL import Image, ImageOps, UnidentifiedImageError

    try:
        with Image.open(path) as img:
            img.load()
            return ImageOps.exif_transpose(img)
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        raise DataError(f"unreadable image ({path}): {type(exc).__name__}; remove or re-save it") from exc


def _image_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES)


def _images(files: Sequence[Path], prep: Preprocess) -> np.ndarray:
    if prep.output_hw is None and len(files) > 1:
        raise DataError(
            f"images of unknown target size ({files[0].parent}): add resize=HxW to --preprocess "
            "or give the model a fixed --input-shape"
        )
    return prep.apply_images(_open_image(f) for f in files)


def _folder(root: Path, prep: Preprocess, limit: int | None) -> Data:
    classes = sorted(d.name for d in root.iterdir() if d.is_dir() and _image_files(d))
    loose = _image_files(root)
    if classes and loose:
        raise DataError(
            f"image folder mixes loose images and class subfolders ({root}): move the {len(loose)} loose "
            "images into a class folder, or point --data at a flat folder"
        )
    if classes:
        items = [(f, i) for i, c in enumerate(classes) for f in _image_files(root / c)]
        random.Random(0).shuffle(items)
        items = items[:limit]
        files = [f for f, _ in items]
        y: np.ndarray | None = np.array([i for _, i in items], np.int64)
        name = f"{root.name}/ ({len(classes)} classes)"
    else:
        if not loose:
            raise DataError(f"no images ({root}): put .jpg/.png files in it or in class subfolders")
        files, y, name = loose[:limit], None, f"{root.name}/ (unlabeled)"
    x = _images(files, prep)
    return Data(x, y, name, str(root), prep, tuple(classes) or None, tuple(map(str, files)))


# -- arrays ------------------------------------------------------------------------------------------
def _from_array(x: np.ndarray, prep: Preprocess, source: Path) -> tuple[np.ndarray, Preprocess | None]:
    if x.dtype == np.uint8 and x.ndim in (3, 4):
        return prep.apply_uint8(x), prep
    if not np.issubdtype(x.dtype, np.number):
        raise DataError(f"array of {x.dtype} ({source}): save numbers (float32 inputs or uint8 images)")
    if prep.explicit:
        raise DataError(
            f"--preprocess applies to images, but these are {x.dtype} arrays ({source}): save uint8 images "
            "to preprocess them, or drop --preprocess to use the arrays as they are"
        )
    return np.asarray(x, np.float32), None


def _arrays(path: Path, prep: Preprocess, limit: int | None) -> Data:
    if not path.is_file():
        raise DataError(f"no such data file ({path}): check the path")
    try:
        if path.suffix.lower() == ".npy":
            x, y = np.load(path, allow_pickle=False), None
        else:
            with np.load(path, allow_pickle=False) as z:
                keys = list(z.keys())
                if not keys:
                    raise DataError(f"empty archive ({path}): save arrays with np.savez(path, x=..., y=...)")
                xk = "x" if "x" in keys else keys[0]
                yk = "y" if "y" in keys else next((k for k in keys if k != xk), None)
                x, y = z[xk], (z[yk] if yk else None)
    except (OSError, ValueError, EOFError) as exc:
        raise DataError(f"not a readable numpy file ({path}): re-save it with np.save/np.savez") from exc
    if limit is not None:
        x, y = x[:limit], None if y is None else y[:limit]
    if y is not None and len(y) != len(x):
        raise DataError(f"{len(x)} inputs but {len(y)} targets ({path}): save one target per input")
    xs, used = _from_array(x, prep, path)
    return Data(xs, y, path.name, str(path), used)


# -- CSV ---------------------------------------------------------------------------------------------
def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _csv(path: Path, columns: str | None, prep: Preprocess, limit: int | None) -> Data:
    if not path.is_file():
        raise DataError(f"no such CSV ({path}): check the path")
    try:
        with path.open(newline="") as fh:
            rows = [r for r in csv.reader(fh) if r and any(c.strip() for c in r)]
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise DataError(f"unreadable CSV ({path}): {type(exc).__name__}; save it as UTF-8 text") from exc
    if not rows:
        raise DataError(f"empty CSV ({path}): write a header such as path,label and one row per image")
    first = [c.strip() for c in rows[0]]
    has_header = not (path.parent / first[0]).is_file() and not any(_is_number(c) for c in first[1:])
    header = [c.lower() for c in first] if has_header else [str(i) for i in range(len(first))]
    body = rows[1:] if has_header else rows
    path_col = next((header.index(c) for c in _PATH_COLUMNS if c in header), 0)
    if columns:
        wanted = [c.strip().lower() for c in columns.split(",") if c.strip()]
        missing = [c for c in wanted if c not in header]
        if missing:
            raise DataError(f"no column {missing[0]!r} ({path}): columns are {', '.join(header)}")
        target_cols = [header.index(c) for c in wanted]
    else:
        target_cols = [i for i in range(len(header)) if i != path_col]
    body = body[:limit]
    files = [(path.parent / r[path_col].strip()) for r in body]
    for f in files:
        if not f.is_file():
            raise DataError(f"missing image ({f}): listed in {path.name}; fix the path or drop the row")
    y, classes = (
        _targets([[r[i].strip() for i in target_cols] for r in body], path) if target_cols else (None, None)
    )
    x = _images(files, prep)
    name = f"{path.name}" + (f" ({', '.join(header[i] for i in target_cols)})" if target_cols else "")
    return Data(x, y, name, str(path), prep, classes, tuple(map(str, files)))


def _targets(cells: list[list[str]], path: Path) -> tuple[np.ndarray, tuple[str, ...] | None]:
    if all(_is_number(c) for row in cells for c in row):
        values = np.array([[float(c) for c in row] for row in cells], np.float64)
        if values.shape[1] == 1:
            col = values[:, 0]
            return (
                (col.astype(np.int64), None)
                if np.all(col == np.round(col))
                else (col.astype(np.float32), None)
            )
        return values.astype(np.float32), None
    if all(len(row) == 1 for row in cells):
        names = sorted({row[0] for row in cells})
        return np.array([names.index(row[0]) for row in cells], np.int64), tuple(names)
    raise DataError(f"non-numeric targets ({path}): pick numeric columns with {path.name}:col1,col2")


# -- named offline sets ------------------------------------------------------------------------------
def _named(name: str, arg: str | None, split: str, prep: Preprocess, limit: int | None) -> Data:
    if name == "photos":
        import importlib.util

        found = importlib.util.find_spec("skimage")
        if found is None or not found.submodule_search_locations:
            raise DataError(
                "photos needs scikit-image (photos): `uv add scikit-image`, or pass an image folder"
            )
        root = Path(next(iter(found.submodule_search_locations))) / "data"
        files = [f for f in _image_files(root) if f.suffix.lower() in (".png", ".jpg")][:limit]
        x = _images(files, prep)
        return Data(x, None, "scikit-image photos (unlabeled)", "photos", prep, None, tuple(map(str, files)))
    try:
        from edgesmith import datasets
    except ImportError as exc:
        raise DataError(f"{name} needs edgesmith-datasets ({name}): `uv add edgesmith-datasets`") from exc
    try:
        if name == "digits":
            from edgesmith.datasets.digits import digits_splits

            splits = digits_splits("digits", 28, 1)
        elif arg is None:
            raise DataError(
                f"{name} reads the real files ({name}): pass {name}:DIR with the downloaded files, "
                "or use the offline set `digits`"
            )
        elif name == "mnist":
            splits = datasets.load_mnist(arg)
        else:
            splits = datasets.load_cifar10(arg)
    except datasets.DatasetError as exc:
        raise DataError(str(exc)) from exc
    part = getattr(splits, split)
    if part is None:
        raise DataError(f"no {split} split ({name}): use --split test")
    x = np.asarray(part.x[:limit])
    images = np.clip(np.round(x * 255.0), 0, 255).astype(np.uint8)  # back to pixels: one path for all
    xs = prep.apply_uint8(images)
    y = None if part.y is None else np.asarray(part.y[:limit])
    return Data(xs, y, f"{part.name} ({split})", name, prep, tuple(part.classes or ()) or None)


__all__ = ["IMAGE_SUFFIXES", "NAMED", "SPLITS", "Data", "DataError", "load_data"]
