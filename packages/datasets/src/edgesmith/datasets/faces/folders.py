"""Identity folders of photos (``<identity>/*.jpg``, optional train/val/test level) cropped to faces."""

from __future__ import annotations

import dataclasses
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from edgesmith.datasets.errors import DatasetError
from edgesmith.datasets.faces.crops import read_image, square_crop, write_image
from edgesmith.datasets.faces.detectors import FACE_SIZE, FaceDetector, HaarFaceDetector
from edgesmith.datasets.files import Progress, existing_dir
from edgesmith.datasets.image_folder import SPLIT_FOLDERS, class_folders, image_files
from edgesmith.datasets.plates import IMAGE_SUFFIXES


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
