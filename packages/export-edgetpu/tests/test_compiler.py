"""The edgetpu_compiler wrapper: refuses float models, explains a missing compiler, and (with a stand-in
executable honouring the compiler's documented CLI) builds the command, moves outputs, writes sidecars."""

from __future__ import annotations

import json
import os
import stat
import sys
from pathlib import Path

import pytest

from edgesmith.export_edgetpu import CompileOptions, CompilerNotFound, NotQuantized, compile_models
from edgesmith.export_edgetpu.compiler import CompilerError

FIXTURES = Path(__file__).parent / "fixtures"


def test_float_model_is_refused_with_the_fix(tflite_models, tmp_path):
    with pytest.raises(NotQuantized, match=r"float model.*full-integer quantization"):
        compile_models([tflite_models["float"]], tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_missing_compiler_says_how_to_get_it(tflite_models, tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    with pytest.raises(CompilerNotFound, match="apt-get install edgetpu-compiler"):
        compile_models([tflite_models["int8"]], tmp_path / "out")
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def _stand_in_compiler(bin_dir, log_name: str, fail: bool = False):
    """An executable honouring edgetpu_compiler's CLI contract: --out_dir DIR, models last, log on stdout."""
    bin_dir.mkdir()
    exe = bin_dir / "edgetpu_compiler"
    exe.write_text(
        f"#!{sys.executable}\n"
        "import sys, pathlib\n"
        "args = sys.argv[1:]\n"
        "out = pathlib.Path(args[args.index('--out_dir') + 1])\n"
        "(out.parent / 'argv.txt').write_text(' '.join(args))\n"
        f"print(open({str(FIXTURES / log_name)!r}).read())\n"
        f"if {fail}: sys.exit(1)\n"
        "for m in [a for a in args if a.endswith('.tflite')]:\n"
        "    p = pathlib.Path(m)\n"
        "    (out / (p.stem + '_edgetpu.tflite')).write_bytes(p.read_bytes())\n"
        "    (out / (p.stem + '_edgetpu.log')).write_text('Operator  Count  Status')\n"
    )
    exe.chmod(exe.stat().st_mode | stat.S_IEXEC)
    return exe


@pytest.mark.skipif(os.name != "posix", reason="the stand-in compiler is a POSIX script")
def test_wrapper_passes_options_moves_outputs_and_writes_sidecar(tflite_models, tmp_path, monkeypatch):
    src = tmp_path / "cae_int8.tflite"
    src.write_bytes(tflite_models["int8"].read_bytes())
    _stand_in_compiler(tmp_path / "bin", "compile_cae_all_mapped.txt")
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))
    out = tmp_path / "compiled"
    opts = CompileOptions(min_runtime_version=13, search_delegate=True, num_segments=2, timeout_s=60)
    result = compile_models([src], out, opts)

    argv = (out / "argv.txt").read_text().split()
    assert argv[argv.index("--min_runtime_version") + 1] == "13"
    assert "--search_delegate" in argv and argv[argv.index("--num_segments") + 1] == "2"
    assert argv[-1].endswith("cae_int8.tflite")
    compiled = out / "cae_int8_edgetpu.tflite"
    assert compiled in result.outputs and compiled.exists()
    assert not [p for p in out.iterdir() if p.name.startswith(".edgetpu-")]  # temp dir cleaned up
    meta = json.loads((out / "cae_int8_edgetpu.tflite.json").read_text())
    assert meta["tools"]["edgetpu_compiler"] == "16.0.384591198"
    assert meta["metrics"]["tpu_ops"] == 14 and meta["options"]["min_runtime_version"] == 13
    assert len(meta["source"]["sha256"]) == 64 and meta["format"] == "edgetpu"


@pytest.mark.skipif(os.name != "posix", reason="the stand-in compiler is a POSIX script")
def test_failed_compile_leaves_no_output(tflite_models, tmp_path, monkeypatch):
    _stand_in_compiler(tmp_path / "bin", "compile_float_failed.txt", fail=True)
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))
    out = tmp_path / "compiled"
    with pytest.raises(CompilerError, match="Model not quantized"):
        compile_models([tflite_models["int8"]], out)
    assert [p.name for p in out.iterdir()] == ["argv.txt"]  # only the stand-in's own trace


@pytest.mark.skipif(os.name != "posix", reason="the stand-in compiler is a POSIX script")
def test_exporter_names_the_output_and_records_its_source(tflite_models, tmp_path, monkeypatch):
    from edgesmith.profiling.artifacts import Artifact, file_hash
    from edgesmith.profiling.exporters import ExporterUnavailable, export

    src = tmp_path / "cae_int8.tflite"
    src.write_bytes(tflite_models["int8"].read_bytes())
    monkeypatch.setenv("PATH", str(tmp_path / "nothing"))
    with pytest.raises(ExporterUnavailable, match="apt-get install edgetpu-compiler"):
        export(src, "edgetpu-int8", tmp_path / "cae.edgetpu.tflite")
    _stand_in_compiler(tmp_path / "bin", "compile_cae_all_mapped.txt")
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))
    out = tmp_path / "deploy" / "cae.edgetpu.tflite"
    out.parent.mkdir()
    art = export(src, "edgetpu", out, num_segments=1)
    assert out.is_file() and out.with_suffix(".log").is_file()
    names = sorted(p.name for p in out.parent.iterdir() if p.name != "argv.txt")  # argv: the stand-in's
    assert names == ["cae.edgetpu.log", "cae.edgetpu.tflite", "cae.edgetpu.tflite.json"]
    side = Artifact.open(out).sidecar
    assert side == art.sidecar and side.format == "edgetpu" and side.precision == "int8"
    assert (
        side.artifact == out.name and side.source.sha256 == file_hash(src) and side.metrics["tpu_ops"] == 14
    )
