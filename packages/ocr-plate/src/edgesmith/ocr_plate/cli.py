"""``ocr-plate``: read plate crops, score the readers on generated crops, name the restriction day."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import numpy as np
import typer
from rich.markup import escape
from rich.table import Table

from edgesmith.ocr_plate.plate_format import canonical_plate
from edgesmith.ocr_plate.readers import DEFAULT_READER, READERS, get_reader
from edgesmith.ocr_plate.reading import OcrError, PlateReader, ReaderUnavailable
from edgesmith.ocr_plate.rectify import CROP_MARGIN
from edgesmith.ocr_plate.restriction import restriction_day
from edgesmith.profiling.console import FoldingConsole, run_cli
from edgesmith.profiling.errors import EdgesmithError
from edgesmith.profiling.limits import DEFAULT_MAX_PIXELS, image_size

app = typer.Typer(
    name="ocr-plate",
    help="Read Costa Rican licence plates from crops (CRNN on LiteRT or Tesseract) and name the driving-"
    "restriction day.\n\nExample: ocr-plate read crop.png --reader tesseract --json",
    no_args_is_help=True,
    add_completion=False,
)
out = FoldingConsole()
err = FoldingConsole(stderr=True)

ReaderOpt = Annotated[str, typer.Option("--reader", "-r", help=f"OCR engine: {' | '.join(READERS)}")]
WeightsOpt = Annotated[
    str, typer.Option("--weights", "-w", help="crnn weights: int8 | float | path to a .tflite with sidecar")
]
RectifierOpt = Annotated[
    str,
    typer.Option(
        help="how the plate is found in the crop: corners (CNN, int8) | corners-float | contour | margin"
    ),
]
ConfidenceOpt = Annotated[
    float | None,
    typer.Option(
        "--min-confidence",
        help="confidence (0-1) each character of an ABC-123 plate needs before a day is named (default: "
        "each reader's own: 0.30 for the shipped CRNN, chosen on its validation crops; 0.55 for Tesseract, "
        "for every character of every format)",
        min=0.0,
        max=1.0,
    ),
]
NumericConfidenceOpt = Annotated[
    float | None,
    typer.Option(
        "--min-numeric-confidence",
        help="confidence (0-1) each character of a digits-only plate needs (shipped CRNN: 0.60; numbers on "
        "signs look like these plates)",
        min=0.0,
        max=1.0,
    ),
]
LastDigitOpt = Annotated[
    float | None,
    typer.Option(
        "--min-last-digit-confidence",
        help="confidence (0-1) the last digit, which sets the day, needs as well (shipped CRNN: 0.90)",
        min=0.0,
        max=1.0,
    ),
]


def _fail(message: str, code: int = 2) -> typer.Exit:
    err.print(f"[bold red]error:[/] {escape(message)}", highlight=False, soft_wrap=True)
    return typer.Exit(code)


def _open_reader(
    name: str,
    weights: str,
    rectifier: str = "corners",
    thresholds: tuple[float | None, float | None, float | None] = (None, None, None),
) -> PlateReader:
    """Open a reader; ``thresholds`` (every character, digits-only plate, last digit) override its rule."""
    options: dict[str, object] = {"rectifier": rectifier}
    try:
        ocr = get_reader(name, model=weights, **options) if name == "crnn" else get_reader(name, **options)
        ocr.rule = ocr.rule.with_overrides(*thresholds)
        return ocr
    except ReaderUnavailable as exc:
        raise _fail(str(exc), code=3) from None
    except (OcrError, ValueError) as exc:
        raise _fail(str(exc), int(getattr(exc, "exit_code", 2))) from None


def _load_crop(path: Path, box: tuple[float, float, float, float] | None, margin: float) -> np.ndarray:
    """An image file as uint8 RGB, cut to ``box`` (normalised) when given; one-line errors."""
    from PIL import Image, UnidentifiedImageError

    from edgesmith.ocr_plate.preprocess import crop_box

    if path.is_dir():
        raise ValueError(f"{path}: a folder, not an image; pass the crop files themselves")
    if not path.is_file():
        raise ValueError(f"{path}: no such file")
    try:
        width, height = image_size(path)
    except EdgesmithError:
        pass  # not an image Pillow can identify: reported below as unreadable
    else:
        if width * height > DEFAULT_MAX_PIXELS:  # a decompression bomb is refused before it is decoded
            raise ValueError(f"{path}: {width}×{height} pixels is over the 50 MP limit; pass a plate crop")
    try:
        with Image.open(path) as im:
            rgb = np.asarray(im.convert("RGB"))
    except (UnidentifiedImageError, OSError) as exc:
        raise ValueError(
            f"{path}: not a readable image ({type(exc).__name__}); pass a PNG/JPEG crop"
        ) from None
    return crop_box(rgb, box, margin) if box is not None else rgb


def _parse_box(box: str | None) -> tuple[float, float, float, float] | None:
    if box is None:
        return None
    try:
        values = tuple(float(v) for v in box.split(","))
    except ValueError:
        values = ()
    if len(values) != 4 or not all(0.0 <= v <= 1.0 for v in values):
        raise _fail(
            f"--box {box!r} must be four normalised numbers x1,y1,x2,y2 in [0, 1], e.g. 0.1,0.2,0.6,0.5"
        )
    return values  # type: ignore[return-value]


@app.command()
def read(
    images: Annotated[list[Path], typer.Argument(help="plate crops (PNG/JPEG), or photos with --box")],
    reader: ReaderOpt = DEFAULT_READER,
    weights: WeightsOpt = "int8",
    box: Annotated[
        str | None,
        typer.Option(help="normalised plate box x1,y1,x2,y2 (fraction of width/height) to cut first"),
    ] = None,
    margin: Annotated[
        float, typer.Option(help="grow --box by this fraction of its size on each side")
    ] = CROP_MARGIN,
    rectifier: RectifierOpt = "corners",
    min_confidence: ConfidenceOpt = None,
    min_numeric_confidence: NumericConfidenceOpt = None,
    min_last_digit_confidence: LastDigitOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="print one JSON object per image")] = False,
) -> None:
    """Read the plate text, last digit and restriction day of each crop (a plate with some room around it).

    A day is named only for a full plate whose every character is read with --min-confidence
    (--min-numeric-confidence for a digits-only plate) and whose last digit with
    --min-last-digit-confidence; other plates are "unreadable" with the reason, and the exit code is 1.

    Example: ocr-plate read plate_crop.png --reader crnn --json
    """
    parsed_box = _parse_box(box)
    thresholds = (min_confidence, min_numeric_confidence, min_last_digit_confidence)
    ocr = _open_reader(reader, weights, rectifier, thresholds)
    table = Table(title=f"plates read by {reader}")
    for col in ("image", "text", "status", "confidence", "last digit", "restriction"):
        table.add_column(col, no_wrap=col != "status", overflow="fold")
    failed = unreadable = 0
    results = []
    for path in images:
        try:
            reading = ocr.read(_load_crop(path, parsed_box, margin))
        except (ValueError, OcrError) as exc:
            failed += 1
            err.print(f"[bold red]error:[/] {escape(str(exc))}", highlight=False, soft_wrap=True)
            results.append({"image": str(path), "error": str(exc)})
            continue
        results.append({"image": str(path), **reading.to_dict()})
        unreadable += not reading.readable
        status = (
            "[green]ok[/]" if reading.readable else f"[yellow]unreadable[/]: {escape(reading.reason or '')}"
        )
        table.add_row(
            path.name,
            reading.text or "∅",
            status,
            f"{reading.confidence:.2f}",
            "-" if reading.last_digit is None else str(reading.last_digit),
            reading.restriction_day or "-",
        )
    if as_json:
        print(json.dumps(results if len(results) != 1 else results[0], indent=2))
    elif table.row_count:
        out.print(table)
    if failed:  # every input unreadable: bad input (2); only some: a partial result (1)
        raise typer.Exit(2 if failed == len(images) else 1)
    if unreadable:  # read, but some plate was refused rather than guessed
        raise typer.Exit(1)


@app.command()
def day(digit: Annotated[str, typer.Argument(help="last digit of the plate (0-9) or a whole plate")]) -> None:
    """Name the weekday a plate may not circulate (Costa Rica: 1-2 Mon, 3-4 Tue, 5-6 Wed, 7-8 Thu, 9-0 Fri).

    Example: ocr-plate day ABC-126   (→ Wednesday, as in the Costa Rica plate study's example)
    """
    plate = canonical_plate(digit) or digit.strip()
    try:
        out.print(restriction_day(plate[-1:] if plate else ""), highlight=False)
    except ValueError as exc:
        raise _fail(f"{exc}; pass a digit 0-9 or a plate such as ABC-123") from None


@app.command("eval")
def evaluate(
    n: Annotated[int, typer.Option(help="held-out crops to generate (number of images)")] = 300,
    seed: Annotated[
        int, typer.Option(help="crop seed, one no training used (training 7, validation 8, sidecars 2026)")
    ] = 2027,
    readers: Annotated[
        str, typer.Option(help="comma list of crnn-int8, crnn-float, tesseract")
    ] = "crnn-int8,crnn-float",
    source: Annotated[
        str,
        typer.Option(
            help="street: plates in street photos | synth: posed plates on photo patches | "
            "scene: the old one-plate photos"
        ),
    ] = "street",
    margin: Annotated[
        float, typer.Option(help="scene source only: grow each jittered box by this fraction per side")
    ] = 0.06,
    data: Annotated[
        Path | None,
        typer.Option(
            help="labelled photo folder (labels.csv with plate corners): crops of its plates instead"
        ),
    ] = None,
    rectifier: RectifierOpt = "corners",
    min_confidence: ConfidenceOpt = None,
    min_numeric_confidence: NumericConfidenceOpt = None,
    min_last_digit_confidence: LastDigitOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="print scores as JSON")] = False,
    failures: Annotated[int, typer.Option(help="show up to this many misreads per reader")] = 0,
) -> None:
    """Score readers on generated loose plate crops cut as the plate-reader app cuts them.

    exact / last digit count only readings that name a day; unreadable is the share refused; wrong day is
    the share that names the wrong day (worse than unreadable).

    Example: ocr-plate eval --n 300 --seed 2027 --readers crnn-int8,tesseract
    Example: ocr-plate eval --data my_photos/ --n 500     (your own labelled photos)
    """
    from rich.progress import Progress

    from edgesmith.ocr_plate.evaluate import evaluate_reader

    try:
        from edgesmith.ocr_plate.plate_crops import SOURCES, crop_set, folder_crops
    except ImportError as exc:  # pragma: no cover - the train extra
        raise _fail(str(exc), code=3) from None
    names = [r.strip() for r in readers.split(",") if r.strip()]
    thresholds = (min_confidence, min_numeric_confidence, min_last_digit_confidence)
    specs = {"crnn-int8": ("crnn", "int8"), "crnn-float": ("crnn", "float"), "crnn": ("crnn", "int8")}
    specs["tesseract"] = ("tesseract", "")
    unknown = [r for r in names if r not in specs]
    if unknown or n < 1 or source not in SOURCES:
        raise _fail(
            f"unknown reader(s) {unknown}; choose from {', '.join(specs)}"
            if unknown
            else "--n must be ≥ 1"
            if n < 1
            else f"unknown --source {source!r}; choose from {', '.join(SOURCES)}"
        )
    if rectifier == "corners":  # each CRNN precision with the corner regressor of the same precision
        opened = {
            name: _open_reader(
                *specs[name], "corners-float" if name == "crnn-float" else "corners", thresholds
            )
            for name in names
        }
    else:
        opened = {name: _open_reader(*specs[name], rectifier, thresholds) for name in names}
    scores = []
    with Progress(console=err, transient=as_json) as progress:
        task = progress.add_task(f"generating {n} {source} crops (seed {seed})", total=n)
        try:
            if data is not None:
                crops, texts = folder_crops(data, seed, n)
                source, n = str(data), len(crops)
                if not crops:
                    raise ValueError(f"{data}: labels.csv lists no plate")
            else:
                crops, texts = crop_set(
                    n,
                    seed,
                    source=source,
                    margin=margin,
                    progress=lambda i: progress.update(task, completed=i),
                )
        except (ImportError, ValueError, OSError) as exc:
            raise _fail(str(exc)) from None
        progress.update(task, completed=n, total=n)
        for name, ocr in opened.items():
            task = progress.add_task(f"reading with {name}", total=n)
            scores.append(
                evaluate_reader(
                    ocr, crops, texts, name=name, progress=lambda i, t=task: progress.update(t, completed=i)
                )
            )
    if as_json:
        payload = {"n": n, "seed": seed, "source": source, "rectifier": rectifier}
        rules = {name: ocr.rule.to_dict() for name, ocr in opened.items()}
        payload |= {"min_confidence": rules, "scores": [s.to_dict() for s in scores]}
        if source == "scene":
            payload["margin"] = margin
        print(json.dumps(payload, indent=2))
        return
    where = f"seed {seed}" + (f", margin {margin:g}" if source == "scene" else "")
    table = Table(title=f"plate OCR on {n} held-out {source} crops ({where}, rectifier {rectifier})")
    cols = ("reader", "exact plate", "last digit", "unreadable", "wrong day", "ms/crop mean", "p95 ms")
    for col in cols:
        table.add_column(col, justify="right" if col != "reader" else "left", no_wrap=True)
    for s in scores:
        table.add_row(
            s.reader,
            f"{s.exact:.1%}",
            f"{s.last_digit:.1%}",
            f"{s.unreadable:.1%}",
            f"{s.wrong_day:.1%}",
            f"{s.latency_ms_mean:.2f}",
            f"{s.latency_ms_p95:.2f}",
        )
    out.print(table)
    for s in scores:
        for truth, got in s.failures[:failures]:
            out.print(f"{s.reader}: {truth} read as {got or '∅'}", highlight=False)


if __name__ == "__main__":  # pragma: no cover
    app()


def main() -> None:
    """Console-script entry: one error line and the exit-code contract (``--debug`` for tracebacks)."""
    run_cli(app)
