"""Where each step of the pipeline reads and writes its files inside one run directory."""

from __future__ import annotations

import dataclasses
from pathlib import Path


@dataclasses.dataclass(frozen=True)
class RunLayout:
    """The files of one autoencoder-edge run, named after the Edge TPU study's artifacts."""

    root: Path
    stem: str = "cae"

    @property
    def keras(self) -> Path:
        return self.root / f"{self.stem}.h5"

    @property
    def tflite_float(self) -> Path:
        return self.root / f"{self.stem}_float32.tflite"

    @property
    def tflite_int8(self) -> Path:
        return self.root / f"{self.stem}_int8.tflite"

    @property
    def edgetpu(self) -> Path:
        return self.root / f"{self.stem}_int8_edgetpu.tflite"

    @property
    def check_json(self) -> Path:
        return self.root / f"{self.stem}_edgetpu_check.json"

    @property
    def compile_json(self) -> Path:
        return self.root / f"{self.stem}_edgetpu_compile.json"

    @property
    def bench_json(self) -> Path:
        return self.root / f"{self.stem}_bench.json"

    @property
    def matrix_dir(self) -> Path:
        return self.root / f"{self.stem}_matrix"

    @property
    def grid_png(self) -> Path:
        return self.root / f"{self.stem}_grid.png"

    @property
    def report_md(self) -> Path:
        return self.root / f"{self.stem}_report.md"

    def ensure(self) -> RunLayout:
        self.root.mkdir(parents=True, exist_ok=True)
        return self
