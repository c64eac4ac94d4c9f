"""``edgesmith-data``: inspect datasets in their real formats; write the offline samples in those formats."""

from __future__ import annotations

import contextlib
import enum
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from edgesmith.datasets.errors import DatasetError
from edgesmith.profiling.console import FoldingConsole, run_cli

app = typer.Typer(
    name="edgesmith-data",
    help="Inspect datasets in their real on-disk formats and write offline samples in those formats.\n\n"
    "Example: edgesmith-data sample mnist data/mnist && edgesmith-data inspect mnist data/mnist",
    no_args_is_help=True,
    add_completion=False,
)
out = FoldingConsole()
err = FoldingConsole(stderr=True)

JsonOpt = Annotated[bool, typer.Option("--json", help="print machine-readable JSON instead of a table")]


class Kind(enum.StrEnum):
    """Dataset formats ``inspect`` understands."""

    mnist = "mnist"
    cifar10 = "cifar10"
    images = "images"
    cityscapes = "cityscapes"
    plates = "plates"
    solar = "solar"


class SampleKind(enum.StrEnum):
    """Offline samples ``sample`` can write."""

    mnist = "mnist"
    cifar10 = "cifar10"
    solar = "solar"


@contextlib.contextmanager
def _errors() -> Iterator[None]:
    """Print dataset errors as one red line and exit with the contract's code."""
    try:
        yield
    except DatasetError as exc:
        err.print(f"[bold red]error:[/] {escape(str(exc))}", highlight=False, soft_wrap=True)
        raise typer.Exit(int(exc.exit_code)) from None  # 2 bad input, 3 missing dependency


@contextlib.contextmanager
def _progress(label: str, enabled: bool) -> Iterator[Any]:
    """A ``progress(done, total)`` callback drawing a rich bar on stderr (None when ``enabled`` is false)."""
    if not enabled:
        yield None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    with Progress(
        "[progress.description]{task.description}", BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
        console=err, transient=True,
    ) as bar:  # fmt: skip
        task = bar.add_task(label, total=None)
        yield lambda done, total: bar.update(task, completed=done, total=total)


def _size(text: str) -> tuple[int, int]:
    try:
        h, w = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise typer.BadParameter(f"{text!r} is not HEIGHTxWIDTH, e.g. 128x128") from None
    return h, w


def dataset_row(ds: Any) -> dict[str, Any]:
    """Sample count, shapes, dtype and content hash of one :class:`ArrayDataset`."""
    from edgesmith.datasets.representative import data_hash

    return {
        "samples": len(ds),
        "x_shape": list(ds.sample_shape),
        "x_dtype": str(ds.x.dtype),
        "y_shape": None if ds.y is None else list(ds.y.shape[1:]),
        "x_hash": data_hash(ds.x),
    }


def splits_summary(splits: Any) -> dict[str, Any]:
    """Per-split rows (see :func:`dataset_row`) and class names of a :class:`Splits`."""
    classes = splits.train.classes
    rows = {key: dataset_row(ds) for key, ds in splits}
    return {"name": splits.name, "classes": list(classes) if classes else None, "splits": rows}


def grid_summary(grid: Any) -> dict[str, Any]:
    """Rows, sensors, time span and missing share of a sensor grid."""
    return {
        "name": grid.attrs.get("source", "grid"),
        "sensors": [str(c) for c in grid.columns],
        "rows": len(grid),
        "start": str(grid.index[0]),
        "end": str(grid.index[-1]),
        "missing_share": float(grid.isna().to_numpy().mean()),
        "has_positions": "positions_m" in grid.attrs,
    }


