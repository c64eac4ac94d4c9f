"""lazy_exports: a package's names load on first use, once, and unknown names are AttributeErrors."""

from __future__ import annotations

import sys
import types

import pytest

from edgesmith.profiling.lazy import lazy_exports


def test_names_load_on_first_use_and_stay(monkeypatch) -> None:
    pkg = types.ModuleType("fake_pkg")
    monkeypatch.setitem(sys.modules, "fake_pkg", pkg)
    pkg.__getattr__, pkg.__dir__ = lazy_exports(
        "fake_pkg", {"sqrt": "math", "dumps": "json"}, ["dumps", "sqrt"]
    )
    assert "sqrt" not in vars(pkg)
    assert pkg.sqrt(9.0) == 3.0 and vars(pkg)["sqrt"] is pkg.sqrt  # cached on the package after the first use
    assert dir(pkg) == ["dumps", "sqrt"]
    with pytest.raises(AttributeError, match="'fake_pkg' has no attribute 'nope'"):
        _ = pkg.nope


def test_backend_packages_import_without_their_framework() -> None:
    """The Keras and TFLite runner entry points load without importing TensorFlow (a fresh interpreter)."""
    import subprocess

    for plugin in ("edgesmith.models.runner", "edgesmith.quantize.runner", "edgesmith.quantize.exporter"):
        pytest.importorskip(plugin.rsplit(".", 1)[0], reason=f"{plugin} is not installed")
    code = (
        "import sys, edgesmith.models.runner, edgesmith.quantize.runner, edgesmith.quantize.exporter; "
        "sys.exit('tensorflow' in sys.modules)"
    )
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0
