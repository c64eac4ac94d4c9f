"""The error contract: one line per failure, the exit code per kind, nothing partial left behind."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import typer
from rich.table import Table

from edgesmith.profiling import console, files, limits
from edgesmith.profiling.errors import EdgesmithError, ExitCode, MissingDependency, OutputError, from_os_error


def _app(tmp: Path) -> typer.Typer:
    app = typer.Typer(add_completion=False)

    @app.command()
    def write(out: Path, fail_after: bool = False, kind: str = "") -> None:
        started = files.remove_on_failure(tmp / "started")
        started.mkdir()
        (started / "crop.png").write_bytes(b"x")
        with files.atomic_path(out) as part:
            part.write_text("half")
            if kind == "dep":
                raise MissingDependency(
                    "TensorRT is not installed", fix="pip install edgesmith-export-trt[gpu]"
                )
            if kind == "bug":
                raise RuntimeError("a bug\nwith two lines")
            if kind == "oom":
                raise MemoryError
        if fail_after:
            raise EdgesmithError("bad samples", path=out, fix="pass (N, 32, 32, 3) float32")

    @app.command()
    def other() -> None:
        """Second command so ``write`` is a subcommand."""

    return app


def _errors(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith("error:")]


@pytest.mark.parametrize(
    ("argv", "code", "needle"),
    [
        (["write", "{tmp}/out.txt", "--kind", "dep"], ExitCode.MISSING_DEPENDENCY, "pip install"),
        (
            ["write", "{tmp}/out.txt", "--kind", "bug"],
            ExitCode.NOTHING_FOUND,
            "unexpected RuntimeError: a bug",
        ),
        (["write", "{tmp}/out.txt", "--kind", "oom"], ExitCode.USAGE, "out of memory"),
        (["write", "{tmp}/no/such/out.txt"], ExitCode.USAGE, "does not exist"),
        (["write", "{tmp}"], ExitCode.USAGE, "folder is in the way"),
        (["write", "{tmp}/out.txt", "--bogus"], ExitCode.USAGE, "No such option"),
        (["nope"], ExitCode.USAGE, "No such command"),
    ],
)
def test_invoke_one_line_and_code(tmp_path, capsys, argv, code, needle):
    argv = [a.format(tmp=tmp_path) for a in argv]
    got = console.invoke(_app(tmp_path), argv, "demo")
    captured = capsys.readouterr()
    assert got == code
    lines = _errors(captured.err)
    assert len(lines) == 1 and needle in lines[0], captured.err
    assert "Traceback" not in captured.err + captured.out
    assert sorted(p.name for p in tmp_path.iterdir()) == [], "nothing partial may be left behind"


def test_failure_after_rename_still_cleans_started(tmp_path, capsys):
    code = console.invoke(_app(tmp_path), ["write", str(tmp_path / "o.txt"), "--fail-after"], "demo")
    err = capsys.readouterr().err
    assert code == ExitCode.USAGE
    assert _errors(err) == [f"error: bad samples ({tmp_path / 'o.txt'}): pass (N, 32, 32, 3) float32"]
    assert not (tmp_path / "started").exists()


def test_success_keeps_output(tmp_path, capsys):
    assert console.invoke(_app(tmp_path), ["write", str(tmp_path / "o.txt")], "demo") == 0
    assert (tmp_path / "o.txt").read_text() == "half" and (tmp_path / "started" / "crop.png").exists()
    assert capsys.readouterr().err == ""


def test_debug_adds_traceback(tmp_path, capsys, monkeypatch):
    console.invoke(_app(tmp_path), ["write", str(tmp_path / "o.txt"), "--kind", "bug", "--debug"], "demo")
    err = capsys.readouterr().err
    assert "Traceback" in err and len(_errors(err)) == 1
    monkeypatch.setenv("EDGESMITH_DEBUG", "1")
    console.invoke(_app(tmp_path), ["write", str(tmp_path / "o.txt"), "--kind", "bug"], "demo")
    assert "Traceback" in capsys.readouterr().err


def test_os_errors_explained(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(OSError) as info:
        (blocker / "out.json").write_text("x")
    err = from_os_error(info.value)
    assert "is a file" in err.one_line() and err.exit_code == ExitCode.USAGE
    with pytest.raises(OutputError, match="output's folder is a file"):
        files.atomic_write_json(blocker / "out.json", {"a": 1})


def test_atomic_dir_keeps_old_on_failure(tmp_path):
    target = tmp_path / "crops"
    with files.atomic_dir(target) as d:
        (d / "a.png").write_bytes(b"1")
    with pytest.raises(RuntimeError), files.atomic_dir(target) as d:
        (d / "b.png").write_bytes(b"2")
        raise RuntimeError("stop")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["crops"]
    assert sorted(p.name for p in target.iterdir()) == ["a.png"]


def test_atomic_write_json_numpy(tmp_path):
    import numpy as np

    path = files.atomic_write_json(tmp_path / "r.json", {"iou": np.float32(0.5), "v": np.arange(2)})
    assert path.read_text().replace(" ", "").replace("\n", "") == '{"iou":0.5,"v":[0,1]}'
    assert (path.stat().st_mode & 0o777) != 0o600


def test_writable_dir_refuses_immutable_folder_even_for_root(tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    if subprocess.run(["chattr", "+i", str(folder)], capture_output=True).returncode != 0:
        pytest.skip("chattr +i is not supported on this file system")
    try:
        with pytest.raises(OutputError, match=r"not permitted|permission"):
            files.writable_dir(folder)
        with pytest.raises(OutputError):
            files.atomic_write_text(folder / "x.txt", "x")
    finally:
        subprocess.run(["chattr", "-i", str(folder)], check=True)
    assert list(folder.iterdir()) == []


def test_pixel_limit_before_decoding(tmp_path):
    from PIL import Image

    path = tmp_path / "bomb.png"
    Image.new("1", (12_000, 12_000)).save(path)  # 144 MP, a few kB on disk
    assert path.stat().st_size < 100_000
    with pytest.raises(EdgesmithError, match="over the 50 MP limit"):
        limits.check_image_pixels(path)
    assert limits.check_image_pixels(path, max_pixels=200_000_000) == (12_000, 12_000)
    (tmp_path / "junk.png").write_bytes(b"\x89PNG\r\n\x1a\n junk")
    with pytest.raises(EdgesmithError, match="not an image"):
        limits.check_image_pixels(tmp_path / "junk.png")


def test_model_size_limit(tmp_path, monkeypatch):
    model = tmp_path / "m.tflite"
    model.write_bytes(b"0" * 3_000_000)
    monkeypatch.setenv("EDGESMITH_MAX_MODEL_MB", "2")
    with pytest.raises(EdgesmithError, match=r"3 MB, over the 2 MB limit"):
        limits.check_model_size(model)


@pytest.mark.parametrize("columns", ["60", "200"])
def test_tables_never_truncate_when_piped(columns, monkeypatch, capsys):
    monkeypatch.setenv("COLUMNS", columns)
    table = Table(title="bench")
    table.add_column("variant")
    table.add_column("latency ms")
    table.add_row("mnv2_fp32_pruned_int8_" * 4, "273.0123456")
    console.FoldingConsole().print(table)
    text = capsys.readouterr().out
    assert "mnv2_fp32_pruned_int8_" * 4 in text and "273.0123456" in text and "…" not in text


def test_narrow_terminal_folds_or_goes_vertical():
    table = Table()
    for name in ("variant", "latency ms", "p99 ms", "size MB", "accuracy"):
        table.add_column(name)
    table.add_row("mnv2_fp32_pruned_int8", "273.0123456", "301.5", "8.9", "0.9123")
    term = console.FoldingConsole(width=30, force_terminal=True, record=True, color_system=None)
    term.print(table)
    text = term.export_text()
    assert "…" not in text and "latency ms: 273.0123456" in " ".join(text.split(" ")).replace("  ", " ")


def test_kernel_modules_stay_light():
    code = (
        "import sys; import edgesmith.profiling.console, edgesmith.profiling.files,"
        " edgesmith.profiling.limits;"
        "heavy = [m for m in ('tensorflow', 'PIL', 'cv2', 'onnxruntime') if m in sys.modules]; print(heavy)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_require_names_the_extra_to_install() -> None:
    from edgesmith.profiling.errors import MissingDependency, require

    require("json", "reading JSON", "none")  # present: nothing happens
    with pytest.raises(MissingDependency) as info:
        require("edgesmith.not_a_package", "a Keras op profile", "keras")
    err = info.value
    assert err.exit_code == 3 and "edgesmith-profiling[keras]" in str(err)
