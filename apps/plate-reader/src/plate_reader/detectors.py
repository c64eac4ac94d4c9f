"""Plate detectors behind any registered runner: the dense grid detector and the original box regressor.

Both answer ``detect(photo) -> [Detection]`` in photo pixels, best score first. Which one a model file is
follows from its output: a (G, G, 5) grid is the dense detector (decoded by
:func:`edgesmith.datasets.box_grid.decode_grid`, numpy only), a 4-vector is the regressor's one box.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
from PIL import Image

from edgesmith.datasets.box_grid import decode_grid, letterbox
from edgesmith.datasets.native_logs import quiet_native_stderr

SCORE_THRESHOLD = 0.35
"""Heatmap peak a dense-detector box needs to count as a plate (tuned on the project's validation scenes)."""


@dataclasses.dataclass(frozen=True)
class Detection:
    """A plate box ``x1, y1, x2, y2`` in photo pixels (float, maybe outside the photo) and its score."""

    box: tuple[float, float, float, float]
    score: float


class RunnerDetector:
    """Owns an activated runner for a detector artifact; subclasses turn its output into detections."""

    def __init__(self, runner, input_hw: tuple[int, int]) -> None:
        self.runner = runner
        self.input_hw = input_hw

    def inputs(self, photo: Image.Image) -> np.ndarray:
        """The model input for ``photo``: (1, h, w, 3) float32 in [0, 1], as :meth:`detect` feeds it."""
        raise NotImplementedError

    def detect(self, photo: Image.Image) -> list[Detection]:
        raise NotImplementedError

    def close(self) -> None:
        self.runner.deactivate()


class GridDetector(RunnerDetector):
    """The dense detector: letterbox the photo, run, decode heatmap peaks into every plate box."""

    def __init__(self, runner, input_hw: tuple[int, int], threshold: float = SCORE_THRESHOLD) -> None:
        super().__init__(runner, input_hw)
        self.threshold = threshold

    def inputs(self, photo: Image.Image) -> np.ndarray:
        return letterbox(photo, self.input_hw[0])[0][None].astype(np.float32) / 255.0

    def detect(self, photo: Image.Image) -> list[Detection]:
        x, fit = letterbox(photo, self.input_hw[0])
        grid = np.asarray(self.runner.predict(x[None].astype(np.float32) / 255.0), np.float32)[0]
        boxes, scores = decode_grid(grid, fit, threshold=self.threshold)
        return [Detection(tuple(map(float, b)), float(s)) for b, s in zip(boxes, scores, strict=True)]


class BoxRegressorDetector(RunnerDetector):
    """Document 001's global regressor: the whole photo resized, one normalised box, score 1."""

    def inputs(self, photo: Image.Image) -> np.ndarray:
        h, w = self.input_hw
        return np.asarray(photo.convert("RGB").resize((w, h), Image.BILINEAR), np.float32)[None] / 255.0

    def detect(self, photo: Image.Image) -> list[Detection]:
        x1, y1, x2, y2 = np.asarray(self.runner.predict(self.inputs(photo)), np.float32).reshape(4)
        pw, ph = photo.size
        return [Detection((float(x1 * pw), float(y1 * ph), float(x2 * pw), float(y2 * ph)), 1.0)]


def open_detector(artifact: str | Path, backend: str, threads: int | None = None) -> RunnerDetector:
    """A detector for ``artifact`` on runner ``backend``; which kind follows from the model's output shape."""
    from edgesmith.profiling import open_runner

    runner = open_runner(Path(artifact), backend, threads=threads)
    with quiet_native_stderr():  # TFLite prints "INFO: Created ... delegate" on first use
        runner.activate()
        shape = runner.input_specs()[0].shape
        hw = (int(shape[1] or 384), int(shape[2] or 384))
        out = np.asarray(runner.predict(np.zeros((1, *hw, 3), np.float32)))  # warm-up
    if out.ndim == 4:
        return GridDetector(runner, hw)
    return BoxRegressorDetector(runner, hw)


__all__ = [
    "SCORE_THRESHOLD",
    "BoxRegressorDetector",
    "Detection",
    "GridDetector",
    "RunnerDetector",
    "open_detector",
]
