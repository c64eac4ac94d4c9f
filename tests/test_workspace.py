"""The workspace is laid out as SPEC.md fixes it: every member installed, `edgesmith` a namespace."""

import importlib
import tomllib
from importlib.metadata import version
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

PACKAGES = [
    "datasets",
    "models",
    "quantize",
    "profiling",
    "export-trt",
    "export-edgetpu",
    "export-tvm",
    "ocr-plate",
]
APPS = ["face-recognizer", "plate-reader", "autoencoder-edge"]


@pytest.mark.parametrize("folder", PACKAGES)
def test_package_layout_and_import(folder):
    pyproject = tomllib.loads((ROOT / "packages" / folder / "pyproject.toml").read_text())
    assert pyproject["project"]["name"] == f"edgesmith-{folder}"
    assert version(f"edgesmith-{folder}")
    # PEP 420 namespace: no __init__.py directly under src/edgesmith
    assert not (ROOT / "packages" / folder / "src" / "edgesmith" / "__init__.py").exists()
    module = importlib.import_module("edgesmith." + folder.replace("-", "_"))
    assert module.__doc__


@pytest.mark.parametrize("folder", APPS)
def test_apps_are_members(folder):
    pyproject = tomllib.loads((ROOT / "apps" / folder / "pyproject.toml").read_text())
    assert pyproject["project"]["name"] == folder
    assert version(folder)


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text()
    ci = (ROOT / ".ci" / "run").read_text().strip().splitlines()[-1]
    assert ci in readme
