"""The ``plate-reader`` command: read plates in photos (default command), ``bench``, ``train``, ``synth``.

The commands are thin: the work is in :mod:`plate_reader.pipeline`, :mod:`plate_reader.evaluation`,
:mod:`plate_reader.training` and edgesmith's packages.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from edgesmith.profiling.console import FoldingConsole, run_cli
from edgesmith.profiling.errors import EdgesmithError
from edgesmith.profiling.limits import DEFAULT_MAX_PIXELS, check_photos
from plate_reader.artifacts import BACKENDS
from plate_reader.detectors import ZOOM

HELP = """Find the licence plate in a photo, read it and name its driving-restriction day.

[bold]Read plates[/bold] (the default command; files and folders, as many as you like):

  plate-reader apps/plate-reader/samples/plate.jpg
  plate-reader photos/ --out boxed/ --json
  plate-reader car.jpg --reader tesseract --detector regressor

[bold]Other commands[/bold]:

  plate-reader bench --data heldout/    every detector × reader, plate by plate
  plate-reader matrix --n 500          the Costa Rica plate study's backend × precision matrix
  plate-reader synth data/ --n 1000    generate annotated plate photos
  plate-reader train data/plates.csv   retrain the detector from an annotation CSV
"""

app = typer.Typer(help=HELP, rich_markup_mode="rich", no_args_is_help=True, add_completion=False)
console = FoldingConsole()
err = FoldingConsole(stderr=True)
COMMANDS = ("read", "bench", "matrix", "train", "synth")


def fail(message: str, code: int = 2) -> typer.Exit:
    """Print a one-line error to stderr and return the exit to raise."""
    err.print(f"[bold red]error:[/bold red] {escape(message)}", highlight=False, soft_wrap=True)
    return typer.Exit(code)


def _parse_size(text: str) -> tuple[int, int]:
    try:
        w, h = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise typer.BadParameter(f"{text!r} is not WIDTHxHEIGHT in pixels, e.g. 320x240") from None
    if w < 32 or h < 32:
        raise typer.BadParameter("images must be at least 32x32 pixels")
    return w, h


@app.command("read")
def read_cmd(
    images: Annotated[list[Path], typer.Argument(help="Photos or folders of photos (JPEG, PNG, ...).")],
    backend: Annotated[str, typer.Option(help=f"Detector backend: {', '.join(BACKENDS)}.")] = "tflite-int8",
    reader: Annotated[
        str, typer.Option(help="OCR reader: crnn (in-process, default) or tesseract.")
    ] = "crnn",
    detector: Annotated[
        str,
        typer.Option(
            help="centernet (finds every plate, default), regressor (the original one-box baseline) or "
            "a .keras file from tools/train_plate_detector.py (tflite-int8 uses its _int8.tflite sibling)."
        ),
    ] = "centernet",
    out: Annotated[
        Path | None,
        typer.Option(
            help="Folder for copies of the photos with the plates drawn (photos where one was found)."
        ),
    ] = None,
    out_all: Annotated[
        bool, typer.Option("--out-all", help="With --out: also write photos where no plate was found.")
    ] = False,
    threads: Annotated[
        int | None, typer.Option(help="CPU threads for the detector (default: all cores).")
    ] = None,
    zoom: Annotated[
        float,
        typer.Option(
            min=1.0,
            help="Magnification of the centernet detector's second pass, run in tiles, that finds plates "
            "under 20 % of the photo's width (a car a few metres away); 1 = one pass, faster.",
        ),
    ] = ZOOM,
    max_pixels: Annotated[
        int, typer.Option(help="Refuse photos over this many pixels before decoding them (0: no limit).")
    ] = DEFAULT_MAX_PIXELS,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print a JSON list, one object per photo, instead of a table.")
    ] = False,
) -> None:
    """Find every plate in each photo, read it and name its restriction day, or say why it is unreadable.

    A day is printed only for a reading in a full plate format (ABC-123, or five or six digits) whose
    characters are all confidently read; otherwise the plate is listed as unreadable with the reason.
    Exit code 0 when every photo had a plate read, 1 when some photo had none found or only unreadable ones,
    2 on bad input (missing or corrupt photo, unknown option value), 3 when an OCR engine is missing.

    Example: plate-reader apps/plate-reader/samples/ --out /tmp/boxed --json
    """
    from plate_reader.pipeline import iter_images
    from plate_reader.runtime import SetupError, build_pipeline, run_images

    missing = [p for p in images if not p.exists()]
    if missing:
        raise fail(f"no such photo or folder ({missing[0]}): check the path")
    try:  # only the pixel limit here: unreadable photos are reported one by one by the pipeline
        check_photos([], list(iter_images(images)), max_pixels or None)
    except EdgesmithError as exc:
        raise fail(str(exc)) from None
    try:
        pipeline = build_pipeline(backend, reader, detector=detector, threads=threads, zoom=zoom)
    except SetupError as exc:
        raise fail(str(exc), code=_setup_code(exc)) from None
    try:
        results = run_images(pipeline, images, out_dir=out, out_all=out_all, progress=not as_json)
    except OSError as exc:
        raise fail(
            f"cannot write annotated photos ({out}): {exc.strerror or exc}; pass a writable --out"
        ) from None
    finally:
        pipeline.close()
    if not results:
        raise fail("no images found in the given paths; pass image files or folders holding .jpg/.png files")
    if as_json:
        typer.echo(json.dumps([r.to_dict() for r in results], indent=2))
    else:
        console.print(_results_table(results, backend, reader, detector))
    for r in results:
        if r.error:
            err.print(  # one error: line per broken photo; the batch goes on with the others
                f"[bold red]error:[/bold red] {escape(_reason(r))} ({escape(str(r.path))}): "
                "pass a readable JPEG, PNG, BMP, WebP or TIFF photo",
                highlight=False,
                soft_wrap=True,
            )
        elif not r.plates:
            err.print(f"[yellow]{r.path}[/yellow]: no plate found", highlight=False, soft_wrap=True)
        elif not r.ok:
            err.print(
                f"[yellow]{r.path}[/yellow]: plates found but none readable", highlight=False, soft_wrap=True
            )
    if any(r.error for r in results):
        raise typer.Exit(2)
    if not all(r.ok for r in results):
        raise typer.Exit(1)


def _setup_code(exc: Exception) -> int:
    """3 when an engine or dependency is missing (e.g. Tesseract), else 2 (bad option value or model)."""
    cause = exc.__cause__
    try:
        from edgesmith.ocr_plate.reading import ReaderUnavailable
    except ImportError:
        return 3
    return 3 if isinstance(cause, (ReaderUnavailable, ImportError)) else 2


def _reason(result) -> str:
    """The result's error without a leading repeat of its own path."""
    text = result.error or ""
    return text.removeprefix(f"{result.path}: ")


