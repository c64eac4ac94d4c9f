"""The face model card: what a trained face classifier needs at inference (classes, input size, threshold),
stored in the model's sidecar JSON under ``metadata.face`` and copied into every exported artifact's sidecar.
"""

from __future__ import annotations

import dataclasses
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from edgesmith.profiling.artifacts import load_sidecar, sidecar_path, update_sidecar
from edgesmith.profiling.errors import EdgesmithError

SPLITS = {"val_split": 0.27, "test_split": 0.09}
"""The face study's 700 / 300 / 100 split of 1,100 images, as ratios (≈ 64 % / 27 % / 9 %)."""


class FaceAppError(EdgesmithError, RuntimeError):
    """A one-line problem with the inputs of a face-recognizer step, with the fix in its message."""


@dataclasses.dataclass
class FaceCard:
    """Inference facts of a face classifier and where its training data lives."""

    backbone: str
    classes: tuple[str, ...]
    image_size: int
    threshold: float = 0.6
    weights: str = "none"
    crops_dir: str | None = None
    seed: int = 0
    val_split: float = SPLITS["val_split"]
    test_split: float = SPLITS["test_split"]
    metrics: dict[str, Any] = dataclasses.field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        d = dataclasses.asdict(self)
        d["classes"] = list(self.classes)
        return d

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FaceCard:
        names = {f.name for f in dataclasses.fields(cls)}
        kwargs = {k: v for k, v in data.items() if k in names}
        kwargs["classes"] = tuple(kwargs.get("classes", ()))
        return cls(**kwargs)


def sidecar_of(artifact: str | os.PathLike[str]) -> Path:
    """``<artifact>.json`` (a SavedModel directory's sidecar sits beside the directory)."""
    return sidecar_path(artifact)


def read_card(artifact: str | os.PathLike[str]) -> FaceCard:
    """The face card of a trained or exported model, from its sidecar; a FaceAppError when there is none.

    The card is the sidecar's ``face`` key (models saved before it lived there kept it in ``metadata``).
    """
    if not Path(artifact).exists():
        raise FaceAppError(
            f"model {artifact} does not exist; train one with `face-recognizer train DATA_DIR`"
        )
    try:
        side = load_sidecar(artifact)
    except ValueError as exc:
        raise FaceAppError(f"{exc}; re-run train or export") from exc
    if side is None:
        raise FaceAppError(
            f"{sidecar_of(artifact).name} is missing next to {artifact}; use a model made by "
            "`face-recognizer train/export`"
        )
    face = side.extra.get("face") or (side.extra.get("metadata") or {}).get("face")
    if not face:
        raise FaceAppError(
            f"{sidecar_of(artifact).name} has no face card (classes, input size); use a model made by "
            "`face-recognizer train`"
        )
    return FaceCard.from_dict(face)


def merge_into_sidecar(artifact: str | os.PathLike[str], extra: dict[str, Any]) -> None:
    """Add top-level keys (the face card, test accuracy) to an artifact's sidecar, atomically."""
    update_sidecar(artifact, extra=extra)


def write_json(path: str | os.PathLike[str], data: Any) -> Path:
    """Write JSON atomically (temp file in the same folder, then rename)."""
    p = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{p.name}.", suffix=".tmp", dir=p.parent)
    try:
        with os.fdopen(fd, "w") as fh:
            json.dump(data, fh, indent=2, default=str)
            fh.write("\n")
        os.chmod(tmp, 0o644)  # mkstemp makes 0600 files
        os.replace(tmp, p)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return p
