"""``edgesmith-models``: list the builders, build one to a file, and measure a model's parameters and MACs."""

from __future__ import annotations

import ast
import contextlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from edgesmith.models.errors import ModelError
from edgesmith.profiling.console import FoldingConsole, run_cli

app = typer.Typer(
    name="edgesmith-models",
    help="Build the source documents' architectures and measure models (parameters, multiply-adds).\n\n"
    "Example: edgesmith-models build box-regressor plate.keras --backbone compact --input-shape 128,128,3",
    no_args_is_help=True,
    add_completion=False,
)
out = FoldingConsole()
err = FoldingConsole(stderr=True)

JsonOpt = Annotated[bool, typer.Option("--json", help="print machine-readable JSON instead of a table")]


@contextlib.contextmanager
def _errors() -> Iterator[None]:
    """Print model errors as one red line and exit with the contract's code."""
    try:
        yield
    except ModelError as exc:
        err.print(f"[bold red]error:[/] {escape(str(exc))}", highlight=False, soft_wrap=True)
        raise typer.Exit(int(exc.exit_code)) from None  # 2 bad input, 3 missing dependency


def _literal(text: str) -> Any:
    """A Python literal if ``text`` is one ("3", "0.5", "(1, 2)", "None", "True"), else the string itself."""
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return text


def parse_params(items: list[str]) -> dict[str, Any]:
    """``["key=value", ...]`` → keyword arguments; comma lists become tuples ("64,64,3" → (64, 64, 3))."""
    params: dict[str, Any] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise ModelError(f"--param {item!r} is not key=value; e.g. --param conv_stride=2")
        parsed = _literal(value.strip())
        if isinstance(parsed, str) and "," in parsed:
            parsed = tuple(_literal(v.strip()) for v in parsed.split(","))
        params[key.strip().replace("-", "_")] = parsed
    return params


def _print_json(payload: Any) -> None:
    out.print_json(json.dumps(payload))


@app.command("list")
def list_builders(as_json: JsonOpt = False) -> None:
    """List the builders and the transfer-learning backbones.

    Example: edgesmith-models list --json
    """
    from edgesmith.models.backbones import SPECS
    from edgesmith.models.catalog import BUILDERS, builder_params

    builders = [
        {"name": name, "description": desc, "params": [k for k in builder_params(name)]}
        for name, (_, desc) in BUILDERS.items()
    ]
    backbones = [{"name": n, "min_size": s.min_size, "preprocess": s.preprocess} for n, s in SPECS.items()]
    if as_json:
        _print_json({"builders": builders, "backbones": backbones})
        return
    table = Table(title="builders")
    for column in ("name", "description", "keyword parameters (--param key=value)"):
        table.add_column(column)
    for row in builders:
        table.add_row(row["name"], row["description"], ", ".join(row["params"]))
    out.print(table)
    bb = Table(title="backbones (transfer-classifier, box-regressor)")
    for column in ("name", "min input (px)", "input preprocessing"):
        bb.add_column(column)
    for row in backbones:
        bb.add_row(row["name"], str(row["min_size"]), row["preprocess"] or "none ([0, 1] as is)")
    out.print(bb)


def _summary(model: Any, source: str) -> dict[str, Any]:
    from edgesmith.models.flops import count_flops
    from edgesmith.models.io import count_params

    try:
        macs: int | None = count_flops(model)
    except ModelError:
        macs = None
    return {
        "source": source,
        "name": model.name,
        "params": count_params(model),
        "trainable_params": count_params(model, trainable_only=True),
        "macs_per_sample": macs,
        "layers": len(model.layers),
        "inputs": [list(t.shape) for t in model.inputs],
        "outputs": [list(t.shape) for t in model.outputs],
    }


def _load_or_build(target: str, params: dict[str, Any]) -> Any:
    from edgesmith.models.catalog import BUILDERS, build
    from edgesmith.models.io import load_model

    if target in BUILDERS:
        return build(target, **params)
    if params:
        raise ModelError("--param only applies to a builder name, not to a saved model file")
    return load_model(target, compile=False)


