"""Hand-written CPU schedules: every kernel of a MobileNet-style block gets one, and the results are right."""

from __future__ import annotations

import numpy as np
import onnx
import onnxruntime as ort
import pytest
from onnx import TensorProto, helper, numpy_helper

from edgesmith.export_tvm import compile_model, import_model, load_compiled, parse_target
from edgesmith.export_tvm.cpu_schedules import (
    AVX2,
    AVX512,
    CONV_VARIANTS,
    INJECTIVE_VARIANTS,
    NEON,
    SSE,
    hand_schedules,
    isa_of,
)
from edgesmith.export_tvm.default_schedules import (
    hand_scheduled,
    hand_scheduled_variants,
    time_candidates,
    timed_hand_schedule,
)
from edgesmith.export_tvm.pipeline import prepare_module


def _save(path, nodes, inits, x_shape):
    """An opset-17 model from input ``x`` of ``x_shape`` to ``y`` (1 x 5)."""
    graph = helper.make_graph(
        nodes,
        path.stem,
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, x_shape)],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 5])],
        initializer=inits,
    )
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), str(path))
    return path


def _kernels(source, target):
    """The PrimFuncs (kernels) of ``source`` after the Relax pipeline, by name."""
    import tvm

    prepared = prepare_module(import_model(source).mod, target)
    return {gv.name_hint: f for gv, f in prepared.functions_items() if isinstance(f, tvm.tirx.PrimFunc)}


def _assert_matches_onnxruntime(source, out, x_shape):
    """Compile ``source`` for this CPU and compare its output with ONNX Runtime's on random data."""
    result = compile_model(source, out, target="native")
    x = np.random.default_rng(1).standard_normal(x_shape).astype(np.float32)
    want = ort.InferenceSession(str(source), providers=["CPUExecutionProvider"]).run(None, {"x": x})[0]
    np.testing.assert_allclose(load_compiled(result.path)(x)[0], want, rtol=1e-4, atol=1e-4)
    return result


def mobilenet_block(path, size):
    """1x1 expand + clip, 3x3 depthwise + relu, 1x1 project + residual, pool, dense: NCHW ``size``x``size``.

    ``size`` 16 tiles each row's pixels into vectors, 8 tiles pixels counted across rows; 7 (a 49-pixel
    map) vectorizes over channels instead.
    """
    rng = np.random.default_rng(0)

    def init(name, *shape):
        return numpy_helper.from_array(rng.standard_normal(shape).astype(np.float32) * 0.3, name)

    inits = [
        init("we", 16, 8, 1, 1), init("be", 16), init("wd", 16, 1, 3, 3), init("bd", 16),
        init("wp", 8, 16, 1, 1), init("bp", 8), init("wf", 8, 5), init("bf", 5),
        numpy_helper.from_array(np.array(0.0, np.float32), "lo"),
        numpy_helper.from_array(np.array(6.0, np.float32), "hi"),
    ]  # fmt: skip
    nodes = [
        helper.make_node("Conv", ["x", "we", "be"], ["e"]),
        helper.make_node("Clip", ["e", "lo", "hi"], ["e6"]),
        helper.make_node("Conv", ["e6", "wd", "bd"], ["d"], group=16, pads=[1, 1, 1, 1]),
        helper.make_node("Relu", ["d"], ["dr"]),
        helper.make_node("Conv", ["dr", "wp", "bp"], ["p"]),
        helper.make_node("Add", ["p", "x"], ["r"]),
        helper.make_node("GlobalAveragePool", ["r"], ["g"]),
        helper.make_node("Flatten", ["g"], ["gf"]),
        helper.make_node("Gemm", ["gf", "wf", "bf"], ["y"]),
    ]
    return _save(path, nodes, inits, [1, 8, size, size])


@pytest.mark.parametrize("size", [16, 8, 7])
def test_every_kernel_of_a_mobilenet_block_gets_a_hand_schedule(tmp_path, size):
    source = mobilenet_block(tmp_path / "block.onnx", size)
    target = parse_target("x86-avx2")
    kernels = _kernels(source, target)
    assert any("conv2d" in k for k in kernels) and any("matmul" in k for k in kernels)
    missing = [name for name, f in kernels.items() if hand_scheduled(f, target) is None]
    assert not missing, f"no hand schedule for {missing}"


