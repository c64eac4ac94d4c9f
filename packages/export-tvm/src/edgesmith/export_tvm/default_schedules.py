"""A schedule for every kernel that has no tuning record, so no task ever runs as an unscheduled loop nest.

TVM 0.27 ships no CPU fallback schedules for Relax (dlight's CPU rules cover GEMV and reductions only), and
random samples of MetaSchedule's design space range over 30x in speed (measured on MobileNetV2's
convolutions). So on CPUs, convolution and matmul kernels get a hand-written register-tiled schedule
(:mod:`edgesmith.export_tvm.cpu_schedules`); every other kernel (and one the hand schedule gets wrong) gets
the fastest of a few design-space samples (MetaSchedule's post-order-apply with the target's rules and
postprocessors: tiled, parallel, vectorized). Candidates are built in one library per kernel with the
unscheduled kernel, checked against it (some samples compute wrong results) and timed in-process: no
tuning log needed. Foreign targets (cross-compiled, or a GPU that is absent) cannot be timed here; they take
the hand schedule or the first sample.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import numpy as np

from edgesmith.export_tvm.intrinsics import import_tensor_intrinsics

SCHEDULED_ATTR = "tirx.is_scheduled"
DEFAULT_SAMPLES = 6


@dataclasses.dataclass(frozen=True)
class DefaultPick:
    """Which default schedule a kernel got: candidates tried, the winner's time (None: not timed here)."""

    name: str
    candidates: int
    latency_ms: float | None


def _rules(target: Any) -> str:
    return "cuda" if target.kind.name == "cuda" else "llvm"


def _context(func: Any, target: Any, seed: int = 0) -> Any:
    """A MetaSchedule tuning context for one kernel: the target's design-space rules and postprocessors."""
    import tvm
    from tvm.s_tir import meta_schedule as ms

    import_tensor_intrinsics()  # TuneContext imports them; this way takes seconds, not minutes
    fmod = tvm.IRModule({"main": func.with_attr("global_symbol", "main")})
    kind = _rules(target)
    generator = ms.space_generator.PostOrderApply(sch_rules=kind, postprocs=kind, mutator_probs={})
    return ms.TuneContext(
        mod=fmod, target=target, space_generator=generator, rand_state=seed + 1, num_threads=1
    )


def hand_scheduled_variants(func: Any, target: Any) -> list[Any]:
    """The hand-written CPU schedules of a kernel (the first is the one to use untimed), weights repacked
    to each one's access order; empty when no hand rule applies or the target is not a CPU.

    They need no MetaSchedule tuning context (whose first creation imports TVM's tensor intrinsics, see
    :mod:`.intrinsics`).
    """
    from edgesmith.export_tvm.cpu_schedules import hand_schedules, isa_of

    if target.kind.name != "llvm":
        return []
    from tvm.s_tir import meta_schedule as ms

    out = []
    for sch in hand_schedules(func.with_attr("global_symbol", "main"), isa_of(target)):
        try:  # the layout rewrite packs the weights in the order the tile reads them
            if ms.postproc.RewriteLayout().apply(sch):
                out.append(sch.mod["main"])
        except Exception:
            continue
    return out


def hand_scheduled(func: Any, target: Any) -> Any | None:
    """The hand-written CPU schedule of a kernel to use untimed (weights repacked), or None."""
    return next(iter(hand_scheduled_variants(func, target)), None)


def design_space_samples(func: Any, target: Any, samples: int, seed: int = 0) -> list[Any]:
    """Up to ``samples`` scheduled variants (postprocessors applied) of a PrimFunc, deterministic per seed.

    Each round of the design-space generator yields one sample per sketch (e.g. with and without
    compute-at), with fresh random decisions; rounds repeat until there are enough.
    """
    ctx = _context(func, target, seed)
    out: list[Any] = []
    for _ in range(max(2, samples)):  # a sample the postprocessors reject is redrawn, within reason
        try:
            spaces = ctx.generate_design_space()
        except Exception:  # the rules cannot schedule this kernel at all
            return out
        for sch in spaces:
            try:
                if all(p.apply(sch) for p in ctx.space_generator.postprocs):
                    out.append(sch.mod["main"])
            except Exception:
                continue
            if len(out) == samples:
                return out
    return out


def _agrees(got: list[np.ndarray], want: list[np.ndarray], rtol: float = 1e-4) -> bool:
    """Same results up to ``rtol`` of each buffer's largest magnitude (reduction order may differ)."""
    for g, w in zip(got, want, strict=True):
        if g.dtype.kind == "f":
            scale = max(float(np.max(np.abs(w))) if w.size else 0.0, 1e-30)
            if not np.all(np.isfinite(g)) or float(np.max(np.abs(g - w))) > rtol * scale:
                return False
        elif not np.array_equal(g, w):
            return False
    return True


def _random(rng: np.random.Generator, shape: list[int], dtype: str) -> np.ndarray:
    """Test data of ``dtype``: floats in [0, 1), small integers for int8/uint8/int32 (not all zeros)."""
    kind = np.dtype(dtype).kind
    if kind == "f":
        return rng.random(shape).astype(dtype)
    if kind == "b":
        return rng.random(shape) < 0.5
    info = np.iinfo(dtype)
    return rng.integers(max(info.min, -8), min(info.max, 8), size=shape, endpoint=True).astype(dtype)


