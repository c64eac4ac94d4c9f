"""Every kernel gets a schedule without tuning; ARM presets cross-compile to aarch64 shared objects."""

from __future__ import annotations

import shutil

import numpy as np
import onnxruntime as ort
import pytest

from edgesmith.export_tvm import compile_model, import_model, parse_target
from edgesmith.export_tvm.default_schedules import SCHEDULED_ATTR, apply_default_schedules
from edgesmith.export_tvm.pipeline import prepare_module

EM_AARCH64, ET_DYN = 183, 3


def test_untuned_compile_leaves_no_kernel_unscheduled(onnx_model):
    import tvm

    target = parse_target("native")
    prepared = prepare_module(import_model(onnx_model).mod, target)
    kernels = [gv.name_hint for gv, f in prepared.functions_items() if isinstance(f, tvm.tirx.PrimFunc)]
    assert any(
        f.attrs.get("layout_free_buffers") is not None
        for _, f in prepared.functions_items()
        if isinstance(f, tvm.tirx.PrimFunc)
    )  # weights may be packed by the schedules
    scheduled, picks = apply_default_schedules(prepared, target, measurable=True, samples=3)
    assert set(picks) == set(kernels)
    assert all(p.candidates >= 1 and p.latency_ms is not None for p in picks.values())
    for gv, f in scheduled.functions_items():
        if isinstance(f, tvm.tirx.PrimFunc):
            assert f.attrs.get(SCHEDULED_ATTR, False), f"{gv.name_hint} left unscheduled"


def test_untuned_library_matches_onnxruntime(tmp_path, onnx_model):
    from edgesmith.export_tvm import load_compiled

    result = compile_model(onnx_model, tmp_path / "u.tvm", target="x86-avx2")
    assert result.tuned_functions == 0 and result.default_functions == 2
    x = np.random.default_rng(3).random((1, 2, 6, 6), dtype=np.float32)
    want = ort.InferenceSession(str(onnx_model), providers=["CPUExecutionProvider"]).run(None, {"x": x})[0]
    np.testing.assert_allclose(load_compiled(result.path)(x)[0], want, atol=1e-4)


@pytest.mark.skipif(
    shutil.which("aarch64-linux-gnu-g++") is None,
    reason="no aarch64 cross compiler (Debian: apt-get install g++-aarch64-linux-gnu)",
)
@pytest.mark.parametrize("preset", ["rpi4", "rpi5"])
def test_arm_presets_cross_compile_to_aarch64_shared_objects(tmp_path, onnx_model, preset):
    result = compile_model(onnx_model, tmp_path / f"{preset}.tvm", target=preset)
    header = (result.path / "lib.so").read_bytes()[:20]
    assert header[:4] == b"\x7fELF" and header[4] == 2  # 64-bit ELF
    assert int.from_bytes(header[16:18], "little") == ET_DYN  # a shared object
    assert int.from_bytes(header[18:20], "little") == EM_AARCH64
    assert result.default_functions == 2  # scheduled too, from the design space (not timed here)
