"""Train the ocr-plate CRNN on generated plate crops and ship it as float + int8 TFLite with sidecars.

    uv run python tools/train_plate_ocr.py                      # the shipped weights (≈15 min, 2 cores)
    uv run python tools/train_plate_ocr.py --train-n 2000 --epochs 1 --out /tmp/crnn   # smoke run

Training crops come from ``plate_crops.synth_crop`` (seed ``--seed``), validation crops from full
``compose_scene`` photos (seed ``--seed + 1``), and the figures written into the sidecars from ``--eval-n``
scene crops with ``--eval-seed``, which no training step ever sees. Both files are made by
edgesmith.quantize's ``convert`` (float32, and full-integer int8 with int8 I/O calibrated on
``--calib-n`` training crops); the trained Keras model is kept as ``crnn.keras`` under ``--cache`` so a
re-export (``--from-keras``) needs no retraining.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import multiprocessing
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from edgesmith.ocr_plate.crnn_reader import SHIPPED, WEIGHTS_DIR, CrnnReader
from edgesmith.ocr_plate.ctc import encode, greedy_decode
from edgesmith.ocr_plate.plate_format import PLATE_ALPHABET
from edgesmith.ocr_plate.preprocess import crnn_input

HEIGHT, WIDTH, MAX_LABEL = 32, 128, 8
EVAL_MARGIN = 0.06  # plate-reader grows the detector's box by 6 % per side before reading


def _render_chunk(args: tuple[str, int, int, int]) -> tuple[np.ndarray, list[str]]:
    """Worker: crops ``start..stop`` of ``(source, seed)`` as uint8 CRNN inputs and their texts."""
    import cv2

    from edgesmith.ocr_plate.plate_crops import scene_crop, synth_crop

    cv2.setNumThreads(1)
    source, seed, start, stop = args
    make = synth_crop if source == "synth" else scene_crop
    xs, texts = [], []
    for i in range(start, stop):
        crop, text = make(np.random.default_rng([seed, i]))
        xs.append(np.round(crnn_input(crop, HEIGHT, WIDTH) * 255).astype(np.uint8))
        texts.append(text)
    return np.stack(xs), texts


def render(
    source: str, seed: int, n: int, workers: int, label: str, cache: Path | None = None
) -> tuple[np.ndarray, list[str]]:
    """``n`` crops of ``source`` rendered by ``workers`` processes (or read back from ``cache``)."""
    from rich.progress import Progress

    cached = None if cache is None else cache / f"crnn_{source}_{seed}_{n}_{HEIGHT}x{WIDTH}.npz"
    if cached is not None and cached.is_file():
        with np.load(cached) as data:
            return data["x"], [str(t) for t in data["texts"]]

    from edgesmith.datasets.plate_synth import random_background

    random_background(np.random.default_rng(0), (8, 8))  # load the bundled photos once, before forking
    chunk = 250
    jobs = [(source, seed, s, min(s + chunk, n)) for s in range(0, n, chunk)]
    xs, texts = [], []
    with Progress() as progress, multiprocessing.get_context("fork").Pool(workers) as pool:
        task = progress.add_task(f"rendering {label} ({source}, seed {seed})", total=n)
        for x, t in pool.imap(_render_chunk, jobs):
            xs.append(x)
            texts.extend(t)
            progress.advance(task, len(t))
    x = np.concatenate(xs)
    if cached is not None:
        cached.parent.mkdir(parents=True, exist_ok=True)
        tmp = cached.with_name(cached.stem + ".tmp.npz")
        np.savez(tmp, x=x, texts=np.array(texts))
        os.replace(tmp, cached)
    return x, texts


def exact_accuracy(probs: np.ndarray, texts: list[str]) -> float:
    """Share of crops whose greedy decode equals the label."""
    hits = sum(greedy_decode(p, PLATE_ALPHABET)[0] == t for p, t in zip(probs, texts, strict=True))
    return hits / len(texts)


def evaluate_tflite(path: Path, crops: list[np.ndarray], texts: list[str]) -> dict[str, float]:
    """Exact-plate and last-digit accuracy and mean latency of a shipped-format model through the reader."""
    reader = CrnnReader(path, num_threads=1)
    reader.read(crops[0])
    exact = digit = valid = 0
    start = time.perf_counter()
    for crop, text in zip(crops, texts, strict=True):
        r = reader.read(crop)
        exact += r.text == text
        digit += r.last_digit == int(text[-1])
        valid += r.valid
    ms = (time.perf_counter() - start) / len(crops) * 1e3
    n = len(texts)
    return {
        "exact": exact / n,
        "last_digit": digit / n,
        "valid": valid / n,
        "latency_ms": round(ms, 3),
        "n": n,
    }


def write_atomic(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name + ".")
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    os.chmod(tmp, 0o644)  # package data: readable by everyone, like a normal file
    os.replace(tmp, path)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, default=WEIGHTS_DIR, help="folder for the .tflite files + sidecars")
    ap.add_argument("--train-n", type=int, default=30000, help="training crops rendered once")
    ap.add_argument("--val-n", type=int, default=600, help="validation scene crops (per-epoch accuracy)")
    ap.add_argument("--eval-n", type=int, default=600, help="held-out scene crops for the sidecar figures")
    ap.add_argument("--calib-n", type=int, default=300, help="int8 calibration crops (from training data)")
    ap.add_argument("--epochs", type=int, default=14)
    ap.add_argument("--batch-size", type=int, default=64)
    ap.add_argument("--lr", type=float, default=2e-3, help="peak Adam learning rate (cosine decay)")
    ap.add_argument("--seed", type=int, default=7, help="training data seed (validation uses seed + 1)")
    ap.add_argument("--eval-seed", type=int, default=2026, help="held-out seed, never used for training")
    ap.add_argument("--workers", type=int, default=2, help="processes rendering crops")
    ap.add_argument("--cache", type=Path, default=None, help="keep rendered crops here to reuse across runs")
    ap.add_argument("--from-keras", type=Path, default=None, help="skip training: export this .keras model")
    args = ap.parse_args(argv)
    if args.eval_seed in (args.seed, args.seed + 1):
        ap.error("--eval-seed must differ from the training and validation seeds")

    from edgesmith.datasets.tf_runtime import keras, tf, versions
    from edgesmith.ocr_plate.crnn_export import export_crnn
    from edgesmith.ocr_plate.crnn_model import build_crnn, ctc_loss, with_softmax

    t0 = time.time()
    x_train, t_train = render("synth", args.seed, args.train_n, args.workers, "training crops", args.cache)
    x_val, t_val = render("scene", args.seed + 1, args.val_n, args.workers, "validation crops", args.cache)
    gen_s = time.time() - t0
    print(f"rendered {len(x_train)} + {len(x_val)} crops in {gen_s:.0f} s", flush=True)
    y_train = np.stack([encode(t, PLATE_ALPHABET, MAX_LABEL) for t in t_train])

    tf.keras.utils.set_random_seed(args.seed)
    history: list[dict[str, float]] = []
    train_s = 0.0
    if args.from_keras is not None:
        model = keras.models.load_model(args.from_keras, compile=False)
    else:
        model = build_crnn(len(PLATE_ALPHABET) + 1, HEIGHT, WIDTH)
        steps = args.epochs * int(np.ceil(len(x_train) / args.batch_size))
        schedule = keras.optimizers.schedules.CosineDecay(args.lr, decay_steps=steps, alpha=0.02)
        model.compile(keras.optimizers.Adam(schedule), loss=ctc_loss)

        def augment(x: tf.Tensor, y: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
            x = tf.cast(x, tf.float32) / 255.0
            x = tf.image.random_contrast(x, 0.6, 1.4)
            x = tf.image.random_brightness(x, 0.15)
            return tf.clip_by_value(x, 0.0, 1.0), y

        train_ds = (
            tf.data.Dataset.from_tensor_slices((x_train, y_train))
            .shuffle(len(x_train), seed=args.seed, reshuffle_each_iteration=True)
            .batch(args.batch_size, drop_remainder=True)
            .map(augment, num_parallel_calls=tf.data.AUTOTUNE)
            .prefetch(tf.data.AUTOTUNE)
        )
        val_x = x_val.astype(np.float32) / 255.0
        infer = with_softmax(model)

        class ValAccuracy(keras.callbacks.Callback):
            def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
                acc = exact_accuracy(infer.predict(val_x, batch_size=256, verbose=0), t_val)
                history.append(
                    {"epoch": epoch + 1, "loss": float((logs or {}).get("loss", 0.0)), "val_exact": acc}
                )
                print(f"epoch {epoch + 1}: loss {history[-1]['loss']:.4f}  val exact {acc:.4f}", flush=True)

        t1 = time.time()
        model.fit(train_ds, epochs=args.epochs, verbose=2, callbacks=[ValAccuracy()])
        train_s = time.time() - t1

        if args.cache is not None:
            args.cache.mkdir(parents=True, exist_ok=True)
            model.save(args.cache / "crnn.keras")
    infer = with_softmax(model)

    args.out.mkdir(parents=True, exist_ok=True)
    calib = x_train[np.random.default_rng(args.seed).choice(len(x_train), args.calib_n, replace=False)]
    calib_x = calib.astype(np.float32) / 255.0
    artifacts = {
        "float32": export_crnn(infer, "float32"),
        "int8": export_crnn(infer, "int8", calib_x, calibration_samples=args.calib_n, seed=args.seed),
    }

    import ai_edge_litert
    import cv2

    from edgesmith.ocr_plate.plate_crops import crop_set

    eval_crops, eval_texts = crop_set(args.eval_n, args.eval_seed, source="scene", margin=EVAL_MARGIN)
    tools = {
        **versions(),
        "ai_edge_litert": getattr(ai_edge_litert, "__version__", "unknown"),
        "numpy": np.__version__,
        "opencv": cv2.__version__,
        "python": platform.python_version(),
    }
    common = {
        "model": "edgesmith.ocr_plate.crnn_model.build_crnn",
        "converter": "edgesmith.quantize.convert",
        "alphabet": PLATE_ALPHABET,
        "blank_index": 0,
        "input_height": HEIGHT,
        "input_width": WIDTH,
        "params": int(model.count_params()),
        "train": {
            "source": "edgesmith.ocr_plate.plate_crops.synth_crop",
            "seed": args.seed,
            "n": len(x_train),
            "data_sha256": hashlib.sha256(x_train.tobytes()).hexdigest(),
            "epochs": args.epochs,
            "batch_size": args.batch_size,
            "lr": args.lr,
            "render_s": round(gen_s, 1),
            "train_s": round(train_s, 1),
            "history": history,
            "command": " ".join(["tools/train_plate_ocr.py", *(argv if argv is not None else sys.argv[1:])]),
        },
        "eval": {
            "source": "edgesmith.ocr_plate.plate_crops.scene_crop",
            "seed": args.eval_seed,
            "n": args.eval_n,
            "margin": EVAL_MARGIN,
        },
        "tools": tools,
    }
    paths = {"float32": args.out / SHIPPED["float"], "int8": args.out / SHIPPED["int8"]}
    sidecars = {}
    for precision, artifact in artifacts.items():
        path = paths[precision]
        meta = {**artifact.sidecar(), **common, "artifact": path.name, "precision": precision}
        meta["tools"] = {**artifact.sidecar()["tools"], **tools}
        if precision == "float32":  # every op is float by design: the per-op float list is noise here
            noise = ("float_ops", "float_tensors")
            meta["metrics"] = {k: v for k, v in meta["metrics"].items() if k not in noise}
        # the sidecar must exist before the reader opens the model; metrics are added after evaluation
        write_atomic(path, artifact.content)
        write_atomic(path.with_name(path.name + ".json"), json.dumps(meta, indent=2).encode())
        sidecars[precision] = meta
    for precision, path in paths.items():
        meta = sidecars[precision]
        meta["metrics"] = {**meta["metrics"], **evaluate_tflite(path, eval_crops, eval_texts)}
        write_atomic(path.with_name(path.name + ".json"), (json.dumps(meta, indent=2) + "\n").encode())
        print(f"{path.name}: {meta['metrics']}")
    print(f"rendered in {gen_s:.0f} s, trained in {train_s:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