def _results_table(results: list, backend: str, reader: str, detector: str) -> Table:
    table = Table(title=f"plates (detector: {detector} on {backend}, reader: {reader})")
    table.add_column("image", no_wrap=True, overflow="fold")
    for col, justify in (("plate", "left"), ("status", "left"), ("conf", "right"), ("digit", "center"),
                         ("restriction day", "left"), ("box", "left"), ("ms", "right")):  # fmt: skip
        table.add_column(col, justify=justify, overflow="fold")  # type: ignore[arg-type]
    for r in results:
        ms = f"{r.total_ms:.1f}" if r.total_ms is not None else ""
        if r.error or not r.plates:
            table.add_row(
                Path(r.path).name, "", f"[red]{_reason(r) or 'no plate found'}[/red]", "", "", "", "", ms
            )
            continue
        for k, p in enumerate(r.plates):
            status = "[green]ok[/green]" if p.ok else f"[yellow]unreadable: {p.reason}[/yellow]"
            table.add_row(
                Path(r.path).name if k == 0 else "",
                p.text,
                status,
                f"{p.confidence:.2f}",
                "" if p.last_digit is None else str(p.last_digit),
                p.restriction_day or "",
                ",".join(str(v) for v in p.box),
                ms if k == 0 else "",
            )
    return table


