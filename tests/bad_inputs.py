"""A generator of broken inputs and bad surroundings for every edgesmith CLI, and the cases that use them.

Inputs are made on the spot from a seed (truncated, zero-byte, wrong-magic and random-byte files, folders
where files belong, arrays of the wrong shape or dtype, decompression bombs, empty and malformed datasets),
plus tiny valid models so that one bad thing at a time is tested. Output places cover a fresh empty folder,
a read-only one (an immutable folder: root cannot write it either), a missing one and one whose parent is a
file. Each :class:`Case` says which CLI runs with which arguments and the exit code the contract requires.
"""

from __future__ import annotations

import dataclasses
import io
import json
import struct
import subprocess
import warnings
import zlib
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
PLATE_PHOTO = ROOT / "apps" / "plate-reader" / "samples" / "plate.jpg"

USAGE, NOTHING, MISSING = 2, 1, 3


@dataclasses.dataclass(frozen=True)
class Case:
    """One broken input given to one CLI: ``argv`` placeholders name files of :func:`make_inputs`."""

    cli: str
    argv: tuple[str, ...]
    code: int
    why: str
    per_photo: bool = False
    """The CLI names the photo in its error: line (a batch keeps going past it)."""

    @property
    def id(self) -> str:
        return f"{self.cli}:{self.why}"


CLIS = {
    "edgesmith-profile": "edgesmith.profiling.cli",
    "edgesmith-quantize": "edgesmith.quantize.cli",
    "edgesmith-trt": "edgesmith.export_trt.cli",
    "edgesmith-tvm": "edgesmith.export_tvm.cli",
    "edgesmith-edgetpu": "edgesmith.export_edgetpu.cli",
    "edgesmith-data": "edgesmith.datasets.cli",
    "edgesmith-models": "edgesmith.models.cli",
    "ocr-plate": "edgesmith.ocr_plate.cli",
    "plate-reader": "plate_reader.cli",
    "face-recognizer": "face_recognizer.cli",
    "autoencoder-edge": "autoencoder_edge.cli",
    "edgesmith-studies": "edgesmith.studies.cli:study_app",
}
"""Console script -> module with its Typer ``app`` (``module:name`` when not ``app``); ``main()`` runs it."""


def _c(cli: str, why: str, code: int, *argv: str, per_photo: bool = False) -> Case:
    return Case(cli, tuple(argv), code, why, per_photo)


P, Q, T, V, E = (
    "edgesmith-profile",
    "edgesmith-quantize",
    "edgesmith-trt",
    "edgesmith-tvm",
    "edgesmith-edgetpu",
)
D, M, OCR, PR, F, A = (
    "edgesmith-data",
    "edgesmith-models",
    "ocr-plate",
    "plate-reader",
    "face-recognizer",
    "autoencoder-edge",
)