@app.command()
def info(
    target: Annotated[
        str, typer.Argument(help="a saved model (.keras, .h5, SavedModel dir) or a builder name")
    ],
    param: Annotated[
        list[str] | None, typer.Option("--param", "-p", help="builder keyword, key=value (repeatable)")
    ] = None,
    layers: Annotated[bool, typer.Option("--layers", help="also list multiply-adds per layer")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Parameters, multiply-adds per sample (MACs) and I/O shapes of a saved model or a builder.

    Example: edgesmith-models info cifar10-cnn -p conv_stride=2 --layers
    """
    from edgesmith.models.flops import flops_by_layer

    with _errors():
        model = _load_or_build(target, parse_params(param or []))
        summary = _summary(model, target)
        rows = flops_by_layer(model) if layers and summary["macs_per_sample"] is not None else []
    if as_json:
        if layers:
            summary["per_layer"] = [{"name": r.name, "kind": r.kind, "macs": r.macs} for r in rows]
        _print_json(summary)
        return
    table = Table(title=f"{summary['name']} ({target})", show_header=False)
    table.add_column("field", style="bold")
    table.add_column("value", justify="right")
    table.add_row("parameters", f"{summary['params']:,}")
    table.add_row("trainable parameters", f"{summary['trainable_params']:,}")
    macs = summary["macs_per_sample"]
    table.add_row("multiply-adds / sample", "unknown (dynamic input shape)" if macs is None else f"{macs:,}")
    table.add_row("layers", str(summary["layers"]))
    table.add_row("inputs", ", ".join(str(tuple(s)) for s in summary["inputs"]))
    table.add_row("outputs", ", ".join(str(tuple(s)) for s in summary["outputs"]))
    out.print(table)
    if rows:
        per_layer = Table(title="multiply-adds per layer (layers with none omitted)")
        for column in ("layer", "kind", "MACs", "share"):
            per_layer.add_column(column, justify="right" if column in ("MACs", "share") else "left")
        total = max(1, summary["macs_per_sample"])
        for row in rows:
            if row.macs:
                per_layer.add_row(row.name, row.kind, f"{row.macs:,}", f"{100 * row.macs / total:.1f} %")
        out.print(per_layer)


@app.command("build")
def build_model(
    builder_name: Annotated[str, typer.Argument(metavar="BUILDER", help="builder name (see `list`)")],
    output: Annotated[Path, typer.Argument(help="where to save: .keras, .h5, or a SavedModel directory")],
    backbone: Annotated[
        str | None, typer.Option(help="backbone for transfer-classifier/box-regressor")
    ] = None,
    input_shape: Annotated[
        str | None, typer.Option(help="input height,width,channels in pixels, e.g. 128,128,3")
    ] = None,
    weights: Annotated[
        str | None,
        typer.Option(help="'imagenet' (downloads; network needed) or a weights file; default random"),
    ] = None,
    param: Annotated[
        list[str] | None, typer.Option("--param", "-p", help="other builder keyword, key=value (repeatable)")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Build an untrained model and save it (with a <output>.json sidecar) for the quantize/export tools.

    Example: edgesmith-models build cifar10-cnn cifar_s2.keras -p conv_stride=2 -p lrn=False
    """
    from edgesmith.models.catalog import build
    from edgesmith.models.io import save_model

    with _errors():
        params = parse_params(param or [])
        if backbone is not None:
            params["backbone"] = backbone
        if weights is not None:
            params["weights"] = weights
        if input_shape is not None:
            shape = parse_params([f"input_shape={input_shape}"])["input_shape"]
            if not isinstance(shape, tuple) or not all(isinstance(v, int) and v > 0 for v in shape):
                raise ModelError(f"--input-shape {input_shape!r} must be positive integers, e.g. 128,128,3")
            params["input_shape"] = shape
        if output.exists() and not output.is_dir() and output.suffix == "":
            raise ModelError(f"{output} is a file; a SavedModel needs a directory path (or use .keras/.h5)")
        model = build(builder_name, **params)
        path = save_model(
            model, output, metadata={"builder": builder_name, "builder_params": _jsonable(params)}
        )
        summary = _summary(model, builder_name) | {"path": str(path)}
    if as_json:
        _print_json(summary)
        return
    macs = summary["macs_per_sample"]
    macs_text = "?" if macs is None else f"{macs:,}"
    out.print(f"saved {path} ({summary['params']:,} parameters, {macs_text} multiply-adds per sample)")


def _jsonable(params: dict[str, Any]) -> dict[str, Any]:
    return {k: list(v) if isinstance(v, tuple) else v for k, v in params.items()}


@app.command("solar-family")
def solar_family(
    input_dim: Annotated[int, typer.Option(help="input features per sample (the solar study used 50)")] = 49,
    as_json: JsonOpt = False,
) -> None:
    """The solar study's Table 3.1: the 30 pyramidal MLPs with their parameter counts (nothing is built).

    Example: edgesmith-models solar-family --input-dim 50
    """
    from edgesmith.models.solar import solar_mlp_family

    with _errors():
        family = solar_mlp_family(input_dim=input_dim)
    rows = [{"name": s.name, "hidden": list(s.hidden), "params": s.params} for s in family]
    if as_json:
        _print_json({"input_dim": input_dim, "models": rows})
        return
    table = Table(title=f"pyramidal MLPs, {input_dim} inputs → 1 output")
    for column in ("#", "hidden layers", "depth", "parameters"):
        table.add_column(column, justify="right")
    for i, row in enumerate(rows, start=1):
        table.add_row(str(i), row["name"], str(len(row["hidden"])), f"{row['params']:,}")
    out.print(table)


def main() -> None:
    """Console-script entry: one error line and the exit-code contract (``--debug`` for tracebacks)."""
    run_cli(app)
