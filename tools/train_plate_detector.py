"""Train the plate-reader's dense plate detector on generated street scenes; write float + int8 with sidecars.

Run from the repository root (the shipped model: about 40 min on 2 CPU cores):

    uv run python tools/train_plate_detector.py --out apps/plate-reader/src/plate_reader/models
    uv run python tools/train_plate_detector.py --train-n 400 --epochs 1 --out build/detector-try

Data: ``--train-n`` photos from edgesmith.datasets.plate_scenes (seed ``--seed``; 0-3 plates each, 8-80 % of
the width), validated on ``--val-n`` photos of another seed. Writes only into ``--out``:
``plate_centernet.keras`` (float), ``plate_centernet_int8.tflite`` (full-integer, uint8 input/output) and a
``<artifact>.json`` sidecar each (data seeds and hashes, training time, tool versions, validation recall).
``--cache DIR`` keeps the generated arrays between runs.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import multiprocessing
import sys
import time
from pathlib import Path

import numpy as np

KERAS_NAME = "plate_centernet.keras"
INT8_NAME = "plate_centernet_int8.tflite"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out", type=Path, required=True, help="folder for the models and their sidecars")
    p.add_argument("--train-n", type=int, default=4000, help="generated training photos (default 4000)")
    p.add_argument("--val-n", type=int, default=300, help="generated validation photos (default 300)")
    p.add_argument("--seed", type=int, default=1, help="seed of the training photos (validation: seed+1000)")
    p.add_argument("--size", type=int, default=384, help="square input side in pixels (multiple of 32)")
    p.add_argument("--width", type=int, default=16, help="network width multiplier (channels of the stem)")
    p.add_argument(
        "--crop",
        type=int,
        default=256,
        help="train on random square crops of this side (multiple of 8; 0 = whole input): the "
        "network is fully convolutional, and crops cost a fraction of a full input per step",
    )
    p.add_argument("--epochs", type=int, default=12)
    p.add_argument("--batch-size", type=int, default=16)
    p.add_argument("--lr", type=float, default=3e-3, help="peak Adam learning rate (cosine decay)")
    p.add_argument("--calib-n", type=int, default=200, help="representative photos for int8 calibration")
    p.add_argument("--workers", type=int, default=2, help="processes generating photos")
    p.add_argument(
        "--export-from",
        type=Path,
        help="skip training: export these weights (a checkpoint.weights.h5 a run left in --out)",
    )
    p.add_argument(
        "--init-from", type=Path, help="start from these weights (fine-tune a trained detector on new scenes)"
    )
    p.add_argument("--cache", type=Path, help="folder to keep the generated arrays in (.npz) between runs")
    return p.parse_args(argv)


def _sample(args: tuple[int, int, int]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Photo ``i`` of ``seed``: letterboxed uint8 input, float16 grid target, its boxes in input pixels."""
    from edgesmith.datasets.box_grid import encode_boxes, letterbox
    from edgesmith.datasets.plate_scenes import generate_scene

    seed, i, size = args
    scene = generate_scene(np.random.default_rng([seed, i]))
    x, fit = letterbox(scene.image, size)
    boxes = np.array([p.box for p in scene.plates], np.float32).reshape(-1, 4) * fit.scale
    return x, encode_boxes(boxes, size).astype(np.float16), boxes


def make_set(seed: int, n: int, size: int, workers: int, cache: Path | None) -> tuple:
    """``n`` scenes of ``seed`` as (x uint8 (n, S, S, 3), y float16 (n, G, G, 6), list of box arrays)."""
    path = cache / f"scenes_seed{seed}_n{n}_s{size}.npz" if cache else None
    if path is not None and path.is_file():
        z = np.load(path, allow_pickle=True)
        return z["x"], z["y"], list(z["boxes"])
    # photo i depends only on (seed, i): a smaller cached set of the same seed is the start of this one
    smaller = (
        sorted(
            cache.glob(f"scenes_seed{seed}_n*_s{size}.npz"),
            key=lambda p: -int(p.stem.split("_n")[1].split("_")[0]),
        )
        if cache
        else []
    )
    head: list = []
    for old in smaller:
        m = int(old.stem.split("_n")[1].split("_")[0])
        if m < n:
            z = np.load(old, allow_pickle=True)
            head = list(zip(z["x"], z["y"], list(z["boxes"]), strict=True))
            break
    t0 = time.perf_counter()
    jobs = [(seed, i, size) for i in range(len(head), n)]
    if workers > 1:
        with multiprocessing.get_context("spawn").Pool(workers) as pool:
            parts = pool.map(_sample, jobs, chunksize=32)
    else:
        parts = [_sample(j) for j in jobs]
    parts = head + list(parts)
    x = np.stack([p[0] for p in parts])
    y = np.stack([p[1] for p in parts])
    boxes = [p[2] for p in parts]
    print(f"generated {n} scenes (seed {seed}) in {time.perf_counter() - t0:.0f} s", flush=True)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        np.savez(path, x=x, y=y, boxes=np.array(boxes, dtype=object))
    return x, y, boxes


