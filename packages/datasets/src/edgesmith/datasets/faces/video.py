"""Frames from a video file or a camera, as RGB arrays, for recognising faces live."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from edgesmith.datasets.errors import DatasetError
from edgesmith.datasets.faces.detectors import _cv2


class VideoFrames:
    """Frames of a video file or camera (an int index, or a digit string) as RGB uint8, with the frame rate.

    Iterating yields ``(frame_index, seconds, rgb)``. ``fps`` is the rate the container or camera reports
    (0.0 when unknown). A file OpenCV cannot decode, or an absent camera, is a one-line DatasetError::

        with VideoFrames("clip.mp4") as video:
            print(video.fps, video.frame_count)
            for index, t, rgb in video: ...
    """

    def __init__(self, source: str | int | os.PathLike[str], max_frames: int | None = None, every: int = 1):
        cv2 = _cv2()
        if every < 1:
            raise DatasetError(f"every must be >= 1 (process one frame in N), got {every}")
        self.max_frames, self.every = max_frames, every
        is_camera = isinstance(source, int) or (isinstance(source, str) and source.isdigit())
        self.source = int(source) if is_camera else Path(source)
        self.is_camera = is_camera
        if not is_camera and not Path(source).is_file():
            raise DatasetError(
                f"video {source} does not exist; check the path (or pass a camera index, e.g. 0)"
            )
        self._cap = cv2.VideoCapture(self.source if is_camera else str(self.source))
        ok = self._cap.isOpened()
        first = None
        if ok:
            ok, first = self._cap.read()
        if not ok or first is None:
            self._cap.release()
            if is_camera:
                raise DatasetError(
                    f"camera {self.source} is not present or busy; plug it in, check /dev/video{self.source} "
                    "and its permissions, or pass a video file"
                )
            raise DatasetError(
                f"cannot decode video {source}: unsupported codec or not a video; convert it, e.g. "
                f"`ffmpeg -i {Path(source).name} -c:v libx264 out.mp4`"
            )
        self._first = first
        self.fps = float(self._cap.get(cv2.CAP_PROP_FPS) or 0.0)
        count = int(self._cap.get(cv2.CAP_PROP_FRAME_COUNT) or 0)
        self.frame_count = count if count > 0 and not is_camera else None
        self.width, self.height = int(first.shape[1]), int(first.shape[0])

    def __iter__(self) -> Iterator[tuple[int, float, np.ndarray]]:
        cv2 = _cv2()
        index, emitted, frame = 0, 0, self._first
        while frame is not None:
            if index % self.every == 0:
                t = index / self.fps if self.fps > 0 else float(index)
                yield index, t, cv2.cvtColor(frame, cv2.COLOR_BGR2RGB)
                emitted += 1
                if self.max_frames is not None and emitted >= self.max_frames:
                    return
            ok, frame = self._cap.read()
            if not ok:
                frame = None
            index += 1

    def close(self) -> None:
        self._cap.release()

    def __enter__(self) -> VideoFrames:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# -- synthetic identities ----------------------------------------------------------------------------
