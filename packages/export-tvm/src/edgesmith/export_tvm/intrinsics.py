"""TVM's tensor intrinsics imported in seconds, not minutes.

MetaSchedule's ``TuneContext``, and every builder worker, imports ``tvm.s_tir.tensor_intrin``: about 500
TVMScript functions. TVMScript's ``@T.prim_func`` calls ``inspect.stack()``, which fetches the source line of
every frame on the stack, and for a frame without a source file (Python's frozen import machinery, under
every import) ``inspect.getmodule`` scans all of ``sys.modules`` each time. Measured on the 2-core machine:
58 s in a bare process, 437 s inside the test run with TensorFlow loaded; apache-tvm 0.27.0.post1 is the
newest release, so no version pin avoids it. TVMScript reads the source line of the decorator's frame only
(``is_defined_in_class`` looks two frames up), so while the intrinsics import, ``inspect.stack`` returns
every frame with source lines for the first few frames that have a file, and none for the rest.
"""

from __future__ import annotations

import inspect
import os
import sys
import threading

INTRINSICS_MODULE = "tvm.s_tir.tensor_intrin"
CONTEXT_FRAMES = 3
"""Frames (innermost first) that get their source lines; TVMScript's decorators read frame 2's."""

_LOCK = threading.Lock()


def near_context_stack(context: int = 1) -> list[inspect.FrameInfo]:
    """``inspect.stack(context)`` of the caller, with source lines only for the innermost
    :data:`CONTEXT_FRAMES` frames whose file exists (elsewhere ``code_context`` and ``index`` are None)."""
    frame = sys._getframe(1)
    frames: list[inspect.FrameInfo] = []
    while frame is not None:
        code = frame.f_code
        if len(frames) < CONTEXT_FRAMES and os.path.isfile(code.co_filename):
            info = inspect.getframeinfo(frame, context)
            frames.append(inspect.FrameInfo(frame, *info, positions=info.positions))
        else:
            where = (code.co_filename, frame.f_lineno, code.co_name)
            frames.append(inspect.FrameInfo(frame, *where, None, None, positions=None))
        frame = frame.f_back
    return frames


def import_tensor_intrinsics() -> None:
    """Import ``tvm.s_tir.tensor_intrin`` (once per process) with the light stack; also a popen worker's
    initializer, so MetaSchedule's builders do not pay the slow import either."""
    if INTRINSICS_MODULE in sys.modules:
        return
    with _LOCK:
        saved = inspect.stack
        inspect.stack = near_context_stack
        try:
            __import__(INTRINSICS_MODULE)
        finally:
            inspect.stack = saved


__all__ = ["CONTEXT_FRAMES", "INTRINSICS_MODULE", "import_tensor_intrinsics", "near_context_stack"]
