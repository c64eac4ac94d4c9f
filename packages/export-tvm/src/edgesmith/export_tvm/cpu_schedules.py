"""Hand-written CPU schedules for NCHW convolution and matmul kernels (with their fused epilogues).

Random MetaSchedule samples of a convolution range over 30x in speed; these schedules follow the classic x86
recipe instead: a register tile of output channels x a vector of output pixels (or of output channels when
the pixels do not fill a vector), the reduction inside it, the epilogue computed on the tile while it is hot
and the weights repacked to the tile's access order (MetaSchedule's layout-rewrite postprocessor, so the
packing runs once at compile time). One schedule per kernel, no search: the untuned compile stays fast.
Tiles are sized for the target's vector unit (:class:`Isa`): a tile that holds more accumulators than the
ISA has registers spills every FMA (AVX-512's tiles ran a CIFAR conv 6x slower on an AVX2 CPU).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from typing import Any


@dataclasses.dataclass(frozen=True)
class Isa:
    """A CPU's vector unit as a tile sees it: float32 lanes per register and the number of registers."""

    name: str
    lanes: int
    registers: int

    @property
    def accumulators(self) -> int:
        """Vector registers a tile may hold as accumulators: a quarter stays free for loads and broadcasts."""
        return self.registers * 3 // 4

    def vectors(self, elements: int) -> int:
        """Registers one accumulator row of ``elements`` floats takes."""
        return math.ceil(elements / self.lanes)


AVX512 = Isa("avx512", 16, 32)
AVX2 = Isa("avx2", 8, 16)
NEON = Isa("neon", 4, 32)  # aarch64 Advanced SIMD: 32 128-bit registers
SSE = Isa("sse", 4, 16)


def isa_of(target: Any) -> Isa:
    """The vector unit of an LLVM target (its ``-mcpu``/``-mattr``, or this host's for ``native``)."""
    from tvm.target import codegen

    def has(feature: str) -> bool:
        try:
            return bool(codegen.target_has_features(feature, target))
        except Exception:  # a feature name the target's architecture does not know
            return False

    if has("avx512f"):
        return AVX512
    if has("avx2"):
        return AVX2
    if has("neon") or "aarch64" in str(target.attrs.get("mtriple", "")):
        return NEON
    return SSE


def _fit(n: int, choices: tuple[int, ...], per_choice: int, budget: int) -> int:
    """The first of ``choices`` dividing ``n`` that keeps ``choice * per_choice`` accumulators in budget."""
    return _divisor(n, tuple(c for c in choices if c * per_choice <= budget)) or 1


def _divisor(n: int, choices: tuple[int, ...]) -> int | None:
    return next((c for c in choices if n % c == 0), None)


def _extent(sch: Any, loop: Any) -> int:
    return int(sch.get(loop).extent)


def _iter_kinds(sch: Any, block: Any) -> str:
    return "".join("S" if int(iv.iter_type) == 0 else "R" for iv in sch.get(block).iter_vars)


def _chain(sch: Any, conv: Any) -> list[Any] | None:
    """The element-wise blocks after ``conv``, in program order: a straight line (bias, clip) or a small DAG
    that ends in one block (hard-swish, ``x * relu6(x + 3) / 6``, uses ``x`` twice); None otherwise."""
    seen: set[str] = set()
    frontier = [conv]
    while frontier:
        for consumer in sch.get_consumers(frontier.pop()):
            name = sch.get(consumer).name_hint
            if name not in seen:
                seen.add(name)
                frontier.append(consumer)
    blocks = sch.get_child_blocks(sch.get_sblock("root"))
    chain = [b for b in blocks if sch.get(b).name_hint in seen]
    if any("R" in _iter_kinds(sch, b) for b in chain):
        return None
    sinks = [b for b in chain if not sch.get_consumers(b)]
    if chain and (len(sinks) != 1 or sch.get(sinks[0]).name_hint != sch.get(chain[-1]).name_hint):
        return None
    return chain


