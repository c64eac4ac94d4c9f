"""Seeded synthetic face identities (drawn, not photographed), so pipelines can be tested offline."""

from __future__ import annotations

import dataclasses
import os
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from edgesmith.datasets.errors import DatasetError
from edgesmith.datasets.faces.crops import write_image
from edgesmith.datasets.faces.detectors import _cv2
from edgesmith.datasets.files import Progress


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
