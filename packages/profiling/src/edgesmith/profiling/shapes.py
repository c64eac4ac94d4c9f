"""``--input-shape`` for dynamic models: ``name:1x3x640x640`` (or ``1x3x640x640`` for a single input).

The parsed shapes are applied before every backend: the data is preprocessed to them, exporters receive
them as ``input_shapes`` (ONNX graphs are fixed and simplified before TVM and TensorRT), and runners of
dynamic models are fed at that size.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from edgesmith.profiling.runner import RunnerError

SINGLE = ""
"""Key of a shape given without a name: it applies to the model's only (or first) input."""


class ShapeError(RunnerError, ValueError):
    """An ``--input-shape`` that cannot be parsed or does not fit the model; the message shows the form."""


def parse_dims(text: str) -> tuple[int, ...]:
    """``"1x3x640x640"`` -> ``(1, 3, 640, 640)``; every dimension a positive integer."""
    parts = text.strip().lower().replace("×", "x").replace(",", "x").split("x")
    try:
        dims = tuple(int(p) for p in parts)
    except ValueError:
        raise ShapeError(f"bad shape {text!r} (--input-shape): write dimensions as 1x3x640x640") from None
    if not dims or any(d < 1 for d in dims):
        raise ShapeError(f"bad shape {text!r} (--input-shape): dimensions must be positive, e.g. 1x3x640x640")
    return dims


def parse_input_shapes(specs: str | Sequence[str] | None) -> dict[str, tuple[int, ...]]:
    """``["x:1x3x640x640", "mask:1x640x640"]`` or ``"x:1x3x64x64;mask:1x64x64"`` -> name -> dims.

    A shape without a name is stored under :data:`SINGLE` and applies to the first input.
    """
    if not specs:
        return {}
    items = [specs] if isinstance(specs, str) else list(specs)
    out: dict[str, tuple[int, ...]] = {}
    for item in (p.strip() for s in items for p in s.split(";")):
        if not item:
            continue
        name, sep, dims = item.rpartition(":")
        key = name.strip() if sep else SINGLE
        if key in out:
            raise ShapeError(
                f"input {key or '(unnamed)'!r} given twice (--input-shape): give each input once"
            )
        out[key] = parse_dims(dims)
    if SINGLE in out and len(out) > 1:
        raise ShapeError(
            "mix of named and unnamed shapes (--input-shape): name every input, e.g. x:1x3x64x64"
        )
    return out


def resolve(
    shapes: Mapping[str, tuple[int, ...]], inputs: Sequence[tuple[str, Sequence[int | None]]]
) -> dict[str, tuple[int, ...]]:
    """Match parsed shapes to a model's ``(name, dims)`` inputs; checks rank and fixed dimensions."""
    if not shapes:
        return {}
    names = [n for n, _ in inputs]
    if SINGLE in shapes:
        if not inputs:
            raise ShapeError("the model has no inputs to shape (--input-shape)")
        shapes = {names[0]: shapes[SINGLE]}
    unknown = [n for n in shapes if n not in names]
    if unknown:
        raise ShapeError(
            f"no input named {unknown[0]!r} (--input-shape): the model's inputs are {', '.join(names)}"
        )
    out = {}
    for name, model_dims in inputs:
        if name not in shapes:
            continue
        dims = shapes[name]
        if len(dims) != len(model_dims):
            raise ShapeError(
                f"input {name!r} has rank {len(model_dims)} but --input-shape gives {len(dims)} dimensions "
                f"({'x'.join('?' if d is None else str(d) for d in model_dims)})"
            )
        for i, (d, m) in enumerate(zip(dims, model_dims, strict=True)):
            if m is not None and m > 0 and m != d and i != 0:
                raise ShapeError(
                    f"input {name!r} dimension {i} is fixed at {m}, --input-shape asks {d}: "
                    "only dynamic dimensions (and the batch) can be set"
                )
        out[name] = dims
    return out


def format_dims(dims: Sequence[int | None]) -> str:
    return "x".join("?" if d is None else str(d) for d in dims)


__all__ = ["SINGLE", "ShapeError", "format_dims", "parse_dims", "parse_input_shapes", "resolve"]