CASES: list[Case] = [
    # edgesmith-profile: every kind of broken model, unknown names, bad output places
    _c(P, "zero-byte tflite", USAGE, "bench", "{zero_tflite}", "--runs", "2"),
    _c(P, "truncated tflite", USAGE, "bench", "{trunc_tflite}", "--runs", "2"),
    _c(P, "random-bytes tflite", USAGE, "bench", "{rand_tflite}", "--runs", "2"),
    _c(P, "png named tflite", USAGE, "bench", "{png_as_tflite}", "--runs", "2"),
    _c(P, "folder named tflite", USAGE, "bench", "{dir_tflite}", "--runs", "2"),
    _c(P, "random-bytes onnx", USAGE, "bench", "{rand_onnx}", "--runs", "2"),
    _c(P, "zero-byte onnx", USAGE, "bench", "{zero_onnx}", "--runs", "2"),
    _c(P, "random-bytes keras", USAGE, "bench", "{rand_keras}", "--runs", "2"),
    _c(P, "missing model", USAGE, "bench", "{missing}/m.tflite", "--runs", "2"),
    _c(P, "unknown device", USAGE, "bench", "{tflite}", "--device", "bogus", "--runs", "2"),
    _c(P, "unknown backend", USAGE, "bench", "{tflite}", "--backend", "bogus", "--runs", "2"),
    _c(P, "read-only output", USAGE, "bench", "{tflite}", "--runs", "2", "-o", "{ro}/r.json"),
    _c(P, "output parent is a file", USAGE, "bench", "{tflite}", "--runs", "2", "-o", "{file}/r.json"),
    _c(P, "zero batch size", USAGE, "bench", "{tflite}", "--runs", "2", "-b", "0"),
    _c(P, "compare against random bytes", USAGE, "compare", "{tflite}", "{rand_onnx}"),
    # edgesmith-quantize
    _c(
        Q, "random-bytes keras", USAGE, "convert", "{rand_keras}", "-o", "{out}/m.tflite", "--mode", "float16"
    ),
    _c(Q, "zero-byte h5", USAGE, "convert", "{zero_h5}", "-o", "{out}/m.tflite", "--mode", "float16"),
    _c(
        Q,
        "empty folder named keras",
        USAGE,
        "convert",
        "{dir_keras}",
        "-o",
        "{out}/m.tflite",
        "--mode",
        "float16",
    ),
    _c(Q, "read-only output", USAGE, "convert", "{keras}", "-o", "{ro}/m.tflite", "--mode", "float16"),
    _c(
        Q,
        "output parent is a file",
        USAGE,
        "convert",
        "{keras}",
        "-o",
        "{file}/m.tflite",
        "--mode",
        "float16",
    ),
    _c(Q, "folder as output file", USAGE, "convert", "{keras}", "-o", "{out}", "--mode", "float16"),
    _c(Q, "unknown mode", USAGE, "convert", "{keras}", "-o", "{out}/m.tflite", "--mode", "bogus"),
    _c(
        Q,
        "unknown calibration data",
        USAGE,
        "convert",
        "{keras}",
        "-o",
        "{out}/m.tflite",
        "--calib-data",
        "bogus",
    ),
    _c(
        Q,
        "wrong-shape calibration",
        USAGE,
        "convert",
        "{keras}",
        "-o",
        "{out}/m.tflite",
        "--calib-data",
        "{shape_npy}",
    ),
    _c(
        Q,
        "string calibration",
        USAGE,
        "convert",
        "{keras}",
        "-o",
        "{out}/m.tflite",
        "--calib-data",
        "{str_npy}",
    ),
    _c(
        Q,
        "random-bytes npy",
        USAGE,
        "convert",
        "{keras}",
        "-o",
        "{out}/m.tflite",
        "--calib-data",
        "{rand_npy}",
    ),
    _c(Q, "unknown io dtype", USAGE, "convert", "{keras}", "-o", "{out}/m.tflite", "--io-dtype", "bogus"),
    _c(Q, "inspect random bytes", USAGE, "inspect", "{rand_tflite}"),
    _c(Q, "inspect folder", USAGE, "inspect", "{dir_tflite}"),
    _c(Q, "report random bytes", USAGE, "report", "{keras}", "{rand_tflite}"),
    # edgesmith-trt
    _c(T, "random-bytes keras", USAGE, "onnx", "{rand_keras}", "-o", "{out}/m.onnx"),
    _c(T, "read-only output", USAGE, "onnx", "{keras}", "-o", "{ro}/m.onnx"),
    _c(T, "wrong-shape samples", USAGE, "onnx", "{keras}", "-o", "{out}/m.onnx", "--samples", "{shape_npy}"),
    _c(T, "random-bytes samples", USAGE, "onnx", "{keras}", "-o", "{out}/m.onnx", "--samples", "{rand_npy}"),
    _c(T, "info on a tflite", USAGE, "info", "{tflite}"),
    _c(T, "info on random onnx", USAGE, "info", "{rand_onnx}"),
    _c(T, "info on a folder", USAGE, "info", "{dir_onnx}"),
    _c(T, "unknown precision", USAGE, "build", "{onnx}", "-o", "{out}/m.engine", "--precision", "bogus"),
    _c(T, "no TensorRT", MISSING, "build", "{onnx}", "-o", "{out}/m.engine"),
    # edgesmith-tvm
    _c(V, "folder named tflite", USAGE, "compile", "{dir_tflite}", "-o", "{out}/m.tvm"),
    _c(V, "random-bytes tflite", USAGE, "compile", "{rand_tflite}", "-o", "{out}/m.tvm"),
    _c(V, "random-bytes onnx", USAGE, "compile", "{rand_onnx}", "-o", "{out}/m.tvm"),
    _c(V, "read-only output", USAGE, "compile", "{onnx}", "-o", "{ro}/m.tvm"),
    _c(V, "unknown target", USAGE, "compile", "{onnx}", "-o", "{out}/m.tvm", "--target", "bogus"),
    _c(V, "run an empty folder", USAGE, "run", "{empty_dir}"),
    # edgesmith-edgetpu
    _c(E, "check random bytes", USAGE, "check", "{rand_tflite}"),
    _c(E, "check zero bytes", USAGE, "check", "{zero_tflite}"),
    _c(E, "check a folder", USAGE, "check", "{dir_tflite}"),
    _c(E, "compile a float model", USAGE, "compile", "{tflite}", "-o", "{out}"),
    _c(E, "no compiler", MISSING, "compile", "{int8}", "-o", "{out}"),
    _c(E, "parse a random log", USAGE, "parse-log", "{rand_txt}"),
    # edgesmith-data
    _c(D, "empty mnist folder", USAGE, "inspect", "mnist", "{empty_dir}"),
    _c(D, "junk mnist folder", USAGE, "inspect", "mnist", "{junk_dir}"),
    _c(D, "truncated mnist idx", USAGE, "inspect", "mnist", "{mnist_trunc}"),
    _c(D, "empty image folder", USAGE, "inspect", "images", "{empty_dir}"),
    _c(D, "malformed plate csv", USAGE, "inspect", "plates", "{bad_csv}"),
    _c(D, "unknown dataset kind", USAGE, "inspect", "bogus"),
    _c(D, "sample to read-only folder", USAGE, "sample", "mnist", "{ro}/mnist"),
    _c(D, "sample under a file", USAGE, "sample", "mnist", "{file}/mnist"),
    _c(D, "unknown sample kind", USAGE, "sample", "bogus", "{out}/x"),
    # edgesmith-models
    _c(M, "info random-bytes keras", USAGE, "info", "{rand_keras}"),
    _c(M, "unknown builder", USAGE, "build", "bogus", "{out}/m.keras"),
    _c(M, "build to read-only folder", USAGE, "build", "cifar10-cnn", "{ro}/m.keras"),
    _c(M, "build under a file", USAGE, "build", "cifar10-cnn", "{file}/m.keras"),
    _c(M, "unknown builder parameter", USAGE, "build", "cifar10-cnn", "{out}/m.keras", "--param", "bogus=1"),
    # ocr-plate
    _c(OCR, "zero-byte image", USAGE, "read", "{zero_png}"),
    _c(OCR, "random-bytes image", USAGE, "read", "{rand_jpg}"),
    _c(OCR, "folder named png", USAGE, "read", "{dir_png}"),
    _c(OCR, "decompression bomb", USAGE, "read", "{bomb_png}"),
    _c(OCR, "unknown reader", USAGE, "read", "{tiny_png}", "--reader", "bogus"),
    _c(OCR, "not a digit", USAGE, "day", "x"),
    _c(OCR, "unknown weights", USAGE, "read", "{tiny_png}", "--weights", "bogus"),
    # plate-reader
    _c(PR, "zero-byte photo", USAGE, "read", "{zero_png}", per_photo=True),
    _c(PR, "truncated photo", USAGE, "read", "{trunc_png}", per_photo=True),
    _c(PR, "decompression bomb", USAGE, "read", "{bomb_png}"),
    _c(PR, "over the pixel limit", USAGE, "read", "{big_png}"),
    _c(PR, "empty folder", USAGE, "read", "{empty_dir}"),
    _c(PR, "read-only output", USAGE, "read", str(PLATE_PHOTO), "--out", "{ro}"),
    _c(PR, "unknown backend", USAGE, "read", str(PLATE_PHOTO), "--backend", "bogus"),
    _c(PR, "unknown reader", USAGE, "read", str(PLATE_PHOTO), "--reader", "bogus"),
    _c(PR, "zoom below one", USAGE, "read", str(PLATE_PHOTO), "--zoom", "0.5"),
    _c(PR, "malformed training csv", USAGE, "train", "{bad_csv}", "--out", "{out}/det"),
    # face-recognizer
    _c(F, "zero-byte photo", USAGE, "identify", "{zero_png}", "--model", "{face}"),
    _c(F, "decompression bomb", USAGE, "identify", "{bomb_png}", "--model", "{face}"),
    _c(F, "over the pixel limit", USAGE, "identify", "{big_png}", "--model", "{face}"),
    _c(F, "random-bytes model", USAGE, "identify", "{tiny_png}", "--model", "{rand_keras}"),
    _c(F, "no face found", NOTHING, "identify", "{tiny_png}", "--model", "{face}"),
    _c(
        F,
        "random-bytes detector",
        USAGE,
        "identify",
        "{tiny_png}",
        "--model",
        "{face}",
        "--detector-model",
        "{rand_onnx}",
    ),
    _c(F, "empty training folder", USAGE, "train", "{empty_dir}", "--out", "{out}/f.keras"),
    _c(
        F,
        "image size zero",
        USAGE,
        "train",
        "{faces}",
        "--out",
        "{out}/f.keras",
        "--image-size",
        "0",
        "--weights",
        "none",
    ),
    _c(
        F,
        "train to read-only folder",
        USAGE,
        "train",
        "{faces}",
        "--out",
        "{ro}/f.keras",
        "--weights",
        "none",
    ),
    _c(F, "unknown backbone", USAGE, "train", "{faces}", "--out", "{out}/f.keras", "--backbone", "bogus"),
    _c(F, "export random bytes", USAGE, "export", "{rand_keras}", "--out", "{out}/x"),
    # autoencoder-edge
    _c(A, "train to read-only folder", USAGE, "train", "--out", "{ro}/run", "--epochs", "1", "--limit", "64"),
    _c(A, "train under a file", USAGE, "train", "--out", "{file}/run", "--epochs", "1", "--limit", "64"),
    _c(A, "unknown model", USAGE, "train", "--out", "{out}/run", "--model", "bogus"),
    _c(A, "junk data folder", USAGE, "train", "--out", "{out}/run", "--data", "{junk_dir}", "--epochs", "1"),
    _c(A, "quantize without a model", USAGE, "quantize", "--out", "{empty_dir}"),
    _c(A, "show a missing run", USAGE, "show", "--out", "{missing}"),
    _c(A, "bench without a model", USAGE, "bench", "--out", "{empty_dir}"),
]


