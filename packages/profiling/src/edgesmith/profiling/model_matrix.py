"""A user's own model to a decision table: build every variant the installed exporters reach, measure, decide.

``profile_model("mobilenet.keras", "photos/", preprocess="mobilenet")`` plans one variant per exporter
family × precision registered under ``edgesmith.exporters`` (a family that cannot take this source is
reached through another, e.g. Keras → ONNX → TVM), builds each into ``out/artifacts`` with its sidecar
(cached: a second run with the same model, data and options rebuilds nothing), measures every artifact
with the profiler's runners on the same preprocessed pixels, and picks the variant to ship. A variant that
cannot be built here is a row that says why and what to install.
"""

from __future__ import annotations

import dataclasses
import json
import os
import shlex
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from edgesmith.profiling.artifacts import atomic_write, file_hash
from edgesmith.profiling.dataspec import Data, DataError, load_data
from edgesmith.profiling.decision import Decision, decide
from edgesmith.profiling.evaluation import predict_all
from edgesmith.profiling.matrix import (
    MatrixResult,
    MatrixRow,
    Variant,
    _ratios,
    measure_isolated,
    measure_variant_batches,
)
from edgesmith.profiling.metrics import Metric, get_metric, unlabeled_metric
from edgesmith.profiling.preprocess import Preprocess
from edgesmith.profiling.registry import open_runner
from edgesmith.profiling.runner import RunnerError
from edgesmith.profiling.shapes import format_dims, resolve

KERAS_SUFFIXES = (".keras", ".h5", ".hdf5")
KNOWN_FAMILIES = {
    "tflite": "edgesmith-quantize",
    "onnx": "edgesmith-export-trt",
    "tensorrt": "'edgesmith-export-trt[gpu]'",
    "tvm": "edgesmith-export-tvm",
    "edgetpu": "edgesmith-export-edgetpu",
}
"""The project's exporter families and the package that registers each: a variant named from one that is not
installed is a row saying what to install, not an error (a typo still is one)."""
SOURCE_FORMATS = ("keras", "onnx", "tflite")


class MatrixError(RunnerError):
    """The matrix cannot start (bad source model, data that does not fit it); the message says the fix."""


def source_format(path: str | os.PathLike[str]) -> str:
    """``keras`` (.keras/.h5 or a SavedModel folder), ``onnx`` or ``tflite``; anything else is an error."""
    p = Path(path)
    if not p.exists():
        raise MatrixError(f"no such model ({p}): check the path")
    name = p.name.lower()
    if p.is_dir():
        if (p / "saved_model.pb").is_file():
            return "keras"
        raise MatrixError(f"folder without saved_model.pb ({p}): pass a SavedModel folder or a model file")
    if name.endswith(KERAS_SUFFIXES):
        return "keras"
    for fmt in ("onnx", "tflite"):
        if name.endswith(f".{fmt}"):
            return fmt
    raise MatrixError(f"unknown model format ({p}): pass a .keras/.h5/SavedModel, .onnx or .tflite file")


# -- the plan ------------------------------------------------------------------------------------------
@dataclasses.dataclass
class PlannedVariant:
    """One variant to build: ``family-precision``, built from the source or through ``via``."""

    name: str
    family: str
    precision: str
    via: str | None = None
    why_not: str | None = None


def exporters() -> dict[str, Any]:
    """The exporters registered under ``edgesmith.exporters``, by family name (broken plugins left out)."""
    try:
        from edgesmith.profiling.exporters import ExporterError, exporter_names, get_exporter
    except ImportError:  # an edgesmith-profiling without the exporter registry: measure given artifacts only
        return {}

    found = {}
    for name in exporter_names():
        try:
            found[name] = get_exporter(name)
        except ExporterError:
            continue
    return found