@app.command("bench")
def bench_cmd(
    data: Annotated[
        list[Path] | None,
        typer.Option(help="Labelled photo folder (labels.csv) to score on as well; repeatable."),
    ] = None,
    n: Annotated[int, typer.Option(help="Photos in each of the project's own sets (seed 9001).")] = 500,
    own: Annotated[
        bool, typer.Option("--own/--no-own", help="Score the project's own sets too (default: yes).")
    ] = True,
    readers: Annotated[
        str, typer.Option(help="Comma-separated readers: crnn, tesseract.")
    ] = "crnn,tesseract",
    detectors: Annotated[
        str,
        typer.Option(
            help="Comma-separated detector rows: regressor, centernet-keras, centernet-int8, "
            "centernet-int8-one-pass (without the small-plate pass)."
        ),
    ] = "regressor,centernet-keras,centernet-int8,centernet-int8-one-pass",
    threads: Annotated[int | None, typer.Option(help="CPU threads for the detector (default: all).")] = None,
    models: Annotated[
        bool,
        typer.Option(
            "--models/--no-models",
            help="Also the detector models' own-model matrix on the first set (default: yes).",
        ),
    ] = True,
    out: Annotated[
        Path | None, typer.Option(help="Folder for bench.json, bench.md and models/DETECTOR/matrix files.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the scores as JSON.")] = False,
) -> None:
    """Score each detector × reader plate by plate: found (IoU > 0.5), last digit, exact, wrong day, ms.

    Sets: the project's own street scenes (a seed never used in training), the original one-plate photos,
    and every --data folder (labels.csv: name,width,height,x1,y1,x2,y2,plate,qx1..qy4, normalised).
    The Keras float detector runs beside the int8 one in the same run, so the ms column compares them.
    The detector models themselves get edgesmith's own-model matrix (edgesmith-profile matrix) on the
    first set: latency, memory, size and fidelity of each backend to the Keras model (--no-models skips it).

    Example: plate-reader bench --n 200 --data heldout/ --readers crnn --out runs/plate-bench
    """
    from plate_reader.study import DEFAULT_PIPELINES, ONE_PASS, BenchError, run_bench

    rows = {"regressor": DEFAULT_PIPELINES[0], "centernet-keras": DEFAULT_PIPELINES[1],
            "centernet-int8": DEFAULT_PIPELINES[2], "centernet-int8-one-pass": ONE_PASS}  # fmt: skip
    chosen = [d for d in detectors.split(",") if d]
    unknown = [d for d in chosen if d not in rows]
    if unknown:
        raise fail(f"unknown detector row {unknown[0]!r} (--detectors): choose from {', '.join(rows)}")
    missing = [d for d in data or [] if not (d / "labels.csv").is_file()]
    if missing:
        raise fail(f"no labels.csv in the --data folder ({missing[0]}): pass a labelled photo folder")
    try:
        report = run_bench(n=n, data=data or [], readers=[r for r in readers.split(",") if r],
                           pipelines=[rows[d] for d in chosen], own=own, threads=threads, out_dir=out,
                           progress=not as_json, models=models,
                           on_set=None if as_json else lambda name: err.print(f"scoring {name}"))  # fmt: skip
    except BenchError as exc:
        raise fail(str(exc)) from None
    if as_json:
        typer.echo(json.dumps(report.to_dict(), indent=2))
        return
    typer.echo(report.to_markdown())  # plain text: a Markdown table must not be wrapped
    if out is not None:
        err.print(f"wrote {out}/bench.json and bench.md")


@app.command("matrix")
def matrix_cmd(
    n: Annotated[int, typer.Option(help="Held-out generated photos to score on (seed --seed).")] = 500,
    seed: Annotated[
        int, typer.Option(help="Seed of the generated test set (never used in training).")
    ] = 9001,
    data: Annotated[
        Path | None, typer.Option(help="Annotation CSV to score on instead (images in its folder).")
    ] = None,
    backends: Annotated[
        str, typer.Option(help="Comma-separated detector backends for the matrix.")
    ] = "keras,tflite,tflite-int8,onnx,tvm,tensorrt",
    readers: Annotated[
        str, typer.Option(help="Comma-separated readers for the end-to-end table ('' skips).")
    ] = "crnn,tesseract",
    variant: Annotated[
        list[str] | None,
        typer.Option(
            help="Extra matrix row NAME=PATH[,backend=B][,pruned] (e.g. a pruned model); repeatable."
        ),
    ] = None,
    runs: Annotated[int, typer.Option(help="Timed detector runs per variant (batch 1).")] = 200,
    threads: Annotated[int | None, typer.Option(help="CPU threads per backend (default: all cores).")] = None,
    out: Annotated[
        Path | None, typer.Option(help="Folder for matrix.csv/.json/.md, pareto.png and e2e.json/.md.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the results as JSON.")] = False,
) -> None:
    """The Costa Rica plate study's backend × precision matrix of the one-box regressor, then end to end.

    The matrix is edgesmith's own-model matrix (edgesmith-profile matrix) of the shipped Keras detector on
    the held-out photos' boxes, scored by IoU; exported variants are cached in --out/artifacts.

    Matrix: detector latency (ms, batch 1), % IoU > 0.5, memory (MB), size (MB) per backend × precision
    (× pruned with --variant). End to end: plate found / last digit / exact plate (%) and ms per photo.

    Backends that cannot run here (no GPU for TensorRT, no exporter) keep their row with the reason.

    Example: plate-reader matrix --n 500 --out runs/plate-matrix
    """
    from plate_reader.evaluation import BenchError, run_bench

    try:
        report = run_bench(
            n=n, seed=seed, data=data, backends=[b for b in backends.split(",") if b],
            readers=[r for r in readers.split(",") if r], extra_variants=variant or [], runs=runs,
            threads=threads, out_dir=out, progress=not as_json,
        )  # fmt: skip
    except BenchError as exc:
        raise fail(str(exc)) from None
    if as_json:
        typer.echo(json.dumps(report.to_dict(), indent=2, default=str))
        return
    typer.echo(report.matrix.to_markdown())  # plain text: a Markdown table must not be wrapped
    d = report.decision
    typer.echo(f"ship {d.chosen}: {d.reason}.\n" if d.chosen else f"nothing qualifies: {d.reason}.\n")
    typer.echo(report.e2e_markdown())
    if out is not None:
        err.print(f"wrote {out}/matrix.csv, matrix.json, matrix.md, pareto.png, e2e.json, e2e.md")


