"""Run ``edgetpu_compiler`` on int8 TFLite models and return its parsed log; write each output's sidecar JSON.

The compiler is Google's closed-source binary from Coral's Debian feed, never a Python dependency. Models
are checked first (a float model is refused with the fix), the compiler writes into a temporary directory, and
only a successful run moves its outputs into ``out_dir``, so a failed run leaves no partial file behind.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from edgesmith.export_edgetpu.check import BAD_DTYPE, check_graph
from edgesmith.export_edgetpu.compiler_log import CompilerLog, parse_compiler_output
from edgesmith.export_edgetpu.errors import EdgeTPUError
from edgesmith.export_edgetpu.ops_table import LATEST_RUNTIME
from edgesmith.profiling.artifacts import Sidecar, SourceRef, describe_file, write_sidecar
from edgesmith.profiling.errors import ExitCode
from edgesmith.profiling.tflite_graph import read_tflite

COMPILER = "edgetpu_compiler"
INSTALL_HINT = (
    "edgetpu_compiler not found on PATH; install it on x86-64 Debian/Ubuntu from Coral's apt feed "
    "(https://coral.ai/docs/edgetpu/compiler/: add 'deb https://packages.cloud.google.com/apt "
    "coral-edgetpu-stable main', then apt-get install edgetpu-compiler) or use Coral's Colab compiler"
)


class CompilerError(EdgeTPUError, RuntimeError):
    """The compiler is missing, refused the model or failed; the message says why and what to do."""


class CompilerNotFound(CompilerError):
    """``edgetpu_compiler`` is not installed."""

    exit_code = ExitCode.MISSING_DEPENDENCY


class NotQuantized(CompilerError, ValueError):
    """A float (or partly float) model was given to the compiler."""


@dataclasses.dataclass(frozen=True)
class CompileOptions:
    """The compiler options edgesmith exposes (names follow ``edgetpu_compiler --help``)."""

    min_runtime_version: int | None = None
    search_delegate: bool = False
    delegate_search_step: int | None = None
    num_segments: int | None = None
    timeout_s: int = 180
    show_operations: bool = True

    def argv(self, out_dir: Path) -> list[str]:
        args = ["--out_dir", str(out_dir)]
        if self.show_operations:
            args.append("--show_operations")
        if self.min_runtime_version is not None:
            args += ["--min_runtime_version", str(self.min_runtime_version)]
        if self.search_delegate:
            args.append("--search_delegate")
        if self.delegate_search_step is not None:
            args += ["--delegate_search_step", str(self.delegate_search_step)]
        if self.num_segments is not None:
            args += ["--num_segments", str(self.num_segments)]
        args += ["--timeout_sec", str(self.timeout_s)]
        return args


@dataclasses.dataclass
class CompileResult:
    """Parsed log, the files written and the command that produced them."""

    log: CompilerLog
    outputs: list[Path]
    command: list[str]

    def to_dict(self) -> dict[str, Any]:
        return {**self.log.to_dict(), "outputs": [str(p) for p in self.outputs], "command": self.command}


def find_compiler() -> str | None:
    """Path of ``edgetpu_compiler`` on PATH, or ``None``."""
    return shutil.which(COMPILER)


def ensure_quantized(path: str | os.PathLike[str]) -> None:
    """Refuse a model whose compute is not int8/uint8, naming the first float op and the fix."""
    report = check_graph(read_tflite(path))
    float_ops = [v for v in report.ops if v.status == BAD_DTYPE and "float" in v.reason]
    if float_ops and report.tpu_ops == 0:
        first = float_ops[0]
        raise NotQuantized(
            f"{path}: float model (op {first.index} {first.op}: {first.reason}); the Edge TPU needs "
            "full-integer quantization: convert with a representative dataset and int8 ops first "
            "(edgesmith-quantize)"
        )


def _sidecar(output: Path, source: Path, log: CompilerLog, options: CompileOptions) -> Sidecar:
    src = read_tflite(source)
    model_log = next((m for m in log.models if Path(m.output_model).name == output.name), None)
    return describe_file(
        output,
        "edgetpu",
        "int8",
        source=SourceRef(str(source), src.sha256, "tflite"),
        tools={"edgetpu_compiler": log.compiler_version},
        metrics=model_log.to_dict() if model_log else {},
        options=dataclasses.asdict(options),
    )


def compile_models(
    models: Sequence[str | os.PathLike[str]],
    out_dir: str | os.PathLike[str] = ".",
    options: CompileOptions | None = None,
) -> CompileResult:
    """Compile one model, or co-compile several (they share the on-chip parameter cache), into ``out_dir``."""
    options = options or CompileOptions()
    if not models:
        raise CompilerError("no model given; pass one or more int8 .tflite files")
    sources = [Path(m) for m in models]
    for src in sources:
        ensure_quantized(src)
    if options.min_runtime_version is not None and not 10 <= options.min_runtime_version <= LATEST_RUNTIME:
        raise CompilerError(f"--min-runtime must be between 10 and {LATEST_RUNTIME}")
    if options.num_segments is not None and options.num_segments < 1:
        raise CompilerError("--num-segments must be >= 1")
    exe = find_compiler()
    if exe is None:
        raise CompilerNotFound(INSTALL_HINT)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".edgetpu-", dir=out) as tmp:
        command = [exe, *options.argv(Path(tmp)), *[str(s.resolve()) for s in sources]]
        try:
            proc = subprocess.run(
                command, capture_output=True, text=True, timeout=options.timeout_s + 30, check=False
            )
        except subprocess.TimeoutExpired as exc:
            raise CompilerError(f"edgetpu_compiler ran past {options.timeout_s} s; raise --timeout") from exc
        text = proc.stdout + "\n" + proc.stderr
        log = parse_compiler_output(text)
        produced = sorted(Path(tmp).glob("*_edgetpu.tflite"))
        if proc.returncode != 0 or not log.success or not produced:
            why = "; ".join(log.errors) or (text.strip().splitlines() or ["no output"])[-1]
            raise CompilerError(f"edgetpu_compiler failed (exit {proc.returncode}): {why}")
        outputs: list[Path] = []
        for tmp_file in sorted(Path(tmp).iterdir()):
            if tmp_file.is_file():
                dest = out / tmp_file.name
                os.replace(tmp_file, dest)
                outputs.append(dest)
    stem_to_source = {s.stem: s for s in sources}
    for output in [o for o in outputs if o.name.endswith("_edgetpu.tflite")]:
        source = next(
            (src for stem, src in stem_to_source.items() if output.name.startswith(stem)), sources[0]
        )
        outputs.append(write_sidecar(output, _sidecar(output, source, log, options)))
    for m in log.models:  # point the log at the final location, not the temporary one
        for attr in ("output_model", "operation_log"):
            value = getattr(m, attr)
            if value:
                setattr(m, attr, str(out / Path(value).name))
    return CompileResult(log=log, outputs=outputs, command=command)
