"""Run two artifacts on the same inputs and report how far their outputs differ (is an export faithful?).

Like Polygraphy's comparison: per output, max/mean absolute error, max/mean relative error
(``|a - b| / |a|``, the first artifact being the reference) and an allclose-style pass/fail::

    from edgesmith.profiling.compare import compare
    report = compare("model.keras", "model_int8.tflite", inputs=x_test[:64], atol=0.05)
    print(report.to_markdown()); assert report.passed
"""

from __future__ import annotations

import dataclasses
import json
import os
from typing import Any

import numpy as np

from edgesmith.profiling.artifacts import atomic_write
from edgesmith.profiling.bench import Inputs, make_batch
from edgesmith.profiling.registry import open_runner
from edgesmith.profiling.runner import InputMismatch, Runner, RunnerError


@dataclasses.dataclass
class OutputDiff:
    """Error statistics of one output tensor, over every element of every sample."""

    index: int
    shape: tuple[int, ...]
    max_abs: float
    mean_abs: float
    max_rel: float
    mean_rel: float
    mismatched: float  # share of elements outside atol + rtol * |reference|
    passed: bool


@dataclasses.dataclass
class CompareResult:
    """Both runners' descriptions, the tolerances and one :class:`OutputDiff` per output."""

    reference: dict[str, Any]
    candidate: dict[str, Any]
    samples: int
    atol: float
    rtol: float
    outputs: list[OutputDiff]

    @property
    def passed(self) -> bool:
        return all(o.passed for o in self.outputs)

    def to_dict(self) -> dict[str, Any]:
        return {**dataclasses.asdict(self), "passed": self.passed}

    def to_json(self, path: str | os.PathLike[str] | None = None) -> str:
        text = json.dumps(self.to_dict(), indent=2, default=str)
        if path is not None:
            atomic_write(path, text)
        return text

    def to_markdown(self) -> str:
        ref, cand = self.reference, self.candidate
        head = (
            f"{os.path.basename(cand['artifact'])} ({cand['backend']} {cand['precision']}) vs "
            f"{os.path.basename(ref['artifact'])} ({ref['backend']} {ref['precision']}), "
            f"{self.samples} samples, "
            f"atol {self.atol:g} rtol {self.rtol:g}: **{'PASS' if self.passed else 'FAIL'}**\n\n"
        )
        rows = [
            "| output | shape | max abs | mean abs | max rel | mean rel | mismatched | result |",
            "|---:|---|---:|---:|---:|---:|---:|---|",
        ]
        rows += [
            f"| {o.index} | {'x'.join(map(str, o.shape))} | {o.max_abs:.3g} | {o.mean_abs:.3g} | "
            f"{o.max_rel:.3g} | {o.mean_rel:.3g} | {100 * o.mismatched:.2f} % | "
            f"{'pass' if o.passed else 'FAIL'} |"
            for o in self.outputs
        ]
        return head + "\n".join(rows) + "\n"


def _outputs(runner: Runner, batch: list[np.ndarray]) -> list[np.ndarray]:
    arg = batch[0] if len(batch) == 1 else batch
    try:
        out = runner.predict(arg)
        outs = out if isinstance(out, list) else [out]
        return [np.array(o, dtype=np.float64, copy=True) for o in outs]
    except InputMismatch:
        if len(batch[0]) == 1:
            raise
    per_sample = [_outputs(runner, [b[i : i + 1] for b in batch]) for i in range(len(batch[0]))]
    return [np.concatenate(parts) for parts in zip(*per_sample, strict=True)]


def diff(
    reference: np.ndarray, candidate: np.ndarray, atol: float, rtol: float, index: int = 0
) -> OutputDiff:
    """Error statistics of ``candidate`` against ``reference`` (same shape)."""
    if reference.shape != candidate.shape:
        raise RunnerError(
            f"output {index} shapes differ: {reference.shape} vs {candidate.shape}; "
            "the artifacts are not the same model"
        )
    absdiff = np.abs(reference - candidate)
    denom = np.abs(reference)
    rel = np.divide(absdiff, denom, out=np.where(absdiff > 0, np.inf, 0.0), where=denom > 0)
    bad = absdiff > atol + rtol * denom
    finite_rel = rel[np.isfinite(rel)]
    return OutputDiff(
        index=index,
        shape=tuple(int(d) for d in reference.shape),
        max_abs=float(absdiff.max(initial=0.0)),
        mean_abs=float(absdiff.mean()) if absdiff.size else 0.0,
        max_rel=float(rel.max(initial=0.0)),
        mean_rel=float(finite_rel.mean()) if finite_rel.size else 0.0,
        mismatched=float(bad.mean()) if bad.size else 0.0,
        passed=not bool(bad.any()),
    )


def _same_inputs(ref: Runner, cand: Runner) -> None:
    """Both artifacts must take the same per-sample input shapes (the batch dimension may differ)."""

    def shapes(r: Runner) -> list[tuple[int | None, ...]]:
        return [s.shape[1:] for s in r.input_specs()]

    a, b = shapes(ref), shapes(cand)
    same = len(a) == len(b) and all(
        len(x) == len(y) and all(d is None or e is None or d == e for d, e in zip(x, y, strict=True))
        for x, y in zip(a, b, strict=True)
    )
    if not same:
        raise RunnerError(
            f"{ref.artifact.name} takes inputs {a} but {cand.artifact.name} takes {b}; "
            "compare exports of one model"
        )


def compare(
    reference: Runner | str | os.PathLike[str],
    candidate: Runner | str | os.PathLike[str],
    inputs: Inputs | None = None,
    samples: int = 8,
    atol: float = 1e-3,
    rtol: float = 1e-2,
    seed: int = 0,
    reference_backend: str | None = None,
    candidate_backend: str | None = None,
    **runner_options: Any,
) -> CompareResult:
    """Feed the same batch to both artifacts and compare every output.

    ``inputs``: real samples (recommended for quantized models, whose ranges are calibrated); without them,
    ``samples`` seeded uniform [0, 1) inputs shaped from the reference model's signature.
    """
    ref = (
        reference
        if isinstance(reference, Runner)
        else open_runner(reference, reference_backend, **runner_options)
    )
    cand = (
        candidate
        if isinstance(candidate, Runner)
        else open_runner(candidate, candidate_backend, **runner_options)
    )
    with ref, cand:
        n = samples if inputs is None else len(inputs if isinstance(inputs, np.ndarray) else inputs[0])
        _same_inputs(ref, cand)
        batch = make_batch(ref.input_specs(), n, inputs, seed)
        a, b = _outputs(ref, batch), _outputs(cand, batch)
        if len(a) != len(b):
            raise RunnerError(f"reference has {len(a)} outputs, candidate {len(b)}; not the same model")
        diffs = [diff(x, y, atol, rtol, i) for i, (x, y) in enumerate(zip(a, b, strict=True))]
        return CompareResult(ref.describe().to_dict(), cand.describe().to_dict(), n, atol, rtol, diffs)
