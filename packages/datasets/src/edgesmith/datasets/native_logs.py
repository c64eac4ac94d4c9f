"""Silence native start-up chatter on file descriptor 2: the kernel's helper, kept under its old name."""

from edgesmith.profiling.native_logs import VERBOSE, quiet_native_stderr

__all__ = ["VERBOSE", "quiet_native_stderr"]