def _hop(fmt: str, family: str, precision: str, found: dict[str, Any]) -> str | None:
    """The intermediate variant a ``family`` exporter that cannot take ``fmt`` is reached through: a
    usable family it accepts that takes ``fmt``, at ``precision`` when that family has it, else fp32."""
    exp = found[family]
    for g in sorted(found, key=lambda g: (precision not in found[g].precisions, g)):
        other = found[g]
        if g in exp.sources and g != family and fmt in other.sources and other.unavailable() is None:
            if precision in other.precisions:
                return f"{g}-{precision}"
            if "fp32" in other.precisions:
                return f"{g}-fp32"
    return None


def plan_variants(
    fmt: str, found: dict[str, Any], wanted: Sequence[str] | None = None, *, opt_in: bool = False
) -> list[PlannedVariant]:
    """Every ``family-precision`` the exporters offer for a ``fmt`` source (``wanted`` filters by variant or
    family name). A family that does not take ``fmt`` goes through one that does; when the exporter named
    like the source format takes it (ONNX → fixed, simplified ONNX), every family that reads that format
    goes through it, so TVM and TensorRT see the simplified graph. Costly opt-in precisions (a guarded
    int8 search) are planned when named in ``wanted`` or when ``opt_in`` is set."""
    plans: list[PlannedVariant] = []
    wanted_set = {w.strip().lower() for w in wanted or () if w.strip()}
    if wanted_set == {"none"}:  # only the source (and any artifacts the user passes)
        return plans
    normalizer = (
        fmt if fmt in found and fmt in found[fmt].sources and "fp32" in found[fmt].precisions else None
    )
    for family in sorted(found):
        exp = found[family]
        for precision in exp.precisions:
            name = f"{family}-{precision}"
            if wanted_set and name not in wanted_set and family not in wanted_set:
                continue
            if precision in getattr(exp, "opt_in", ()) and name not in wanted_set and not opt_in:
                continue  # a costly variant (tflite-int8-guarded searches) runs only when named
            plan = PlannedVariant(name, family, precision)
            why = exp.unavailable()
            on_request = getattr(exp, "on_request", {}).get(precision)
            if on_request and name not in wanted_set:
                plan.why_not = f"on request: {on_request}"  # a row that says how to get it
            elif why:
                plan.why_not = why
            elif normalizer and family != normalizer and normalizer in exp.sources:
                plan.via = f"{normalizer}-fp32"
            elif fmt not in exp.sources:
                plan.via = _hop(fmt, family, precision, found)
                if plan.via is None:
                    plan.why_not = f"needs a {'/'.join(exp.sources)} source (this model is {fmt})"
            plans.append(plan)
    if wanted_set:
        for name in sorted(wanted_set - {"none"}):
            family, _, precision = name.partition("-")
            if family not in found and family in KNOWN_FAMILIES:  # named, but its package is not installed
                why = f"no {family} exporter is installed here: pip install {KNOWN_FAMILIES[family]}"
                plans.append(PlannedVariant(name, family, precision or "", why_not=why))
        known = {p.name for p in plans} | {p.family for p in plans}
        unknown = sorted(wanted_set - known)
        if unknown:
            offered = ", ".join(f"{f}-{p}" for f in sorted(found) for p in found[f].precisions) or "none"
            raise MatrixError(f"unknown variant {unknown[0]!r} (--variants): offered here: {offered}")
    return plans


