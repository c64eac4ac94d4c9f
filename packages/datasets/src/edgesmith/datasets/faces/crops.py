"""Square face crops and the RGB image reading/writing they go through."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import numpy as np

from edgesmith.datasets.errors import DatasetError
from edgesmith.datasets.faces.detectors import (
    FACE_SIZE,
    FaceBox,
    FaceDetector,
    HaarFaceDetector,
    _cv2,
    as_uint8_rgb,
)
from edgesmith.profiling.errors import InputError
from edgesmith.profiling.limits import DEFAULT_MAX_PIXELS, check_image_pixels, image_size


def square_crop(image: np.ndarray, box: FaceBox, size: int = FACE_SIZE, margin: float = 0.2) -> np.ndarray:
    """A ``size``×``size`` uint8 RGB crop centred on ``box``, its side the box's longer side plus ``margin``
    on each side; parts outside the image are filled by edge replication (border faces keep their shape).
    """
    cv2 = _cv2()
    img = as_uint8_rgb(image)
    if box.w <= 0 or box.h <= 0:
        raise DatasetError(f"face box has no area: {box}")
    side = max(2, round(max(box.w, box.h) * (1.0 + 2.0 * margin)))
    cx, cy = box.x + box.w / 2.0, box.y + box.h / 2.0
    x0, y0 = round(cx - side / 2.0), round(cy - side / 2.0)
    h, w = img.shape[:2]
    pad = max(0, -x0, -y0, x0 + side - w, y0 + side - h)
    if pad:
        img = cv2.copyMakeBorder(img, pad, pad, pad, pad, cv2.BORDER_REPLICATE)
    crop = img[y0 + pad : y0 + pad + side, x0 + pad : x0 + pad + side]
    interp = cv2.INTER_AREA if side > size else cv2.INTER_LINEAR
    return cv2.resize(crop, (size, size), interpolation=interp)


def crop_faces(
    image: np.ndarray, detector: FaceDetector | None = None, size: int = FACE_SIZE, margin: float = 0.2
) -> list[tuple[FaceBox, np.ndarray]]:
    """Every face in ``image`` as (box, square crop), largest first; an empty list when there is none."""
    detector = detector or HaarFaceDetector()
    img = as_uint8_rgb(image)
    return [(box, square_crop(img, box, size, margin)) for box in detector.detect(img)]


def read_image(path: str | os.PathLike[str], max_pixels: int | None = DEFAULT_MAX_PIXELS) -> np.ndarray:
    """An image file as uint8 RGB (H, W, 3); a one-line DatasetError for a missing or unreadable file.

    An image whose header claims more than ``max_pixels`` (default 50 MP; None or 0: no limit) is refused
    before it is decoded, so a decompression bomb cannot exhaust memory.
    """
    cv2 = _cv2()
    p = Path(path)
    if not p.is_file():
        raise DatasetError(f"image {p} does not exist; check the path")
    if max_pixels:
        try:
            width, height = image_size(p)
        except InputError:
            pass  # not a format Pillow reads; OpenCV may, and reports it below if not
        else:
            if width * height > max_pixels:
                check_image_pixels(p, max_pixels)
    data = np.fromfile(p, dtype=np.uint8)
    bgr = cv2.imdecode(data, cv2.IMREAD_COLOR) if data.size else None
    if bgr is None:
        raise DatasetError(f"{p} is not a readable image; replace or remove the file")
    return cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)


def write_image(path: str | os.PathLike[str], image: np.ndarray) -> Path:
    """Write an RGB image (format from the suffix) atomically: a temp file in the folder, then a rename."""
    cv2 = _cv2()
    p = Path(path)
    ok, buf = cv2.imencode(p.suffix or ".png", cv2.cvtColor(as_uint8_rgb(image), cv2.COLOR_RGB2BGR))
    if not ok:
        raise DatasetError(f"OpenCV cannot encode {p.suffix!r} images; use .png or .jpg")
    fd, tmp = tempfile.mkstemp(prefix=f".{p.name}.", suffix=".tmp", dir=p.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(buf.tobytes())
        os.chmod(tmp, 0o644)  # mkstemp makes 0600 files; images are shared data
        os.replace(tmp, p)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return p


# -- identity folders --------------------------------------------------------------------------------
