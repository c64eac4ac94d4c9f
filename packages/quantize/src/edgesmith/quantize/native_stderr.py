"""Silence the converter's and interpreter's C++ chatter on file descriptor 2 ("fully_quantize: 0 ...")."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator

from edgesmith.datasets.tf_runtime import VERBOSE


@contextlib.contextmanager
def quiet_native_stderr() -> Iterator[None]:
    """Redirect fd 2 to /dev/null for the block unless EDGESMITH_TF_VERBOSE=1; exceptions still propagate."""
    if VERBOSE:
        yield
        return
    try:
        saved = os.dup(2)
    except OSError:
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
