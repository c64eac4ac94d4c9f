"""Identify faces in photos, folders and videos: detect every face, classify its crop with any runnable
artifact (.keras, .tflite, .onnx, engines) through edgesmith.profiling's runners, label or mark unknown, draw.
"""

from __future__ import annotations

import dataclasses
import os
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from edgesmith.datasets import DatasetError
from edgesmith.datasets.faces import (
    FaceBox,
    FaceDetector,
    VideoFrames,
    face_detector,
    read_image,
    square_crop,
    write_image,
)
from edgesmith.datasets.plates import IMAGE_SUFFIXES
from edgesmith.profiling.limits import DEFAULT_MAX_PIXELS
from face_recognizer.card import FaceAppError, FaceCard, read_card

VIDEO_SUFFIXES = (".mp4", ".avi", ".mov", ".mkv", ".webm", ".m4v", ".mpg", ".mpeg", ".wmv")
UNKNOWN = "unknown"


@dataclasses.dataclass
class Identification:
    """One face: where, who (or ``unknown``), and how confident the classifier is (0-1)."""

    box: FaceBox
    label: str
    confidence: float
    best: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "box": self.box.to_dict(),
            "label": self.label,
            "confidence": self.confidence,
            "best": self.best,
        }


class Recognizer:
    """A face detector plus a face classifier artifact and its card; ``identify(rgb)`` labels every face."""

    def __init__(
        self,
        model: str | os.PathLike[str],
        detector: FaceDetector | None = None,
        threshold: float | None = None,
        threads: int | None = None,
    ) -> None:
        from edgesmith.profiling import RunnerError, open_runner

        self.card: FaceCard = read_card(model)
        self.threshold = self.card.threshold if threshold is None else threshold
        if not 0.0 <= self.threshold < 1.0:
            raise FaceAppError(f"threshold {self.threshold} must be in [0, 1)")
        try:
            self.detector = detector or face_detector()
            self.runner = open_runner(model, threads=threads)
            self.runner.activate()
        except DatasetError as exc:
            raise FaceAppError(str(exc)) from exc
        except (RunnerError, ValueError, OSError) as exc:
            raise FaceAppError(f"cannot run {model}: {str(exc).splitlines()[0]}") from exc

    def classify(self, crops: np.ndarray) -> list[tuple[str, float, str]]:
        """(label, confidence, best class) for each (N, S, S, 3) uint8 crop."""
        x = crops.astype(np.float32) / 255.0
        out = np.asarray(self.runner.predict(x), dtype=np.float64).reshape(len(x), -1)
        if out.shape[1] == 1:  # sigmoid: P(second class)
            p = out[:, 0]
            probs = np.stack([1.0 - p, p], axis=1)
        else:
            probs = out
        results = []
        for row in probs:
            k = int(row.argmax())
            best = self.card.classes[k]
            conf = float(row[k])
            results.append((best if conf >= self.threshold else UNKNOWN, conf, best))
        return results

    def identify(self, image: np.ndarray) -> list[Identification]:
        """Every face in an RGB image, largest first, labelled (``unknown`` below the threshold)."""
        boxes = self.detector.detect(image)
        if not boxes:
            return []
        size = self.card.image_size
        crops = np.stack([square_crop(image, b, size) for b in boxes])
        return [Identification(b, *r) for b, r in zip(boxes, self.classify(crops), strict=True)]

    def close(self) -> None:
        self.runner.deactivate()


def draw(image: np.ndarray, faces: list[Identification]) -> np.ndarray:
    """A copy of ``image`` with a labelled box per face (green: known, red: unknown)."""
    import cv2

    out = np.ascontiguousarray(image.copy())
    thick = max(1, round(min(out.shape[:2]) / 250))
    for f in faces:
        colour = (220, 40, 40) if f.label == UNKNOWN else (40, 200, 60)
        b = f.box
        cv2.rectangle(out, (b.x, b.y), (b.x + b.w, b.y + b.h), colour, thick)
        text = f"{f.label} {f.confidence:.2f}"
        scale = max(0.4, b.w / 220)
        (tw, th), _ = cv2.getTextSize(text, cv2.FONT_HERSHEY_SIMPLEX, scale, thick)
        y = max(th + 4, b.y)
        cv2.rectangle(out, (b.x, y - th - 4), (b.x + tw + 4, y), colour, -1)
        cv2.putText(out, text, (b.x + 2, y - 3), cv2.FONT_HERSHEY_SIMPLEX, scale, (255, 255, 255), thick)
    return out