def _stride(sch: Any, producers: list[Any], nx: int, nrx: int) -> int | None:
    """The horizontal stride of a conv whose one producer is its padded input, from the two widths."""
    if len(producers) != 1 or nx < 2:
        return None
    width = int(sch.get(producers[0]).iter_vars[-1].dom.extent)
    return (width - nrx) // (nx - 1)


def _same_shape(sch: Any, a: Any, b: Any) -> bool:
    ea = [int(iv.dom.extent) for iv in sch.get(a).iter_vars if int(iv.iter_type) == 0]
    eb = [int(iv.dom.extent) for iv in sch.get(b).iter_vars if int(iv.iter_type) == 0]
    return ea == eb


def _flat_loop(sch: Any, block: Any) -> None:
    """Parallel outer, vectorized inner loop for an elementwise block left on its own (a trailing pad)."""
    loops = sch.get_loops(block)
    inner = loops[-1]
    outer = sch.fuse(*loops[:-1]) if len(loops) > 1 else None
    if outer is not None:
        sch.parallel(outer)
    vec = _divisor(_extent(sch, inner), (16, 8, 4))
    if vec:
        _, vi = sch.split(inner, [None, vec])
        sch.vectorize(vi)


def _flat_inner(sch: Any, block: Any) -> None:
    """Vectorize the innermost loop of a block computed inside a tile (its outer loops stay serial)."""
    loops = sch.get_loops(block)
    if len(loops) > 1 and _extent(sch, loops[-1]) > 1:
        sch.vectorize(loops[-1])


def _inline_side_inputs(sch: Any, chain: list[Any], conv_name: str) -> None:
    """Inline the element-wise blocks that feed the epilogue from the side (a residual input's channel pad,
    as in BlazeFace), so the epilogue can be computed on each tile."""
    inside = {sch.get(b).name_hint for b in chain} | {conv_name}
    for block in chain:
        for producer in sch.get_producers(block):
            if sch.get(producer).name_hint not in inside and "R" not in _iter_kinds(sch, producer):
                sch.compute_inline(producer)


CONV_VARIANTS = ("rows", "channels", "shared-input")


