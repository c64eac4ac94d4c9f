"""Where the CRNN reader fails, on training-generator crops (validation seeds, never the held-out set).

    uv run python tools/plate_ocr_errors.py --n 400 --seed 8 --source street
    uv run python tools/plate_ocr_errors.py --n 400 --seed 8 --weights /tmp/ocr/out   # a new run's models

Reads every crop three ways: with the corner regressor (what ships), with the plate's TRUE corners (the
reader alone) and with the margin's guess, and prints the kinds of failure (edgesmith.ocr_plate.diagnose),
the worst character confusions and how failures depend on the corner fit's quad IoU.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))

from plate_ocr_data import _quad_iou

from edgesmith.ocr_plate.confidence_rule import ConfidenceRule
from edgesmith.ocr_plate.crnn_reader import SHIPPED, WEIGHTS_DIR, CrnnReader
from edgesmith.ocr_plate.diagnose import char_confusions, summarise
from edgesmith.ocr_plate.plate_crops import crop_set
from edgesmith.ocr_plate.plate_format import canonical_plate
from edgesmith.ocr_plate.rectify import CORNER_WEIGHTS, CornerRegressor, margin_quad, rectify


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=400)
    ap.add_argument("--seed", type=int, default=8, help="validation seed (training uses 7)")
    ap.add_argument("--source", default="street", choices=("street", "synth"))
    ap.add_argument("--precision", default="int8", choices=("int8", "float"))
    ap.add_argument(
        "--weights", type=Path, nargs="+", default=[WEIGHTS_DIR], help="folders with crnn_* and corners_*"
    )
    ap.add_argument(
        "--min-confidence",
        type=float,
        default=None,
        help="one threshold for every character (default: the sidecar's rule)",
    )
    ap.add_argument("--agreement", action="store_true", help="also sweep a two-read agreement rule")
    args = ap.parse_args(argv)

    crops, texts, quads = crop_set(args.n, args.seed, source=args.source, with_quads=True)
    for folder in args.weights:
        print(f"\n== {folder}")
        report(folder, crops, texts, quads, args)
    return 0


def report(folder: Path, crops: list, texts: list[str], quads: list, args: argparse.Namespace) -> None:
    """Print the failure kinds, confusions and (with ``--agreement``) threshold sweeps of one model folder."""
    corners = CornerRegressor(folder / CORNER_WEIGHTS[args.precision])
    reader = CrnnReader(
        folder / SHIPPED[args.precision],
        rectifier=corners,
        rule=None if args.min_confidence is None else ConfidenceRule.single(args.min_confidence),
    )
    fits = [corners.fit(c).quad for c in crops]
    norm = [np.array(c.shape[1::-1], np.float32) for c in crops]
    ious = np.array([_quad_iou(f / s, q / s) for f, q, s in zip(fits, quads, norm, strict=True)])
    ways = {
        "corner regressor": [reader.read_plate(rectify(c, f)) for c, f in zip(crops, fits, strict=True)],
        "true corners": [reader.read_plate(rectify(c, q)) for c, q in zip(crops, quads, strict=True)],
        "margin guess": [reader.read_plate(rectify(c, margin_quad(*c.shape[1::-1]))) for c in crops],
    }
    print(f"{len(crops)} {args.source} crops, seed {args.seed}, crnn {args.precision}, "
          f"rule {reader.rule}; regressor quad IoU mean {ious.mean():.3f}")  # fmt: skip
    for way, readings in ways.items():
        kinds = summarise(readings, texts)
        print(f"\n{way}: " + ", ".join(f"{k} {v:.1%}" for k, v in kinds.items()))
        pairs = char_confusions(readings, texts).most_common(12)
        print("  confusions (true→read): " + ", ".join(f"{a}→{b} {n}" for (a, b), n in pairs))
    if args.agreement:  # would a second read of a slightly grown quad, required to agree, stop guesses?
        from edgesmith.ocr_plate.evaluate import threshold_sweep

        plain = CrnnReader(
            folder / SHIPPED[args.precision], rectifier=corners, rule=ConfidenceRule.single(0.0)
        )
        first = [plain.read_plate(rectify(c, f)) for c, f in zip(crops, fits, strict=True)]
        grown = [f.mean(axis=0) + (f - f.mean(axis=0)) * 1.06 for f in fits]
        second = [plain.read_plate(rectify(c, g)) for c, g in zip(crops, grown, strict=True)]
        agreed = [a if a.text == b.text else plain.read_plate(np.zeros((8, 16, 3), np.uint8))
                  for a, b in zip(first, second, strict=True)]  # fmt: skip
        ts = [*np.round(np.arange(0.3, 0.9, 0.05), 2), 0.9, 0.92, 0.94, 0.96, 0.97, 0.98, 0.99]
        for label, rs in (("one read", first), ("two reads agree", agreed)):
            print(f"\n{label}:")
            for row in threshold_sweep(rs, texts, ts):
                line = "  t {every:.2f}: readable {readable:.3f} exact {exact:.3f} wrong day {wrong_day:.4f}"
                print(line.format(**row))
    readings = ways["corner regressor"]
    exact = np.array(
        [r.readable and r.text == canonical_plate(t) for r, t in zip(readings, texts, strict=True)]
    )
    for lo, hi in ((0.0, 0.7), (0.7, 0.85), (0.85, 0.92), (0.92, 1.01)):
        sel = (ious >= lo) & (ious < hi)
        if sel.any():
            print(f"corner IoU [{lo:.2f}, {hi:.2f}): {sel.sum():4d} crops, exact {exact[sel].mean():.1%}")
    widths = np.array([float(np.ptp(q[:, 0])) for q in quads])
    for lo, hi in ((0, 60), (60, 90), (90, 140), (140, 1e9)):
        sel = (widths >= lo) & (widths < hi)
        if sel.any():
            print(f"plate width [{lo:.0f}, {hi:.0f}) px: {sel.sum():4d} crops, exact {exact[sel].mean():.1%}")


if __name__ == "__main__":
    sys.exit(main())