# -- building with a cache -----------------------------------------------------------------------------
class _Cache:
    """``out/artifacts/cache.json``: each built variant's path and the key it was built with."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / "cache.json"
        try:
            self.entries: dict[str, Any] = json.loads(self.path.read_text()) if self.path.is_file() else {}
        except (OSError, ValueError):
            self.entries = {}

    def get(self, name: str, key: dict[str, Any]) -> Path | None:
        e = self.entries.get(name)
        if e and e.get("key") == key and Path(e["path"]).exists():
            return Path(e["path"])
        return None

    def put(self, name: str, key: dict[str, Any], path: Path) -> None:
        self.entries[name] = {"key": key, "path": str(path)}
        atomic_write(self.path, json.dumps(self.entries, indent=2, sort_keys=True) + "\n")


@dataclasses.dataclass
class BuildContext:
    """What every build shares: the source, exporters, calibration data, options, cache and progress."""

    source: Path
    fmt: str
    found: dict[str, Any]
    calibration: Data
    options: dict[str, dict[str, Any]]  # per exporter family
    folder: Path
    progress: _Progress
    source_precision: str | None = None
    cache: _Cache = dataclasses.field(init=False)
    built: dict[str, tuple[Path, bool]] = dataclasses.field(default_factory=dict)
    build_s: dict[str, float] = dataclasses.field(default_factory=dict)  # conversion wall time, this run

    def __post_init__(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        self.cache = _Cache(self.folder)


def _calibration_source(ctx: BuildContext, label: str) -> Callable[[], Iterable[np.ndarray]]:
    batches = ctx.calibration.calibration(batch_size=1)

    def source() -> Iterator[np.ndarray]:
        with ctx.progress.task(f"calibrating {label}", len(ctx.calibration)) as advance:
            for b in batches():
                yield b
                advance()

    return source


def _suffix(family: str) -> str:
    """The file suffix the ``family`` runner recognises (runner and exporter share the family name)."""
    from edgesmith.profiling.registry import runner_class

    try:
        suffixes = runner_class(family).suffixes
    except RunnerError:
        suffixes = ()
    return suffixes[0] if suffixes else f".{family}"


def _source_artifact(path: Path, ctx: BuildContext) -> Any:
    """The artifact to export from; a user's model without a sidecar gets the precision its runner reads
    from the file (an fp16-weight .tflite is fp16, not "unknown"), so no variant is mislabelled."""
    from edgesmith.profiling.artifacts import Artifact

    art = Artifact.open(path)
    if art.precision == "unknown" and path == ctx.source and ctx.source_precision:
        art = Artifact(art.path, dataclasses.replace(art.sidecar, precision=ctx.source_precision))
    return art


def build_variant(
    ctx: BuildContext, plan: PlannedVariant, plans: dict[str, PlannedVariant]
) -> tuple[Path, bool]:
    """The variant's artifact path and whether it came from the cache (building ``via`` first if needed)."""
    if plan.name in ctx.built:
        return ctx.built[plan.name]
    from edgesmith.profiling.artifacts import CalibrationInfo
    from edgesmith.profiling.exporters import export

    source = ctx.source
    if plan.via:
        family, precision = plan.via.split("-", 1)
        hop = plans.get(plan.via) or PlannedVariant(plan.via, family, precision)
        source, _ = build_variant(ctx, hop, plans)
    key = {
        "exporter": plan.family,
        "precision": plan.precision,
        "source": str(source),
        "source_hash": file_hash(source),
        "calibration": ctx.calibration.fingerprint() if plan.precision.startswith("int8") else None,
        "options": {k: str(v) for k, v in sorted(_plan_options(ctx, plan).items())},
    }
    cached = ctx.cache.get(plan.name, key)
    if cached is not None:
        ctx.built[plan.name] = (cached, True)
        return ctx.built[plan.name]
    info = ctx.calibration.to_dict()
    calibration_info = CalibrationInfo(
        spec=info["spec"], hash=info["hash"], preprocess=info["preprocess"], samples=info["samples"]
    )
    dest = ctx.folder / f"{ctx.source.stem}-{plan.name}{_suffix(plan.family)}"
    started = time.perf_counter()
    with ctx.progress.task(f"converting {plan.name}", None):
        artifact = export(
            _source_artifact(source, ctx),
            plan.name,
            dest,
            calibration=_calibration_source(ctx, plan.name) if plan.precision.startswith("int8") else None,
            calibration_info=calibration_info if plan.precision.startswith("int8") else None,
            **_plan_options(ctx, plan),
        )
    path = Path(artifact.path)
    ctx.build_s[plan.name] = round(time.perf_counter() - started, 2)
    ctx.cache.put(plan.name, key, path)
    ctx.built[plan.name] = (path, False)
    return ctx.built[plan.name]