@dataclasses.dataclass
class FrameResult:
    """The faces of one image or video frame."""

    source: str
    frame: int | None
    seconds: float | None
    faces: list[Identification]

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "frame": self.frame,
            "seconds": self.seconds,
            "faces": [f.to_dict() for f in self.faces],
        }


def kind_of(source: str) -> str:
    """``camera`` (a digit string), ``dir``, ``video`` (by suffix) or ``image``."""
    if source.isdigit():
        return "camera"
    p = Path(source)
    if p.is_dir():
        return "dir"
    if not p.exists():
        raise FaceAppError(
            f"{source} does not exist; pass an image, a folder, a video file or a camera index"
        )
    return "video" if p.suffix.lower() in VIDEO_SUFFIXES else "image"


def identify_images(
    recognizer: Recognizer,
    source: str,
    out: str | os.PathLike[str] | None = None,
    max_pixels: int | None = DEFAULT_MAX_PIXELS,
    out_all: bool = False,
) -> Iterator[FrameResult]:
    """Identify faces in one image or every image of a folder; with ``out``, write annotated copies there
    (a file path for one image, a folder for a folder)."""
    p = Path(source)
    files = (
        sorted(f for f in p.rglob("*") if f.suffix.lower() in IMAGE_SUFFIXES and not f.name.startswith("."))
        if p.is_dir()
        else [p]
    )
    if not files:
        raise FaceAppError(f"no images ({', '.join(IMAGE_SUFFIXES)}) in {source}")
    out_path = Path(out) if out is not None else None
    if out_path is not None and p.is_dir():
        out_path.mkdir(parents=True, exist_ok=True)
    for f in files:
        try:
            rgb = read_image(f, max_pixels)
        except DatasetError as exc:
            raise FaceAppError(str(exc)) from exc
        faces = recognizer.identify(rgb)
        if out_path is not None and (faces or out_all):  # no copy of a photo without a face, unless asked
            target = out_path / f.relative_to(p).with_suffix(".jpg") if p.is_dir() else out_path
            target.parent.mkdir(parents=True, exist_ok=True)
            write_image(target, draw(rgb, faces))
        yield FrameResult(str(f), None, None, faces)


@dataclasses.dataclass
class VideoStats:
    """Frame rate the source reports, frames processed and the processing rate achieved."""

    source_fps: float
    frames: int = 0
    seconds: float = 0.0

    @property
    def processing_fps(self) -> float:
        return self.frames / self.seconds if self.seconds else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "source_fps": self.source_fps,
            "frames": self.frames,
            "seconds": self.seconds,
            "processing_fps": self.processing_fps,
        }


def identify_video(
    recognizer: Recognizer,
    source: str,
    out: str | os.PathLike[str] | None = None,
    max_frames: int | None = None,
    every: int = 1,
    stats: VideoStats | None = None,
) -> Iterator[FrameResult]:
    """Identify faces frame by frame in a video file or camera; with ``out``, write an annotated video
    (MJPG ``.avi`` or ``mp4v`` ``.mp4``) renamed into place when done. ``stats`` is filled as frames go."""
    import cv2

    try:
        video = VideoFrames(source, max_frames=max_frames, every=every)
    except DatasetError as exc:
        raise FaceAppError(str(exc)) from exc
    if stats is not None:
        stats.source_fps = video.fps
    writer = tmp = None
    if out is not None:
        out_path = Path(out)
        if out_path.suffix.lower() not in (".avi", ".mp4"):
            video.close()
            raise FaceAppError(f"video output {out_path} must end in .avi (MJPG) or .mp4 (mp4v)")
        out_path.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix=f".{out_path.stem}.", suffix=out_path.suffix, dir=out_path.parent)
        os.close(fd)
        tmp = Path(name)
        fourcc = cv2.VideoWriter_fourcc(*("MJPG" if out_path.suffix.lower() == ".avi" else "mp4v"))
        rate = (video.fps or 25.0) / every
        writer = cv2.VideoWriter(str(tmp), fourcc, rate, (video.width, video.height))
    done = False
    try:
        with video:
            for index, t, rgb in video:
                t0 = time.perf_counter()
                faces = recognizer.identify(rgb)
                if writer is not None:
                    writer.write(cv2.cvtColor(draw(rgb, faces), cv2.COLOR_RGB2BGR))
                if stats is not None:
                    stats.frames += 1
                    stats.seconds += time.perf_counter() - t0
                yield FrameResult(str(source), index, t, faces)
        done = True
    finally:
        if writer is not None and tmp is not None:
            writer.release()
            if done:
                os.chmod(tmp, 0o644)  # mkstemp makes 0600 files
                os.replace(tmp, Path(out))  # type: ignore[arg-type]
            else:
                tmp.unlink(missing_ok=True)
