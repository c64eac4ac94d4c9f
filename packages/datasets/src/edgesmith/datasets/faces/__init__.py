"""Faces for document 000: OpenCV detection (Haar cascade or DNN), square 128×128 crops, identity folders,
video/camera frames, and seeded synthetic identities for offline pipeline tests.

OpenCV is imported on first use (``opencv-python-headless`` 4.x: the Haar cascade files ship inside that wheel
under ``cv2.data.haarcascades``; OpenCV 5 moved them out). Images are RGB ``uint8`` arrays (H, W, 3)::

    from edgesmith.datasets.faces import HaarFaceDetector, crop_faces, crop_face_folder
    faces = crop_faces(rgb, HaarFaceDetector())          # [(FaceBox, 128×128×3 uint8 crop), ...]
    report = crop_face_folder("photos/", "crops/")        # photos/<identity>/*.jpg → crops/<identity>/*.png
    print(report.no_face)                                 # images where no face was found (skipped)

Split by concern: :mod:`.detectors`, :mod:`.crops` (crops and image IO), :mod:`.folders`, :mod:`.video`,
:mod:`.synthetic`; every public name is importable from ``edgesmith.datasets.faces``.
"""

from edgesmith.datasets.faces.crops import crop_faces, read_image, square_crop, write_image
from edgesmith.datasets.faces.detectors import (
    DEFAULT_CASCADE,
    FACE_SIZE,
    DnnFaceDetector,
    FaceBox,
    FaceDetector,
    HaarFaceDetector,
    as_uint8_rgb,
    face_detector,
)
from edgesmith.datasets.faces.folders import FaceFolderReport, crop_face_folder, identity_images
from edgesmith.datasets.faces.synthetic import (
    SyntheticIdentity,
    draw_face,
    random_identity,
    synthetic_identities,
)
from edgesmith.datasets.faces.video import VideoFrames

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