@app.command()
def inspect(
    kind: Annotated[Kind, typer.Argument(help="dataset format")],
    path: Annotated[
        Path | None, typer.Argument(help="dataset folder or file; omit for the offline stand-in")
    ] = None,
    images: Annotated[
        Path | None, typer.Option("--images", help="folder of the annotated photos (plates only)")
    ] = None,
    size: Annotated[str, typer.Option("--size", help="image size HEIGHTxWIDTH in pixels")] = "128x128",
    as_json: JsonOpt = False,
) -> None:
    """Load a dataset with its real loader and show split sizes, shapes and content hashes.

    Example: edgesmith-data inspect images faces/ --size 128x128
    """
    import edgesmith.datasets as ds

    with _errors():
        if kind is Kind.mnist:
            summary = splits_summary(ds.load_mnist(path))
        elif kind is Kind.cifar10:
            summary = splits_summary(ds.load_cifar10(path))
        elif kind is Kind.solar:
            grid = ds.load_oahu_grid(path) if path else ds.synthetic_sensor_grid()
            summary = grid_summary(grid)
        elif path is None:
            raise DatasetError(f"{kind.value} has no offline stand-in; pass the dataset path")
        elif kind is Kind.images:
            with _progress("reading images", not as_json) as progress:
                splits = ds.load_image_folder(path, image_size=_size(size), progress=progress)
            summary = splits_summary(splits)
        elif kind is Kind.cityscapes:
            with _progress("reading Cityscapes", not as_json) as progress:
                splits = ds.load_cityscapes(path, image_size=_size(size), progress=progress)
            summary = splits_summary(splits)
        else:
            if images is None:
                raise DatasetError("plates need --images DIR, the folder of the annotated photos")
            with _progress("reading plates", not as_json) as progress:
                plates = ds.load_plate_dataset(path, images, image_size=_size(size), progress=progress)
            summary = {"name": plates.name, "classes": None, "splits": {"all": dataset_row(plates)}}
    if as_json:
        out.print_json(json.dumps(summary))
        return
    if "splits" not in summary:
        table = Table(title=f"sensor grid: {summary['name']}")
        table.add_column("fact")
        table.add_column("value", overflow="fold")
        for key in ("rows", "start", "end", "missing_share", "has_positions"):
            table.add_row(key, str(summary[key]))
        table.add_row("sensors", f"{len(summary['sensors'])}: {', '.join(summary['sensors'][:8])}…")
        out.print(table)
        return
    table = Table(title=f"{summary['name']}  classes: {summary['classes'] or '-'}")
    for col in ("split", "samples", "x shape", "dtype", "y shape", "x sha256"):
        table.add_column(col)
    for key, row in summary["splits"].items():
        table.add_row(
            key, str(row["samples"]), str(tuple(row["x_shape"])), row["x_dtype"],
            str(tuple(row["y_shape"])) if row["y_shape"] is not None else "-", row["x_hash"][:12],
        )  # fmt: skip
    out.print(table)


@app.command()
def sample(
    kind: Annotated[SampleKind, typer.Argument(help="which offline sample to write")],
    out_path: Annotated[Path, typer.Argument(help="output folder (mnist, cifar10) or .csv file (solar)")],
    seed: Annotated[int, typer.Option("--seed", help="seed of the split / cloud field")] = 0,
    sensors: Annotated[int, typer.Option("--sensors", min=2, help="solar: number of sensors")] = 50,
    duration: Annotated[
        int, typer.Option("--duration", min=1, help="solar: length in seconds (1 s steps)")
    ] = 3600,
    start: Annotated[str, typer.Option("--start", help="solar: first timestamp, local time (HST)")] = (
        "2010-07-15 10:00"
    ),
    as_json: JsonOpt = False,
) -> None:
    """Write an offline sample in the real on-disk format, with a JSON sidecar (source, seed, data hash).

    mnist → four gzip IDX files; cifar10 → binary batches; solar → wide CSV of the synthetic sensor grid.

    Example: edgesmith-data sample solar grid.csv --sensors 50 --duration 3600
    """
    from edgesmith.datasets import samples

    with _errors():
        if kind is SampleKind.mnist:
            written = samples.write_mnist_sample(out_path, seed=seed)
        elif kind is SampleKind.cifar10:
            written = samples.write_cifar10_sample(out_path, seed=seed)
        else:
            written = samples.write_solar_sample(
                out_path, n_sensors=sensors, duration_s=duration, start=start, seed=seed
            )
    if as_json:
        out.print_json(json.dumps({"kind": kind.value, "path": str(written)}))
    else:
        out.print(f"wrote {kind.value} sample to [bold]{written}[/]")


def main() -> None:
    """Console-script entry: one error line and the exit-code contract (``--debug`` for tracebacks)."""
    run_cli(app)


__all__ = ["app", "main"]
