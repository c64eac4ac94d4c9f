"""The apache-tvm-ffi pin: TVM 0.27's JSON serialisation of TIR must survive a round trip.

MetaSchedule's JSON database and its popen builder/runner serialise PrimFuncs this way; with
apache-tvm-ffi 0.1.15.x this segfaults in ``ffi::ToJSONGraph``. The round trip runs in a child process so
that a crash fails this test instead of killing pytest.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

ROUND_TRIP = textwrap.dedent(
    """
    import tvm
    from tvm import te

    a = te.placeholder((4, 8), name="a")
    b = te.compute((4, 8), lambda i, j: a[i, j] * 2.0 + 1.0, name="b")
    func = te.create_prim_func([a, b])
    text = tvm.ir.save_json(func)
    back = tvm.ir.load_json(text)
    tvm.ir.assert_structural_equal(func, back)
    print("ok", len(text))
    """
)


def test_primfunc_json_round_trip_survives():
    done = subprocess.run([sys.executable, "-c", ROUND_TRIP], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, (
        f"PrimFunc JSON round trip failed (exit {done.returncode}): the apache-tvm-ffi pin is broken; "
        f"stderr tail: {done.stderr[-400:]}"
    )
    assert done.stdout.startswith("ok")


def test_pinned_versions_are_installed():
    from importlib.metadata import version

    assert version("apache-tvm-ffi") == "0.1.14.post0"
    assert version("apache-tvm").startswith("0.27")
