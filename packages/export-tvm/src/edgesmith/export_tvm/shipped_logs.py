"""Tuning logs shipped with the package, one MetaSchedule database per target preset.

Each holds the best record per kernel of the project's shipped models, tuned and measured on that target
(``logs/<preset>/``). ``compile --target <preset>`` applies it when no ``--tuning-log`` is given, so those
models are tuned without the user tuning; ``tune`` seeds a new log with it and extends it.
"""

from __future__ import annotations

from pathlib import Path

from edgesmith.export_tvm.targets import preset_name

LOGS = Path(__file__).with_name("logs")


def shipped_log(target: str | object) -> Path | None:
    """The shipped log for a preset name, or None (not a preset, or nothing measured for it yet)."""
    name = preset_name(target) if isinstance(target, str) else None
    if name is None:
        return None
    path = LOGS / name
    return path if (path / "database_tuning_record.json").is_file() else None


def shipped_presets() -> list[str]:
    """Presets that come with a tuning log."""
    if not LOGS.is_dir():
        return []
    return sorted(p.name for p in LOGS.iterdir() if (p / "database_tuning_record.json").is_file())


__all__ = ["LOGS", "shipped_log", "shipped_presets"]
