"""Tiny real TFLite models shared by the export-edgetpu tests: committed files (``fixtures/models``, made by
``fixtures/make_tflite_fixtures.py`` from Keras), so the tests run without TensorFlow; ``convert`` builds
more from Keras where TensorFlow is installed."""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
_NAMES = {"int8": "cae_int8.tflite", "float_io": "cae_float_io.tflite", "float": "cae_float.tflite",
          "leaky": "leaky_int8.tflite"}  # fmt: skip


def _generator():
    spec = importlib.util.spec_from_file_location(
        "make_tflite_fixtures", FIXTURES / "make_tflite_fixtures.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def convert():
    """``convert(keras_model, path, int8=True, int8_io=True)`` -> path of the written .tflite."""
    pytest.importorskip("edgesmith.datasets.tf_runtime", reason="converting a Keras model needs TensorFlow")
    return _generator().convert


@pytest.fixture(scope="session")
def tflite_models(tmp_path_factory) -> dict[str, Path]:
    """``int8``: every op maps; ``leaky``: int8 with an unsupported op; ``float``: no quantization;
    ``float_io``: int8 compute with float input/output (copies, so a test may overwrite them)."""
    root = tmp_path_factory.mktemp("tflite")
    return {key: Path(shutil.copy(FIXTURES / "models" / name, root / name)) for key, name in _NAMES.items()}
