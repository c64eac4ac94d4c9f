"""The ``face-recognizer`` command: ``train``, ``identify``, ``export``, ``bench``, ``crop``, ``synth``.

Each command is a few lines over :mod:`face_recognizer.training`, :mod:`.recognize`, :mod:`.export`,
:mod:`.bench` and edgesmith's packages.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from edgesmith.profiling.console import FoldingConsole, run_cli
from edgesmith.profiling.errors import ExitCode
from edgesmith.profiling.limits import DEFAULT_MAX_PIXELS
from face_recognizer.card import FaceAppError

HELP = """Recognise faces with transfer-learned classifiers, exported and benchmarked (the face study).

A data folder holds one subfolder of photos per identity (two or more; the face study: nico/ and not_nico/).

  face-recognizer synth demo/faces --identities 2 --images 60      # drawn identities, for a dry run
  face-recognizer train demo/faces --out models/face.keras --weights none --image-size 96
  face-recognizer identify photo.jpg --model models/face.keras --out boxed.jpg
  face-recognizer export models/face.keras --out models/face_export
  face-recognizer bench models/face_export --runs 1000
"""

app = typer.Typer(help=HELP, rich_markup_mode="rich", no_args_is_help=True, add_completion=False)
console = FoldingConsole()
err = FoldingConsole(stderr=True)


def fail(message: str, code: int = 2) -> typer.Exit:
    """Print a one-line error to stderr and return the exit to raise."""
    err.print(f"[bold red]error:[/bold red] {escape(message)}", highlight=False, soft_wrap=True)
    return typer.Exit(code)


@contextmanager
def _bar(label: str, enabled: bool = True) -> Iterator[Any]:
    """A rich progress bar on stderr driven by ``progress(done, total)`` calls (no-op when disabled)."""
    if not enabled:
        yield None
        return
    progress = Progress(
        TextColumn(f"[bold]{label}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=err,
        transient=True,
    )  # fmt: skip
    task = progress.add_task(label, total=None)
    with progress:
        yield lambda done, total: progress.update(task, completed=done, total=total)


def _print_json(data: Any) -> None:
    console.print_json(json.dumps(data, default=str))


@app.command("synth")
def synth_cmd(
    out: Annotated[Path, typer.Argument(help="Folder to create: OUT/<identity>/<identity>_NNNN.jpg.")],
    identities: Annotated[int, typer.Option(help="Number of distinct identities (>= 2).")] = 2,
    images: Annotated[int, typer.Option(help="Photos per identity.")] = 60,
    size: Annotated[int, typer.Option(help="Photo side in pixels (>= 48).")] = 160,
    seed: Annotated[int, typer.Option(help="Random seed: the same seed draws the same people.")] = 0,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON summary.")] = False,
) -> None:
    """Draw seeded synthetic identities for dry runs (pipeline checks only: not real accuracy).

    Example: face-recognizer synth demo/faces --identities 2 --images 60
    """
    from edgesmith.datasets import DatasetError
    from edgesmith.datasets.faces import synthetic_identities

    try:
        with _bar("drawing", not as_json) as progress:
            path = synthetic_identities(out, identities, images, size, seed, progress=progress)
    except DatasetError as exc:
        raise fail(str(exc)) from exc
    summary = {"folder": str(path), "identities": identities, "images_per_identity": images, "seed": seed}
    if as_json:
        _print_json(summary)
    else:
        console.print(f"wrote {identities} × {images} photos to {path}")


@app.command("crop")
def crop_cmd(
    data_dir: Annotated[
        Path, typer.Argument(help="Photos: DATA_DIR/<identity>/*.jpg (or train/ val/ test/).")
    ],
    out: Annotated[Path, typer.Option(help="Folder for the 128×128 face crops (mirrors DATA_DIR).")],
    size: Annotated[int, typer.Option(help="Crop side in pixels.")] = 128,
    detector_model: Annotated[
        Path | None, typer.Option(help="DNN face detector (YuNet .onnx or res10 .caffemodel); default Haar.")
    ] = None,
    detector_config: Annotated[
        Path | None, typer.Option(help="The DNN model's config (deploy.prototxt).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the crop report as JSON.")] = False,
) -> None:
    """Detect the largest face in every photo and save square crops; photos without a face are listed.

    Example: face-recognizer crop photos/ --out crops/
    """
    from edgesmith.datasets import DatasetError
    from edgesmith.datasets.faces import crop_face_folder, face_detector

    try:
        detector = face_detector(detector_model, detector_config)
        with _bar("detecting faces", not as_json) as progress:
            report = crop_face_folder(data_dir, out, detector, size, progress=progress)
    except DatasetError as exc:
        raise fail(str(exc)) from exc
    if as_json:
        _print_json(report.to_dict())
        return
    _print_crops(report.crops, report.images, report.no_face, report.unreadable)


def _print_crops(crops: dict, images: dict, no_face: list, unreadable: list) -> None:
    table = Table(title="face crops")
    for col in ("identity", "photos", "faces cropped"):
        table.add_column(col, justify="right" if col != "identity" else "left")
    for key, n in crops.items():
        table.add_row(key, str(images[key]), str(n))
    console.print(table)
    if no_face:
        console.print(f"[yellow]{len(no_face)} photo(s) with no face found (skipped):[/yellow]")
        for p in no_face:
            console.print(f"  {p}", highlight=False)
    if unreadable:
        console.print(f"[yellow]{len(unreadable)} unreadable file(s) (skipped):[/yellow]")
        for p in unreadable:
            console.print(f"  {p}", highlight=False)


@app.command("train")
def train_cmd(
    data_dir: Annotated[
        Path, typer.Argument(help="Photos: DATA_DIR/<identity>/*.jpg, two identities or more.")
    ],
    out: Annotated[
        Path, typer.Option(help="Model file to write (.keras or .h5) + its .json sidecar.")
    ] = Path("face.keras"),
    backbone: Annotated[
        str, typer.Option(help="mobilenetv2, resnet50, resnet152, xception or vgg16.")
    ] = "mobilenetv2",
    weights: Annotated[
        str,
        typer.Option(help="imagenet (downloads; needs network), none (random init) or a weights .h5 path."),
    ] = "imagenet",
    image_size: Annotated[
        int, typer.Option(help="Classifier input side in pixels (the face study: 128).")
    ] = 128,
    epochs: Annotated[
        int, typer.Option(help="Epochs with the base frozen (all layers when --weights none).")
    ] = 5,
    fine_tune_epochs: Annotated[int, typer.Option(help="Fine-tuning epochs (pretrained weights only).")] = 3,
    fine_tune_layers: Annotated[int, typer.Option(help="Backbone layers unfrozen for fine-tuning.")] = 30,
    batch_size: Annotated[int, typer.Option(help="Training batch size (images).")] = 32,
    learning_rate: Annotated[
        float, typer.Option(help="Adam learning rate (fine-tuning uses a tenth).")
    ] = 1e-3,
    threshold: Annotated[
        float, typer.Option(help="Minimum confidence (0.5-1) to name a face; below it is 'unknown'.")
    ] = 0.6,
    detector_model: Annotated[
        Path | None, typer.Option(help="DNN face detector (YuNet .onnx or res10 .caffemodel); default Haar.")
    ] = None,
    detector_config: Annotated[
        Path | None, typer.Option(help="The DNN model's config (deploy.prototxt).")
    ] = None,
    seed: Annotated[int, typer.Option(help="Seed for the split, augmentation and training.")] = 0,
    as_json: Annotated[bool, typer.Option("--json", help="Print the training summary as JSON.")] = False,
) -> None:
    """Detect + crop faces, split 700/300/100-style, augment, transfer-learn, fine-tune, save with sidecar.

    Example: face-recognizer train photos/ --out models/face.keras --backbone resnet50 --weights imagenet
    """
    from face_recognizer.training import train_face_model

    try:
        with _bar("detecting faces", not as_json) as progress:
            result = train_face_model(
                data_dir, out, backbone, weights, image_size, epochs, fine_tune_epochs, fine_tune_layers,
                batch_size, learning_rate, threshold, str(detector_model) if detector_model else None,
                str(detector_config) if detector_config else None, seed,
                progress=not as_json, on_crop=progress,
            )  # fmt: skip
    except FaceAppError as exc:
        raise fail(str(exc)) from exc
    if as_json:
        _print_json(result.to_dict())
        return
    c = result.crops
    _print_crops(c.crops, c.images, c.no_face, c.unreadable)
    m = result.card.metrics
    console.print(
        f"{backbone}: splits {result.sizes}; test accuracy {m['test_accuracy']:.2f} % "
        f"(val {m['val_accuracy'] if m['val_accuracy'] is None else round(m['val_accuracy'], 2)} %); "
        f"classes {list(result.card.classes)}; saved {result.model_path}",
        highlight=False,
    )


@app.command("identify")
def identify_cmd(
    source: Annotated[
        str, typer.Argument(help="An image, a folder of images, a video file or a camera index.")
    ],
    model: Annotated[
        Path, typer.Option(help="Trained or exported model (.keras, .tflite, .onnx ...).")
    ] = Path("face.keras"),
    out: Annotated[
        Path | None, typer.Option(help="Annotated output: an image file, a folder, or a .avi/.mp4 video.")
    ] = None,
    threshold: Annotated[
        float | None, typer.Option(help="Minimum confidence (0-1) to name a face; default from the model.")
    ] = None,
    max_frames: Annotated[int | None, typer.Option(help="Video/camera: stop after this many frames.")] = None,
    every: Annotated[int, typer.Option(help="Video/camera: process one frame in N.")] = 1,
    threads: Annotated[
        int | None, typer.Option(help="CPU threads for the classifier (default: all).")
    ] = None,
    detector_model: Annotated[
        Path | None, typer.Option(help="DNN face detector (YuNet .onnx or res10 .caffemodel); default Haar.")
    ] = None,
    detector_config: Annotated[
        Path | None, typer.Option(help="The DNN model's config (deploy.prototxt).")
    ] = None,
    max_pixels: Annotated[
        int, typer.Option(help="Refuse images over this many pixels before decoding them (0: no limit).")
    ] = DEFAULT_MAX_PIXELS,
    out_all: Annotated[
        bool, typer.Option(help="With --out, also write copies of images where no face was found.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print every face as JSON.")] = False,
) -> None:
    """Detect every face, name it (or 'unknown' below the threshold), draw labelled boxes with --out.

    Exit code 0 when a face was found, 1 when no image or frame had one, 2 on bad input.

    Example: face-recognizer identify party.jpg --model face_int8.tflite --out party_boxed.jpg
    Example: face-recognizer identify clip.mp4 --out clip_boxed.avi --every 5      (or 0 for the first camera)
    """
    from edgesmith.datasets import DatasetError
    from edgesmith.datasets.faces import face_detector
    from face_recognizer.recognize import Recognizer, VideoStats, identify_images, identify_video, kind_of

    try:
        kind = kind_of(source)
        detector = face_detector(detector_model, detector_config)
        recognizer = Recognizer(model, detector, threshold, threads)
    except (FaceAppError, DatasetError) as exc:
        raise fail(str(exc)) from exc
    stats = VideoStats(0.0) if kind in ("video", "camera") else None
    results = []
    try:
        if stats is not None:
            frames = identify_video(recognizer, source, out, max_frames, every, stats)
        else:
            frames = identify_images(recognizer, source, out, max_pixels or None, out_all)
        for fr in frames:
            results.append(fr)
    except FaceAppError as exc:
        raise fail(str(exc)) from exc
    finally:
        recognizer.close()
    if as_json:
        data: dict[str, Any] = {
            "source": source,
            "model": str(model),
            "results": [r.to_dict() for r in results],
        }
        if stats is not None:
            data["video"] = stats.to_dict()
        _print_json(data)
        if not any(r.faces for r in results):
            raise typer.Exit(ExitCode.NOTHING_FOUND)
        return
    table = Table(title=f"faces in {source}")
    for col in ("source", "frame", "face", "label", "confidence", "box x,y,w,h"):
        table.add_column(col)
    for r in results:
        if not r.faces:
            table.add_row(
                Path(r.source).name, str(r.frame if r.frame is not None else ""), "-", "no face", "", ""
            )
        for i, f in enumerate(r.faces):
            b = f.box
            table.add_row(
                Path(r.source).name, "" if r.frame is None else str(r.frame), str(i), f.label,
                f"{f.confidence:.3f}", f"{b.x},{b.y},{b.w},{b.h}",
            )  # fmt: skip
    console.print(table)
    if stats is not None:
        console.print(
            f"source frame rate {stats.source_fps:.2f} fps; processed {stats.frames} frames at "
            f"{stats.processing_fps:.2f} fps"
        )
    if out is not None and (stats is not None or out_all or any(r.faces for r in results)):
        console.print(f"annotated output: {out}")
    if not any(r.faces for r in results):
        raise typer.Exit(ExitCode.NOTHING_FOUND)


@app.command("export")
def export_cmd(
    model: Annotated[Path, typer.Argument(help="A model made by `face-recognizer train` (.keras/.h5).")],
    out: Annotated[Path, typer.Option(help="Folder for the artifacts and manifest.json.")] = Path(
        "face_export"
    ),
    formats: Annotated[
        str,
        typer.Option(
            help="Comma list of savedmodel, onnx, tflite-float32, tflite-float16, tflite-int8, tensorrt."
        ),
    ] = "onnx,tflite-float32,tflite-float16,tflite-int8,tensorrt",
    calibration_samples: Annotated[int, typer.Option(help="Training crops used to calibrate int8.")] = 100,
    data: Annotated[
        Path | None, typer.Option(help="Identity crops to use instead of the ones recorded at training.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the manifest as JSON.")] = False,
) -> None:
    """Export to SavedModel / ONNX / TFLite float32, float16, int8 / TensorRT engines (when TensorRT exists);
    score every artifact on the test split.

    Example: face-recognizer export models/face.keras --out models/face_export --formats onnx,tflite-int8
    """
    from face_recognizer.export import export_face_model

    fmts = [f.strip() for f in formats.split(",") if f.strip()]
    try:
        with _step_status(not as_json) as on_step:
            result = export_face_model(model, out, fmts, calibration_samples, data, on_step=on_step)
    except FaceAppError as exc:
        raise fail(str(exc)) from exc
    if as_json:
        _print_json(result.to_dict())
        return
    table = Table(title=f"{result.card.backbone} exports ({result.test_samples} test images)")
    for col in ("artifact", "precision", "size MB", "accuracy %", "file"):
        table.add_column(col)
    reasons = list(dict.fromkeys(a.skipped for a in result.artifacts if a.skipped))
    for a in result.artifacts:
        if a.skipped:
            table.add_row(a.name, a.precision, "", "", f"[dim]skipped ({reasons.index(a.skipped) + 1})[/dim]")
            continue
        acc = "" if a.accuracy is None else f"{a.accuracy:.2f}"
        table.add_row(a.name, a.precision, f"{(a.size_bytes or 0) / 2**20:.2f}", acc, str(a.path))
    console.print(table)
    for i, why in enumerate(reasons, start=1):
        console.print(f"[dim]({i}) {why}[/dim]", highlight=False)
    console.print(f"manifest: {result.manifest}")


@contextmanager
def _step_status(enabled: bool) -> Iterator[Any]:
    if not enabled:
        yield None
        return
    with err.status("exporting") as status:
        yield lambda name: status.update(f"exporting: {name}")


@app.command("bench")
def bench_cmd(
    export_dirs: Annotated[
        list[Path], typer.Argument(help="Export folders (one per backbone) with manifest.json.")
    ],
    out: Annotated[
        Path,
        typer.Option(help="Folder for bench.md, bench.json and each backbone's matrix files (BACKBONE/)."),
    ] = Path("face_bench"),
    batch_sizes: Annotated[str, typer.Option(help="Comma list of batch sizes (images per call).")] = "1,8,32",
    warmup: Annotated[int, typer.Option(help="Untimed warm-up batches per batch size.")] = 50,
    runs: Annotated[int, typer.Option(help="Timed batches per batch size (the face study: 1,000).")] = 1000,
    budget: Annotated[
        float | None, typer.Option(help="Stop timing a batch size after this many seconds.")
    ] = None,
    threads: Annotated[int | None, typer.Option(help="CPU threads per backend (default: all cores).")] = None,
    variants: Annotated[
        str | None,
        typer.Option(
            help="Only these, comma list: keras, tflite-float32, tflite-float16, tflite-int8, onnx."
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the rows as JSON.")] = False,
) -> None:
    """The face study's protocol per backbone × backend × precision: latency, throughput, test accuracy.

    Each backbone is edgesmith's own-model matrix (edgesmith-profile matrix) of its Keras model on its
    test split, scored by accuracy, with the exported artifacts as the variants.

    Example: face-recognizer bench models/mobilenetv2_export --batch-sizes 1,32 --runs 1000 --threads 2
    """
    from face_recognizer.bench import bench_exports

    try:
        sizes = tuple(int(b) for b in batch_sizes.split(","))
    except ValueError:
        raise fail(f"--batch-sizes {batch_sizes!r} is not a comma list of integers, e.g. 1,8,32") from None
    chosen = [v.strip() for v in variants.split(",")] if variants else None
    try:
        with _step_status(not as_json) as on_step:
            result = bench_exports(
                export_dirs, sizes, warmup, runs, budget, threads, chosen, on_step, out_dir=out
            )
        paths = result.save(out)
    except FaceAppError as exc:
        raise fail(str(exc)) from exc
    if as_json:
        _print_json({"outputs": {k: str(v) for k, v in paths.items()}, **result.to_dict()})
        return
    console.print(result.to_markdown(), highlight=False, markup=False, soft_wrap=True)
    console.print("wrote " + ", ".join(str(p) for p in paths.values()))


def main() -> None:
    """Console-script entry: one error line and the exit-code contract (``--debug`` for tracebacks)."""
    run_cli(app)


if __name__ == "__main__":
    main()
