"""Describe the machine a measurement ran on: CPU model, cores, OS, accelerator and library versions."""

from __future__ import annotations

import functools
import os
import platform
import shutil
import subprocess
from importlib import metadata
from pathlib import Path
from typing import Any

import psutil

LIBRARIES = (
    "numpy",
    "tensorflow",
    "tf-keras",
    "ai-edge-litert",
    "onnxruntime",
    "onnx",
    "tensorrt",
    "apache-tvm",
)


def cpu_model() -> str:
    """The CPU's marketing name (``/proc/cpuinfo`` on Linux, ``platform.processor()`` elsewhere)."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


@functools.cache
def gpu_names() -> tuple[str, ...]:
    """NVIDIA GPUs listed by ``nvidia-smi`` (empty without a driver)."""
    if not shutil.which("nvidia-smi"):
        return ()
    try:
        out = subprocess.run(
            ["nvidia-smi", "--query-gpu=name", "--format=csv,noheader"],
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout
    except (subprocess.SubprocessError, OSError):
        return ()
    return tuple(line.strip() for line in out.splitlines() if line.strip())


def gpu_memory_used_mb(pid: int | None = None) -> float | None:
    """GPU memory (MB) this process holds according to ``nvidia-smi``; None without an NVIDIA GPU."""
    if not gpu_names():
        return None
    pid = pid or os.getpid()
    try:
        out = subprocess.run(
            ["nvidia-smi", "--query-compute-apps=pid,used_memory", "--format=csv,noheader,nounits"],
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout
    except (subprocess.SubprocessError, OSError):
        return None
    used = [
        float(b) for a, b in (line.split(",") for line in out.splitlines() if "," in line) if int(a) == pid
    ]
    return sum(used) if used else 0.0


def library_versions(names: tuple[str, ...] = LIBRARIES) -> dict[str, str]:
    """Installed versions of the inference stack (absent libraries are left out)."""
    out = {}
    for name in names:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return out


def host_info() -> dict[str, Any]:
    """CPU model, physical/logical cores, memory, OS, Python, GPUs and library versions."""
    return {
        "cpu": cpu_model(),
        "cores_physical": psutil.cpu_count(logical=False),
        "cores_logical": psutil.cpu_count(logical=True),
        "memory_gb": round(psutil.virtual_memory().total / 1024**3, 1),
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "gpus": list(gpu_names()),
        "libraries": library_versions(),
    }
