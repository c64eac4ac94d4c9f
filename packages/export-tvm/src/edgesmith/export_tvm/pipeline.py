"""The Relax pipeline before ``tvm.compile``: the steps TVM's own static-shape tuning pipeline runs.

1. ``prepare_module``: decompose inference ops, legalize to TIR, fold constants, fuse (``zero`` pipeline),
   and on CPUs mark the weights as layout-free so MetaSchedule may rewrite their layout (packed ``NCHWc``-like
   tiles for convolutions and dense layers) -- tuning and compiling share this module, so tasks match.
2. ``schedule_module``: tuning records from a MetaSchedule database (``MetaScheduleApplyDatabase``), then a
   default schedule for every kernel without one (:mod:`edgesmith.export_tvm.default_schedules`).
3. ``lift_weight_layouts``: the weight layout rewrites become a separate ``main_transform_params`` function,
   run once at compile time so the saved weights are already packed.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path
from typing import Any

from edgesmith.export_tvm.default_schedules import SCHEDULED_ATTR, DefaultPick, apply_default_schedules


def rewrites_layouts(target: Any) -> bool:
    """Weight layout rewriting helps (and is supported by MetaSchedule's postprocessor) on CPU targets."""
    return target.kind.name == "llvm"


ROOT_POWERS = (0.5, 0.25, 0.75)
"""Exponents written with square roots: x^0.5 = sqrt x, x^0.25 = sqrt sqrt x, x^0.75 = their product."""


def powers_as_roots(mod: Any) -> Any:
    """``x ** c`` for a constant c of ``ROOT_POWERS`` (LRN's beta is 0.75) as square roots, which vectorize;
    ``power`` lowers to one scalar ``powf`` call per element (CIFAR's LRN: 0.44 GFLOP/s on Zen 3). Equal
    for every x, NaN for x < 0 as ``powf`` gives."""
    from tvm import relax
    from tvm.relax.dpl import is_const, is_op, rewrite_call, wildcard

    base, exponent = wildcard(), is_const()
    pattern = is_op("relax.power")(base, exponent)

    def rewrite(expr: Any, matches: dict[Any, Any]) -> Any:
        value = matches[exponent].value.numpy()
        c = float(value.reshape(())) if value.size == 1 else None
        if c not in ROOT_POWERS:
            return expr
        root = relax.op.sqrt(matches[base])
        fourth = relax.op.sqrt(root)
        return {0.5: root, 0.25: fourth, 0.75: relax.op.multiply(root, fourth)}[c]

    out = mod.clone()
    for gv, func in mod.functions_items():
        if isinstance(func, relax.Function):
            out.update_func(gv, rewrite_call(pattern, rewrite, func))
    return out


def prepare_module(mod: Any, target: Any) -> Any:
    """Legalize, fold and fuse a Relax module (inputs, then weights) into the PrimFuncs tasks are made of."""
    import tvm
    from tvm import relax

    mod = powers_as_roots(mod)
    passes = [
        relax.transform.DecomposeOpsForInference(),
        relax.transform.CanonicalizeBindings(),
        relax.get_pipeline("zero"),
    ]
    if rewrites_layouts(target):
        passes.append(relax.transform.AttachAttrLayoutFreeBuffers())
    with target:
        return tvm.transform.Sequential(passes)(mod)


@dataclasses.dataclass
class Scheduled:
    """A prepared module with every kernel scheduled: which came from the log, which got a default."""

    mod: Any
    tuned: list[str]
    defaults: dict[str, DefaultPick]
    beaten_records: list[str] = dataclasses.field(default_factory=list)  # records slower than the default


def schedule_module(
    prepared: Any,
    target: Any,
    log: str | Path | None,
    measurable: bool,
    progress: Callable[[str, int, int], None] | None = None,
    check_records: bool = True,
) -> Scheduled:
    """Apply the tuning log's records (if any), then a default schedule to every kernel left.

    With ``check_records`` (and a target that runs here), a record slower than the hand-written default
    measured beside it is replaced by that default.
    """
    import tvm
    from tvm import relax

    mod = prepared
    if log is not None:
        from edgesmith.export_tvm.tuning import open_log

        with target, open_log(log):
            mod = relax.transform.MetaScheduleApplyDatabase(enable_warning=False)(mod)
    tuned = [
        gv.name_hint
        for gv, f in mod.functions_items()
        if isinstance(f, tvm.tirx.PrimFunc) and f.attrs.get(SCHEDULED_ATTR, False)
    ]
    beaten: dict[str, DefaultPick] = {}
    if check_records and measurable and tuned:
        mod, beaten = keep_faster_defaults(mod, prepared, target, tuned)
        tuned = [name for name in tuned if name not in beaten]
    mod, defaults = apply_default_schedules(mod, target, measurable, progress=progress)
    return Scheduled(mod, tuned, {**defaults, **beaten}, sorted(beaten))


def keep_faster_defaults(
    mod: Any, prepared: Any, target: Any, tuned: list[str]
) -> tuple[Any, dict[str, DefaultPick]]:
    """Replace each tuning record that is slower than the kernel's hand-written default, timed side by side.

    A short or foreign log (tuned on other hardware, or a shipped log from a few trials) must not make a
    model slower than compiling it without one: measured on the CIFAR CNN, the shipped log's records ran 4x
    slower than the hand-written schedules.
    """
    from edgesmith.export_tvm.default_schedules import hand_scheduled_variants, time_candidates

    beaten: dict[str, DefaultPick] = {}
    for name in tuned:
        original = prepared[name]
        hands = hand_scheduled_variants(original, target)
        if not hands:
            continue
        try:
            record_ms, *hand_ms = time_candidates([mod[name], *hands], original, target)
        except Exception:  # keep the record when the comparison cannot run
            continue
        best = min(range(len(hand_ms)), key=hand_ms.__getitem__)
        if hand_ms[best] < record_ms:
            gv = mod.get_global_var(name)
            mod[gv] = hands[best].with_attr("global_symbol", name).with_attr(SCHEDULED_ATTR, True)
            beaten[name] = DefaultPick(name, 1 + len(hands), hand_ms[best])
    return mod, beaten


def kernel_calls(mod: Any) -> dict[str, int]:
    """How often ``main`` calls each kernel (a kernel's share of the model's time is its time x its calls)."""
    import tvm
    from tvm import relax

    counts: dict[str, int] = {}
    call_tir = tvm.ir.Op.get("relax.call_tir")
    for block in mod["main"].body.blocks:
        for binding in block.bindings:
            value = binding.value
            if isinstance(value, relax.Call) and value.op.same_as(call_tir):
                callee = value.args[0] if value.args else None
                if isinstance(callee, relax.GlobalVar):
                    counts[callee.name_hint] = counts.get(callee.name_hint, 0) + 1
    return counts


def lift_weight_layouts(mod: Any, target: Any) -> Any:
    """Split MetaSchedule's weight layout rewrites into ``main_transform_params`` (a no-op without any)."""
    import tvm
    from tvm import relax

    if not rewrites_layouts(target):
        return mod
    with target:
        return tvm.transform.Sequential(
            [
                relax.transform.SplitLayoutRewritePreproc(),
                relax.transform.LiftTransformParams(),
                relax.transform.FoldConstant(),
            ]
        )(mod)


__all__ = [
    "Scheduled",
    "kernel_calls",
    "lift_weight_layouts",
    "prepare_module",
    "rewrites_layouts",
    "schedule_module",
]
