"""ONNX -> TensorRT engine with the TensorRT 10 Python API: FP32/FP16/INT8, dynamic-batch profile, sidecar.

Steps, each a small function as in Polygraphy's loaders: parse the ONNX into a network, add an
optimization profile for the batch axis, configure precision (INT8 through an entropy calibrator fed by
:class:`CalibrationBatcher` with a reusable :class:`CalibrationCache`), build the serialized engine and
write it atomically with ``<engine>.json``. All input validation happens before TensorRT is imported,
so bad options fail the same way on machines without a GPU.
"""

from __future__ import annotations

import dataclasses
import os
import platform
from pathlib import Path
from typing import Any

from edgesmith.export_trt.calibration import CalibrationBatcher, CalibrationCache, check_sample_shape
from edgesmith.export_trt.errors import ExportError, TensorRTUnavailable
from edgesmith.export_trt.gpu import CudaSession, import_tensorrt
from edgesmith.export_trt.layer_precision import keep_fp32
from edgesmith.export_trt.onnx_export import check_onnx, onnx_io
from edgesmith.profiling.artifacts import atomic_write, file_hash, write_sidecar

PRECISIONS = ("fp32", "fp16", "int8")


@dataclasses.dataclass(frozen=True)
class BuildConfig:
    """How to build an engine: precision, batch profile (min/opt/max), workspace (MiB), calibration."""

    precision: str = "fp32"
    min_batch: int = 1
    opt_batch: int = 1
    max_batch: int = 8
    workspace_mib: int = 1024
    calibration: CalibrationBatcher | None = None
    cache_path: Path | None = None
    device: int = 0
    fp32_layers: tuple[str, ...] = ()  # Keras layers kept FP32 in an INT8/FP16 engine (layer_precision)

    def validate(self) -> None:
        """One-line errors for bad options, raised before any TensorRT work."""
        if self.precision not in PRECISIONS:
            raise ExportError(f"precision {self.precision!r} is not one of {', '.join(PRECISIONS)}")
        if not 1 <= self.min_batch <= self.opt_batch <= self.max_batch:
            raise ExportError(
                f"batch profile must satisfy 1 <= min <= opt <= max, got {self.min_batch}/{self.opt_batch}/"
                f"{self.max_batch}"
            )
        if self.workspace_mib < 1:
            raise ExportError(f"workspace must be >= 1 MiB, got {self.workspace_mib}")
        if self.precision == "int8":
            has_cache = self.cache_path is not None and CalibrationCache(self.cache_path).exists()
            if self.calibration is None and not has_cache:
                raise ExportError(
                    "an INT8 build needs calibration data (--calib-data samples.npy) or an existing "
                    "calibration cache (--calib-cache FILE)"
                )


@dataclasses.dataclass(frozen=True)
class EngineBuild:
    """The engine written, its sidecar and the facts recorded in it."""

    path: Path
    sidecar: Path
    precision: str
    tensorrt_version: str
    gpu: str
    calibration_cache_reused: bool
    size_bytes: int


def parse_onnx(trt: Any, builder: Any, logger: Any, onnx_path: Path) -> Any:
    """A TensorRT network definition from an ONNX file; parser errors become one ExportError line."""
    network = builder.create_network(0)  # TensorRT 10: explicit batch is the only mode
    parser = trt.OnnxParser(network, logger)
    if not parser.parse_from_file(str(onnx_path)):
        errors = [str(parser.get_error(i)).strip().splitlines()[0] for i in range(parser.num_errors)]
        first = errors[0] if errors else "unknown parser error"
        raise ExportError(f"{onnx_path}: TensorRT's ONNX parser rejected the model ({first})")
    return network, parser


def add_batch_profile(builder: Any, config: Any, network: Any, cfg: BuildConfig) -> Any:
    """Optimization profile min/opt/max over axis 0 of every input; other dims must be static."""
    profile = builder.create_optimization_profile()
    for i in range(network.num_inputs):
        tensor = network.get_input(i)
        shape = tuple(tensor.shape)
        rest = shape[1:]
        if any(d < 0 for d in rest):
            raise ExportError(
                f"input {tensor.name!r} has dynamic non-batch dims {shape}; re-export with fixed spatial dims"
            )
        if shape[0] >= 0:
            fixed = (shape[0], *rest)
            profile.set_shape(tensor.name, fixed, fixed, fixed)
        else:
            profile.set_shape(
                tensor.name, (cfg.min_batch, *rest), (cfg.opt_batch, *rest), (cfg.max_batch, *rest)
            )
    config.add_optimization_profile(profile)
    return profile


def entropy_calibrator(
    trt: Any, cuda: Any, batcher: CalibrationBatcher | None, cache: CalibrationCache
) -> Any:
    """An ``IInt8EntropyCalibrator2`` that copies each batch to the GPU and reuses/writes the cache."""

    class EntropyCalibrator(trt.IInt8EntropyCalibrator2):
        def __init__(self) -> None:
            trt.IInt8EntropyCalibrator2.__init__(self)
            self.batcher = batcher
            self.device_mem = cuda.mem_alloc(batcher.batch_nbytes) if batcher is not None else None

        def get_batch_size(self) -> int:
            return self.batcher.batch_size if self.batcher is not None else 1

        def get_batch(self, names: list[str]) -> list[int] | None:
            if self.batcher is None:
                return None
            batch = self.batcher.next_batch()
            if batch is None:
                return None
            cuda.memcpy_htod(self.device_mem, batch)
            return [int(self.device_mem)]

        def read_calibration_cache(self) -> bytes | None:
            return cache.read(batcher.data_hash if batcher is not None else None)

        def write_calibration_cache(self, data: Any) -> None:
            cache.write(
                bytes(data),
                data_hash=batcher.data_hash if batcher is not None else None,
                samples=batcher.samples_used if batcher is not None else 0,
            )

    return EntropyCalibrator()