@app.command("synth")
def synth_cmd(
    out_dir: Annotated[Path, typer.Argument(help="Folder for the JPEGs, plates.csv and texts.csv.")],
    n: Annotated[int, typer.Option(help="Number of photos.", min=1)] = 1000,
    seed: Annotated[int, typer.Option(help="Random seed (same seed, same photos).")] = 0,
    size: Annotated[str, typer.Option(help="Photo size WIDTHxHEIGHT in pixels.")] = "320x240",
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON summary.")] = False,
) -> None:
    """Generate photos with one Costa Rican plate each and the Costa Rica plate study's annotation CSV.

    Example: plate-reader synth data/plates --n 2000 --seed 7 --size 320x240
    """
    from rich.progress import Progress

    from edgesmith.datasets.plate_synth import generate_dataset

    wh = _parse_size(size)
    with Progress(console=err, transient=True, disable=as_json) as bar:
        task = bar.add_task("generating", total=n)
        csv_path = generate_dataset(out_dir, n=n, seed=seed, size=wh,
                                    progress=lambda i: bar.update(task, completed=i))  # fmt: skip
    summary = {
        "csv": str(csv_path),
        "texts": str(out_dir / "texts.csv"),
        "n": n,
        "seed": seed,
        "size": list(wh),
    }
    if as_json:
        typer.echo(json.dumps(summary))
    else:
        console.print(f"wrote {n} photos and {csv_path} (seed {seed}, {wh[0]}x{wh[1]} px)")


@app.command("train")
def train_cmd(
    csv_path: Annotated[
        Path, typer.Argument(help="Annotation CSV: name,width,height,x1,y1,x2,y2 (normalised).")
    ],
    images: Annotated[Path | None, typer.Option(help="Image folder (default: the CSV's folder).")] = None,
    val: Annotated[Path | None, typer.Option(help="Validation/test annotation CSV (held out).")] = None,
    out: Annotated[
        Path, typer.Option(help="Folder for plate_detector.keras, _int8.tflite and sidecars.")
    ] = Path("runs/plate-detector"),
    epochs: Annotated[int, typer.Option(help="Training epochs.", min=1)] = 20,
    batch_size: Annotated[int, typer.Option(help="Images per step.", min=1)] = 64,
    lr: Annotated[float, typer.Option(help="Peak learning rate (Adam, cosine decay).")] = 2e-3,
    as_json: Annotated[bool, typer.Option("--json", help="Print the metrics as JSON.")] = False,
) -> None:
    """Retrain the detector (compact box regressor) from an annotation CSV; write float and int8 models.

    Use the result with: plate-reader photo.jpg --detector runs/plate-detector/plate_detector.keras

    Example: plate-reader synth data/train --n 4000 --seed 1 && plate-reader train data/train/plates.csv
    """
    from plate_reader.detector import AnnotationError, load_annotated_images
    from plate_reader.training import train_and_export

    try:
        x, y, _ = load_annotated_images(csv_path, images)
        held = load_annotated_images(val)[:2] if val is not None else None
    except AnnotationError as exc:
        raise fail(str(exc)) from None
    meta = {"train_data": {"csv": str(csv_path)}, "eval_data": {"csv": str(val) if val else None}}
    result = train_and_export(x, y, out, val=held, test=held, epochs=epochs, batch_size=batch_size,
                              learning_rate=lr, meta=meta, verbose=0 if as_json else 2)  # fmt: skip
    summary = {"keras": str(result.keras_path), "int8": str(result.int8_path),
               "float": result.float_metrics, "int8_metrics": result.int8_metrics}  # fmt: skip
    if as_json:
        typer.echo(json.dumps(summary, indent=2))
    else:
        console.print_json(json.dumps(summary))


def with_default_command(args: list[str]) -> list[str]:
    """``IMAGE ... [options]`` → ``read IMAGE ... [options]``; a command, ``--help`` or nothing: as is."""
    if not args or args[0] in ("--help", "-h") or args[0] in COMMANDS:
        return args
    return ["read", *args]


def main() -> None:
    """Console-script entry: ``plate-reader IMAGE ...`` is ``plate-reader read IMAGE ...``."""
    run_cli(app, with_default_command(sys.argv[1:]), "plate-reader")


if __name__ == "__main__":
    main()