@pytest.mark.parametrize("size", [16, 8, 7])
def test_hand_scheduled_block_matches_onnxruntime(tmp_path, size):
    source = mobilenet_block(tmp_path / "block.onnx", size)
    result = _assert_matches_onnxruntime(source, tmp_path / "block.tvm", (1, 8, size, size))
    assert result.default_functions >= 4 and result.tuned_functions == 0


def test_hand_schedules_are_for_cpus_only(onnx_model):
    func = next(iter(_kernels(onnx_model, parse_target("llvm")).values()))
    assert hand_scheduled(func, parse_target("jetson-orin")) is None


def blaze_block(path):
    """BlazeFace/PP-OCR patterns: a 1x1 conv with hard-swish (its epilogue uses the conv's output twice), a
    strided 3x3 conv whose residual is a max-pooled input padded with zero channels, then pool + dense."""
    rng = np.random.default_rng(0)

    def init(name, *shape):
        return numpy_helper.from_array(rng.standard_normal(shape).astype(np.float32) * 0.3, name)

    inits = [
        init("wa", 12, 8, 1, 1), init("ba", 12), init("wb", 12, 12, 3, 3), init("bb", 12),
        init("wf", 12, 5), init("bf", 5),
        numpy_helper.from_array(np.array([0, 0, 0, 0, 0, 4, 0, 0], np.int64), "pads"),
    ]  # fmt: skip
    nodes = [
        helper.make_node("Conv", ["x", "wa", "ba"], ["a"]),
        helper.make_node("HardSwish", ["a"], ["ah"]),
        helper.make_node("Conv", ["ah", "wb", "bb"], ["b"], strides=[2, 2], pads=[1, 1, 1, 1]),
        helper.make_node("MaxPool", ["x"], ["p"], kernel_shape=[2, 2], strides=[2, 2]),
        helper.make_node("Pad", ["p", "pads"], ["pp"]),
        helper.make_node("Add", ["b", "pp"], ["r"]),
        helper.make_node("Relu", ["r"], ["rr"]),
        helper.make_node("GlobalAveragePool", ["rr"], ["g"]),
        helper.make_node("Flatten", ["g"], ["gf"]),
        helper.make_node("Gemm", ["gf", "wf", "bf"], ["y"]),
    ]
    return _save(path, nodes, inits, [1, 8, 8, 8])


def test_hard_swish_and_padded_residual_kernels_get_hand_schedules_that_match_onnxruntime(tmp_path):
    source = blaze_block(tmp_path / "blaze.onnx")
    target = parse_target("native")
    missing = [name for name, f in _kernels(source, target).items() if hand_scheduled(f, target) is None]
    assert not missing, f"no hand schedule for {missing}"
    _assert_matches_onnxruntime(source, tmp_path / "blaze.tvm", (1, 8, 8, 8))


def strided_block(path):
    """A stride-2 stem on an odd padded width (3 -> 8 channels, 9x9 -> 5x5, as MobileNet's 225-wide stem)
    and a stride-2 depthwise conv, then pool + dense: the strided paths of the conv recipe."""
    rng = np.random.default_rng(0)

    def init(name, *shape):
        return numpy_helper.from_array(rng.standard_normal(shape).astype(np.float32) * 0.3, name)

    inits = [
        init("ws", 8, 3, 3, 3),
        init("bs", 8),
        init("wd", 8, 1, 3, 3),
        init("bd", 8),
        init("wf", 8, 5),
        init("bf", 5),
    ]
    nodes = [
        helper.make_node("Conv", ["x", "ws", "bs"], ["s"], strides=[2, 2], pads=[1, 1, 1, 1]),
        helper.make_node("Relu", ["s"], ["sr"]),
        helper.make_node("Conv", ["sr", "wd", "bd"], ["d"], group=8, strides=[2, 2], pads=[1, 1, 1, 1]),
        helper.make_node("Relu", ["d"], ["dr"]),
        helper.make_node("GlobalAveragePool", ["dr"], ["g"]),
        helper.make_node("Flatten", ["g"], ["gf"]),
        helper.make_node("Gemm", ["gf", "wf", "bf"], ["y"]),
    ]
    return _save(path, nodes, inits, [1, 3, 9, 9])


def test_strided_kernels_get_timed_hand_schedules_that_match_onnxruntime(tmp_path):
    source = strided_block(tmp_path / "strided.onnx")
    target = parse_target("native")
    # timed as MetaSchedule times a trial (weights packed beforehand); None would mean it failed to run
    untimed = [
        name for name, f in _kernels(source, target).items() if timed_hand_schedule(f, target)[1] is None
    ]
    assert not untimed, f"no timed hand schedule for {untimed}"
    _assert_matches_onnxruntime(source, tmp_path / "strided.tvm", (1, 3, 9, 9))