def configure_precision(
    trt: Any, config: Any, profile: Any, cfg: BuildConfig, cuda: Any, cache: CalibrationCache
) -> Any:
    """Set FP16/INT8 builder flags (TensorRT 10) and attach the calibrator; returns it (keep it alive)."""
    if cfg.precision == "fp32":
        return None
    major = int(str(trt.__version__).split(".")[0])
    if major >= 11:
        raise TensorRTUnavailable(
            f"TensorRT {trt.__version__} removed the FP16/INT8 builder flags and calibrators; install "
            "TensorRT 10 (`pip install 'tensorrt>=10.1,<11'`) or build fp32 from a Q/DQ-quantized ONNX"
        )
    if cfg.precision == "fp16":
        config.set_flag(trt.BuilderFlag.FP16)
        return None
    config.set_flag(trt.BuilderFlag.INT8)
    config.set_flag(trt.BuilderFlag.FP16)  # layers TensorRT cannot run in INT8 may fall back to FP16
    calibrator = entropy_calibrator(trt, cuda, cfg.calibration, cache)
    config.int8_calibrator = calibrator
    config.set_calibration_profile(profile)
    return calibrator


def build_engine(
    onnx_path: str | os.PathLike[str], engine_path: str | os.PathLike[str], cfg: BuildConfig
) -> EngineBuild:
    """Build ``engine_path`` (and ``<engine>.json``) from ``onnx_path``; nothing is written on failure."""
    onnx_path, engine_path = Path(onnx_path), Path(engine_path)
    cfg.validate()
    onnx_model = check_onnx(onnx_path)
    inputs, _ = onnx_io(onnx_model)
    if cfg.precision == "int8" and cfg.calibration is not None:
        if len(inputs) != 1:
            raise ExportError(
                f"{onnx_path.name}: INT8 calibration supports single-input models, got {len(inputs)}"
            )
        check_sample_shape(cfg.calibration.samples, inputs[0][1])
    cache_path = cfg.cache_path or engine_path.with_suffix(".calib.cache")
    cache = CalibrationCache(cache_path)

    trt = import_tensorrt()
    with CudaSession(cfg.device) as session:
        logger = trt.Logger(trt.Logger.WARNING)
        builder = trt.Builder(logger)
        network, _parser = parse_onnx(trt, builder, logger, onnx_path)
        config = builder.create_builder_config()
        config.set_memory_pool_limit(trt.MemoryPoolType.WORKSPACE, cfg.workspace_mib << 20)
        profile = add_batch_profile(builder, config, network, cfg)
        _calibrator = configure_precision(trt, config, profile, cfg, session.cuda, cache)
        pinned = keep_fp32(trt, network, config, cfg.fp32_layers) if cfg.fp32_layers else []
        serialized = builder.build_serialized_network(network, config)
        if serialized is None:
            raise ExportError(
                f"TensorRT could not build an engine from {onnx_path.name} at {cfg.precision}; rerun with "
                "a larger --workspace or another precision (the TensorRT log above says which layer failed)"
            )
        data = bytes(serialized)
        gpu = session.name

    atomic_write(engine_path, data)
    calib = cfg.calibration
    payload = {
        "artifact": engine_path.name,
        "format": "tensorrt-engine",
        "source_model": onnx_path.name,
        "source_model_hash": file_hash(onnx_path),
        "precision": cfg.precision,
        "batch_profile": {"min": cfg.min_batch, "opt": cfg.opt_batch, "max": cfg.max_batch},
        "workspace_mib": cfg.workspace_mib,
        "gpu": gpu,
        "tool_versions": {"tensorrt": trt.__version__, "python": platform.python_version()},
        "calibration": None
        if cfg.precision != "int8"
        else {
            "samples": calib.samples_used if calib is not None else cache.metadata().get("samples"),
            "data_hash": calib.data_hash if calib is not None else cache.metadata().get("data_hash"),
            "batch_size": calib.batch_size if calib is not None else None,
            "cache": str(cache.path),
            "cache_reused": cache.reused,
        },
        "metrics": {"size_bytes": len(data)},
        "fp32_layers": {"keras": list(cfg.fp32_layers), "tensorrt": pinned} if cfg.fp32_layers else None,
    }
    sidecar = write_sidecar(engine_path, payload)
    return EngineBuild(
        path=engine_path,
        sidecar=sidecar,
        precision=cfg.precision,
        tensorrt_version=trt.__version__,
        gpu=gpu,
        calibration_cache_reused=cache.reused,
        size_bytes=len(data),
    )


__all__ = ["PRECISIONS", "BuildConfig", "EngineBuild", "build_engine", "entropy_calibrator"]
