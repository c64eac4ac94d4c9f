"""Train the ocr-plate corner regressor and CRNN on loose plate crops; ship both as float + int8 TFLite.

    uv run python tools/train_plate_ocr.py --cache /tmp/crnn_cache            # the shipped weights
    uv run python tools/train_plate_ocr.py --resweep                         # rechoose the confidence rule
    uv run python tools/train_plate_ocr.py --train-synth 800 --train-street 0 --epochs 1 --corner-epochs 1 \\
        --val-street 0 --eval-n 20 --out /tmp/crnn                             # smoke run

Crops are cut the way the plate-reader app cuts them (detector box ±10 % size, ±8 % shift, grown by
``CROP_MARGIN``) from two generators: fast posed plates on photo patches (``synth``) and the detector's
street scenes (``street``, edgesmith.datasets.plate_scenes), all drawn with the TRAINING fonts. Seeds:
training ``--seed``, validation ``--seed + 1`` (per-epoch accuracy, the rectifier comparison and the
confidence threshold), figures in the sidecars ``--eval-seed`` (never seen by training). The CRNN learns
from plates rectified with the true corners plus a corner regressor's error (and 10 % with the margin's
guess), so it reads whatever the rectifier gives it. Both networks go through edgesmith.quantize's
``convert`` (float32, and full-integer int8 with int8 I/O calibrated on training crops).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))

from plate_ocr_data import HEIGHT, WIDTH, _quad_iou, render

from edgesmith.ocr_plate.crnn_reader import SHIPPED, WEIGHTS_DIR, CrnnReader
from edgesmith.ocr_plate.ctc import encode, greedy_decode
from edgesmith.ocr_plate.plate_format import PLATE_ALPHABET
from edgesmith.ocr_plate.rectify import CORNER_INPUT, CORNER_WEIGHTS, CROP_MARGIN

MAX_LABEL = 8
OLD_MARGIN = (
    0.06  # the old crop set: the Costa Rica plate study's scenes grown by plate-reader's former 6 % margin
)


def exact_accuracy(probs: np.ndarray, texts: list[str]) -> float:
    """Share of crops whose greedy decode equals the label."""
    hits = sum(greedy_decode(p, PLATE_ALPHABET)[0] == t for p, t in zip(probs, texts, strict=True))
    return hits / len(texts)


def write_atomic(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name + ".")
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    os.chmod(tmp, 0o644)  # package data: readable by everyone, like a normal file
    os.replace(tmp, path)


def _merge(parts: list[dict[str, np.ndarray]]) -> dict[str, np.ndarray]:
    parts = [p for p in parts if p and len(p["texts"])]
    return {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}


def _augment_fn(tf, strokes: bool = False, blur: bool = False):
    """Contrast/brightness jitter; with ``strokes`` also thicker/thinner strokes and wider/narrower glyphs
    (batch-level: grey morphology and a horizontal rescale), so unseen faces look less new; with ``blur``
    a third of the batches are shrunk to 40-80 % and blown up again: the few pixels of a small plate."""

    def augment(x, y):
        x = tf.cast(x, tf.float32)[..., None] / 255.0
        x = tf.image.random_contrast(x, 0.6, 1.4)
        x = tf.image.random_brightness(x, 0.15)
        if strokes:
            r = tf.random.uniform(())
            dark_thicker = -tf.nn.max_pool2d(-x, (2, 2), 1, "SAME")  # dark ink grows
            dark_thinner = tf.nn.max_pool2d(x, (2, 2), 1, "SAME")  # dark ink shrinks
            x = tf.where(r < 0.25, dark_thicker, tf.where(r < 0.45, dark_thinner, x))
            h, w = x.shape[1], x.shape[2]
            scale = tf.random.uniform((), 0.85, 1.15)
            nw = tf.cast(tf.round(w * scale), tf.int32)
            x = tf.image.resize(x, (h, nw))
            x = tf.image.resize_with_crop_or_pad(x, h, w)
        if blur:
            h, w = x.shape[1], x.shape[2]
            f = tf.random.uniform((), 0.4, 0.8)
            small = tf.image.resize(x, (tf.cast(h * f, tf.int32), tf.cast(w * f, tf.int32)), antialias=True)
            x = tf.where(tf.random.uniform(()) < 0.33, tf.image.resize(small, (h, w)), x)
        return tf.clip_by_value(x, 0.0, 1.0), y

    return augment


def train_corners(keras, tf, train, val, args) -> tuple[object, list[dict], float]:
    """Fit the corner regressor on (crop, normalised corners); returns model, history, seconds."""
    from edgesmith.ocr_plate.corner_model import build_corner_net

    model = build_corner_net(CORNER_INPUT[1], CORNER_INPUT[0])
    steps = args.corner_epochs * int(np.ceil(len(train["texts"]) / args.batch_size))
    schedule = keras.optimizers.schedules.CosineDecay(2e-3, decay_steps=max(steps, 1), alpha=0.02)
    model.compile(keras.optimizers.Adam(schedule), loss=keras.losses.Huber(delta=0.05))
    ds = (
        tf.data.Dataset.from_tensor_slices((train["corner_x"], train["corner_y"]))
        .shuffle(len(train["texts"]), seed=args.seed)
        .batch(args.batch_size, drop_remainder=True)
        .map(_augment_fn(tf), num_parallel_calls=tf.data.AUTOTUNE)
        .prefetch(tf.data.AUTOTUNE)
    )
    history: list[dict] = []
    val_x = val["corner_x"].astype(np.float32)[..., None] / 255.0

    class ValIoU(keras.callbacks.Callback):
        def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
            pred = model.predict(val_x, batch_size=256, verbose=0)
            iou = float(
                np.mean(
                    [
                        _quad_iou(p.reshape(4, 2), t.reshape(4, 2))
                        for p, t in zip(pred, val["corner_y"], strict=True)
                    ]
                )
            )
            history.append({"epoch": epoch + 1, "loss": float((logs or {}).get("loss", 0.0)), "val_iou": iou})
            print(
                f"corners epoch {epoch + 1}: loss {history[-1]['loss']:.5f}  val quad IoU {iou:.4f}",
                flush=True,
            )

    t0 = time.time()
    model.fit(ds, epochs=args.corner_epochs, verbose=2, callbacks=[ValIoU()])
    return model, history, time.time() - t0


DEFAULT_ARCHITECTURE = {"filters": (32, 64, 96, 128), "width_context": 160}
"""The shipped CRNN's widths (2026-12-04): 660 k weights, 0.7 MB as int8."""


