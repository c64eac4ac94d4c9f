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

from edgesmith.datasets.box_grid import STRIDE, Letterbox, decode_grid, letterbox, nms, tile_origins
from edgesmith.datasets.native_logs import quiet_native_stderr

SCORE_THRESHOLD = 0.35
"""Heatmap peak a dense-detector box needs to count as a plate (tuned on the project's validation scenes)."""

ZOOM = 4 / 3
"""Magnification of the dense detector's second pass, run in tiles of its own input size: a plate 8 % of
the photo wide is 31 px in a 384-px letterbox, few enough pixels that the whole-photo pass misses or
mis-sizes it; magnified it is 41 px. Chosen on the project's own scenes (seed 9002, 300 photos; never the
held-out set): 4/3 found 98.9 % of plates at 24 ms a photo, 5/3 98.3 % at 36 ms, 2 98.3 % at 55 ms, one
pass 96.1 % at 11 ms. At 4/3 a 4:3 or wider photo takes two tiles. 1 turns the pass off."""

ZOOM_SMALL = 0.2
"""The zoomed pass answers for plates narrower than this share of the photo's long side (and its tiles
overlap by as much, so such a plate lies whole in one tile); wider plates come from the whole-photo pass,
which sees them at 77 px or more (in a 384-px input)."""


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
    """The dense detector: letterbox the photo, run, decode heatmap peaks into every plate box; then the
    same network over tiles of the photo magnified ``zoom`` times, for the plates too small for the first
    pass. Small boxes from the tiles go first, then the first pass's, one box per plate (NMS)."""

    def __init__(
        self, runner, input_hw: tuple[int, int], threshold: float = SCORE_THRESHOLD, zoom: float = ZOOM
    ) -> None:
        super().__init__(runner, input_hw)
        if not zoom >= 1:
            raise ValueError(f"zoom must be 1 (off) or more, got {zoom}")
        self.threshold = threshold
        self.zoom = float(zoom)

    def inputs(self, photo: Image.Image) -> np.ndarray:
        return letterbox(photo, self.input_hw[0])[0][None].astype(np.float32) / 255.0

    def _grid(self, x: np.ndarray) -> np.ndarray:
        # uint8 in: an int8 runner feeds the pixels' codes, the others divide by 255 in one float32 buffer
        return np.asarray(self.runner.predict_pixels(x[None], 1 / 255), np.float32)[0]

    def detect(self, photo: Image.Image) -> list[Detection]:
        size = self.input_hw[0]
        if self.zoom > 1:
            big = max(size, round(size * self.zoom / STRIDE) * STRIDE)
            canvas, zfit = letterbox(photo, big)
            used = canvas[: round(zfit.height * zfit.scale), : round(zfit.width * zfit.scale)]
            x, _ = letterbox(Image.fromarray(used), size)  # shrinking the magnified copy: cheaper
            fit = Letterbox(size / max(photo.size), *photo.size)
        else:
            x, fit = letterbox(photo, size)
        boxes, scores = decode_grid(self._grid(x), fit, threshold=self.threshold)
        if self.zoom > 1:
            small = (boxes[:, 2] - boxes[:, 0]) < ZOOM_SMALL * max(photo.size)
            zb, zs = self._zoomed(canvas, zfit)
            boxes, scores = nms(np.concatenate([zb, boxes[~small], boxes[small]]),
                                np.concatenate([zs, scores[~small], scores[small]]))  # fmt: skip
        return [Detection(tuple(map(float, b)), float(s)) for b, s in zip(boxes, scores, strict=True)]

    def _zoomed(self, canvas: np.ndarray, fit: Letterbox) -> tuple[np.ndarray, np.ndarray]:
        """Small-plate boxes (photo pixels, best first) from tiles of ``canvas``, the photo letterboxed
        ``zoom`` times larger than the network's input.

        A box touching a tile edge inside the photo may be a cut plate: it is dropped, since the tiles
        overlap by more than a small plate and the neighbouring tile holds it whole."""
        size, big = self.input_hw[0], canvas.shape[0]
        used_w, used_h = round(fit.width * fit.scale), round(fit.height * fit.scale)
        overlap = int(np.ceil(ZOOM_SMALL * big))
        found_b, found_s = [], []
        for oy in tile_origins(used_h, size, overlap):
            for ox in tile_origins(used_w, size, overlap):
                b, s = decode_grid(self._grid(canvas[oy : oy + size, ox : ox + size]), None, self.threshold)
                inner = np.zeros(len(b), bool)
                if ox > 0:
                    inner |= b[:, 0] <= STRIDE / 2
                if oy > 0:
                    inner |= b[:, 1] <= STRIDE / 2
                if ox + size < used_w:
                    inner |= b[:, 2] >= size - STRIDE / 2
                if oy + size < used_h:
                    inner |= b[:, 3] >= size - STRIDE / 2
                keep = ~inner & ((b[:, 2] - b[:, 0]) < ZOOM_SMALL * big)
                found_b.append((b[keep] + [ox, oy, ox, oy]) / fit.scale)
                found_s.append(s[keep])
        boxes, scores = np.concatenate(found_b), np.concatenate(found_s)
        order = np.argsort(-scores, kind="stable")
        limit = np.array([fit.width, fit.height, fit.width, fit.height], np.float64)
        return np.clip(boxes[order], 0, limit), scores[order]


class BoxRegressorDetector(RunnerDetector):
    """Document 001's global regressor: the whole photo resized, one normalised box, score 1."""

    def inputs(self, photo: Image.Image) -> np.ndarray:
        h, w = self.input_hw
        return np.asarray(photo.convert("RGB").resize((w, h), Image.BILINEAR), np.float32)[None] / 255.0

    def detect(self, photo: Image.Image) -> list[Detection]:
        x1, y1, x2, y2 = np.asarray(self.runner.predict(self.inputs(photo)), np.float32).reshape(4)
        pw, ph = photo.size
        return [Detection((float(x1 * pw), float(y1 * ph), float(x2 * pw), float(y2 * ph)), 1.0)]


def open_detector(
    artifact: str | Path, backend: str, threads: int | None = None, zoom: float = ZOOM
) -> RunnerDetector:
    """A detector for ``artifact`` on runner ``backend``; which kind follows from the model's output shape
    (``zoom``: the dense detector's second-pass magnification, 1 for one pass)."""
    from edgesmith.profiling import open_runner

    runner = open_runner(Path(artifact), backend, threads=threads)
    with quiet_native_stderr():  # TFLite prints "INFO: Created ... delegate" on first use
        runner.activate()
        shape = runner.input_specs()[0].shape
        hw = (int(shape[1] or 384), int(shape[2] or 384))
        out = np.asarray(runner.predict(np.zeros((1, *hw, 3), np.float32)))  # warm-up
    if out.ndim == 4:
        return GridDetector(runner, hw, zoom=zoom)
    return BoxRegressorDetector(runner, hw)


__all__ = [
    "SCORE_THRESHOLD",
    "ZOOM",
    "ZOOM_SMALL",
    "BoxRegressorDetector",
    "Detection",
    "GridDetector",
    "RunnerDetector",
    "open_detector",
]
