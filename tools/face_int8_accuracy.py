"""int8 vs float accuracy of the face classifier on every backbone that fits here (target: within 1 point).

Draws synthetic identities, then per backbone: ``face-recognizer train`` (random init, small input), export to
TFLite float32 and full int8, and compares test accuracy and float/int8 prediction agreement. The identities
are drawn cartoons: the figures check the quantization pipeline, not real face-recognition accuracy.

    uv run python tools/face_int8_accuracy.py --out results/faces --image-size 80 --images 80 --epochs 6
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

from edgesmith.datasets.faces import synthetic_identities
from face_recognizer.card import write_json
from face_recognizer.export import export_face_model
from face_recognizer.training import load_face_splits, train_face_model

LEARNING_RATES = {"vgg16": 1e-4}  # plain deep VGG from scratch diverges at Adam's 1e-3


def agreement(float_path: Path, int8_path: Path, x: np.ndarray) -> tuple[float, float]:
    """% of test images where float and int8 pick the same class, and the max |Δ probability|."""
    from edgesmith.profiling import open_runner
    from edgesmith.profiling.evaluation import predict_all

    with open_runner(float_path) as a, open_runner(int8_path) as b:
        pa, pb = predict_all(a, x), predict_all(b, x)
    ca = pa.argmax(-1) if pa.shape[-1] > 1 else (pa.reshape(-1) > 0.5)
    cb = pb.argmax(-1) if pb.shape[-1] > 1 else (pb.reshape(-1) > 0.5)
    return float(100.0 * np.mean(ca == cb)), float(np.abs(pa - pb).max())


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, default=Path("results/faces"), help="output folder")
    ap.add_argument("--backbones", default="mobilenetv2,xception,resnet50,vgg16,resnet152", help="comma list")
    ap.add_argument("--identities", type=int, default=2)
    ap.add_argument("--images", type=int, default=80, help="photos per identity")
    ap.add_argument("--image-size", type=int, default=80, help="classifier input side (px)")
    ap.add_argument("--epochs", type=int, default=6)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--val-split", type=float, default=0.1)
    ap.add_argument("--test-split", type=float, default=0.5, help="large, so one image is < 1 point")
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    photos = args.out / "photos"
    if not photos.is_dir():
        synthetic_identities(photos, args.identities, args.images, seed=args.seed)
    rows = []
    for backbone in args.backbones.split(","):
        t0 = time.perf_counter()
        model = args.out / backbone / f"{backbone}.keras"
        try:
            trained = train_face_model(
                photos, model, backbone, "none", args.image_size, args.epochs, 0, None, 16,
                LEARNING_RATES.get(backbone, 1e-3), seed=args.seed, progress=False,
                val_split=args.val_split, test_split=args.test_split,
            )  # fmt: skip
            result = export_face_model(
                model, args.out / backbone / "export", ["tflite-float32", "tflite-int8"]
            )
        except Exception as exc:  # a backbone that does not fit here keeps its row with the reason
            rows.append({"backbone": backbone, "error": f"{type(exc).__name__}: {str(exc).splitlines()[0]}"})
            print(backbone, "failed:", rows[-1]["error"], file=sys.stderr, flush=True)
            continue
        by = {a.name: a for a in result.artifacts}
        test = load_face_splits(trained.card).test
        agree, max_dp = agreement(
            Path(by["TFLite float32"].path), Path(by["TFLite int8"].path), test.x.astype(np.float32)
        )
        row = {
            "backbone": backbone,
            "test_images": len(test),
            "train_images": trained.sizes["train"],
            "keras_accuracy": by["Keras"].accuracy,
            "tflite_float32_accuracy": by["TFLite float32"].accuracy,
            "tflite_int8_accuracy": by["TFLite int8"].accuracy,
            "int8_minus_float_points": by["TFLite int8"].accuracy - by["TFLite float32"].accuracy,
            "float_int8_agreement_pct": agree,
            "max_abs_prob_diff": max_dp,
            "int8_size_mb": by["TFLite int8"].size_bytes / 2**20,
            "float_size_mb": by["TFLite float32"].size_bytes / 2**20,
            "seconds": time.perf_counter() - t0,
        }
        rows.append(row)
        print(json.dumps(row), flush=True)
        write_json(args.out / "int8_accuracy.json", {"args": vars(args), "rows": rows})
    lines = [
        "| backbone | test imgs | Keras % | TFLite fp32 % | TFLite int8 % | int8 − fp32 (points) "
        "| agreement % | max Δp | int8 MB | fp32 MB |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        if "error" in r:
            lines.append(f"| {r['backbone']} | failed: {r['error']} | | | | | | | | |")
            continue
        lines.append(
            f"| {r['backbone']} | {r['test_images']} | {r['keras_accuracy']:.1f} "
            f"| {r['tflite_float32_accuracy']:.1f} | {r['tflite_int8_accuracy']:.1f} "
            f"| {r['int8_minus_float_points']:+.1f} | "
            f"{r['float_int8_agreement_pct']:.1f} | {r['max_abs_prob_diff']:.3f} | {r['int8_size_mb']:.2f} | "
            f"{r['float_size_mb']:.2f} |"
        )
    text = "\n".join(lines) + (
        f"\n\nSynthetic drawn identities ({args.identities} × {args.images} photos), "
        f"input {args.image_size} px, "
        f"random init, {args.epochs} epochs; int8 = full-integer TFLite calibrated on 100 training crops.\n"
    )
    (args.out / "int8_accuracy.md").write_text(text)
    write_json(args.out / "int8_accuracy.json", {"args": vars(args), "rows": rows})
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