def recall_at_50(predict, x: np.ndarray, boxes: list[np.ndarray], threshold: float = 0.3) -> dict:
    """Share of plates found with IoU > 0.5, and boxes reported on photos without a plate."""
    from edgesmith.datasets.box_grid import box_iou_matrix, decode_grid

    found = total = false_pos = empty = 0
    for xi, truth in zip(x, boxes, strict=True):
        pred, _ = decode_grid(predict(xi), threshold=threshold)
        if len(truth) == 0:
            empty += 1
            false_pos += len(pred)
            continue
        total += len(truth)
        if len(pred):
            found += int((box_iou_matrix(truth, pred).max(axis=1) > 0.5).sum())
    return {"plates": total, "found_iou50_pct": round(100 * found / max(total, 1), 2),
            "empty_photos": empty, "boxes_on_empty": false_pos}  # fmt: skip


def _hash(a: np.ndarray) -> str:
    return hashlib.sha256(np.ascontiguousarray(a).tobytes()).hexdigest()


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    from edgesmith.datasets.tf_runtime import keras, tf, versions
    from edgesmith.models.plate_centernet import centernet_loss, plate_centernet
    from edgesmith.profiling.artifacts import file_hash, write_sidecar
    from edgesmith.quantize import convert

    t_start = time.perf_counter()
    x, y, _ = make_set(args.seed, args.train_n, args.size, args.workers, args.cache)
    xv, yv, bv = make_set(args.seed + 1000, args.val_n, args.size, args.workers, args.cache)
    tf.keras.utils.set_random_seed(args.seed)
    model = plate_centernet(None, args.width)  # any input size: crops to train, the full input to validate
    steps = int(np.ceil(len(x) / args.batch_size)) * args.epochs
    schedule = keras.optimizers.schedules.CosineDecay(args.lr, decay_steps=steps, alpha=0.02,
                                                      warmup_target=None)  # fmt: skip
    model.compile(optimizer=keras.optimizers.Adam(schedule), loss=centernet_loss())

    from edgesmith.datasets.box_grid import STRIDE

    crop = args.crop if 0 < args.crop < args.size else args.size
    cells, grid = crop // STRIDE, args.size // STRIDE

    def random_crop(img, target):
        # offsets on the grid, so the precomputed target crops with the image
        oy, ox = (tf.random.uniform((), 0, grid - cells + 1, dtype=tf.int32) for _ in range(2))
        img = img[oy * STRIDE : oy * STRIDE + crop, ox * STRIDE : ox * STRIDE + crop]
        return to_float(img, target[oy : oy + cells, ox : ox + cells])

    def to_float(img, target):
        img = tf.cast(img, tf.float32) / 255.0
        img = tf.image.random_brightness(img, 0.08)
        return tf.clip_by_value(img, 0.0, 1.0), tf.cast(target, tf.float32)

    ds = (tf.data.Dataset.from_tensor_slices((x, y)).shuffle(len(x), seed=args.seed)
          .map(random_crop, num_parallel_calls=2).batch(args.batch_size).prefetch(2))  # fmt: skip
    val = tf.data.Dataset.from_tensor_slices((xv, yv)).map(to_float).batch(32)
    args.out.mkdir(parents=True, exist_ok=True)
    checkpoint = keras.callbacks.ModelCheckpoint(
        str(args.out / "checkpoint.weights.h5"), save_weights_only=True
    )
    t0 = time.perf_counter()
    if args.init_from is not None:
        model.load_weights(args.init_from)
    if args.export_from is None:
        history = model.fit(ds, validation_data=val, epochs=args.epochs, verbose=2, callbacks=[checkpoint])
        losses = {"final_loss": float(history.history["loss"][-1]),
                  "final_val_loss": float(history.history["val_loss"][-1])}  # fmt: skip
    else:
        model.load_weights(args.export_from)
        losses = {"weights": str(args.export_from)}
    train_s = time.perf_counter() - t0
    print(f"trained {args.epochs} epochs on {len(x)} photos in {train_s:.0f} s", flush=True)

    out = args.out
    out.mkdir(parents=True, exist_ok=True)
    keras_path = out / KERAS_NAME
    tmp = out / f".{KERAS_NAME}.tmp.keras"
    inference_model = plate_centernet(args.size, args.width)  # fixed input size, uncompiled
    inference_model.set_weights(model.get_weights())
    inference_model.save(tmp)
    tmp.replace(keras_path)

    def float_predict(a: np.ndarray) -> np.ndarray:
        return inference_model(a[None].astype(np.float32) / 255.0, training=False)[0].numpy()

    float_metrics = recall_at_50(float_predict, xv, bv)
    rng = np.random.default_rng(args.seed)
    calib = x[np.sort(rng.choice(len(x), size=min(args.calib_n, len(x)), replace=False))].astype(np.float32)
    calib /= 255.0
    int8_path = out / INT8_NAME
    convert(inference_model, "int8", calib, io_dtype="uint8", calibration_samples=len(calib), seed=args.seed,
            output=int8_path)  # fmt: skip
    from ai_edge_litert.interpreter import Interpreter

    interp = Interpreter(str(int8_path), num_threads=2)
    interp.allocate_tensors()
    inp, outp = interp.get_input_details()[0], interp.get_output_details()[0]
    o_scale, o_zero = outp["quantization"]

    def int8_predict(a: np.ndarray) -> np.ndarray:
        interp.set_tensor(inp["index"], a[None])
        interp.invoke()
        return (interp.get_tensor(outp["index"])[0].astype(np.float32) - o_zero) * o_scale

    int8_metrics = recall_at_50(int8_predict, xv, bv)
    common = {
        "task": "licence-plate detection: centre heatmap + box grid (edgesmith.datasets.box_grid)",
        "builder": f"edgesmith.models.plate_centernet(input_size={args.size}, width={args.width})",
        "decoder": "edgesmith.datasets.box_grid.decode_grid",
        "input": {"shape": [args.size, args.size, 3], "range": [0.0, 1.0],
                  "preprocess": "edgesmith.datasets.box_grid.letterbox (aspect kept, grey pad), /255"},
        "params": int(inference_model.count_params()),
        "train_data": {"generator": "edgesmith.datasets.plate_scenes", "seed": args.seed, "n": len(x),
                       "hash": _hash(x)},
        "eval_data": {"generator": "edgesmith.datasets.plate_scenes", "seed": args.seed + 1000,
                      "n": len(xv), "hash": _hash(xv), "split": "val"},
        "training": {"epochs": args.epochs, "batch_size": args.batch_size, "lr": args.lr,
                     "loss": "CenterNet focal + 5 * L1(box)", "seconds": round(train_s, 1),
                     **losses},
        "tool_versions": {**versions(), "numpy": np.__version__},
        "command": "uv run python tools/train_plate_detector.py " + " ".join(argv or sys.argv[1:]),
    }  # fmt: skip
    if args.init_from is not None:  # a fine-tune: which weights it started from
        common["init_from"] = {"weights": str(args.init_from), "sha256": file_hash(args.init_from)}
    keras_sha = file_hash(keras_path)
    write_sidecar(keras_path, {**common, "precision": "fp32", "format": "keras", "sha256": keras_sha,
                               "metrics": float_metrics})  # fmt: skip
    write_sidecar(int8_path, {**common, "precision": "int8", "format": "tflite", "io_dtype": "uint8",
                              "quantizer": "edgesmith.quantize.convert(mode='int8', io_dtype='uint8')",
                              "source_model_sha256": keras_sha, "sha256": file_hash(int8_path),
                              "calibration": {"samples": len(calib), "data_hash": _hash(calib)},
                              "metrics": int8_metrics, "float_metrics": float_metrics})  # fmt: skip
    for f in (keras_path, int8_path, *out.glob("plate_centernet*.json")):
        f.chmod(0o644)  # atomic writes create private temp files; the models ship as package data
    print(f"validation float: {json.dumps(float_metrics)}")
    print(f"validation int8:  {json.dumps(int8_metrics)}")
    print(f"wrote {keras_path} and {int8_path}; total {time.perf_counter() - t_start:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
