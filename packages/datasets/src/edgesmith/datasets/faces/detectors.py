"""OpenCV face detectors (Haar cascade, DNN) behind one protocol, and the face box they return."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from edgesmith.datasets.errors import DatasetError

FACE_SIZE = 128
"""Side of the square face crops (pixels), as document 000."""

DEFAULT_CASCADE = "haarcascade_frontalface_default.xml"


def _cv2() -> Any:
    """``import cv2`` with a one-line fix when it is missing or lacks the cascade API (OpenCV 5)."""
    try:
        import cv2
    except ImportError as exc:
        raise DatasetError(
            "face detection needs OpenCV; install it with `pip install 'edgesmith-datasets[faces]'`"
        ) from exc
    return cv2


@dataclasses.dataclass(frozen=True)
class FaceBox:
    """A detected face: top-left corner, width and height in pixels, and the detector's score."""

    x: int
    y: int
    w: int
    h: int
    score: float = 1.0

    @property
    def area(self) -> int:
        return self.w * self.h

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


class FaceDetector(Protocol):
    """Anything with ``detect(rgb uint8 image) -> list[FaceBox]`` (largest face first)."""

    name: str

    def detect(self, image: np.ndarray) -> list[FaceBox]: ...


def as_uint8_rgb(image: np.ndarray) -> np.ndarray:
    """An (H, W, 3) uint8 RGB image from uint8 or float [0, 1] input (grey images are stacked to RGB)."""
    img = np.asarray(image)
    if img.ndim == 2:
        img = np.stack([img] * 3, axis=-1)
    if img.ndim != 3 or img.shape[-1] not in (1, 3, 4):
        raise DatasetError(f"expected an image (H, W, 3), got shape {img.shape}; pass one RGB image")
    if img.shape[-1] == 1:
        img = np.repeat(img, 3, axis=-1)
    elif img.shape[-1] == 4:
        img = img[..., :3]
    if img.dtype != np.uint8:
        img = np.clip(np.rint(img.astype(np.float32) * 255.0), 0, 255).astype(np.uint8)
    return np.ascontiguousarray(img)


def _sorted(boxes: list[FaceBox]) -> list[FaceBox]:
    return sorted(boxes, key=lambda b: (-b.area, b.x, b.y))


class HaarFaceDetector:
    """OpenCV's Viola-Jones frontal-face cascade, shipped in the opencv wheel: fast, CPU-only, frontal faces.

    ``min_size`` is the smallest face side in pixels; ``min_neighbors`` trades misses for false positives.
    """

    name = "haar"

    def __init__(
        self,
        cascade: str | os.PathLike[str] = DEFAULT_CASCADE,
        scale_factor: float = 1.1,
        min_neighbors: int = 5,
        min_size: int = 24,
    ) -> None:
        cv2 = _cv2()
        if not hasattr(cv2, "CascadeClassifier"):
            raise DatasetError(
                f"OpenCV {cv2.__version__} has no Haar cascades (OpenCV 5 moved them out); install "
                "'opencv-python-headless>=4.9,<5' or pass a DNN face model (--detector-model)"
            )
        path = Path(cascade)
        if not path.is_file():
            path = Path(cv2.data.haarcascades) / str(cascade)
        if not path.is_file():
            raise DatasetError(
                f"Haar cascade {cascade} not found (looked in {cv2.data.haarcascades}); "
                "pass a cascade XML path"
            )
        self._cascade = cv2.CascadeClassifier(str(path))
        if self._cascade.empty():
            raise DatasetError(f"{path} is not a valid OpenCV cascade XML; pass another cascade file")
        self.cascade_path = path
        self.scale_factor, self.min_neighbors, self.min_size = scale_factor, min_neighbors, min_size

    def detect(self, image: np.ndarray) -> list[FaceBox]:
        """Faces in an RGB image, largest first."""
        cv2 = _cv2()
        grey = cv2.equalizeHist(cv2.cvtColor(as_uint8_rgb(image), cv2.COLOR_RGB2GRAY))
        found = self._cascade.detectMultiScale(
            grey,
            scaleFactor=self.scale_factor,
            minNeighbors=self.min_neighbors,
            minSize=(self.min_size, self.min_size),
        )
        return _sorted([FaceBox(int(x), int(y), int(w), int(h)) for x, y, w, h in np.reshape(found, (-1, 4))])


