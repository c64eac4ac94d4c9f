"""Per-layer int8 debug and accuracy-guarded int8 on the project's models, through the real CLI commands.

Prepares each model and its data files, then runs ``edgesmith-quantize debug`` and ``edgesmith-quantize
convert --max-loss`` on them (the exact command lines are printed and saved), collecting the JSON they print
and the wall time. Models:

- ``hostile``: the int8-hostile quadrant classifier (edgesmith.quantize.hostile), 48 px, width 32;
- ``plate``: the shipped plate detector (apps/plate-reader), calibrated on generated photos of seed 500,
  scored on 300 photos of seed 9001 (never trained on);
- ``cifar``: document 003's CIFAR CNN without LRN (no int8 kernel), trained 3 epochs on the offline stand-in;
- ``face``: MobileNetV2 face classifier (edgesmith.models, weights=None) trained a few epochs on synthetic
  drawn identities (face-recognizer's training), 96 px;
- ``mnv2-debug``: ``debug`` on an untrained MobileNetV2 224 with 100 samples, for its wall time only.

    uv run python tools/bench_guarded_int8.py --out results/guard --models hostile,plate,cifar,face,mnv2-debug
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shlex
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
PLATE_MODEL = ROOT / "apps/plate-reader/src/plate_reader/models/plate_detector.keras"


def _run(cmd: list[str], log: list[dict]) -> dict:
    """Run one CLI command, parse the JSON it prints, record the command line and wall time."""
    t0, before = time.perf_counter(), resource.getrusage(resource.RUSAGE_CHILDREN)
    proc = subprocess.run(cmd, capture_output=True, text=True, env={**os.environ, "COLUMNS": "200"})
    wall, after = time.perf_counter() - t0, resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    line = " ".join(shlex.quote(c) for c in cmd)
    entry = {
        "command": line,
        "exit": proc.returncode,
        "wall_s": round(wall, 1),
        "cpu_s": round(cpu, 1),  # user + system of the command: what it costs an idle machine's cores
        "load": os.getloadavg(),
    }
    try:
        entry["json"] = json.loads(proc.stdout)
    except json.JSONDecodeError:
        entry["stdout_tail"] = proc.stdout[-2000:]
    entry["stderr_tail"] = proc.stderr[-600:]
    log.append(entry)
    print(
        f"$ {line}\n  exit {proc.returncode}, {wall:.1f} s wall, {cpu:.1f} s CPU, "
        f"load {entry['load'][0]:.1f}",
        flush=True,
    )
    return entry


def _quantize_cmds(model: Path, data: Path, extra: list[str], max_loss: str, out: Path) -> list[list[str]]:
    base = ["uv", "run", "edgesmith-quantize"]
    debug = [*base, "debug", str(model), "--data", str(data), *extra, "--json"]
    debug += ["--plot", str(out / f"{model.stem}_int8_error.png")]
    guard = [*base, "convert", str(model), "-o", str(out / f"{model.stem}_int8_guarded.tflite")]
    guard += ["--mode", "int8", "--data", str(data), *extra, "--max-loss", max_loss, "--json"]
    return [debug, guard]


def prepare_hostile(out: Path) -> tuple[Path, Path, list[str]]:
    from edgesmith.models import save_model
    from edgesmith.quantize.hostile import hostile_classifier, quadrant_images

    h = hostile_classifier(size=48, width=32, train_samples=2000, epochs=3)
    save_model(h.model, out / "hostile.keras", sidecar=False)
    calib, _ = quadrant_images(200, size=48, seed=500)
    x, y = quadrant_images(400, size=48, seed=9001)
    np.savez(out / "hostile_calib.npz", x=calib)
    np.savez(out / "hostile_test.npz", x=x, y=y)
    return out / "hostile.keras", out / "hostile_calib.npz", ["--eval-data", str(out / "hostile_test.npz")]


def prepare_plate(out: Path) -> tuple[Path, Path, list[str]]:
    from plate_reader.evaluation import eval_set

    calib = eval_set(n=200, seed=500)
    test = eval_set(n=300, seed=9001)
    np.savez(out / "plate_calib.npz", x=calib.x.astype(np.float32) / 255.0, y=calib.y)
    np.savez(out / "plate_test.npz", x=test.x.astype(np.float32) / 255.0, y=test.y.astype(np.float32))
    extra = ["--eval-data", str(out / "plate_test.npz"), "--metric", "miou"]
    return PLATE_MODEL, out / "plate_calib.npz", extra


def prepare_cifar(out: Path) -> tuple[Path, Path, list[str]]:
    from edgesmith.datasets import load_cifar10
    from edgesmith.datasets.tf_runtime import keras
    from edgesmith.models import cifar10_cnn, save_model

    keras.utils.set_random_seed(0)
    splits = load_cifar10(image_size=24, crop=True)
    model = cifar10_cnn(lrn=False)
    model.compile("adam", keras.losses.SparseCategoricalCrossentropy(from_logits=True), metrics=["accuracy"])
    model.fit(splits.train.x, splits.train.y, epochs=3, batch_size=64, verbose=0)
    save_model(model, out / "cifar_cnn.keras", sidecar=False)
    np.savez(out / "cifar_calib.npz", x=splits.train.x[:200])
    np.savez(out / "cifar_test.npz", x=splits.test.x, y=splits.test.y)
    return out / "cifar_cnn.keras", out / "cifar_calib.npz", ["--eval-data", str(out / "cifar_test.npz")]


def prepare_face(out: Path) -> tuple[Path, Path, list[str]]:
    from edgesmith.datasets.faces import synthetic_identities
    from face_recognizer.training import load_face_splits, train_face_model

    photos = out / "face_photos"
    if not photos.is_dir():
        synthetic_identities(photos, 2, 120, seed=0)
    model = out / "face_mobilenetv2.keras"
    trained = train_face_model(
        photos, model, "mobilenetv2", "none", 96, 6, 0, None, 16, 1e-3, seed=0, progress=False,
        val_split=0.1, test_split=0.4,
    )  # fmt: skip
    splits = load_face_splits(trained.card)
    np.savez(out / "face_calib.npz", x=splits.train.x.astype(np.float32))
    np.savez(out / "face_test.npz", x=splits.test.x.astype(np.float32), y=splits.test.y)
    return model, out / "face_calib.npz", ["--eval-data", str(out / "face_test.npz")]


def prepare_mnv2(out: Path) -> tuple[Path, Path]:
    from edgesmith.models import save_model, transfer_classifier

    model = transfer_classifier("mobilenetv2", (224, 224, 3), weights=None)
    save_model(model, out / "mobilenetv2_224.keras", sidecar=False)
    rng = np.random.default_rng(0)
    np.savez(out / "mnv2_data.npz", x=rng.random((200, 224, 224, 3), dtype=np.float32))
    return out / "mobilenetv2_224.keras", out / "mnv2_data.npz"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, default=Path("results/guard"), help="output folder")
    ap.add_argument("--models", default="hostile,plate,cifar,face,mnv2-debug", help="comma list")
    ap.add_argument("--max-loss", default="0.5", help="budget for the project models (hostile: 1.0)")
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    log: list[dict] = []
    prepare = {
        "hostile": prepare_hostile,
        "plate": prepare_plate,
        "cifar": prepare_cifar,
        "face": prepare_face,
    }
    for name in args.models.split(","):
        t0 = time.perf_counter()
        if name == "mnv2-debug":
            model, data = prepare_mnv2(args.out)
            cmd = ["uv", "run", "edgesmith-quantize", "debug", str(model), "--data", str(data)]
            _run([*cmd, "--samples", "100", "--calib-samples", "100", "--json"], log)
            continue
        model, data, extra = prepare[name](args.out)
        print(f"{name}: prepared in {time.perf_counter() - t0:.0f} s", flush=True)
        budget = "1.0" if name == "hostile" else args.max_loss
        for cmd in _quantize_cmds(model, data, extra, budget, args.out):
            entry = _run(cmd, log)
            js = entry.get("json", {})
            if "worst" in js:
                print(f"  worst: {js['worst']} · {js.get('metric')} float {js.get('float_metric')} → "
                      f"int8 {js.get('int8_metric')} (loss {js.get('loss')})")  # fmt: skip
            if "float_layers" in js:
                chosen = next((s for s in js["steps"] if s["float_layers"] == js["float_layers"]), {})
                print(f"  guarded: met {js['met']}, loss {js['loss']:.3g}, float {js['float_layers']} "
                      f"({100 * js['float_layer_share']:.1f} % of {js['compute_layers']}), "
                      f"{chosen.get('latency_ms')} ms vs float {js['float_latency_ms']} ms, "
                      f"plain int8 loss {js['steps'][0]['loss']:.3g}")  # fmt: skip
        (args.out / "bench_guarded_int8.json").write_text(json.dumps(log, indent=2))
    (args.out / "bench_guarded_int8.json").write_text(json.dumps(log, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
