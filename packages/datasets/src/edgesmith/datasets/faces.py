"""Faces for the face study: OpenCV detection (Haar cascade or DNN), square 128×128 crops, identity folders,
video/camera frames, and seeded synthetic identities for offline pipeline tests.

OpenCV is imported on first use (``opencv-python-headless`` 4.x: the Haar cascade files ship inside that wheel
under ``cv2.data.haarcascades``; OpenCV 5 moved them out). Images are RGB ``uint8`` arrays (H, W, 3)::

    from edgesmith.datasets.faces import HaarFaceDetector, crop_faces, crop_face_folder
    faces = crop_faces(rgb, HaarFaceDetector())          # [(FaceBox, 128×128×3 uint8 crop), ...]
    report = crop_face_folder("photos/", "crops/")        # photos/<identity>/*.jpg → crops/<identity>/*.png
    print(report.no_face)                                 # images where no face was found (skipped)
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from edgesmith.datasets.errors import DatasetError
from edgesmith.datasets.files import Progress, existing_dir
from edgesmith.datasets.image_folder import SPLIT_FOLDERS, class_folders, image_files
from edgesmith.datasets.plates import IMAGE_SUFFIXES
from edgesmith.profiling.errors import InputError
from edgesmith.profiling.limits import DEFAULT_MAX_PIXELS, check_image_pixels, image_size

FACE_SIZE = 128
"""Side of the square face crops (pixels), as the face study."""

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


@dataclasses.dataclass
class FaceFolderReport:
    """What :func:`crop_face_folder` did: crops per identity, and the images it skipped (with why)."""

    source: str
    output: str
    classes: tuple[str, ...]
    images: dict[str, int]
    crops: dict[str, int]
    no_face: list[str]
    multi_face: list[str]
    unreadable: list[str]
    detector: str
    size: int

    @property
    def total_images(self) -> int:
        return sum(self.images.values())

    @property
    def total_crops(self) -> int:
        return sum(self.crops.values())

    def to_dict(self) -> dict[str, Any]:
        d = dataclasses.asdict(self)
        d["total_images"], d["total_crops"] = self.total_images, self.total_crops
        return d


def _layout(root: Path) -> list[Path]:
    """The folders that hold identity subfolders: ``root`` itself, or its train/ val/ test/ folders."""
    splits = [root / n for names in SPLIT_FOLDERS.values() for n in names if (root / n).is_dir()]
    return splits or [root]


def identity_images(root: str | os.PathLike[str]) -> dict[str, list[Path]]:
    """Image files per identity (``<split>/<identity>`` keys when train/ val/ test/ exist), validated.

    Fewer than two identity folders, or an identity folder without images, is a DatasetError naming the fix.
    """
    folder = existing_dir(root, "face photo")
    out: dict[str, list[Path]] = {}
    for base in _layout(folder):
        classes = class_folders(base)
        if len(classes) < 2:
            raise DatasetError(
                f"{base} has {len(classes)} identity folder(s) {[c.name for c in classes]}; put each "
                "identity's photos in its own subfolder, at least two (e.g. nico/ and not_nico/)"
            )
        for cls in classes:
            files = image_files(cls)
            if not files:
                raise DatasetError(
                    f"identity folder {cls} has no images ({', '.join(IMAGE_SUFFIXES)}); add photos or "
                    "remove the folder"
                )
            out[str(cls.relative_to(folder))] = files
    return out


def crop_face_folder(
    root: str | os.PathLike[str],
    output: str | os.PathLike[str],
    detector: FaceDetector | None = None,
    size: int = FACE_SIZE,
    margin: float = 0.2,
    progress: Progress | None = None,
) -> FaceFolderReport:
    """Detect the largest face in every image of ``root/<identity>/`` and write its square crop as PNG to
    ``output/<identity>/<name>.png`` (train/ val/ test/ layouts are mirrored).

    Images with no face, or that cannot be read, are skipped and listed in the report (not fatal); an
    identity left with no crop at all is a DatasetError. ``output`` is built in a temporary folder and
    renamed into place, so a failure leaves nothing behind; an existing ``output`` is replaced.
    """
    src = existing_dir(root, "face photo")
    out = Path(output)
    if out.resolve() == src.resolve() or src.resolve() in out.resolve().parents:
        raise DatasetError(f"output {out} must be outside the source folder {src}; pick another folder")
    listed = identity_images(src)
    detector = detector or HaarFaceDetector()
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    report = FaceFolderReport(
        str(src), str(out), tuple(listed), {}, {}, [], [], [], getattr(detector, "name", "custom"), size
    )
    total, done = sum(len(v) for v in listed.values()), 0
    try:
        for key, files in listed.items():
            (tmp / key).mkdir(parents=True, exist_ok=True)
            report.images[key], report.crops[key] = len(files), 0
            for path in files:
                done += 1
                try:
                    img = read_image(path)
                except DatasetError:
                    report.unreadable.append(str(path))
                else:
                    boxes = detector.detect(img)
                    if not boxes:
                        report.no_face.append(str(path))
                    else:
                        if len(boxes) > 1:
                            report.multi_face.append(str(path))
                        rel = path.relative_to(src / key).with_suffix(".png")
                        name = "__".join(rel.parts)
                        write_image(tmp / key / name, square_crop(img, boxes[0], size, margin))
                        report.crops[key] += 1
                if progress is not None:
                    progress(done, total)
            if report.crops[key] == 0:
                raise DatasetError(
                    f"no face found in any of the {len(files)} images of {src / key}; use frontal, well-lit "
                    "photos or a DNN detector (--detector-model)"
                )
        os.chmod(tmp, 0o755)  # mkdtemp makes 0700 folders
        if out.exists():
            shutil.rmtree(out)
        os.replace(tmp, out)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return report


# -- video and camera -----------------------------------------------------------------------------------


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


@dataclasses.dataclass(frozen=True)
class SyntheticIdentity:
    """The fixed traits of one drawn "person": colours and face geometry (relative to the image size)."""

    name: str
    skin: tuple[int, int, int]
    hair: tuple[int, int, int]
    iris: tuple[int, int, int]
    lips: tuple[int, int, int]
    face_w: float
    face_h: float
    eye_spacing: float
    eye_size: float
    brow_width: float
    brow_tilt: float
    mouth_width: float
    nose_length: float
    hair_volume: float


def random_identity(rng: np.random.Generator, name: str) -> SyntheticIdentity:
    """One identity with traits drawn from ``rng`` (distinct identities differ in colour and geometry)."""

    def colour(lo: Sequence[int], hi: Sequence[int]) -> tuple[int, int, int]:
        return tuple(int(v) for v in rng.integers(lo, hi))  # type: ignore[return-value]

    return SyntheticIdentity(
        name=name,
        skin=colour((120, 80, 60), (250, 210, 190)),
        hair=colour((0, 0, 0), (140, 110, 90)),
        iris=colour((20, 20, 20), (120, 160, 170)),
        lips=colour((120, 40, 40), (200, 110, 120)),
        face_w=float(rng.uniform(0.23, 0.30)),
        face_h=float(rng.uniform(0.31, 0.38)),
        eye_spacing=float(rng.uniform(0.34, 0.50)),
        eye_size=float(rng.uniform(0.16, 0.24)),
        brow_width=float(rng.uniform(0.012, 0.035)),
        brow_tilt=float(rng.uniform(-0.02, 0.02)),
        mouth_width=float(rng.uniform(0.22, 0.45)),
        nose_length=float(rng.uniform(0.18, 0.32)),
        hair_volume=float(rng.uniform(0.85, 1.15)),
    )


def draw_face(identity: SyntheticIdentity, rng: np.random.Generator, image_size: int = 160) -> np.ndarray:
    """One RGB uint8 photo of ``identity``: random background, position, scale, tilt, light and noise."""
    cv2 = _cv2()
    n = image_size
    bg = rng.integers(30, 230, 3)
    img = np.empty((n, n, 3), np.float32)
    img[:] = bg
    gradient = np.linspace(-1, 1, n, dtype=np.float32)[None, :, None] * rng.uniform(-30, 30)
    img = np.clip(img + gradient + rng.normal(0, 6, img.shape), 0, 255).astype(np.uint8)
    s = n * rng.uniform(0.9, 1.1)
    cx, cy = n / 2 + rng.uniform(-0.05, 0.05) * n, n / 2 + rng.uniform(-0.04, 0.04) * n
    fw, fh = identity.face_w * s, identity.face_h * s

    def pt(x: float, y: float) -> tuple[int, int]:
        return round(x), round(y)

    def ax(a: float, b: float) -> tuple[int, int]:
        return max(1, round(a)), max(1, round(b))

    hair = tuple(int(v) for v in identity.hair)
    skin = tuple(int(v) for v in identity.skin)
    cv2.ellipse(
        img, pt(cx, cy - fh * 0.25), ax(fw * 1.1 * identity.hair_volume, fh * 0.95), 0, 180, 360, hair, -1
    )
    cv2.ellipse(img, pt(cx, cy), ax(fw, fh), 0, 0, 360, skin, -1)
    ey = cy - fh * 0.18
    brow = tuple(int(v * 0.6) for v in identity.hair)
    for side in (-1, 1):
        x = cx + side * fw * identity.eye_spacing
        cv2.ellipse(img, pt(x, ey), ax(fw * identity.eye_size, fh * 0.09), 0, 0, 360, (235, 235, 235), -1)
        cv2.circle(img, pt(x, ey), max(1, int(fh * 0.07)), tuple(int(v) for v in identity.iris), -1)
        cv2.circle(img, pt(x, ey), max(1, int(fh * 0.03)), (10, 10, 10), -1)
        tilt = side * identity.brow_tilt * s
        cv2.line(
            img,
            pt(x - fw * 0.25, ey - fh * 0.18 + tilt),
            pt(x + fw * 0.25, ey - fh * 0.18 - tilt),
            brow,
            max(1, int(identity.brow_width * s)),
        )
    shade = tuple(int(v * 0.7) for v in identity.skin)
    nose_tip = pt(cx - fw * 0.08, ey + fh * identity.nose_length + fh * 0.05)
    cv2.line(img, pt(cx, ey + fh * 0.05), nose_tip, shade, 2)
    cv2.line(img, nose_tip, pt(cx + fw * 0.06, nose_tip[1] + fh * 0.02), shade, 2)
    cv2.ellipse(
        img, pt(cx, cy + fh * 0.5), ax(fw * identity.mouth_width, fh * 0.06), 0, 0, 180,
        tuple(int(v) for v in identity.lips), -1,
    )  # fmt: skip
    angle = rng.uniform(-8, 8)
    rot = cv2.getRotationMatrix2D((n / 2, n / 2), angle, 1.0)
    img = cv2.warpAffine(img, rot, (n, n), borderMode=cv2.BORDER_REFLECT)
    light = rng.uniform(0.8, 1.2)
    img = np.clip(img.astype(np.float32) * light, 0, 255).astype(np.uint8)
    return cv2.GaussianBlur(img, (3, 3), 0)


def synthetic_identities(
    output: str | os.PathLike[str],
    n_identities: int = 2,
    images_per_identity: int = 20,
    image_size: int = 160,
    seed: int = 0,
    names: Sequence[str] | None = None,
    progress: Progress | None = None,
) -> Path:
    """Write ``output/<identity>/<identity>_NNNN.jpg`` photos of distinct, procedurally drawn identities.

    For pipeline tests and demos only: the Haar cascade finds these cartoon faces, and a classifier can tell
    the identities apart, but accuracy on them says nothing about real photos. ``names`` defaults to
    ``person_00``, ``person_01``, ...; the same ``seed`` gives the same pictures. Written atomically.
    """
    if n_identities < 2:
        raise DatasetError(f"need at least two identities to tell apart, got n_identities={n_identities}")
    if images_per_identity < 1 or image_size < 48:
        raise DatasetError(
            f"images_per_identity must be >= 1 and image_size >= 48 px, "
            f"got {images_per_identity}, {image_size}"
        )
    names = list(names) if names is not None else [f"person_{i:02d}" for i in range(n_identities)]
    if len(names) != n_identities or len(set(names)) != n_identities:
        raise DatasetError(f"pass {n_identities} distinct names, got {names}")
    out = Path(output)
    out.parent.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    identities = [random_identity(rng, name) for name in names]
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    total, done = n_identities * images_per_identity, 0
    try:
        for ident in identities:
            (tmp / ident.name).mkdir()
            for j in range(images_per_identity):
                write_image(tmp / ident.name / f"{ident.name}_{j:04d}.jpg", draw_face(ident, rng, image_size))
                done += 1
                if progress is not None:
                    progress(done, total)
        os.chmod(tmp, 0o755)  # mkdtemp makes 0700 folders
        if out.exists():
            shutil.rmtree(out)
        os.replace(tmp, out)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return out


__all__ = [
    "DEFAULT_CASCADE",
    "FACE_SIZE",
    "DnnFaceDetector",
    "FaceBox",
    "FaceDetector",
    "FaceFolderReport",
    "HaarFaceDetector",
    "SyntheticIdentity",
    "VideoFrames",
    "as_uint8_rgb",
    "crop_face_folder",
    "crop_faces",
    "draw_face",
    "face_detector",
    "identity_images",
    "random_identity",
    "read_image",
    "square_crop",
    "synthetic_identities",
    "write_image",
]