def _filters(text: str) -> tuple[int, ...]:
    """``--filters``: four positive conv stage widths, comma-separated."""
    try:
        filters = tuple(int(v) for v in text.split(","))
    except ValueError:
        filters = ()
    if len(filters) != 4 or min(filters) < 1:
        raise argparse.ArgumentTypeError(
            f"four positive widths, comma-separated, e.g. 32,64,96,128; got {text!r}"
        )
    return filters


def resolve_architecture(args) -> dict:
    """``build_crnn``'s width keywords: ``--filters`` / ``--context`` when given, else the ``--init-tflite``
    sidecar's own architecture, else :data:`DEFAULT_ARCHITECTURE`."""
    arch = dict(DEFAULT_ARCHITECTURE)
    if args.init_tflite is not None:
        sidecar = args.init_tflite.with_name(args.init_tflite.name + ".json")
        if sidecar.exists():
            saved = json.loads(sidecar.read_text()).get("architecture", {})
            arch.update({k: tuple(v) if isinstance(v, list) else v for k, v in saved.items()})
    if args.filters is not None:
        arch["filters"] = args.filters
    if args.context is not None:
        arch["width_context"] = args.context
    return arch


def model_architecture(crnn) -> dict:
    """The widths a trained CRNN was built with, read from its layers (what the sidecar records)."""
    filters = [int(crnn.get_layer(f"c{i}_conv").filters) for i in range(1, 5)]
    return {"filters": filters, "width_context": int(crnn.get_layer("collapse_conv").filters)}


