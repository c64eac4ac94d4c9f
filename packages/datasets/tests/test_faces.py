"""Face detection, square crops, identity folders, video frames and synthetic identities (document 000)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

cv2 = pytest.importorskip("cv2")

from edgesmith.datasets import DatasetError  # noqa: E402
from edgesmith.datasets.faces import (  # noqa: E402
    DnnFaceDetector,
    FaceBox,
    HaarFaceDetector,
    VideoFrames,
    crop_face_folder,
    crop_faces,
    face_detector,
    identity_images,
    read_image,
    square_crop,
    synthetic_identities,
    write_image,
)


@pytest.fixture(scope="module")
def astronaut() -> np.ndarray:
    from skimage import data

    return data.astronaut()


@pytest.fixture(scope="module")
def identities(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return synthetic_identities(tmp_path_factory.mktemp("faces") / "people", 2, 8, seed=3)


def test_haar_finds_the_astronauts_face(astronaut: np.ndarray) -> None:
    boxes = HaarFaceDetector().detect(astronaut)
    assert len(boxes) == 1
    b = boxes[0]
    # Eileen Collins' face sits around x 180-270, y 60-170 in scikit-image's 512×512 photo
    assert 150 < b.x + b.w / 2 < 260 and 80 < b.y + b.h / 2 < 160 and 60 < b.w < 140


def test_no_face_in_a_flat_image() -> None:
    assert HaarFaceDetector().detect(np.full((200, 200, 3), 128, np.uint8)) == []


def test_crop_faces_gives_square_128_crops(astronaut: np.ndarray) -> None:
    (_box, crop), *_ = crop_faces(astronaut)
    assert crop.shape == (128, 128, 3) and crop.dtype == np.uint8
    float_crop = crop_faces(astronaut.astype(np.float32) / 255.0, size=64)[0][1]
    assert float_crop.shape == (64, 64, 3)


def test_square_crop_at_the_border_keeps_its_size() -> None:
    img = np.zeros((50, 80, 3), np.uint8)
    img[:, :40] = 255
    crop = square_crop(img, FaceBox(-10, 30, 40, 30), size=32, margin=0.5)
    assert crop.shape == (32, 32, 3)
    with pytest.raises(DatasetError, match="no area"):
        square_crop(img, FaceBox(0, 0, 0, 10))


def test_synthetic_identities_are_seeded_distinct_and_detectable(tmp_path: Path, identities: Path) -> None:
    again = synthetic_identities(tmp_path / "again", 2, 8, seed=3)
    a = read_image(identities / "person_00" / "person_00_0000.jpg")
    b = read_image(again / "person_00" / "person_00_0000.jpg")
    np.testing.assert_array_equal(a, b)
    other = synthetic_identities(tmp_path / "other", 2, 8, seed=4)
    assert not np.array_equal(a, read_image(other / "person_00" / "person_00_0000.jpg"))
    found = sum(bool(HaarFaceDetector().detect(read_image(p))) for p in sorted(identities.rglob("*.jpg")))
    assert found >= 10  # of 16: the cascade finds most drawn faces
    with pytest.raises(DatasetError, match="at least two"):
        synthetic_identities(tmp_path / "one", 1)


def test_crop_face_folder_lists_images_without_faces(tmp_path: Path, identities: Path) -> None:
    src = tmp_path / "src"
    for cls in ("person_00", "person_01"):
        (src / cls).mkdir(parents=True)
        for p in sorted((identities / cls).glob("*.jpg"))[:3]:
            (src / cls / p.name).write_bytes(p.read_bytes())
    write_image(src / "person_00" / "wall.png", np.full((120, 120, 3), 90, np.uint8))
    (src / "person_01" / "broken.jpg").write_bytes(b"not a jpeg")
    calls: list[tuple[int, int]] = []
    report = crop_face_folder(src, tmp_path / "crops", progress=lambda d, t: calls.append((d, t)))
    assert str(src / "person_00" / "wall.png") in report.no_face
    assert report.unreadable == [str(src / "person_01" / "broken.jpg")]
    assert report.images == {"person_00": 4, "person_01": 4}
    assert calls[-1] == (8, 8)
    for cls, n in report.crops.items():
        crops = sorted((tmp_path / "crops" / cls).glob("*.png"))
        assert len(crops) == n >= 1
        assert read_image(crops[0]).shape == (128, 128, 3)
    assert report.to_dict()["total_crops"] == report.total_crops


def test_bad_identity_folders_fail_with_the_fix(tmp_path: Path) -> None:
    (tmp_path / "one" / "nico").mkdir(parents=True)
    write_image(tmp_path / "one" / "nico" / "a.png", np.zeros((8, 8, 3), np.uint8))
    with pytest.raises(DatasetError, match="at least two"):
        identity_images(tmp_path / "one")
    (tmp_path / "one" / "not_nico").mkdir()
    with pytest.raises(DatasetError, match="not_nico has no images"):
        identity_images(tmp_path / "one")
    with pytest.raises(DatasetError, match="does not exist"):
        identity_images(tmp_path / "missing")


def test_identity_without_any_face_is_fatal_and_leaves_nothing(tmp_path: Path) -> None:
    for cls in ("a", "b"):
        (tmp_path / "src" / cls).mkdir(parents=True)
        write_image(tmp_path / "src" / cls / "x.png", np.full((64, 64, 3), 10, np.uint8))
    with pytest.raises(DatasetError, match="no face found"):
        crop_face_folder(tmp_path / "src", tmp_path / "out")
    assert not (tmp_path / "out").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["src"]


def test_video_frames_report_fps_and_yield_rgb(tmp_path: Path, identities: Path) -> None:
    path = tmp_path / "clip.avi"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 12.0, (160, 160))
    frames = [read_image(p) for p in sorted(identities.rglob("*.jpg"))[:6]]
    for f in frames:
        writer.write(cv2.cvtColor(f, cv2.COLOR_RGB2BGR))
    writer.release()
    with VideoFrames(path) as video:
        assert video.fps == pytest.approx(12.0)
        got = list(video)
    assert [i for i, _, _ in got] == list(range(6))
    assert got[3][1] == pytest.approx(3 / 12.0)
    assert got[0][2].shape == (160, 160, 3)
    assert abs(got[0][2].astype(int) - frames[0].astype(int)).mean() < 12  # MJPG is lossy, same picture
    with VideoFrames(path, max_frames=2, every=2) as video:
        assert [i for i, _, _ in video] == [0, 2]


def test_bad_video_and_absent_camera_have_clear_messages(tmp_path: Path) -> None:
    bad = tmp_path / "clip.mp4"
    bad.write_bytes(b"\x00\x00\x00\x18ftypmp42" + bytes(200))
    with pytest.raises(DatasetError, match="unsupported codec"):
        VideoFrames(bad)
    with pytest.raises(DatasetError, match="does not exist"):
        VideoFrames(tmp_path / "none.mp4")
    with pytest.raises(DatasetError, match="camera 9 is not present"):
        VideoFrames("9")


def test_dnn_detector_errors(tmp_path: Path) -> None:
    with pytest.raises(DatasetError, match="not found"):
        face_detector(tmp_path / "yunet.onnx")
    junk = tmp_path / "yunet.onnx"
    junk.write_bytes(b"junk")
    with pytest.raises(DatasetError, match="cannot load face model"):
        DnnFaceDetector(junk)
    caffe = tmp_path / "res10.caffemodel"
    caffe.write_bytes(b"junk")
    with pytest.raises(DatasetError, match=r"deploy\.prototxt"):
        DnnFaceDetector(caffe)
    other = tmp_path / "model.tflite"
    other.write_bytes(b"junk")
    with pytest.raises(DatasetError, match="unsupported face model"):
        DnnFaceDetector(other)


def test_read_image_errors(tmp_path: Path) -> None:
    with pytest.raises(DatasetError, match="does not exist"):
        read_image(tmp_path / "x.png")
    (tmp_path / "x.png").write_bytes(b"")
    with pytest.raises(DatasetError, match="not a readable image"):
        read_image(tmp_path / "x.png")