def schedule_conv(func: Any, isa: Isa = AVX512, variant: str = "rows") -> Any | None:
    """``func`` scheduled with the register-tiled recipe for ``isa``, or None when it is not an NCHW/NHWC
    conv kernel (or ``variant`` does not apply to it).

    A full (not 1x1, not depthwise) NCHW conv has three variants, timed against each other by the caller:
    ``rows`` tiles output channels x rows x a vector of columns; ``channels`` vectorizes over output
    channels (for maps whose rows do not fill vectors: 12 columns are 1.5 AVX2 vectors); ``shared-input``
    is ``rows`` with every channel tile of a task inside it, so the task's padded input is built once, not
    once per channel tile. Other kernels have only ``rows``.
    """
    import tvm
    from tvm import s_tir

    sch = s_tir.Schedule(tvm.IRModule({"main": func}))
    blocks = sch.get_child_blocks(sch.get_sblock("root"))
    reductions = [b for b in blocks if "R" in _iter_kinds(sch, b)]
    if len(reductions) != 1 or _iter_kinds(sch, reductions[0]) != "SSSSRRR":
        return None
    conv = reductions[0]
    name = sch.get(conv).name_hint
    if "conv2d_nchw" not in name and "conv2d_nhwc" not in name:
        return None
    chain = _chain(sch, conv)
    if chain is None:
        return None
    producers = sch.get_producers(conv)
    _inline_side_inputs(sch, chain, name)
    tail = None
    if chain and not _same_shape(sch, conv, chain[-1]):  # an output pad for the next conv: its own loop
        tail = chain.pop()
    epilogue = chain.pop() if chain and tail is None else None
    for block in chain:  # bias, clip ...: into the epilogue (or the pad), computed on each tile
        sch.compute_inline(block)

    if "conv2d_nhwc" in name:
        return _nhwc(sch, conv, producers, epilogue, tail, isa)
    n, f, y, x, rc, ry, rx = sch.get_loops(conv)
    nf, ny, nx = _extent(sch, f), _extent(sch, y), _extent(sch, x)
    nrc, nry, nrx = _extent(sch, rc), _extent(sch, ry), _extent(sch, rx)
    pointwise = nry == 1 and nrx == 1
    depthwise = nrc == 1 and not pointwise
    if variant != "rows" and (pointwise or depthwise):
        return None
    lanes, budget = isa.lanes, isa.accumulators
    tile = None  # the loop the epilogue is computed at, when not the parallel outer loop
    if pointwise and nx % lanes == 0 and ny % 2 == 0:
        # out[f, y, x] += w[f, c] * in[c, y, x]: a vector of pixels in each of two rows x a column of
        # channels broadcast from packed w; the tile stays within rows, so the epilogue runs on it while hot
        fi = _fit(nf, (8, 6, 4, 3, 2), 2, budget)
        fo, fi_ = sch.split(f, [None, fi])
        yo, yi_ = sch.split(y, [None, 2])
        xo, xv_ = sch.split(x, [None, lanes])
        sch.reorder(n, fo, yo, xo, rc, ry, rx, fi_, yi_, xv_)
        outer, inner = sch.fuse(n, fo, yo, xo), [fi_, yi_]
        vec = xv_
    elif pointwise and (ny * nx) % (2 * lanes) == 0:
        # the same over pixels counted across rows (a width that is no multiple of a vector): tiles cross
        # rows here, so the epilogue runs as its own (vectorized) pass over the output
        if epilogue is not None:
            tail, epilogue = epilogue, None
        p = sch.fuse(y, x)
        fi = _fit(nf, (8, 6, 4, 3, 2), 2, budget)
        fo, fi_ = sch.split(f, [None, fi])
        po, pv_o, pv = sch.split(p, [None, 2, lanes])
        sch.reorder(n, fo, po, rc, ry, rx, fi_, pv_o, pv)
        outer, inner = sch.fuse(n, fo, po), [fi_, pv_o]
        vec = pv
    elif pointwise or variant == "channels":
        # few pixels (14x14, 7x7): vectorize over output channels, a run of pixels of one row per tile
        fv = _divisor(nf, (lanes, lanes // 2))
        if fv is None or (epilogue is None and tail is None):  # the output buffer's layout is not ours
            return None
        # accumulate in an NCHW{fv}c tile (vectors contiguous, kept in registers); the epilogue transposes
        sch.transform_layout(conv, ("write", 0), lambda n_, f_, y_, x_: (n_, f_ // fv, y_, x_, f_ % fv))
        pi = _divisor(nx, (7, 8, 6, 4, 2)) or 1
        # as many channel vectors as keep the accumulators (vectors x pixels) within the registers
        fvo = _fit(nf // fv, (4, 3, 2), pi, budget)
        fo, fvo_, fv_ = sch.split(f, [None, fvo, fv])
        xo, pi_ = sch.split(x, [None, pi])
        sch.reorder(n, fo, y, xo, rc, ry, rx, pi_, fvo_, fv_)
        outer, inner = sch.fuse(n, fo, y, xo), [pi_, fvo_]
        vec = fv_
    else:
        # 3x3 (depthwise or full): a vector of output columns, a few rows, the taps unrolled
        # a row's output columns, in one or more vectors (16 on AVX2 or NEON: two or four registers)
        xv = nx if nx <= max(lanes, 16) else _divisor(nx, (16, 14, 8, 7) if lanes > 4 else (8, 7, 4))
        if xv is None:
            return None
        yi = _divisor(ny, (2, 1))
        # channels x 2 rows x the row's vectors within the registers (AVX-512: 8 x 2 x 1 = 16 accumulators)
        fi = 1 if depthwise else _fit(nf, (8, 6, 4, 2), yi * isa.vectors(xv), budget)
        fo, fi_ = sch.split(f, [None, fi])
        yo, yi_ = sch.split(y, [None, yi])
        xo, xv_ = sch.split(x, [None, xv])
        sch.reorder(n, fo, yo, xo, rc, ry, rx, fi_, yi_, xv_)
        stride = _stride(sch, producers, nx, nrx)
        if stride == 2 and not depthwise:
            # a strided full conv (a stem): its padded input tile is stored with even and odd columns apart,
            # so each tap reads a contiguous vector instead of gathering every other element
            sch.transform_layout(
                producers[0],
                ("write", 0),
                lambda n_, c_, y_, x_: (n_, c_, y_, x_ % 2, x_ // 2),
                pad_value=0.0,
            )
        if depthwise and stride == 1:
            # a whole channel per task: its padded plane is built once (a few KB, in L1), not per tile
            outer, inner = sch.fuse(n, fo), [ry, rx, fi_, yi_]
        elif variant == "shared-input":
            sch.reorder(yo, xo, fo)
            outer, inner, tile = sch.fuse(n, yo, xo), [ry, rx, fi_, yi_], fo
        else:
            outer, inner = sch.fuse(n, fo, yo, xo), [ry, rx, fi_, yi_]
        vec = xv_
    _place_producers(sch, producers, pointwise, outer)
    sch.parallel(outer)
    sch.vectorize(vec)
    for loop in inner:
        sch.unroll(loop)
    if epilogue is not None:
        sch.reverse_compute_at(epilogue, outer if tile is None else tile)
        eloops = sch.get_loops(epilogue)[1 if tile is None else 2 :]
        if eloops and _extent(sch, eloops[-1]) <= 64:
            sch.vectorize(eloops[-1])
    sch.decompose_reduction(conv, sch.get_loops(conv)[1 if tile is None else 2])
    if tail is not None:
        _flat_loop(sch, tail)
    return sch


def _place_producers(sch: Any, producers: list[Any], pointwise: bool, outer: Any) -> None:
    """The conv's input pad: inlined for a 1x1 conv, built per output tile otherwise (no branch inside)."""
    for producer in producers:
        if pointwise:
            sch.compute_inline(producer)
        else:
            sch.compute_at(producer, outer)
            _flat_inner(sch, producer)


def _nhwc(sch: Any, conv: Any, producers: list[Any], epilogue: Any, tail: Any, isa: Isa) -> Any | None:
    """NHWC (TFLite's layout): a vector of output channels (contiguous in the output and in HWIO weights)
    x a few pixels of one row, the taps and input channels inside."""
    n, y, x, f, ry, rx, rc = sch.get_loops(conv)
    nf, nx = _extent(sch, f), _extent(sch, x)
    pointwise = _extent(sch, ry) == 1 and _extent(sch, rx) == 1
    # a whole vector (or half, a quarter) when the channels allow it, else their largest divisor that fits
    # one vector (42 channels: 14), else all of them when they fit
    fv = _divisor(nf, (isa.lanes, isa.lanes // 2, 4)) or (
        nf if nf < isa.lanes else _divisor(nf, tuple(range(isa.lanes - 1, 4, -1)))
    )
    if fv is None:
        return None
    xi = _divisor(nx, (8, 7, 4, 2, 1))
    xo, xi_ = sch.split(x, [None, xi])
    fo, fv_ = sch.split(f, [None, fv])
    sch.reorder(n, y, xo, fo, ry, rx, rc, xi_, fv_)
    outer = sch.fuse(n, y, xo, fo)
    _place_producers(sch, producers, pointwise, outer)
    sch.parallel(outer)
    sch.vectorize(fv_)
    sch.unroll(xi_)
    if epilogue is not None:
        sch.reverse_compute_at(epilogue, outer)
        _flat_inner(sch, epilogue)
    sch.decompose_reduction(conv, sch.get_loops(conv)[1])
    if tail is not None:
        _flat_loop(sch, tail)
    return sch


def schedule_matmul(func: Any) -> Any | None:
    """A matmul/dense kernel (``out[i, j] += a[i, k] * b[k, j]``, any elementwise epilogue) vectorized over j.

    The weights are repacked so each vector of j is contiguous; j-blocks run in parallel.
    """
    import tvm
    from tvm import s_tir

    sch = s_tir.Schedule(tvm.IRModule({"main": func}))
    blocks = sch.get_child_blocks(sch.get_sblock("root"))
    reductions = [b for b in blocks if "R" in _iter_kinds(sch, b)]
    if len(reductions) != 1 or _iter_kinds(sch, reductions[0]) != "SSR":
        return None
    mm = reductions[0]
    if "matmul" not in sch.get(mm).name_hint:
        return None
    chain = _chain(sch, mm)
    if chain is None or sch.get_producers(mm):
        return None
    epilogue = chain.pop() if chain else None
    for block in chain:
        sch.compute_inline(block)
    i, j, k = sch.get_loops(mm)
    nj = _extent(sch, j)
    jv = _divisor(nj, (64, 32, 16, 8))
    if jv is None:
        return None
    jo, jv_ = sch.split(j, [None, jv])
    sch.reorder(i, jo, k, jv_)
    outer = sch.fuse(i, jo)
    sch.parallel(outer)
    sch.vectorize(jv_)
    if epilogue is not None:
        sch.reverse_compute_at(epilogue, outer)
        _flat_inner(sch, epilogue)
    sch.decompose_reduction(mm, k)
    return sch


PARALLEL_MIN = 4096  # elements below which a thread pool launch costs more than the loop


INJECTIVE_VARIANTS = ("flat", "rows", "rows-scalar")


def schedule_injective(func: Any, variant: str = "flat") -> Any | None:
    """A kernel without reductions (reshape, transpose, pad, resize, (de)quantize chains), vectorized inside
    and parallel outside when it is big enough: ``flat`` over one loop fused from all of an output's loops,
    ``rows`` over its last axis with the others fused outside (no index divisions in the vector: a 2x
    nearest resize reads each input element twice in a row), ``rows-scalar`` the same without vectors (a
    gather's vector is a slow gather instruction: 0.17 against 0.29 ms for a 64x48x48 resize on Zen 3).
    None when the variant is no different."""
    import tvm
    from tvm import s_tir

    sch = s_tir.Schedule(tvm.IRModule({"main": func}))
    blocks = sch.get_child_blocks(sch.get_sblock("root"))
    if any("R" in _iter_kinds(sch, b) for b in blocks):
        return None
    outputs = {sch.get(b).name_hint for b in sch.get_output_blocks(sch.get_sblock("root"))}
    for block in blocks:
        if sch.get(block).name_hint not in outputs:
            sch.compute_inline(block)
    outs = sch.get_child_blocks(sch.get_sblock("root"))
    if variant in ("rows", "rows-scalar"):
        if not all(len(sch.get_loops(b)) > 1 for b in outs):
            return None
        vectorized = False
        for block in outs:
            *rest, last = sch.get_loops(block)
            outer = sch.fuse(*rest) if len(rest) > 1 else rest[0]
            total = _extent(sch, outer) * _extent(sch, last)
            vec = _divisor(_extent(sch, last), (16, 8, 4)) if variant == "rows" else None
            if vec:
                _, inner = sch.split(last, [None, vec])
                sch.vectorize(inner)
                vectorized = True
            if total >= PARALLEL_MIN:
                sch.parallel(outer)
        return None if variant == "rows" and not vectorized else sch
    for block in outs:
        loops = sch.get_loops(block)
        if not loops:
            continue
        fused = sch.fuse(*loops) if len(loops) > 1 else loops[0]
        total = _extent(sch, fused)
        vec = _divisor(total, (16, 8, 4))
        if total >= PARALLEL_MIN and vec:
            outer, inner = sch.split(fused, [None, vec])
            sch.parallel(outer)
            sch.vectorize(inner)
        elif vec:
            _, inner = sch.split(fused, [None, vec])
            sch.vectorize(inner)
    return sch


def schedule_reduction(func: Any) -> Any | None:
    """One reduction (mean, sum, max pooling...) and an elementwise epilogue: spatial loops fused and
    parallel, the reduction serial inside, the epilogue computed per output element."""
    import tvm
    from tvm import s_tir

    sch = s_tir.Schedule(tvm.IRModule({"main": func}))
    blocks = sch.get_child_blocks(sch.get_sblock("root"))
    reductions = [b for b in blocks if "R" in _iter_kinds(sch, b)]
    if len(reductions) != 1:
        return None
    red = reductions[0]
    if "conv" in sch.get(red).name_hint:
        # a convolution the conv rule did not take (a transposed one): serial reductions over a dilated input
        # ran 43 ms where a design-space sample runs a few (PP-OCR's detector head)
        return None
    kinds = _iter_kinds(sch, red)
    if kinds.index("R") != kinds.count("S") or "S" not in kinds:  # spatial iterators first, then reductions
        return None
    chain = _chain(sch, red)
    if chain is None:
        return None
    for producer in sch.get_producers(red):
        sch.compute_inline(producer)
    epilogue = chain.pop() if chain else None
    for block in chain:
        sch.compute_inline(block)
    loops = sch.get_loops(red)
    spatial = loops[: kinds.count("S")]
    outer = sch.fuse(*spatial) if len(spatial) > 1 else spatial[0]
    if _extent(sch, outer) > 1:
        sch.parallel(outer)
    if epilogue is not None and _same_shape(sch, red, epilogue):
        sch.reverse_compute_at(epilogue, outer)
    elif epilogue is not None:  # it pads (a residual's extra channels): its own pass over the output
        _flat_loop(sch, epilogue)
    sch.decompose_reduction(red, sch.get_loops(red)[1])
    return sch


def _applied(rule: Callable[[Any], Any | None], variants: tuple[Any, ...]) -> list[Any]:
    """The Schedules ``rule`` makes for each variant, skipping those that do not apply or raise."""
    out = []
    for variant in variants:
        try:
            sch = rule(variant)
        except Exception:  # the kernel is not the shape the rule expects (a primitive refused it)
            continue
        if sch is not None:
            out.append(sch)
    return out


def hand_schedules(func: Any, isa: Isa = AVX512) -> list[Any]:
    """The hand-written schedules (Schedules) of ``func`` on ``isa``: every variant of the first rule that
    applies; empty when none does. The first is the one to use untimed."""
    rules = (
        (lambda v: schedule_conv(func, isa, v), CONV_VARIANTS),
        (lambda v: schedule_injective(func, v), INJECTIVE_VARIANTS),
        (lambda _: schedule_matmul(func), (None,)),
        (lambda _: schedule_reduction(func), (None,)),
    )
    for rule, variants in rules:
        if found := _applied(rule, variants):
            return found
    return []


def hand_schedule(func: Any, isa: Isa = AVX512) -> Any | None:
    """The first hand-written schedule that applies to ``func`` (a Schedule) on ``isa``, or None."""
    return next(iter(hand_schedules(func, isa)), None)


__all__ = [
    "AVX2",
    "AVX512",
    "CONV_VARIANTS",
    "INJECTIVE_VARIANTS",
    "NEON",
    "SSE",
    "Isa",
    "hand_schedule",
    "hand_schedules",
    "isa_of",
    "schedule_conv",
    "schedule_injective",
    "schedule_matmul",
    "schedule_reduction",
]