def train_crnn(keras, tf, train, val, args) -> tuple[object, list[dict], float]:
    """Fit the CRNN with CTC on rectified plates; returns the softmax model, history, seconds."""
    from edgesmith.ocr_plate.crnn_model import build_crnn, ctc_loss, with_softmax

    y = np.stack([encode(str(t), PLATE_ALPHABET, MAX_LABEL) for t in train["texts"]])
    if args.init_from is not None:  # fine-tune a saved run: its softmax model, minus the softmax
        saved = keras.models.load_model(args.init_from / "crnn.keras", compile=False)
        model = keras.Model(saved.input, saved.get_layer("logits").output)
    elif args.init_tflite is not None:  # fine-tune a shipped float export (no Keras file kept)
        from edgesmith.ocr_plate.crnn_model import crnn_from_tflite

        model = crnn_from_tflite(args.init_tflite, **args.architecture)
    else:
        model = build_crnn(len(PLATE_ALPHABET) + 1, HEIGHT, WIDTH, **args.architecture)
    steps = args.epochs * int(np.ceil(len(y) / args.batch_size))
    schedule = keras.optimizers.schedules.CosineDecay(args.lr, decay_steps=max(steps, 1), alpha=0.02)
    model.compile(keras.optimizers.Adam(schedule), loss=ctc_loss)
    ds = (
        tf.data.Dataset.from_tensor_slices((train["crnn_x"], y))
        .shuffle(len(y), seed=args.seed, reshuffle_each_iteration=True)
        .batch(args.batch_size, drop_remainder=True)
        .map(
            _augment_fn(tf, strokes=args.stroke_aug, blur=args.blur_aug), num_parallel_calls=tf.data.AUTOTUNE
        )
        .prefetch(tf.data.AUTOTUNE)
    )
    infer = with_softmax(model)
    val_x = val["crnn_x"].astype(np.float32)[..., None] / 255.0
    val_t = [str(t) for t in val["texts"]]
    history: list[dict] = []

    class ValAccuracy(keras.callbacks.Callback):
        def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
            acc = exact_accuracy(infer.predict(val_x, batch_size=256, verbose=0), val_t)
            history.append(
                {"epoch": epoch + 1, "loss": float((logs or {}).get("loss", 0.0)), "val_exact": acc}
            )
            print(f"crnn epoch {epoch + 1}: loss {history[-1]['loss']:.4f}  val exact {acc:.4f}", flush=True)
            if args.cache is not None:  # a run stopped early can still be exported with --from-keras
                args.cache.mkdir(parents=True, exist_ok=True)
                infer.save(args.cache / "crnn.keras")
                log = {"corners": [], "corner_s": 0.0, "crnn": history, "crnn_s": time.time() - t0}
                (args.cache / "history.json").write_text(json.dumps(log))

    t0 = time.time()
    model.fit(ds, epochs=args.epochs, verbose=2, callbacks=[ValAccuracy()])
    return infer, history, time.time() - t0


SHIPPED_NAMES = {
    ("crnn", "float32"): SHIPPED["float"],
    ("crnn", "int8"): SHIPPED["int8"],
    ("corners", "float32"): CORNER_WEIGHTS["float"],
    ("corners", "int8"): CORNER_WEIGHTS["int8"],
}


def best_per_last_digit(sweep: list[dict], max_wrong_day: float, max_invented: float) -> list[dict]:
    """For each swept last-digit threshold, the allowed row that names the right day most often."""
    best: dict[float, dict] = {}
    for row in sweep:
        if row["wrong_day"] <= max_wrong_day and row["invented"] <= max_invented:
            key = row["last_digit"]
            if key not in best or row["right_day"] > best[key]["right_day"]:
                best[key] = row
    return [best[k] for k in sorted(best)]


