"""Which variant to ship, and why: the accuracy budget, the objective, the Pareto front and the caveats.

A variant is a candidate when it ran and lost at most ``max_loss`` of the task metric against the
baseline (the source model): in points for percentage metrics (accuracy, % IoU > 0.5, agreement), in
percent of the baseline's value otherwise (MAE 0.020 → 0.0202 is a 1 % loss). Among candidates the one
best on ``optimize`` (latency, size or memory) is chosen. The Pareto front is every variant that no other
variant beats on both latency and metric::

    d = decide(result.rows, baseline="Keras fp32", higher_is_better=True, key="accuracy", max_loss=1.0)
    print(d.summary())
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any, Protocol

OBJECTIVES = {"latency": ("latency_ms", "ms"), "size": ("size_mb", "MB"), "memory": ("memory_mb", "MB")}
PERCENT_KEYS = ("accuracy", "top5", "pct_iou_gt_0.5", "top1_agreement")


class RowLike(Protocol):
    variant: str
    metric: float | None
    latency_ms: float | None
    size_mb: float | None
    memory_mb: float | None
    error: str | None
    extra: dict[str, Any]
    backend: str


def metric_loss(value: float, base: float, key: str, higher_is_better: bool) -> float:
    """Loss of ``value`` against ``base``: points for % metrics, percent of ``base`` otherwise (≥ 0 worse)."""
    worse = (base - value) if higher_is_better else (value - base)
    if key in PERCENT_KEYS or key.startswith("top") or key.startswith("pct_"):
        return worse
    return 100.0 * worse / abs(base) if base else (0.0 if worse == 0 else float("inf"))


def loss_unit(key: str) -> str:
    return "points" if key in PERCENT_KEYS or key.startswith(("top", "pct_")) else "%"


def loss_phrase(key: str, max_loss: float) -> str:
    """``loses at most 1 point of accuracy`` / ``loses at most 1 % of the source's mae``."""
    if loss_unit(key) == "points":
        return f"loses at most {max_loss:g} point{'' if max_loss == 1 else 's'} of {key}"
    return f"loses at most {max_loss:g} % of the source's {key}"


def pareto_front(rows: Sequence[RowLike], higher_is_better: bool) -> list[str]:
    """Variants no other variant beats on both latency (lower) and metric; sorted by latency."""
    ok = [r for r in rows if r.error is None and r.latency_ms is not None and r.metric is not None]

    def better_or_equal(a: RowLike, b: RowLike) -> bool:
        m_ok = a.metric >= b.metric if higher_is_better else a.metric <= b.metric
        return a.latency_ms <= b.latency_ms and m_ok

    front = [
        r
        for r in ok
        if not any(
            o is not r and better_or_equal(o, r) and (o.latency_ms < r.latency_ms or o.metric != r.metric)
            for o in ok
        )
    ]
    return [r.variant for r in sorted(front, key=lambda r: r.latency_ms)]


def caveats(rows: Sequence[RowLike]) -> list[str]:
    """Warnings a reader must see before trusting a row: each runner's own ``caveats`` (untuned TVM, an Edge
    TPU model run on the CPU fallback) and any ``fallback`` a variant took."""
    notes = []
    for r in rows:
        extra = r.extra or {}
        if r.error is None:
            notes += [f"{r.variant}: {c}" for c in extra.get("caveats") or ()]
        if extra.get("fallback"):
            notes.append(f"{r.variant}: {extra['fallback']}")
    return notes


@dataclasses.dataclass
class Decision:
    """The recommendation with its reason, what else qualified, the Pareto front and the caveats."""

    chosen: str | None
    reason: str
    optimize: str
    max_loss: float
    unit: str
    candidates: list[str]
    rejected: dict[str, str]
    pareto: list[str]
    warnings: list[str]

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    def summary(self, width: int = 80) -> str:
        """The decision, its reason, the Pareto front and the warnings, wrapped to ``width`` columns."""
        import textwrap

        lines = [f"ship: {self.chosen}" if self.chosen else "ship: nothing qualifies"]
        lines += textwrap.wrap(self.reason, width, initial_indent="  ", subsequent_indent="  ")
        if self.pareto:
            lines += textwrap.wrap("Pareto front (latency vs metric): " + ", ".join(self.pareto), width)
        for w in self.warnings:
            lines += textwrap.wrap(f"warning: {w}", width, subsequent_indent="  ")
        return "\n".join(lines)


def decide(
    rows: Sequence[RowLike],
    baseline: str | None,
    higher_is_better: bool,
    key: str,
    max_loss: float = 1.0,
    optimize: str = "latency",
) -> Decision:
    """Pick the variant to ship: within ``max_loss`` of the baseline's metric, best on ``optimize``."""
    if optimize not in OBJECTIVES:
        raise ValueError(f"unknown objective {optimize!r}; use one of: {', '.join(OBJECTIVES)}")
    if max_loss < 0:
        raise ValueError(f"--max-loss must be 0 or more, got {max_loss}")
    field, unit = OBJECTIVES[optimize]
    base = next((r for r in rows if r.variant == baseline and r.error is None), None)
    rejected: dict[str, str] = {}
    candidates = []
    for r in rows:
        if r.error is not None:
            rejected[r.variant] = "did not run"
            continue
        if base is None or r.metric is None or base.metric is None:
            rejected[r.variant] = "no metric to compare"
            continue
        loss = metric_loss(r.metric, base.metric, key, higher_is_better)
        if loss > max_loss + 1e-9:
            rejected[r.variant] = f"loses {loss:.3g} {loss_unit(key)} of {key} (more than {max_loss:g})"
        elif getattr(r, field) is None:
            rejected[r.variant] = f"no {optimize} measured"
        else:
            candidates.append(r)
    warnings = caveats(rows)
    pareto = pareto_front(rows, higher_is_better)
    common = {
        "optimize": optimize,
        "max_loss": max_loss,
        "unit": loss_unit(key),
        "rejected": rejected,
        "pareto": pareto,
        "warnings": warnings,
    }
    if not candidates:
        why = "no variant ran" if base is None else f"no variant {loss_phrase(key, max_loss)}"
        return Decision(None, why, candidates=[], **common)
    best = min(candidates, key=lambda r: getattr(r, field))
    loss = metric_loss(best.metric, base.metric, key, higher_is_better)
    parts = [f"lowest {optimize} ({getattr(best, field):.3g} {unit}) among {len(candidates)} variants"]
    parts.append(loss_phrase(key, max_loss))
    if best is not base and base.latency_ms and best.latency_ms:
        parts.append(f"{base.latency_ms / best.latency_ms:.2f}x the speed of {base.variant}")
    parts.append(f"{key} {best.metric:.4g} vs {base.metric:.4g} (loss {max(loss, 0.0):.3g})")
    return Decision(best.variant, "; ".join(parts), candidates=[r.variant for r in candidates], **common)


__all__ = [
    "OBJECTIVES",
    "Decision",
    "caveats",
    "decide",
    "loss_phrase",
    "loss_unit",
    "metric_loss",
    "pareto_front",
]