# -- progress --------------------------------------------------------------------------------------------
class _Progress:
    """One rich progress display on stderr for conversion, calibration and timing (no-op when disabled)."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self._p: Any = None

    def __enter__(self) -> _Progress:
        if self.enabled:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

            self._p = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                transient=True,
                console=Console(stderr=True),
            )
            self._p.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._p is not None:
            self._p.__exit__(*exc)

    class _Task:
        def __init__(self, owner: _Progress, label: str, total: int | None) -> None:
            self.owner, self.label, self.total = owner, label, total
            self.id: Any = None

        def __enter__(self) -> Callable[[], None]:
            p = self.owner._p
            if p is None:
                return lambda: None
            self.id = p.add_task(self.label, total=self.total)
            return lambda: p.update(self.id, advance=1)

        def __exit__(self, *exc: object) -> None:
            if self.id is not None:
                self.owner._p.remove_task(self.id)

    def task(self, label: str, total: int | None) -> _Progress._Task:
        return _Progress._Task(self, label, total)


# -- the whole command -------------------------------------------------------------------------------------
@dataclasses.dataclass
class ModelMatrix:
    """The measured table, the decision, and what it was measured on."""

    model: str
    source_format: str
    result: MatrixResult
    decision: Decision
    data: dict[str, Any]
    calibration: dict[str, Any]
    input_shapes: dict[str, list[int]]
    out: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "source_format": self.source_format,
            "data": self.data,
            "calibration": self.calibration,
            "input_shapes": self.input_shapes,
            "decision": self.decision.to_dict(),
            "matrix": self.result.to_dict(),
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, default=str)

    def to_markdown(self) -> str:
        d = self.decision
        head = [f"# {Path(self.model).name}: which variant to ship", ""]
        head.append(f"**{d.chosen}** — {d.reason}." if d.chosen else f"**Nothing qualifies** — {d.reason}.")
        head.append("")
        head.append(
            f"Data: {self.data['name']} ({self.data['samples']} samples, preprocess "
            f"`{self.data['preprocess']['spec']}`, hash {self.data['hash']}); calibration: "
            f"{self.calibration['name']} ({self.calibration['samples']} samples)."
        )
        if d.pareto:
            at = f" at batch {self.result.batch_size}" if self.result.multi_batch else ""
            head.append(f"Pareto front (latency{at} vs {self.result.metric_key}): {', '.join(d.pareto)}.")
        head += [f"- warning: {w}" for w in d.warnings]
        commands = ["", "| variant | built in | command that reproduces the row |", "|---|---:|---|"]
        commands += [f"| {r.variant} | {_built_in(r)} | `{r.command}` |" for r in self.result.at_batch().rows]
        return "\n".join(head) + "\n\n" + self.result.to_markdown() + "\n".join(commands) + "\n"

    def write(self, folder: Path) -> list[Path]:
        """matrix.md, matrix.csv, matrix.json and (with matplotlib) pareto.png in ``folder``, plus
        throughput.png when several batch sizes were timed."""
        folder.mkdir(parents=True, exist_ok=True)
        paths = [
            atomic_write(folder / "matrix.md", self.to_markdown()),
            Path(self.result.to_csv(folder / "matrix.csv") and folder / "matrix.csv"),
            atomic_write(folder / "matrix.json", self.to_json() + "\n"),
        ]
        from edgesmith.profiling.pareto import plot_pareto

        png = plot_pareto(self.result.at_batch(), self.decision, folder / "pareto.png")
        if png is not None:
            paths.append(png)
        if self.result.multi_batch:
            png = self.result.plot_throughput(folder / "throughput.png")
            if png is not None:
                paths.append(png)
        return paths


def _built_in(row: MatrixRow) -> str:
    """How the row's artifact was had: seconds of conversion this run, the cache, or nothing to build."""
    extra = row.extra or {}
    if extra.get("cached"):
        return "cache"
    seconds = extra.get("build_s")
    return f"{seconds:.1f} s" if seconds is not None else ""


