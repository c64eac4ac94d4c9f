"""Silence native (C++) start-up chatter on file descriptor 2, which Python logging cannot reach.

TensorFlow, its converter and the LiteRT interpreter print INFO lines ("Created TensorFlow Lite XNNPACK
delegate", CUDA probing, "fully_quantize: 0 ...") straight to fd 2. ``EDGESMITH_TF_VERBOSE=1`` keeps them.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator

VERBOSE = os.environ.get("EDGESMITH_TF_VERBOSE", "") not in ("", "0")


@contextlib.contextmanager
def quiet_native_stderr() -> Iterator[None]:
    """Redirect fd 2 to /dev/null for the block unless verbose; Python exceptions still propagate."""
    if VERBOSE:
        yield
        return
    try:
        saved = os.dup(2)
    except OSError:  # no usable stderr (e.g. some embedded interpreters)
        yield
        return
    sys.stderr.flush()
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        yield
    finally:
        sys.stderr.flush()
        os.dup2(saved, 2)
        os.close(devnull)
        os.close(saved)
