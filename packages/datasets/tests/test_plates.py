"""Plate box CSV read/write and the annotated-image loader on real CSV/JPEG/PNG fixtures."""

import numpy as np
import pytest
from PIL import Image

from edgesmith.datasets import DatasetError, PlateBox, load_plate_dataset, read_plate_csv, write_plate_csv


def test_roundtrip_and_source_example_row(tmp_path):
    boxes = [
        PlateBox("placa_cr1", 4160, 1968, 0.417307692, 0.399898374, 0.5319711540000001, 0.514227642),
        PlateBox("b.png", 64, 48, 0.1, 0.2, 0.5, 0.6),
    ]
    path = write_plate_csv(tmp_path / "boxes.csv", boxes)
    text = path.read_text()
    assert text.splitlines()[0] == "name,width,height,x1,y1,x2,y2"
    assert "placa_cr1,4160,1968,0.417307692,0.399898374,0.5319711540000001,0.514227642" in text
    assert read_plate_csv(path) == boxes
    assert boxes[1].to_pixels() == (6, 10, 32, 29)


def test_reads_headerless_and_source_pandas_header(tmp_path):
    row = "placa_cr1,4160,1968,0.417307692,0.399898374,0.531971154,0.514227642\n"
    (tmp_path / "a.csv").write_text(row)
    (tmp_path / "b.csv").write_text(
        "image_name,image_width,image_height,top_x,top_y,bottom_x,bottom_y\n" + row
    )
    assert read_plate_csv(tmp_path / "a.csv") == read_plate_csv(tmp_path / "b.csv")


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("a,10,10,0.1,0.2,0.3\n", "row 1 has 6 fields"),
        ("a,10,10,0.1,0.2,1.3,0.4\n", "outside \\[0, 1\\]"),
        ("a,10,10,0.5,0.2,0.3,0.4\n", "x2<=x1"),
        ("a,ten,10,0.1,0.2,0.3,0.4\n", "non-numeric"),
        ("", "holds no plate boxes"),
    ],
)
def test_bad_rows(tmp_path, row, message):
    (tmp_path / "bad.csv").write_text(row)
    with pytest.raises(DatasetError, match=message):
        read_plate_csv(tmp_path / "bad.csv")


def test_load_plate_dataset(tmp_path):
    images = tmp_path / "images"
    images.mkdir()
    arr = np.zeros((40, 80, 3), np.uint8)
    arr[10:20, 20:60] = (255, 255, 255)  # the "plate"
    Image.fromarray(arr).save(images / "car1.jpeg", quality=95)
    Image.fromarray(arr[..., 0]).convert("L").save(images / "car2.png")
    boxes = [
        PlateBox("car1", 80, 40, 0.25, 0.25, 0.75, 0.5),
        PlateBox("car2.png", 80, 40, 0.25, 0.25, 0.75, 0.5),
    ]
    csv_path = write_plate_csv(tmp_path / "boxes.csv", boxes)
    ds = load_plate_dataset(csv_path, images, image_size=(20, 40))
    assert ds.x.shape == (2, 20, 40, 3) and ds.x.dtype == np.float32
    assert ds.y.shape == (2, 4)
    np.testing.assert_allclose(ds.y[0], [0.25, 0.25, 0.75, 0.5])
    x1, y1, x2, y2 = (ds.y[0] * [40, 20, 40, 20]).astype(int)
    assert ds.x[0, y1 + 1 : y2 - 1, x1 + 1 : x2 - 1].mean() > 0.9
    assert ds.x[0, :4].mean() < 0.05


def test_missing_image_and_corrupt_image(tmp_path):
    csv_path = write_plate_csv(tmp_path / "b.csv", [PlateBox("gone", 8, 8, 0.1, 0.1, 0.9, 0.9)])
    with pytest.raises(DatasetError, match="no image for annotation 'gone'"):
        load_plate_dataset(csv_path, tmp_path)
    (tmp_path / "gone.jpg").write_bytes(b"not a jpeg")
    with pytest.raises(DatasetError, match="not a readable image"):
        load_plate_dataset(csv_path, tmp_path)
    with pytest.raises(DatasetError, match="does not exist"):
        read_plate_csv(tmp_path / "missing.csv")