def _auto_metric(data: Data) -> str | None:
    if data.y is None:
        return None
    y = np.asarray(data.y)
    if y.ndim == 1 and np.issubdtype(y.dtype, np.integer):
        return "accuracy"
    if y.ndim == 2 and y.shape[1] == 4:
        return "iou"
    return "mae"


def _check_fits(data: Data, specs: Sequence[Any], model: Path) -> None:
    if len(specs) != 1:
        raise MatrixError(
            f"model takes {len(specs)} inputs ({model}): the matrix feeds single-input models; "
            "profile each input combination with edgesmith-profile bench"
        )
    want = specs[0].shape
    got = data.x.shape[1:]
    fits = len(want) == len(got) + 1 and all(w is None or w == g for w, g in zip(want[1:], got, strict=True))
    if not fits:
        raise DataError(
            f"data is {format_dims(got)} per sample but the model takes {format_dims(want[1:])} "
            f"({data.spec}): "
            "set --preprocess resize=HxW (and layout=nchw for channels-first models) or --input-shape"
        )


def _in_memory(data: Data | tuple[Any, Any] | np.ndarray, preprocess: str | None) -> Data:
    """Data an app already holds: a :class:`Data`, an ``(x, y)`` pair or inputs alone, used as given."""
    if preprocess:
        raise DataError(
            f"--preprocess {preprocess!r} applies to data read from a spec, not to arrays in memory "
            "(profile_model data=...): preprocess the arrays first, or pass a data spec string"
        )
    if isinstance(data, Data):
        return data
    x, y = data if isinstance(data, tuple) else (data, None)
    x = np.asarray(x, np.float32)
    return Data(x, None if y is None else np.asarray(y), f"arrays {format_dims(x.shape)}", "arrays")


def _command(model: str, argv: dict[str, str | None], variant: str | None) -> str:
    parts = ["edgesmith-profile", "matrix", model]
    for flag, value in argv.items():
        if value:
            parts += [flag, value]
    if variant:
        parts += ["--variants", variant]
    return shlex.join(parts)


