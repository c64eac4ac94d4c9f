"""Render plate-OCR training arrays: loose crops → corner-net inputs, corners, rectified CRNN inputs.

Used by tools/train_plate_ocr.py; rendered arrays are cached as ``.npz`` so a re-run (or a re-export)
does not render again:

    uv run python tools/plate_ocr_data.py --source synth --seed 7 --n 16000 --cache /tmp/crnn_cache
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import sys
from pathlib import Path

import numpy as np

HEIGHT, WIDTH = 32, 128
MARGIN_SHARE = 0.1  # CRNN inputs rectified with the margin's guess (as when the corner fit fails)
CORNER_NOISE = 0.03  # per-corner noise (× plate size) on the true quad: a corner regressor's error


def _quad_iou(a: np.ndarray, b: np.ndarray, res: int = 200) -> float:
    """IoU of two quads in normalised crop coordinates, rasterised on a ``res``² grid."""
    import cv2

    ma, mb = np.zeros((res, res), np.uint8), np.zeros((res, res), np.uint8)
    cv2.fillConvexPoly(ma, np.round(np.asarray(a) * res).astype(np.int32), 1)
    cv2.fillConvexPoly(mb, np.round(np.asarray(b) * res).astype(np.int32), 1)
    return float((ma & mb).sum() / max(int((ma | mb).sum()), 1))


def _render_chunk(args: tuple[str, int, int, int]) -> dict[str, np.ndarray]:
    """Worker: draws ``start..stop`` of ``(source, seed)`` as the arrays training needs."""
    import cv2

    from edgesmith.ocr_plate.plate_crops import street_crops, synth_crop
    from edgesmith.ocr_plate.preprocess import crnn_input
    from edgesmith.ocr_plate.rectify import corner_input, find_plate_quad, margin_quad, order_corners, rectify

    cv2.setNumThreads(1)
    source, seed, start, stop = args
    out: dict[str, list] = {"corner_x": [], "corner_y": [], "crnn_x": [], "texts": [], "contour_iou": []}
    out["margin_iou"] = []
    for i in range(start, stop):
        rng = np.random.default_rng([seed, i])
        items = [synth_crop(rng)] if source == "synth" else street_crops(rng)
        for crop, quad, text in items:
            h, w = crop.shape[:2]
            norm = np.asarray(quad, np.float32) / np.array([w, h], np.float32)
            noise_rng = np.random.default_rng([seed, i, 1])
            size = np.ptp(quad, axis=0)
            if noise_rng.random() < MARGIN_SHARE:
                used = margin_quad(w, h)
            else:
                used = order_corners(quad + noise_rng.normal(0, CORNER_NOISE, size=(4, 2)) * size)
            out["corner_x"].append(np.round(corner_input(crop)[..., 0] * 255).astype(np.uint8))
            out["corner_y"].append(norm.reshape(8))
            plate = rectify(crop, used)
            out["crnn_x"].append(np.round(crnn_input(plate, HEIGHT, WIDTH)[..., 0] * 255).astype(np.uint8))
            out["texts"].append(text)
            fit = find_plate_quad(crop)
            out["contour_iou"].append(_quad_iou(fit.quad / np.array([w, h]), norm))
            out["margin_iou"].append(_quad_iou(margin_quad(w, h) / np.array([w, h]), norm))
    return {
        k: (
            np.array(v)
            if k == "texts"
            else np.asarray(v, np.float32 if "iou" in k or k == "corner_y" else None)
        )
        for k, v in out.items()
    }


def render(
    source: str, seed: int, n: int, workers: int = 2, cache: Path | None = None, label: str = "crops"
) -> dict[str, np.ndarray]:
    """``n`` draws of ``source`` (``synth``: one crop each; ``street``: one photo, 0–3 crops each)."""
    from rich.progress import Progress

    cached = None if cache is None else cache / f"plateocr_{source}_{seed}_{n}_{HEIGHT}x{WIDTH}.npz"
    if cached is not None and cached.is_file():
        with np.load(cached) as data:
            return {k: data[k] for k in data.files}

    from edgesmith.datasets.plate_synth import random_background

    random_background(np.random.default_rng(0), (8, 8))  # load the bundled photos once, before forking
    chunk = 100
    jobs = [(source, seed, s, min(s + chunk, n)) for s in range(0, n, chunk)]
    parts = []
    with Progress() as progress, multiprocessing.get_context("fork").Pool(workers) as pool:
        task = progress.add_task(f"rendering {label} ({source}, seed {seed})", total=n)
        for part, (_, _, a, b) in zip(pool.imap(_render_chunk, jobs), jobs, strict=True):
            parts.append(part)
            progress.advance(task, b - a)
    data = {k: np.concatenate([p[k] for p in parts if len(p[k])]) for k in parts[0]}
    if cached is not None:
        cached.parent.mkdir(parents=True, exist_ok=True)
        tmp = cached.with_name(cached.stem + ".tmp.npz")
        np.savez(tmp, **data)
        os.replace(tmp, cached)
    return data


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--source", choices=("synth", "street"), default="synth")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--n", type=int, default=1000, help="draws (street: photos, 0-3 crops each)")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--cache", type=Path, required=True)
    args = ap.parse_args(argv)
    data = render(args.source, args.seed, args.n, args.workers, args.cache)
    print(f"{len(data['texts'])} crops; contour IoU {data['contour_iou'].mean():.3f}, "
          f"margin IoU {data['margin_iou'].mean():.3f}")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