@pytest.mark.parametrize(
    ("preset", "isa"), [("x86-avx2", AVX2), ("x86-avx512", AVX512), ("rpi4", NEON), ("rpi5", NEON)]
)
def test_tiles_are_sized_for_the_targets_vector_unit(preset, isa):
    import tvm

    assert isa_of(tvm.target.Target(parse_target(preset))) == isa


def full_conv_block(path):
    """A 5x5 conv on a 12x12 map (the CIFAR CNN's second conv, fewer channels) + relu, then pool + dense:
    its rows are 1.5 AVX2 vectors, so the channel-vectorized variant competes with the row tiles."""
    rng = np.random.default_rng(0)

    def init(name, *shape):
        return numpy_helper.from_array(rng.standard_normal(shape).astype(np.float32) * 0.3, name)

    inits = [init("wc", 16, 8, 5, 5), init("bc", 16), init("wf", 16, 5), init("bf", 5)]
    nodes = [
        helper.make_node("Conv", ["x", "wc", "bc"], ["c"], pads=[2, 2, 2, 2]),
        helper.make_node("Relu", ["c"], ["cr"]),
        helper.make_node("GlobalAveragePool", ["cr"], ["g"]),
        helper.make_node("Flatten", ["g"], ["gf"]),
        helper.make_node("Gemm", ["gf", "wf", "bf"], ["y"]),
    ]
    return _save(path, nodes, inits, [1, 8, 12, 12])


@pytest.mark.parametrize("isa", [AVX512, AVX2, NEON, SSE], ids=lambda isa: isa.name)
def test_a_full_conv_has_every_variant_on_every_vector_unit(tmp_path, isa):
    source = full_conv_block(tmp_path / "conv.onnx")
    (conv,) = [f for name, f in _kernels(source, parse_target("llvm")).items() if "conv2d" in name]
    assert len(hand_schedules(conv.with_attr("global_symbol", "main"), isa)) == len(CONV_VARIANTS)


def test_every_full_conv_variant_reproduces_the_kernel_and_the_fastest_is_compiled(tmp_path):
    source = full_conv_block(tmp_path / "conv.onnx")
    target = parse_target("native")
    (conv,) = [f for name, f in _kernels(source, target).items() if "conv2d" in name]
    variants = hand_scheduled_variants(conv, target)
    times = time_candidates(variants, conv, target)  # inf: a variant computes other results
    assert len(variants) == len(CONV_VARIANTS) and all(np.isfinite(times)), times
    _assert_matches_onnxruntime(source, tmp_path / "conv.tvm", (1, 8, 12, 12))


def upsample_block(path):
    """A 2x nearest resize (a CenterNet neck's upsampling, as tf2onnx writes it), flattened into a dense
    layer, so every output pixel's source index shows in the result."""
    rng = np.random.default_rng(0)
    inits = [
        numpy_helper.from_array(np.zeros(0, np.float32), "roi"),
        numpy_helper.from_array(np.array([1, 1, 2, 2], np.float32), "scales"),
        numpy_helper.from_array(rng.standard_normal((4 * 12 * 16, 5)).astype(np.float32), "wf"),
        numpy_helper.from_array(np.zeros(5, np.float32), "bf"),
    ]
    nodes = [
        helper.make_node("Resize", ["x", "roi", "scales"], ["u"], mode="nearest", nearest_mode="floor"),
        helper.make_node("Flatten", ["u"], ["uf"]),
        helper.make_node("Gemm", ["uf", "wf", "bf"], ["y"]),
    ]
    return _save(path, nodes, inits, [1, 4, 6, 8])


def test_a_resize_gets_every_injective_variant_and_the_fastest_matches_onnxruntime(tmp_path):
    source = upsample_block(tmp_path / "resize.onnx")
    target = parse_target("native")
    (resize,) = [f for name, f in _kernels(source, target).items() if "resize" in name]
    variants = hand_scheduled_variants(resize, target)
    times = time_candidates(variants, resize, target)
    assert len(variants) == len(INJECTIVE_VARIANTS) and all(np.isfinite(times)), times
    _assert_matches_onnxruntime(source, tmp_path / "resize.tvm", (1, 4, 6, 8))
