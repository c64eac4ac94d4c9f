"""Package-level guarantees: a light import and a complete, importable public API."""

import subprocess
import sys

import edgesmith.datasets as datasets


def test_import_does_not_load_tensorflow_or_pandas():
    code = (
        "import sys, edgesmith.datasets; "
        "print(','.join(m for m in ('tensorflow', 'pandas', 'pvlib', 'sklearn') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_public_names_resolve():
    missing = [name for name in datasets.__all__ if not hasattr(datasets, name)]
    assert missing == []
    assert issubclass(datasets.DatasetError, ValueError)
