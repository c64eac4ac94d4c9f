"""Train the baseline plate box regressor (one global box), quantize it to int8, write both + sidecars.

Run from the repository root (about 15-25 min on 2 CPU cores with the defaults):

    uv run python tools/train_plate_regressor.py
    uv run python tools/train_plate_regressor.py --train-n 2000 --epochs 4 --out build/detector-try

Data: ``--train-n`` scenes from edgesmith.datasets.plate_synth (seeds 1.., four photo aspect ratios), a
validation set (seed 500) and a held-out test set with a seed never used for training (``--test-seed``,
default 9001, ``--test-n`` ≥ 500 images). Generated sets are cached under ``build/plate-data``. Writes
``plate_detector.keras`` (float) and ``plate_detector_int8.tflite`` (full-integer, float I/O) plus a
``<artifact>.json`` sidecar each (data seeds, hashes, tool versions, test metrics).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = ROOT / "apps" / "plate-reader" / "src" / "plate_reader" / "models"
TRAIN_SIZES = ((320, 240), (240, 240), (320, 180), (240, 320))
TRAIN_SHARES = (0.55, 0.2, 0.15, 0.1)
VAL_SEED = 500


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--train-n", type=int, default=12000, help="generated training images (default 12000)")
    p.add_argument("--val-n", type=int, default=500, help="generated validation images (seed 500)")
    p.add_argument("--test-n", type=int, default=600, help="held-out test images (default 600, >= 500)")
    p.add_argument(
        "--test-seed", type=int, default=9001, help="seed of the held-out set, never used to train"
    )
    p.add_argument("--train-csv", type=Path, help="train on this annotation CSV instead of generated data")
    p.add_argument("--epochs", type=int, default=24, help="training epochs (default 24)")
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--lr", type=float, default=2e-3, help="peak Adam learning rate (cosine decay)")
    p.add_argument("--calib-n", type=int, default=200, help="representative samples for int8 calibration")
    p.add_argument(
        "--data-dir", type=Path, default=ROOT / "build" / "plate-data", help="generated-data cache"
    )
    p.add_argument("--out", type=Path, default=DEFAULT_OUT, help="where the models and sidecars go")
    p.add_argument(
        "--prune", action="store_true", help="also prune the trained model (the original study, 20→80 %%)"
    )
    p.add_argument("--prune-from", type=Path, help="skip training: prune this trained .keras detector")
    p.add_argument("--prune-n", type=int, default=4000, help="training images for the pruning fine-tune")
    p.add_argument("--prune-epochs", type=int, default=2, help="pruning fine-tune epochs")
    p.add_argument(
        "--pruned-out",
        type=Path,
        default=ROOT / "build" / "plate-detector-pruned",
        help="where the pruned float/int8 detectors go (not shipped; bench them with --variant)",
    )
    return p.parse_args(argv)


def cached_dataset(data_dir: Path, seed: int, n: int, size: tuple[int, int]) -> Path:
    """Generate (or reuse) ``n`` scenes of ``size`` with ``seed``; return the CSV path."""
    from edgesmith.datasets.plate_synth import generate_dataset

    folder = data_dir / f"seed{seed}_{size[0]}x{size[1]}_n{n}"
    csv_path = folder / "plates.csv"
    if (folder / "dataset.json").exists() and csv_path.exists():
        return csv_path
    t0 = time.perf_counter()
    generate_dataset(folder, n=n, seed=seed, size=size)
    print(
        f"generated {n} images {size[0]}x{size[1]} seed {seed} in {time.perf_counter() - t0:.0f} s",
        flush=True,
    )
    return csv_path


def load(csv_path: Path) -> tuple[np.ndarray, np.ndarray]:
    from plate_reader.detector import load_annotated_images

    x, y, _ = load_annotated_images(csv_path)
    return x, y


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.test_n < 500:
        print("warning: --test-n below 500 does not meet the issue's held-out target size", file=sys.stderr)
    from edgesmith.datasets.plate_synth import plate_font_path
    from plate_reader.training import train_and_export

    t_start = time.perf_counter()
    train_seeds: list[int] = []
    if args.train_csv is not None:
        x_train, y_train = load(args.train_csv)
        train_source: dict[str, object] = {"csv": str(args.train_csv)}
    else:
        parts = []
        for i, (size, share) in enumerate(zip(TRAIN_SIZES, TRAIN_SHARES, strict=True)):
            train_seeds.append(i + 1)
            parts.append(
                load(cached_dataset(args.data_dir, i + 1, max(1, round(args.train_n * share)), size))
            )
        x_train = np.concatenate([p[0] for p in parts])
        y_train = np.concatenate([p[1] for p in parts])
        train_source = {
            "generator": "edgesmith.datasets.plate_synth",
            "seeds": train_seeds,
            "sizes": [list(s) for s in TRAIN_SIZES],
            "font": Path(plate_font_path()).name,
        }
    if args.test_seed in (*train_seeds, VAL_SEED):
        raise SystemExit(f"--test-seed {args.test_seed} is used for training/validation; pick another")
    x_val, y_val = load(cached_dataset(args.data_dir, VAL_SEED, args.val_n, (320, 240)))
    x_test, y_test = load(cached_dataset(args.data_dir, args.test_seed, args.test_n, (320, 240)))
    print(
        f"data: {len(x_train)} train / {len(x_val)} val / {len(x_test)} test "
        f"({time.perf_counter() - t_start:.0f} s)",
        flush=True,
    )
    meta = {
        "train_data": train_source,
        "eval_data": {"seed": args.test_seed, "size": [320, 240], "unseen_in_training": True},
        "val_data": {"seed": VAL_SEED, "n": len(x_val), "size": [320, 240]},
        "command": "uv run python tools/train_plate_regressor.py " + " ".join(argv or sys.argv[1:]),
    }
    if args.prune_from is not None:
        prune(args, args.prune_from, x_train, y_train, (x_test, y_test))
        return 0
    result = train_and_export(
        x_train,
        y_train,
        args.out,
        val=(x_val, y_val),
        test=(x_test, y_test),
        epochs=args.epochs,
        batch_size=args.batch_size,
        learning_rate=args.lr,
        calib_n=args.calib_n,
        meta=meta,
    )
    print(f"float test: {json.dumps(result.float_metrics)} (trained {result.train_seconds:.0f} s)")
    print(f"int8 test:  {json.dumps(result.int8_metrics)}")
    print(
        f"wrote {result.keras_path} ({result.keras_path.stat().st_size / 1e6:.2f} MB), {result.int8_path} "
        f"({result.int8_path.stat().st_size / 1e6:.2f} MB); total {time.perf_counter() - t_start:.0f} s"
    )
    if args.prune:
        prune(args, result.keras_path, x_train, y_train, (x_test, y_test))
    return 0


def prune(args: argparse.Namespace, keras_path: Path, x: np.ndarray, y: np.ndarray,
          test: tuple[np.ndarray, np.ndarray]) -> None:  # fmt: skip
    """Prune ``keras_path`` on the first ``--prune-n`` training images and print the held-out metrics."""
    from plate_reader.training import prune_and_export

    t0 = time.perf_counter()
    out = prune_and_export(keras_path, x[: args.prune_n], y[: args.prune_n], args.pruned_out, test=test,
                           epochs=args.prune_epochs, calib_n=args.calib_n)  # fmt: skip
    print(f"pruned (sparsity {out['sparsity']:.2f}, {time.perf_counter() - t0:.0f} s): "
          f"float {json.dumps(out['float_metrics'])}; int8 {json.dumps(out['int8_metrics'])}")  # fmt: skip
    print(f"wrote {out['keras']} and {out['int8']}")


if __name__ == "__main__":
    raise SystemExit(main())
