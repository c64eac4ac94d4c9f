"""Resident-memory measurement for a load: RSS before, peak during, growth (MB); and a soak trace of RSS
sampled during a timed loop, so growth per 1,000 runs (a leak) is told apart from load-time growth.

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


class RssTrace:
    """RSS sampled between timed calls (``sample(n)`` after run ``n``), for a loop's growth per 1,000 runs.

    Reading RSS costs microseconds and happens outside the timed span; the growth is the least-squares
    slope of RSS over the run index, so one allocator step does not read as a leak.
    """

    def __init__(self) -> None:
        self._proc = psutil.Process()
        self.runs: list[int] = []
        self.rss: list[int] = []

    def sample(self, n: int) -> None:
        self.runs.append(int(n))
        self.rss.append(self._proc.memory_info().rss)

    @property
    def growth_mb(self) -> float | None:
        """RSS after the last sampled run minus RSS before the first timed run, MB (None: no samples)."""
        if len(self.rss) < 2:
            return None
        return (self.rss[-1] - self.rss[0]) / MB

    @property
    def per_1k_runs_mb(self) -> float | None:
        """Least-squares RSS growth per 1,000 runs, MB (None with fewer than 3 samples)."""
        if len(self.rss) < 3 or self.runs[-1] == self.runs[0]:
            return None
        n = [float(r) for r in self.runs]
        y = [float(v) / MB for v in self.rss]
        mean_n, mean_y = sum(n) / len(n), sum(y) / len(y)
        var = sum((a - mean_n) ** 2 for a in n)
        cov = sum((a - mean_n) * (b - mean_y) for a, b in zip(n, y, strict=True))
        return 1000.0 * cov / var if var else None