def calibrate(args, names: dict, sidecars: dict, rect: dict | None = None) -> None:
    """Choose the confidence rule on validation crops through the real pipeline (plates, and crops of no
    plate it must refuse), score the models on the eval seed under it, and write both into every sidecar
    (with ``rect``, the rectifier IoUs)."""
    from edgesmith.ocr_plate.confidence_rule import ConfidenceRule
    from edgesmith.ocr_plate.evaluate import choose_rule, evaluate_reader, threshold_sweep
    from edgesmith.ocr_plate.plate_crops import crop_set, negative_crops
    from edgesmith.ocr_plate.rectify import CornerRegressor

    sweep_source = "street" if args.val_street else "synth"
    val_crops, val_texts = crop_set(args.sweep_n, args.seed + 1, source=sweep_source)
    reader = CrnnReader(
        args.out / names[("crnn", "int8")],
        rectifier=CornerRegressor(args.out / names[("corners", "int8")]),
        rule=ConfidenceRule.single(0.0),
    )
    grid = np.round(np.arange(0.3, 0.99, 0.05), 2)
    last_grid = np.round([*grid, 0.97, 0.98, 0.99], 2)
    readings = [reader.read(c) for c in val_crops]
    negatives = [reader.read(c) for c in negative_crops(args.sweep_n, args.seed + 1)]
    sweep = threshold_sweep(readings, val_texts, grid, grid, last_grid, negatives)
    rule = choose_rule(sweep, args.max_wrong_day, args.max_invented)
    line = (
        "every {every:.2f} numeric {numeric:.2f} last digit {last_digit:.2f}: readable {readable:.3f} "
        "exact {exact:.3f} right day {right_day:.3f} wrong day {wrong_day:.4f} invented {invented:.4f}"
    )
    best = best_per_last_digit(sweep, args.max_wrong_day, args.max_invented)
    print(f"{len(sweep)} rules swept; the best allowed for each last-digit threshold:")
    for row in best:
        print("  " + line.format(**row))
    single = [r for r in sweep if r["every"] == r["numeric"] == r["last_digit"]]
    allowed = best_per_last_digit(single, args.max_wrong_day, args.max_invented)
    if allowed:
        print("best single threshold: " + line.format(**max(allowed, key=lambda r: r["right_day"])))
    chosen = next(r for r in sweep if ConfidenceRule.from_dict(r) == rule)
    print("chosen: " + line.format(**chosen), flush=True)

    eval_sets = {"street": crop_set(args.eval_n, args.eval_seed, source="street")}
    eval_sets["old-scene"] = crop_set(args.eval_n, args.eval_seed, source="scene", margin=OLD_MARGIN)
    figures = {}
    for name, (crops, texts) in eval_sets.items():
        for precision in ("int8", "float32"):
            r = CrnnReader(
                args.out / names[("crnn", precision)],
                rectifier=CornerRegressor(args.out / names[("corners", precision)]),
                rule=rule,
            )
            score = evaluate_reader(r, crops, texts, name=f"crnn-{precision}")
            figures[(name, precision)] = {
                k: v for k, v in score.to_dict().items() if k not in ("failures", "reader")
            }
            print(f"{name} {precision}: {figures[(name, precision)]}", flush=True)

    for key, meta in sidecars.items():
        precision = key[1]
        if rect is not None:
            meta["rectifier_iou"] = {"seed": args.seed + 1, **rect}
        meta["min_confidence"] = {
            **rule.to_dict(),
            "rule": f"most right days with wrong day ≤ {args.max_wrong_day} of the plates and invented "
            f"≤ {args.max_invented} of the non-plates",
            "seed": args.seed + 1,
            "plates": len(val_crops),
            "non_plates": len(negatives),
            "chosen": chosen,
            # the sweep has thousands of rows: keep the best allowed one for each last-digit threshold
            "best_per_last_digit": best,
        }
        meta["eval"] = {
            "seed": args.eval_seed,
            "n": args.eval_n,
            "street": figures[("street", precision)],
            "old_scene": {**figures[("old-scene", precision)], "margin": OLD_MARGIN},
        }
        path = args.out / names[key]
        write_atomic(path.with_name(path.name + ".json"), (json.dumps(meta, indent=2) + "\n").encode())


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, default=WEIGHTS_DIR, help="folder for the .tflite files + sidecars")
    ap.add_argument("--train-synth", type=int, default=16000, help="synth training crops")
    ap.add_argument("--train-street", type=int, default=1500, help="street training photos (0-3 crops each)")
    ap.add_argument("--val-synth", type=int, default=300, help="synth validation crops")
    ap.add_argument("--val-street", type=int, default=300, help="street validation photos")
    ap.add_argument("--sweep-n", type=int, default=1000, help="validation crops for the confidence threshold")
    ap.add_argument("--eval-n", type=int, default=300, help="held-out street crops for the sidecar figures")
    ap.add_argument("--calib-n", type=int, default=300, help="int8 calibration crops (from training data)")
    ap.add_argument("--epochs", type=int, default=12, help="CRNN epochs")
    ap.add_argument("--corner-epochs", type=int, default=8, help="corner regressor epochs")
    ap.add_argument("--batch-size", type=int, default=64)
    ap.add_argument(
        "--filters",
        type=_filters,
        default=None,
        help="the CRNN's four conv stage widths (channels), comma list (default: the --init-tflite "
        "sidecar's, else 32,64,96,128)",
    )
    ap.add_argument(
        "--context",
        type=int,
        default=None,
        help="channels of the CRNN's column features and context convs (default: as --filters, else 160)",
    )
    ap.add_argument(
        "--lr", type=float, default=2e-3, help="peak Adam learning rate of the CRNN (cosine decay)"
    )
    ap.add_argument("--seed", type=int, default=7, help="training data seed (validation uses seed + 1)")
    ap.add_argument(
        "--more-seeds", default="", help="comma list of further training seeds, each as many crops again"
    )
    ap.add_argument(
        "--street-seeds",
        default="",
        help="comma list of further seeds of street photos only (--train-street each)",
    )
    ap.add_argument(
        "--synth-seeds", default="", help="comma list of further synth-only seeds, each SEED or SEED:N crops"
    )
    ap.add_argument("--street-repeat", type=int, default=1, help="each street crop this many times per epoch")
    ap.add_argument("--eval-seed", type=int, default=2026, help="held-out seed, never used for training")
    ap.add_argument(
        "--max-wrong-day",
        type=float,
        default=0.005,
        help="confidence rule: wrong days allowed on validation plates",
    )
    ap.add_argument(
        "--max-invented",
        type=float,
        default=0.001,
        help="confidence rule: share of validation crops of no plate that may be read as one",
    )
    ap.add_argument("--workers", type=int, default=2, help="processes rendering crops")
    ap.add_argument("--cache", type=Path, default=None, help="keep rendered crops here to reuse across runs")
    ap.add_argument(
        "--from-keras",
        type=Path,
        default=None,
        help="skip training: export the models a run saved in this folder",
    )
    ap.add_argument(
        "--init-from",
        type=Path,
        default=None,
        help="fine-tune the CRNN a run saved here, keep its corner net",
    )
    ap.add_argument("--stroke-aug", action="store_true", help="also vary stroke width and glyph width")
    ap.add_argument("--blur-aug", action="store_true", help="also shrink and regrow a third of the batches")
    ap.add_argument(
        "--init-tflite",
        type=Path,
        default=None,
        help="fine-tune the CRNN from this float32 .tflite (e.g. the shipped crnn_float.tflite)",
    )
    ap.add_argument(
        "--keep-corners",
        type=Path,
        default=None,
        help="do not train the corner net: ship the corners_*.tflite (and sidecars) of this folder again",
    )
    ap.add_argument(
        "--resweep",
        action="store_true",
        help="skip training: choose the confidence thresholds again for the models in --out and rewrite "
        "their sidecars' min_confidence and eval (e.g. after a change to the threshold rule)",
    )
    args = ap.parse_args(argv)
    if args.resweep:
        sidecars = {
            key: json.loads((args.out / f"{name}.json").read_text()) for key, name in SHIPPED_NAMES.items()
        }
        calibrate(args, SHIPPED_NAMES, sidecars)
        return 0
    args.architecture = resolve_architecture(args)  # before minutes of rendering, not after
    if args.eval_seed in (args.seed, args.seed + 1):
        ap.error("--eval-seed must differ from the training and validation seeds")

    from edgesmith.datasets.plate_fonts import require_training_fonts
    from edgesmith.datasets.tf_runtime import keras, tf, versions

    fonts = require_training_fonts()
    t0 = time.time()
    seeds = [args.seed, *(int(v) for v in args.more_seeds.split(",") if v.strip())]
    street_seeds = [int(v) for v in args.street_seeds.split(",") if v.strip()]
    synth_seeds = [
        (int(v.split(":")[0]), int(v.split(":")[1]) if ":" in v else args.train_synth)
        for v in args.synth_seeds.split(",")
        if v.strip()
    ]
    extra = {*seeds[1:], *street_seeds, *(seed for seed, _ in synth_seeds)}
    if {args.eval_seed, args.seed + 1} & extra or args.eval_seed in seeds:
        ap.error(
            "--more-seeds, --street-seeds and --synth-seeds must differ from the validation and eval seeds"
        )
    sources = [("synth", args.train_synth), ("street", args.train_street)]
    jobs = [(s, seed, n) for seed in seeds for s, n in sources if n]
    jobs += [("street", seed, args.train_street) for seed in street_seeds if args.train_street]
    jobs += [("synth", seed, n) for seed, n in synth_seeds if n]
    parts = [render(s, seed, n, args.workers, args.cache, "training") for s, seed, n in jobs]
    # street crops are few (one photo is slow to draw) but the closer match to real photos: seen more often
    train = _merge(
        [
            p
            for p, (s, _, _) in zip(parts, jobs, strict=True)
            for _ in range(args.street_repeat if s == "street" else 1)
        ]
    )
    vsources = [("synth", args.val_synth), ("street", args.val_street)]
    val = _merge(
        [render(s, args.seed + 1, n, args.workers, args.cache, "validation") for s, n in vsources if n]
    )
    gen_s = time.time() - t0
    print(f"rendered {len(train['texts'])} + {len(val['texts'])} crops in {gen_s:.0f} s", flush=True)

    tf.keras.utils.set_random_seed(args.seed)
    keep = args.keep_corners
    if args.from_keras is not None:
        corners = None if keep else keras.models.load_model(args.from_keras / "corners.keras", compile=False)
        crnn = keras.models.load_model(args.from_keras / "crnn.keras", compile=False)
        log = json.loads((args.from_keras / "history.json").read_text())
        corner_history, corner_s, crnn_history, crnn_s = (
            log[k] for k in ("corners", "corner_s", "crnn", "crnn_s")
        )
    else:
        before_run = None  # the --init-from run's record, carried on below
        if args.init_from is not None:
            before_run = json.loads((args.init_from / "history.json").read_text())
        if keep is not None:  # the shipped corner net stays: its sidecar keeps its own training record
            corners, corner_history, corner_s = None, [], 0.0
        elif before_run is not None:
            corners = keras.models.load_model(args.init_from / "corners.keras", compile=False)
            corner_history, corner_s = before_run["corners"], before_run["corner_s"]
        else:
            corners, corner_history, corner_s = train_corners(keras, tf, train, val, args)
        if args.cache is not None and corners is not None:
            args.cache.mkdir(parents=True, exist_ok=True)
            corners.save(args.cache / "corners.keras")
        crnn, crnn_history, crnn_s = train_crnn(keras, tf, train, val, args)
        if before_run is not None:
            crnn_history = [*before_run["crnn"], *({**h, "fine_tune": True} for h in crnn_history)]
            crnn_s += before_run["crnn_s"]
        elif args.init_tflite is not None:  # carry the exported run's record on
            before = json.loads(args.init_tflite.with_name(args.init_tflite.name + ".json").read_text())
            crnn_history = [
                *before["train"]["history"],
                *({**h, "fine_tune_more": True} for h in crnn_history),
            ]
            crnn_s += float(before["train"]["train_s"])
        if args.cache is not None:
            args.cache.mkdir(parents=True, exist_ok=True)
            crnn.save(args.cache / "crnn.keras")
            log = {"corners": corner_history, "corner_s": corner_s, "crnn": crnn_history, "crnn_s": crnn_s}
            (args.cache / "history.json").write_text(json.dumps(log))
    print(f"trained: corners {corner_s:.0f} s, CRNN {crnn_s:.0f} s", flush=True)

    from edgesmith.ocr_plate.crnn_export import export_crnn

    rng = np.random.default_rng(args.seed)
    pick = rng.choice(len(train["texts"]), min(args.calib_n, len(train["texts"])), replace=False)
    crnn_calib = train["crnn_x"][pick].astype(np.float32)[..., None] / 255.0
    corner_calib = train["corner_x"][pick].astype(np.float32)[..., None] / 255.0
    artifacts = {
        ("crnn", "float32"): export_crnn(crnn, "float32"),
        ("crnn", "int8"): export_crnn(
            crnn, "int8", crnn_calib, calibration_samples=len(pick), seed=args.seed
        ),
    }
    if corners is not None:
        artifacts[("corners", "float32")] = export_crnn(corners, "float32")
        artifacts[("corners", "int8")] = export_crnn(
            corners, "int8", corner_calib, calibration_samples=len(pick), seed=args.seed
        )

    import ai_edge_litert
    import cv2

    tools = {
        **versions(),
        "ai_edge_litert": getattr(ai_edge_litert, "__version__", "unknown"),
        "numpy": np.__version__,
        "opencv": cv2.__version__,
        "python": platform.python_version(),
    }
    data = {
        "sources": "edgesmith.ocr_plate.plate_crops synth_crop + street_crops (plate_scenes)",
        "seed": args.seed,
        "seeds": seeds,
        "street_seeds": street_seeds,
        "synth_seeds": synth_seeds,
        "street_repeat": args.street_repeat,
        "n": len(train["texts"]),
        "synth_draws": args.train_synth,
        "street_photos": args.train_street,
        "crop_margin": CROP_MARGIN,
        "fonts": [p.name for p in fonts],
        "data_sha256": hashlib.sha256(train["crnn_x"].tobytes()).hexdigest(),
        "render_s": round(gen_s, 1),
        "command": " ".join(["tools/train_plate_ocr.py", *(argv if argv is not None else sys.argv[1:])]),
    }
    names = SHIPPED_NAMES
    args.out.mkdir(parents=True, exist_ok=True)
    sidecars: dict[tuple[str, str], dict] = {}
    for key, artifact in artifacts.items():
        net, precision = key
        path = args.out / names[key]
        meta = {
            **artifact.sidecar(),
            "artifact": path.name,
            "precision": precision,
            "converter": "edgesmith.quantize.convert",
        }
        meta["tools"] = {**artifact.sidecar()["tools"], **tools}
        if precision == "float32":  # every op is float by design: the per-op float list is noise here
            meta["metrics"] = {
                k: v for k, v in meta["metrics"].items() if k not in ("float_ops", "float_tensors")
            }
        if net == "crnn":
            meta.update(
                model="edgesmith.ocr_plate.crnn_model.build_crnn",
                alphabet=PLATE_ALPHABET,
                blank_index=0,
                input_height=HEIGHT,
                input_width=WIDTH,
                params=int(crnn.count_params()),
                architecture=model_architecture(crnn),
                train={
                    **data,
                    "epochs": args.epochs,
                    "batch_size": args.batch_size,
                    "lr": args.lr,
                    "train_s": round(crnn_s, 1),
                    "history": crnn_history,
                },
            )
        else:
            meta.update(
                model="edgesmith.ocr_plate.corner_model.build_corner_net",
                input_height=CORNER_INPUT[1],
                input_width=CORNER_INPUT[0],
                output="corners TL, TR, BR, BL as x, y normalised by the crop's width and height",
                params=int(corners.count_params()),
                train={
                    **data,
                    "epochs": args.corner_epochs,
                    "batch_size": args.batch_size,
                    "train_s": round(corner_s, 1),
                    "history": corner_history,
                },
            )
        write_atomic(path, artifact.content)
        write_atomic(path.with_name(path.name + ".json"), (json.dumps(meta, indent=2) + "\n").encode())
        sidecars[key] = meta
    if keep is not None:  # ship the kept corner net again; only its pipeline figures below change
        for precision in ("float32", "int8"):
            name = names[("corners", precision)]
            src, dst = keep / name, args.out / name
            if src.resolve() != dst.resolve():
                write_atomic(dst, src.read_bytes())
            meta = json.loads(src.with_name(name + ".json").read_text())
            write_atomic(dst.with_name(name + ".json"), (json.dumps(meta, indent=2) + "\n").encode())
            sidecars[("corners", precision)] = meta

    # which rectifier fits better, on the validation crops (quad IoU with the true corners)
    from edgesmith.ocr_plate.litert_model import TfliteModel

    val_x = val["corner_x"].astype(np.float32)[..., None] / 255.0
    truth = val["corner_y"].reshape(-1, 4, 2)
    rect = {"contour": float(val["contour_iou"].mean()), "margin": float(val["margin_iou"].mean())}
    for precision in ("float32", "int8"):
        model = TfliteModel(args.out / names[("corners", precision)])
        ious = [_quad_iou(model.run(x).reshape(4, 2), t) for x, t in zip(val_x, truth, strict=True)]
        rect[f"corners-{precision}"] = float(np.mean(ious))
    print("rectifier quad IoU on validation crops:", {k: round(v, 4) for k, v in rect.items()}, flush=True)

    calibrate(args, names, sidecars, {"n": len(val["texts"]), **rect})
    print(f"rendered in {gen_s:.0f} s; trained corners {corner_s:.0f} s + CRNN {crnn_s:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