def profile_model(
    model: str | os.PathLike[str],
    data: str | Data | tuple[Any, Any] | np.ndarray | None = None,
    *,
    preprocess: str | None = None,
    input_shape: dict[str, tuple[int, ...]] | None = None,
    metric: str = "auto",
    variants: Sequence[str] | None = None,
    max_loss: float | None = None,
    optimize: str = "latency",
    out: str | os.PathLike[str] | None = None,
    limit: int | None = None,
    calibration_samples: int = 100,
    threads: int | None = None,
    warmup: int = 5,
    runs: int = 100,
    budget_s: float = 10.0,
    progress: bool = False,
    export_options: dict[str, dict[str, Any]] | None = None,
    extra: Sequence[Variant] = (),
    batch_sizes: Sequence[int] = (1,),
    eval_batch_size: int = 16,
    isolate: bool = False,
    source_name: str | None = None,
) -> ModelMatrix:
    """Build, measure and decide for ``model`` on ``data`` (default: the photos scikit-image ships).

    ``extra`` adds artifacts the user built (a pruned or QAT model) as rows measured the same way;
    ``export_options`` maps an exporter family (or one variant) to its options
    (``{"tvm": {"target": "llvm -mcpu=znver4"}}``). ``max_loss`` is the budget of the decision (default 1);
    giving it also builds the opt-in guarded variants (``tflite-int8-guarded``) with that budget.

    ``data`` is a spec string (see :func:`load_data`) or data an app already holds (a :class:`Data`, or
    ``(x, y)`` arrays, used as given). ``batch_sizes`` times every variant at each size (one row per
    variant and size, ratios against the source at the same size; the decision compares the first size).
    ``eval_batch_size`` is the batch of the scoring pass (its time is each row's ``eval_s``);
    ``isolate`` measures each variant in a fresh process so memory figures hold only its own
    allocations; ``source_name`` names the source's row (default ``"<format> (source)"``).
    """
    sizes = tuple(int(b) for b in batch_sizes)
    if not sizes or min(sizes) < 1 or eval_batch_size < 1:
        raise MatrixError(f"batch sizes must be 1 or more, got {list(sizes)} (batch_sizes): e.g. (1, 8, 32)")
    src = Path(model)
    fmt = source_format(src)
    folder = Path(out) if out else Path(f"matrix-{src.stem}")
    runner_options = {"threads": threads} if threads else {}
    found = exporters()
    plans = plan_variants(fmt, found, variants, opt_in=max_loss is not None)
    calibrates = any(p.precision.startswith("int8") and not p.why_not for p in plans)
    with open_runner(src, **runner_options) as source_runner:
        specs = source_runner.input_specs()
        shapes = resolve(input_shape or {}, [(s.name, s.shape) for s in specs])
        model_shape: tuple[int | None, ...] | None = next(iter(shapes.values()), None) or (
            specs[0].shape if specs else None
        )
        if data is None or isinstance(data, str | os.PathLike):
            prep = Preprocess.parse(preprocess)
            dataset = load_data(data or "photos", prep, model_shape, limit=limit)
        else:
            dataset = _in_memory(data, preprocess)
            if limit is not None:
                dataset = dataset.subset(slice(0, limit), f"[:{limit}]")
        if shapes:
            specs = [dataclasses.replace(s, shape=shapes.get(s.name, s.shape)) for s in specs]
        _check_fits(dataset, specs, src)
        # int8 variants calibrate on the first samples and are scored on the rest; without one, all score
        calib, evaluation = (
            dataset.split_calibration(calibration_samples) if calibrates else (dataset, dataset)
        )
        chosen = _auto_metric(evaluation) if metric == "auto" else metric
        if chosen is None:
            reference = predict_all(source_runner, evaluation.x, eval_batch_size)
            m: Metric = unlabeled_metric(tuple(np.shape(reference)))
            classes = reference.reshape(len(reference), -1).argmax(1)
            if m.name == "agreement" and len(np.unique(classes)) < 2:
                # the source predicts one class for every sample (untrained weights, one-class data):
                # agreeing on it proves nothing, so judge the outputs themselves
                m = get_metric("fidelity")
        else:
            m = get_metric(chosen)
        if m.needs_labels and not m.targets_are_inputs and evaluation.y is None:
            raise DataError(
                f"metric {m.name} needs labels but the data has none ({dataset.spec}): use class subfolders, "
                "a CSV of targets, or --metric agreement/fidelity to compare with the source model"
            )
        if chosen is not None:
            reference = (
                predict_all(source_runner, evaluation.x, eval_batch_size) if m.targets_are_reference else None
            )
        source_precision = source_runner.precision()
    argv = {
        "--data": None
        if data is None
        else str(data)
        if isinstance(data, str | os.PathLike)
        else dataset.spec,
        "--preprocess": preprocess,
        "--input-shape": ";".join(f"{k}:{format_dims(v)}" for k, v in shapes.items()) or None,
        "--metric": None if metric == "auto" else metric,
        "--max-loss": None if max_loss is None else f"{max_loss:g}",
        "--out": str(folder),
    }
    options = {family: dict(opts) for family, opts in (export_options or {}).items()}
    if max_loss is not None:  # the guarded int8 search keeps as many layers in float as this budget needs
        for plan in plans:
            if plan.precision in getattr(found[plan.family], "opt_in", ()):
                options.setdefault(plan.name, {}).setdefault("max_loss", max_loss)
    if shapes:  # the exporter named like the source format fixes the shapes (ONNX: and simplifies)
        options.setdefault(fmt, {})["input_shapes"] = shapes
    by_name = {p.name: p for p in plans}
    x, y = evaluation.x, evaluation.y
    rows: list[MatrixRow] = []
    measure = (x, y, m, sizes, eval_batch_size, warmup, runs, budget_s, reference)
    measure_rows = measure_isolated if isolate else measure_variant_batches
    with _Progress(progress) as bar:
        ctx = BuildContext(src, fmt, found, calib, options, folder / "artifacts", bar, source_precision)
        with bar.task(f"timing {src.name} (source)", None):
            source = Variant(source_name or f"{fmt} (source)", src, options=runner_options)
            bases = measure_rows(source, *measure)
        for r in bases:
            r.reference = m.targets_are_reference
            r.command = _command(str(src), argv, "none")
        rows += bases
        for plan in plans:
            for row in _variant_rows(ctx, plan, by_name, measure, runner_options, measure_rows):
                row.command = _command(str(src), argv, plan.name)
                rows.append(row)
        for v in extra:
            with bar.task(f"timing {v.name}", None):
                measured = measure_rows(
                    dataclasses.replace(v, options={**runner_options, **v.options}), *measure
                )
            for row in measured:
                row.command = (
                    _command(str(src), argv, "none")
                    + " "
                    + shlex.join(["--artifact", f"{v.name}={v.artifact}"])
                )
                rows.append(row)
    base = bases[0]
    _ratios(rows, base if base.ok else None)
    from edgesmith.profiling.host import host_info

    result = MatrixResult(
        rows=rows,
        metric=m.name,
        metric_key=m.key,
        higher_is_better=m.higher_is_better,
        dataset=evaluation.name,
        samples=len(evaluation),
        batch_size=sizes[0],
        baseline=base.variant,
        host=host_info(),
        isolated=isolate,
        batch_sizes=sizes,
    )
    budget = 1.0 if max_loss is None else max_loss
    primary = result.at_batch().rows  # variants are compared at one batch size
    decision = decide(primary, base.variant, m.higher_is_better, m.key, budget, optimize)
    return ModelMatrix(
        str(src),
        fmt,
        result,
        decision,
        evaluation.to_dict(),
        calib.to_dict(),
        {k: list(v) for k, v in shapes.items()},
        str(folder),
    )