class DnnFaceDetector:
    """An OpenCV DNN face detector from a model file: YuNet ``.onnx`` (``cv2.FaceDetectorYN``) or the res10
    SSD (``.caffemodel`` + ``deploy.prototxt`` config, or TensorFlow ``.pb`` + ``.pbtxt``). More robust than
    the Haar cascade to pose and light; the model file is yours to provide (nothing is downloaded).
    """

    name = "dnn"

    def __init__(
        self,
        model: str | os.PathLike[str],
        config: str | os.PathLike[str] | None = None,
        confidence: float = 0.5,
        input_size: int = 300,
    ) -> None:
        cv2 = _cv2()
        self.model_path = Path(model)
        if not self.model_path.is_file():
            raise DatasetError(
                f"face detector model {self.model_path} not found; "
                "pass a YuNet .onnx or res10 .caffemodel file"
            )
        if not 0.0 < confidence < 1.0:
            raise DatasetError(f"confidence must be in (0, 1), got {confidence}")
        self.confidence, self.input_size = confidence, input_size
        suffix = self.model_path.suffix.lower()
        try:
            if suffix == ".onnx":
                self.kind = "yunet"
                self._net = cv2.FaceDetectorYN.create(
                    str(self.model_path), "", (input_size, input_size), confidence
                )
            elif suffix in (".caffemodel", ".pb"):
                if config is None or not Path(config).is_file():
                    raise DatasetError(
                        f"{self.model_path.name} needs its network config (deploy.prototxt or .pbtxt); "
                        "pass it as config= (--detector-config)"
                    )
                self.kind = "ssd"
                self._net = cv2.dnn.readNet(str(self.model_path), str(config))
            else:
                raise DatasetError(
                    f"unsupported face model {self.model_path.name}; use a YuNet .onnx, a res10 .caffemodel "
                    "or a TensorFlow .pb"
                )
        except cv2.error as exc:
            reason = str(exc).strip().splitlines()[-1]
            raise DatasetError(
                f"OpenCV cannot load face model {self.model_path.name} ({reason}); the file is corrupt or "
                "not a face detector"
            ) from exc

    def detect(self, image: np.ndarray) -> list[FaceBox]:
        """Faces in an RGB image with score >= ``confidence``, largest first."""
        cv2 = _cv2()
        bgr = cv2.cvtColor(as_uint8_rgb(image), cv2.COLOR_RGB2BGR)
        h, w = bgr.shape[:2]
        boxes: list[FaceBox] = []
        if self.kind == "yunet":
            self._net.setInputSize((w, h))
            _, faces = self._net.detect(bgr)
            for row in np.reshape(faces if faces is not None else [], (-1, 15)):
                x, y, bw, bh = (round(v) for v in row[:4])
                boxes.append(FaceBox(max(x, 0), max(y, 0), bw, bh, float(row[-1])))
        else:
            blob = cv2.dnn.blobFromImage(
                bgr, 1.0, (self.input_size, self.input_size), (104.0, 177.0, 123.0), swapRB=False
            )
            self._net.setInput(blob)
            out = np.reshape(self._net.forward(), (-1, 7))
            for _, _, score, x1, y1, x2, y2 in out:
                if score < self.confidence:
                    continue
                x1, x2 = (int(np.clip(v * w, 0, w)) for v in (x1, x2))
                y1, y2 = (int(np.clip(v * h, 0, h)) for v in (y1, y2))
                if x2 > x1 and y2 > y1:
                    boxes.append(FaceBox(x1, y1, x2 - x1, y2 - y1, float(score)))
        return _sorted(boxes)


def face_detector(
    model: str | os.PathLike[str] | None = None,
    config: str | os.PathLike[str] | None = None,
    **options: Any,
) -> FaceDetector:
    """The Haar cascade detector, or a :class:`DnnFaceDetector` when a model file is given."""
    if model is None:
        return HaarFaceDetector(**options)
    return DnnFaceDetector(model, config, **options)
