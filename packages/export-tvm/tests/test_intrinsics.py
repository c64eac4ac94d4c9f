"""TVM's tensor intrinsics import with a stack that skips source lookups beyond the decorator's frame."""

from __future__ import annotations

import inspect
import subprocess
import sys

from edgesmith.export_tvm.intrinsics import CONTEXT_FRAMES, INTRINSICS_MODULE, near_context_stack


def _where(frames):
    return [(f.frame, f.filename, f.lineno, f.function) for f in frames]


def test_light_stack_has_every_frame_and_the_near_source_lines():
    def inner():
        return inspect.stack(), near_context_stack()

    full, light = inner()
    assert _where(light[1:]) == _where(full[1:])  # frame 0 is inside each function itself
    with_file = [i for i, f in enumerate(full) if f.code_context is not None]
    for i in with_file[1:CONTEXT_FRAMES]:
        assert light[i].code_context == full[i].code_context and light[i].index == full[i].index
    assert all(f.code_context is None for f in light[CONTEXT_FRAMES:])


def test_intrinsics_register_and_the_stack_function_is_restored():
    # a fresh process: the import has not happened there, so this is the path tuning takes
    code = (
        "import inspect; saved = inspect.stack\n"
        "from edgesmith.export_tvm.intrinsics import import_tensor_intrinsics\n"
        "import_tensor_intrinsics()\n"
        "from tvm.s_tir import TensorIntrin\n"
        f"import sys; assert {INTRINSICS_MODULE!r} in sys.modules\n"
        "assert TensorIntrin.get('dot_16x4_avx512') is not None\n"
        "assert inspect.stack is saved\n"
        "print('ok')\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().endswith("ok")
