"""Write the sample photos the README and the plate-reader tests use (fixed seeds: rerunning reproduces them).

    uv run python tools/make_plate_samples.py            # -> apps/plate-reader/samples/

``plate.jpg`` carries plate BTR-376 (last digit 6 → Wednesday, document 001's example); the others cover the
older numeric format and other photos/angles. ``plates.csv`` (document 001's columns) and ``texts.csv`` hold
the ground truth. ``street/`` holds street scenes with several plates and their ``labels.csv``.
"""

from __future__ import annotations

import argparse
import csv
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = (  # (file name, seed, plate text)
    ("plate.jpg", 1306, "BTR-376"),
    ("plate_numeric.jpg", 2101, "480712"),
    ("plate_2.jpg", 3011, "KLM-909"),
    ("plate_3.jpg", 4242, "62513"),
    ("plate_4.jpg", 5150, "FHD-234"),
)
SIZE = (640, 480)
STREET = (77, 4, 8)  # seed, photos, first photo index of the multi-plate street samples


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out", type=Path, default=ROOT / "apps" / "plate-reader" / "samples")
    args = p.parse_args(argv)
    from edgesmith.datasets import PlateBox, write_plate_csv
    from edgesmith.datasets.plate_synth import compose_scene

    args.out.mkdir(parents=True, exist_ok=True)
    boxes = []
    with (args.out / "texts.csv").open("w", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(("name", "text"))
        for name, seed, text in SAMPLES:
            img, box, _ = compose_scene(np.random.default_rng(seed), SIZE, text=text)
            img.save(args.out / name, quality=92)
            boxes.append(PlateBox(name, SIZE[0], SIZE[1], *(round(float(v), 6) for v in box)))
            writer.writerow((name, text))
            print(f"{args.out / name}: {text} box {np.round(box, 3).tolist()}")
    write_plate_csv(args.out / "plates.csv", boxes)
    # street photos with several plates each: a labelled folder (labels.csv) for `plate-reader bench --data`
    from edgesmith.datasets.plate_scenes import write_scenes

    street = write_scenes(args.out / "street", n=STREET[1], seed=STREET[0], start=STREET[2])
    print(f"{street}: {STREET[1]} street photos (seed {STREET[0]}, from photo {STREET[2]})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