def time_candidates(candidates: list[Any], reference: Any, target: Any) -> list[float]:
    """Milliseconds of each candidate (inf when its results differ from the unscheduled ``reference``).

    All are built together in one library and run on the same random inputs: a schedule that changes the
    results beyond float reassociation is never picked. Each is timed without its weight-packing block
    (as MetaSchedule's builder times a trial): the compiled model packs the weights once, at compile time,
    so timing the packing on every call would favour the schedules whose packing is cheap.
    """
    import tvm
    from tvm.s_tir import meta_schedule as ms
    from tvm.s_tir.transform import RemoveWeightLayoutRewriteBlock

    funcs = {f"cand{i}": c.with_attr("global_symbol", f"cand{i}") for i, c in enumerate(candidates)}
    funcs["reference"] = reference.with_attr("global_symbol", "reference")
    timed = RemoveWeightLayoutRewriteBlock(skip_tensor_rewrite=True)(
        tvm.IRModule(
            {f"timed{i}": c.with_attr("global_symbol", f"timed{i}") for i, c in enumerate(candidates)}
        )
    )
    lib = tvm.compile(tvm.IRModule({**funcs, **dict(timed.functions_items())}), target=target).mod
    dev = tvm.cuda(0) if target.kind.name == "cuda" else tvm.cpu(0)
    rng = np.random.default_rng(0)

    def inputs(func: Any) -> list[np.ndarray]:
        return [
            _random(rng, [int(d) for d in a.shape], str(a.dtype))
            for a in ms.arg_info.ArgInfo.from_prim_func(func)
        ]

    host = inputs(reference)

    def outputs(name: str) -> list[np.ndarray]:
        arrays = [tvm.runtime.tensor(h, dev) for h in host]
        lib[name](*arrays)
        return [a.numpy() for a in arrays]

    want = outputs("reference")
    times = []
    for i in range(len(candidates)):
        if not _agrees(outputs(f"cand{i}"), want):
            times.append(float("inf"))
            continue
        args = [tvm.runtime.tensor(h, dev) for h in inputs(timed[f"timed{i}"])]  # packed weights' shapes
        # the best of a few short repeats: on a shared machine a single mean is mostly other jobs' noise
        timer = lib.time_evaluator(f"timed{i}", dev, number=1, repeat=5, min_repeat_ms=0)
        times.append(float(min(timer(*args).results)) * 1e3)
    return times


def timed_hand_schedule(func: Any, target: Any) -> tuple[Any | None, float | None]:
    """The fastest hand-written schedule of ``func`` here and its milliseconds; the time is None when there
    is no hand rule, or no variant builds, runs and reproduces ``func`` on this machine."""
    hands = hand_scheduled_variants(func, target)
    if not hands:
        return None, None
    try:
        times = time_candidates(hands, func, target)
    except Exception:  # one does not build or run here: time them one by one
        times = []
        for hand in hands:
            try:
                times += time_candidates([hand], func, target)
            except Exception:
                times.append(float("inf"))
    best = int(np.argmin(times))
    return hands[best], times[best] if np.isfinite(times[best]) else None


def default_schedule(
    func: Any, target: Any, measurable: bool, samples: int = DEFAULT_SAMPLES
) -> tuple[Any | None, DefaultPick]:
    """The hand-written schedule if it reproduces ``func``, else the fastest of ``samples`` design-space
    samples (the first one when not measurable)."""
    if measurable:
        hand, ms_ = timed_hand_schedule(func, target)
        if ms_ is not None:
            return hand, DefaultPick("", 1, ms_)
    elif (hand := hand_scheduled(func, target)) is not None:
        return hand, DefaultPick("", 1, None)
    candidates = design_space_samples(func, target, samples if measurable else 1)
    if not candidates:
        return None, DefaultPick("", 0, None)
    if not measurable or len(candidates) == 1:
        return candidates[0], DefaultPick("", len(candidates), None)
    try:
        times = time_candidates(candidates, func, target)
    except Exception:  # a candidate that does not build or run: keep the first one, which did schedule
        return candidates[0], DefaultPick("", len(candidates), None)
    best = int(np.argmin(times))
    if not np.isfinite(times[best]):  # no sample reproduced the kernel: leave it to TVM's own lowering
        return None, DefaultPick("", len(candidates), None)
    return candidates[best], DefaultPick("", len(candidates), times[best])


def apply_default_schedules(
    mod: Any,
    target: Any,
    measurable: bool,
    samples: int = DEFAULT_SAMPLES,
    progress: Callable[[str, int, int], None] | None = None,
) -> tuple[Any, dict[str, DefaultPick]]:
    """Give every PrimFunc of ``mod`` that is not yet scheduled its default schedule; returns the picks."""
    import tvm

    todo = [
        (gv, f)
        for gv, f in mod.functions_items()
        if isinstance(f, tvm.tirx.PrimFunc) and not f.attrs.get(SCHEDULED_ATTR, False)
    ]
    picks: dict[str, DefaultPick] = {}
    for n, (gv, func) in enumerate(todo):
        if progress:
            progress(gv.name_hint, n, len(todo))
        scheduled, pick = default_schedule(func, target, measurable, samples)
        if scheduled is None:
            continue  # MetaSchedule has no rule for it (e.g. an opaque extern): TVM's lowering handles it
        mod[gv] = scheduled.with_attr("global_symbol", gv.name_hint).with_attr(SCHEDULED_ATTR, True)
        picks[gv.name_hint] = dataclasses.replace(pick, name=gv.name_hint)
    if progress:
        progress("done", len(todo), len(todo))
    return mod, picks


__all__ = [
    "DEFAULT_SAMPLES",
    "SCHEDULED_ATTR",
    "DefaultPick",
    "apply_default_schedules",
    "default_schedule",
    "design_space_samples",
    "hand_scheduled",
    "hand_scheduled_variants",
    "time_candidates",
    "timed_hand_schedule",
]
