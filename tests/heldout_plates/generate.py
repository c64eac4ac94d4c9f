"""Write the held-out plate photos and their labels.csv (the labelled-folder format plate-reader reads).

    uv run python tests/heldout_plates/generate.py --n 550 --out /tmp/heldout [--seed 1301]

Photo i depends only on (seed, i): the same command writes the same bytes.
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the `heldout_plates` package importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np

from heldout_plates.fonts import FontsMissingError, heldout_faces
from heldout_plates.labels import label_rows, write_labels
from heldout_plates.scene import EMPTY_EVERY, HeldoutPhoto, make_photo

DEFAULT_SEED = 1301
OWN_FILE = re.compile(r"heldout_\d{5}\.(jpg|png)|labels\.csv")


def photo_rng(seed: int, index: int) -> np.random.Generator:
    """The generator of photo ``index``: independent of how many photos are written."""
    return np.random.default_rng(np.random.SeedSequence([seed, index, 0x4E1D]))


def generate(out: Path, n: int, seed: int = DEFAULT_SEED, progress: bool = False) -> list[HeldoutPhoto]:
    """Write ``n`` photos ``heldout_00000.jpg``... and ``labels.csv`` into ``out``; return the photos.

    ``out`` must be new, empty or hold an earlier held-out set (which is replaced). The photos are written
    to a hidden sibling folder first and moved in at the end, so a failed run leaves nothing behind.
    """
    faces = heldout_faces()
    if out.is_dir():
        foreign = [p.name for p in out.iterdir() if not OWN_FILE.fullmatch(p.name)]
        if foreign:
            raise FileExistsError(f"it holds other files ({foreign[0]}, ...)")
    staging = out.parent / f".{out.name}.partial"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    try:
        rows: list[list[str]] = []
        photos = []
        for i in range(n):
            photo = make_photo(photo_rng(seed, i), faces, empty=i % EMPTY_EVERY == 3)
            name = f"heldout_{i:05d}{photo.ext}"
            (staging / name).write_bytes(photo.data)
            rows += label_rows(name, photo.width, photo.height, photo.plates)
            photos.append(photo)
            if progress and (i + 1) % 50 == 0:
                print(f"generate: {i + 1}/{n} photos", file=sys.stderr)
        write_labels(staging / "labels.csv", rows)
        out.mkdir(parents=True, exist_ok=True)
        for old in out.iterdir():
            old.unlink()
        for new in sorted(staging.iterdir()):
            new.replace(out / new.name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return photos


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--n", type=int, default=550, help="number of photos (default 550)")
    parser.add_argument("--out", type=Path, required=True, help="folder for the photos and labels.csv")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"seed (default {DEFAULT_SEED})")
    args = parser.parse_args(argv)
    if args.n < 1:
        print(f"error: --n must be at least 1 ({args.n}): pass --n 550", file=sys.stderr)
        return 2
    if args.out.exists() and not args.out.is_dir():
        print(f"error: output is not a folder ({args.out}): pass a folder path to --out", file=sys.stderr)
        return 2
    try:
        photos = generate(args.out, args.n, args.seed, progress=True)
    except FontsMissingError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 3
    except FileExistsError as exc:
        print(
            f"error: the output folder is not empty ({args.out}): {exc}; pass a new folder", file=sys.stderr
        )
        return 2
    except OSError as exc:
        print(f"error: cannot write the photos ({args.out}): {exc.strerror or exc}", file=sys.stderr)
        return 2
    empty = sum(1 for p in photos if not p.plates)
    plates = sum(len(p.plates) for p in photos)
    print(
        f"wrote {len(photos)} photos ({plates} plates, {empty} without a plate) and labels.csv to {args.out}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
