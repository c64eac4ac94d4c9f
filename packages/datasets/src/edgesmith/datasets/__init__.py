"""Dataset loaders for the real on-disk formats, splits, augmentation and representative-data generators.

Importing this package does not import TensorFlow: loaders return numpy arrays; ``ArrayDataset.to_tf``
imports it (through :mod:`edgesmith.datasets.tf_runtime`) only when called.
"""

from edgesmith.datasets.arrays import ArrayDataset, Splits, split_dataset, split_indices
from edgesmith.datasets.augment import FlipRotate
from edgesmith.datasets.cifar import (
    CIFAR10_CLASSES,
    load_cifar10,
    read_cifar_binary,
    read_cifar_pickle,
    write_cifar_binary,
    write_cifar_pickle,
)
from edgesmith.datasets.cityscapes import CATEGORIES as CITYSCAPES_CATEGORIES
from edgesmith.datasets.cityscapes import (
    label_ids_to_categories,
    load_cityscapes,
    read_cityscapes_split,
)
from edgesmith.datasets.digits import DIGIT_CLASSES, digits_arrays, load_digits_mnist
from edgesmith.datasets.errors import DatasetError
from edgesmith.datasets.image_folder import load_image_folder
from edgesmith.datasets.mnist import load_mnist, parse_idx, read_idx, write_idx
from edgesmith.datasets.plates import (
    PLATE_CSV_HEADER,
    PlateBox,
    load_plate_dataset,
    read_plate_csv,
    write_plate_csv,
)
from edgesmith.datasets.representative import RepresentativeDataset, data_hash, representative_dataset
from edgesmith.datasets.solar_grid import (
    OAHU_SENSOR_COLUMNS,
    OAHU_STATIONS,
    TMY_FILES,
    load_oahu_grid,
    load_tmy,
    synthetic_sensor_grid,
)
from edgesmith.datasets.solar_samples import SolarScaler, solar_maps, solar_windows

__version__ = "0.1.0"

__all__ = [
    "CIFAR10_CLASSES",
    "CITYSCAPES_CATEGORIES",
    "DIGIT_CLASSES",
    "OAHU_SENSOR_COLUMNS",
    "OAHU_STATIONS",
    "PLATE_CSV_HEADER",
    "TMY_FILES",
    "ArrayDataset",
    "DatasetError",
    "FlipRotate",
    "PlateBox",
    "RepresentativeDataset",
    "SolarScaler",
    "Splits",
    "data_hash",
    "digits_arrays",
    "label_ids_to_categories",
    "load_cifar10",
    "load_cityscapes",
    "load_digits_mnist",
    "load_image_folder",
    "load_mnist",
    "load_oahu_grid",
    "load_plate_dataset",
    "load_tmy",
    "parse_idx",
    "read_cifar_binary",
    "read_cifar_pickle",
    "read_cityscapes_split",
    "read_idx",
    "read_plate_csv",
    "representative_dataset",
    "solar_maps",
    "solar_windows",
    "split_dataset",
    "split_indices",
    "synthetic_sensor_grid",
    "write_cifar_binary",
    "write_cifar_pickle",
    "write_idx",
    "write_plate_csv",
]

# Faces (the face study): detection, square crops, identity folders, video frames, synthetic identities.
from edgesmith.datasets.faces import (  # appended section; OpenCV is imported lazily
    FaceBox,
    FaceFolderReport,
    HaarFaceDetector,
    VideoFrames,
    crop_face_folder,
    crop_faces,
    face_detector,
    square_crop,
    synthetic_identities,
)

__all__ += [
    "FaceBox",
    "FaceFolderReport",
    "HaarFaceDetector",
    "VideoFrames",
    "crop_face_folder",
    "crop_faces",
    "face_detector",
    "square_crop",
    "synthetic_identities",
]
