"""The face study's benchmark: per backbone, edgesmith's own-model matrix (``profile_model``) of the exported
Keras model on its test split, scored by accuracy, with the artifacts ``face-recognizer export`` made as the
variants, timed at batch 1/8/32 (50 warm-up, 1,000 timed batches) and each compared with Keras at the same
batch size. Each backbone's matrix is written as the matrix writes it; ``bench.md`` puts them side by side.
"""

from __future__ import annotations

import dataclasses
import json
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from face_recognizer.card import FaceAppError, FaceCard, write_json
from face_recognizer.training import load_face_splits


@dataclasses.dataclass
class FaceBench:
    """One own-model matrix per backbone, plus the protocol they were measured with."""

    matrices: dict[str, Any]  # backbone -> edgesmith.profiling.model_matrix.ModelMatrix
    warmup: int
    runs: int
    budget_s: float | None
    threads: int | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "warmup": self.warmup,
            "runs": self.runs,
            "budget_s": self.budget_s,
            "threads": self.threads,
            "backbones": {name: m.to_dict() for name, m in self.matrices.items()},
        }

    def to_markdown(self) -> str:
        """Every backbone's matrix under its own heading, then the face study's protocol."""
        parts = [f"## {name}\n\n{m.to_markdown()}" for name, m in self.matrices.items()]
        runs = f"{self.runs} timed batches" + (f" (or {self.budget_s:g} s)" if self.budget_s else "")
        foot = (
            f"Protocol (the face study): {self.warmup} warm-up batches, {runs} per batch size, real test "
            "crops; accuracy on each backbone's test split. "
            f"Threads: {self.threads or 'all cores'}.\n"
        )
        return "\n".join(parts) + "\n" + foot

    def save(self, out_dir: str | os.PathLike[str]) -> dict[str, Path]:
        """Each backbone's matrix files in ``out_dir/<backbone>/``, and bench.md, bench.json over all."""
        from edgesmith.profiling.artifacts import atomic_write

        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        paths = {"markdown": out / "bench.md", "json": out / "bench.json"}
        atomic_write(paths["markdown"], self.to_markdown())
        write_json(paths["json"], self.to_dict())
        for name, matrix in self.matrices.items():
            for p in matrix.write(out / name):
                paths[f"{name}/{p.name}"] = p
        return paths


def read_manifest(export_dir: str | os.PathLike[str]) -> dict[str, Any]:
    """The ``manifest.json`` that ``face-recognizer export`` wrote into ``export_dir``."""
    path = Path(export_dir) / "manifest.json"
    if not path.is_file():
        raise FaceAppError(
            f"{export_dir} has no manifest.json; run `face-recognizer export MODEL --out {export_dir}` first"
        )
    try:
        return json.loads(path.read_text())
    except json.JSONDecodeError as exc:
        raise FaceAppError(f"{path} is not valid JSON ({exc.msg}); re-run face-recognizer export") from exc


def exported_variants(manifest: dict[str, Any], wanted: Sequence[str] | None = None) -> list[Any]:
    """The manifest's artifacts after the Keras reference as matrix variants (``wanted`` filters by
    ``--formats`` name, backend or backend-precision); one skipped at export keeps its reason."""
    from edgesmith.profiling.matrix import Variant

    chosen = []
    for art in manifest["artifacts"][1:]:
        names = {art["backend"], f"{art['backend']}-{art['precision']}", art.get("choice")}
        if wanted and not names & set(wanted):
            continue
        chosen.append(
            Variant(
                art["name"],
                art["path"] or "",
                backend=art["backend"],
                precision=art["precision"],
                why_not=art.get("skipped"),
            )
        )
    return chosen


def bench_exports(
    export_dirs: Sequence[str | os.PathLike[str]],
    batch_sizes: Sequence[int] = (1, 8, 32),
    warmup: int = 50,
    runs: int = 1000,
    budget_s: float | None = None,
    threads: int | None = None,
    variants: Sequence[str] | None = None,
    on_step: Callable[[str], None] | None = None,
    out_dir: str | os.PathLike[str] = "face_bench",
) -> FaceBench:
    """Per export folder: the matrix of its Keras model on the model's test split (accuracy), with the
    exported artifacts as variants, at every batch size. Keras is always measured: it is the reference."""
    from edgesmith.profiling.dataspec import Data
    from edgesmith.profiling.model_matrix import profile_model

    if not export_dirs:
        raise FaceAppError("no export folder given; pass the --out folder(s) of `face-recognizer export`")
    if any(int(b) < 1 for b in batch_sizes) or runs < 1 or warmup < 0:
        raise FaceAppError("batch sizes and --runs must be positive and --warmup >= 0")
    step = on_step or (lambda name: None)
    matrices: dict[str, Any] = {}
    for export_dir in export_dirs:
        manifest = read_manifest(export_dir)
        card = FaceCard.from_dict(manifest["face"])
        test = load_face_splits(card).test
        data = Data(
            test.x,
            test.y,
            f"{card.backbone} test split",
            f"{card.crops_dir} (test split {card.test_split:g}, seed {card.seed})",
            classes=tuple(card.classes),
        )
        keras = manifest["artifacts"][0]  # export writes the Keras copy first: the reference
        step(card.backbone)
        matrices[card.backbone] = profile_model(
            keras["path"],
            data,
            metric="accuracy",
            variants=["none"],  # export built the variants; the matrix measures them
            extra=exported_variants(manifest, variants),
            batch_sizes=batch_sizes,
            warmup=warmup,
            runs=runs,
            budget_s=budget_s,
            threads=threads,
            source_name=keras["name"],
            out=Path(out_dir) / card.backbone,
        )
    return FaceBench(matrices, warmup, runs, budget_s, threads)