def _plan_options(ctx: BuildContext, plan: PlannedVariant) -> dict[str, Any]:
    """Exporter options for ``plan``: its family's, then those given for the variant itself."""
    return {**ctx.options.get(plan.family, {}), **ctx.options.get(plan.name, {})}


def _variant_rows(
    ctx: BuildContext,
    plan: PlannedVariant,
    plans: dict[str, PlannedVariant],
    measure: tuple[Any, ...],
    runner_options: dict[str, Any],
    measure_rows: Callable[..., list[MatrixRow]] = measure_variant_batches,
) -> list[MatrixRow]:
    """The rows of one planned variant (one per batch size): built (or taken from the cache) and
    measured, or the reason it was not built."""
    sizes = measure[3]
    row = MatrixRow(plan.name, "", plan.family, plan.precision)
    if plan.why_not:
        row.error = f"not built: {plan.why_not}"
        return [dataclasses.replace(row, batch_size=b) for b in sizes]
    try:
        path, cached = build_variant(ctx, plan, plans)
    except Exception as exc:  # one exporter's failure is this row's reason; the others still build
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        row.error = f"build failed: {first}"
        return [dataclasses.replace(row, batch_size=b) for b in sizes]
    with ctx.progress.task(f"timing {plan.name}", None):
        variant = Variant(
            plan.name, path, backend=plan.family, precision=plan.precision, options=runner_options
        )
        measured = measure_rows(variant, *measure)
    for r in measured:
        r.extra = {**r.extra, "cached": cached, "via": plan.via, "build_s": ctx.build_s.get(plan.name)}
    return measured


__all__ = [
    "MatrixError",
    "ModelMatrix",
    "PlannedVariant",
    "build_variant",
    "exporters",
    "plan_variants",
    "profile_model",
    "source_format",
]
