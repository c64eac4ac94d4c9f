"""Resident-memory measurement for a load: RSS before, peak during, growth (MB).

On Linux the kernel's own high-water mark (``VmHWM``) is reset through ``/proc/self/clear_refs`` so the
peak covers only the measured span, with no sampling thread to disturb the timings; elsewhere a
low-rate sampling thread is the fallback.
"""

from __future__ import annotations

import dataclasses
import threading
from pathlib import Path

import psutil

_STATUS = Path("/proc/self/status")
_CLEAR = Path("/proc/self/clear_refs")
MB = 1024 * 1024


def _vm_hwm() -> int | None:
    try:
        for line in _STATUS.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None


def _reset_hwm() -> bool:
    try:
        _CLEAR.write_text("5")
    except OSError:
        return False
    return True


@dataclasses.dataclass
class MemoryReading:
    """RSS before the span, peak RSS during it and their difference, in MB; ``method`` says how."""

    rss_before_mb: float
    peak_rss_mb: float
    growth_mb: float
    method: str


class PeakRss:
    """Context manager measuring the peak resident set size of this process over a span of code."""

    def __init__(self, interval_s: float = 0.02) -> None:
        self.interval_s = interval_s
        self._proc = psutil.Process()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._peak = 0
        self.reading: MemoryReading | None = None

    def _sample(self) -> None:
        while not self._stop.wait(self.interval_s):
            self._peak = max(self._peak, self._proc.memory_info().rss)

    def __enter__(self) -> PeakRss:
        self._before = self._proc.memory_info().rss
        self._peak = self._before
        self._kernel = _vm_hwm() is not None and _reset_hwm()
        if not self._kernel:
            self._thread = threading.Thread(target=self._sample, daemon=True)
            self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        now = self._proc.memory_info().rss
        if self._kernel:
            peak = max(_vm_hwm() or now, now)
            method = "VmHWM"
        else:
            self._stop.set()
            assert self._thread is not None
            self._thread.join()
            peak = max(self._peak, now)
            method = f"psutil sampling every {self.interval_s * 1000:.0f} ms"
        self.reading = MemoryReading(
            rss_before_mb=self._before / MB,
            peak_rss_mb=peak / MB,
            growth_mb=max(peak - self._before, 0) / MB,
            method=method,
        )