S = "edgesmith-studies"
CASES += [
    _c(S, "unknown variant", USAGE, "cifar-sweep", "-o", "{out}/sweep", "--variants", "bogus"),
    _c(S, "malformed grid csv", USAGE, "solar", "-o", "{out}/solar", "--grid", "{bad_csv}"),
    _c(S, "missing grid", USAGE, "solar", "-o", "{ro}/solar", "--grid", "{missing}/grid.csv"),
]


# --- the inputs ---


def _png(width: int, height: int, bit_depth: int = 1) -> bytes:
    """A valid PNG of one colour, built chunk by chunk: a bomb of any size stays a few kB on disk."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    row = b"\x00" + b"\x00" * ((width * bit_depth + 7) // 8)
    comp = zlib.compressobj(9)
    body = b"".join(comp.compress(row) for _ in range(height)) + comp.flush()
    ihdr = struct.pack(">IIBBBBB", width, height, bit_depth, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", body) + chunk(b"IEND", b"")


def _tiny_models(d: Path) -> dict[str, Path]:
    """Valid tiny models (8×8×1 → 3 classes as .keras, .tflite, int8 .tflite, .onnx; a face classifier)."""
    from edgesmith.datasets.tf_runtime import keras, tf

    keras.utils.set_random_seed(0)
    inp = keras.Input((8, 8, 1), name="image")
    x = keras.layers.Conv2D(4, 3, activation="relu")(inp)
    x = keras.layers.Flatten()(x)
    model = keras.Model(inp, keras.layers.Dense(3, activation="softmax")(x))
    paths = {"keras": d / "tiny.keras", "tflite": d / "tiny.tflite", "int8": d / "tiny_int8.tflite"}
    model.save(paths["keras"])
    paths["tflite"].write_bytes(tf.lite.TFLiteConverter.from_keras_model(model).convert())
    conv = tf.lite.TFLiteConverter.from_keras_model(model)
    conv.optimizations = [tf.lite.Optimize.DEFAULT]
    samples = np.random.default_rng(0).random((8, 8, 8, 1), dtype=np.float32)
    conv.representative_dataset = lambda: ([s[None]] for s in samples)
    conv.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
    conv.inference_input_type = tf.int8
    conv.inference_output_type = tf.int8
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        paths["int8"].write_bytes(conv.convert())
    face = keras.Sequential(
        [keras.Input((32, 32, 3)), keras.layers.GlobalAveragePooling2D(), keras.layers.Dense(1)]
    )
    paths["face"] = d / "face.keras"
    face.save(paths["face"])
    from face_recognizer.card import FaceCard, sidecar_of

    card = FaceCard(backbone="compact", classes=("ana", "ben"), image_size=32)
    sidecar_of(paths["face"]).write_text(json.dumps({"face": card.to_dict()}))
    import tf2onnx

    spec = (tf.TensorSpec((None, 8, 8, 1), tf.float32, name="image"),)
    tf2onnx.convert.from_keras(model, input_signature=spec, opset=13, output_path=str(d / "tiny.onnx"))
    paths["onnx"] = d / "tiny.onnx"
    return paths


def make_inputs(root: Path, seed: int = 0) -> dict[str, Path]:
    """Write every broken input under ``root``; returns placeholder name -> path (outputs excluded)."""
    rng = np.random.default_rng(seed)
    root.mkdir(parents=True, exist_ok=True)
    p: dict[str, Path] = {}

    def write(name: str, data: bytes) -> Path:
        path = root / name
        path.write_bytes(data)
        return path

    def folder(name: str) -> Path:
        path = root / name
        path.mkdir()
        return path

    models = _tiny_models(folder("valid"))
    p.update(models)
    tflite = models["tflite"].read_bytes()
    png = io.BytesIO()
    from PIL import Image

    Image.new("RGB", (32, 24), (200, 30, 30)).save(png, format="PNG")
    for ext in ("tflite", "onnx", "keras", "h5", "png", "npy"):
        p[f"zero_{ext}"] = write(f"zero.{ext}", b"")
        p[f"rand_{ext}"] = write(f"random.{ext}", rng.integers(0, 256, 4096, dtype=np.uint8).tobytes())
    p["rand_jpg"] = write("random.jpg", rng.integers(0, 256, 4096, dtype=np.uint8).tobytes())
    p["rand_txt"] = write("random.log", rng.integers(32, 127, 2048, dtype=np.uint8).tobytes())
    p["trunc_tflite"] = write("truncated.tflite", tflite[: len(tflite) // 2])
    p["trunc_png"] = write("truncated.png", png.getvalue()[: len(png.getvalue()) // 2])
    p["png_as_tflite"] = write("photo.tflite", png.getvalue())
    p["tiny_png"] = write("one_pixel.png", _png(1, 1, 8))
    p["bomb_png"] = write("bomb.png", _png(20_000, 20_000))  # 400 MP: past Pillow's own bomb limit
    p["big_png"] = write("big.png", _png(9_000, 6_000))  # 54 MP: past edgesmith's 50 MP default only
    for ext in ("tflite", "onnx", "keras", "png"):
        p[f"dir_{ext}"] = folder(f"folder.{ext}")
    np.save(root / "shape.npy", rng.random((4, 3), dtype=np.float32))
    p["shape_npy"] = root / "shape.npy"
    np.save(root / "strings.npy", np.array(["a", "b"]))
    p["str_npy"] = root / "strings.npy"
    p["empty_dir"] = folder("empty")
    junk = folder("junk")
    (junk / "a.png").write_bytes(rng.integers(0, 256, 512, dtype=np.uint8).tobytes())
    (junk / "notes.txt").write_text("not a dataset\n")
    p["junk_dir"] = junk
    mnist = folder("mnist_trunc")
    (mnist / "train-images-idx3-ubyte").write_bytes(struct.pack(">IIII", 2051, 60000, 28, 28) + b"\x00" * 100)
    (mnist / "train-labels-idx1-ubyte").write_bytes(struct.pack(">II", 2049, 60000) + b"\x00" * 10)
    p["mnist_trunc"] = mnist
    p["bad_csv"] = write("plates.csv", b"name,width\nphoto.jpg,not-a-number,1,2\n\x00\x00\n")
    faces = folder("faces")
    for person in ("ana", "ben"):
        (faces / person).mkdir()
        for i in range(3):
            Image.fromarray(rng.integers(0, 256, (64, 64, 3), dtype=np.uint8)).save(
                faces / person / f"{i}.jpg"
            )
    p["faces"] = faces
    p["file"] = write("a_file", b"a file where a folder should be\n")
    p["missing"] = root / "does" / "not" / "exist"
    return p


def make_read_only(folder: Path) -> bool:
    """Make ``folder`` immutable (``chattr +i``), which even root cannot write; False where unsupported."""
    folder.mkdir(parents=True, exist_ok=True)
    return subprocess.run(["chattr", "+i", str(folder)], capture_output=True).returncode == 0


def undo_read_only(folder: Path) -> None:
    subprocess.run(["chattr", "-i", str(folder)], capture_output=True)


__all__ = ["CASES", "CLIS", "Case", "make_inputs", "make_read_only", "undo_read_only"]
