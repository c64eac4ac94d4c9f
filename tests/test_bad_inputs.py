"""Every CLI survives broken inputs and bad surroundings: one ``error:`` line, the contract's exit code,
no traceback, nothing left in the output folder (run in-process through each CLI's real ``main`` path)."""

from __future__ import annotations

import importlib
import os
import sys
import time
from pathlib import Path

import pytest

from edgesmith.profiling.console import invoke

sys.path.insert(0, str(Path(__file__).parent))  # the generator beside this file (import-mode=importlib)
from bad_inputs import CASES, CLIS, Case, make_inputs, make_read_only, undo_read_only


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return make_inputs(tmp_path_factory.mktemp("bad_inputs"))


@pytest.fixture(scope="module")
def read_only(tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("read_only")
    if not make_read_only(folder):
        pytest.skip("cannot make a folder read-only for root here (chattr +i unsupported)")
    yield folder
    undo_read_only(folder)


def _app(cli: str):
    module, _, name = CLIS[cli].partition(":")
    return getattr(importlib.import_module(module), name or "app")


def _files_under(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


def test_corpus_is_large_enough() -> None:
    assert len(CASES) >= 60
    assert {c.cli for c in CASES} == set(CLIS), "every CLI gets broken inputs"


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input(case: Case, inputs, tmp_path, capfd, request, monkeypatch) -> None:
    monkeypatch.delenv("EDGESMITH_DEBUG", raising=False)
    out = tmp_path / "out"
    out.mkdir()
    places = {k: str(v) for k, v in inputs.items()} | {"out": str(out)}
    if any("{ro}" in a for a in case.argv):
        places["ro"] = str(request.getfixturevalue("read_only"))
    argv = [a.format(**places) for a in case.argv]
    watched = [out] + ([Path(places["ro"])] if "ro" in places else [])
    before = {w: _files_under(w) for w in watched}
    app = _app(case.cli)
    cwd = os.getcwd()
    os.chdir(tmp_path)  # a command writing a default file name would write here, not in the repository
    start = time.monotonic()
    try:
        code = invoke(app, argv, case.cli)
    finally:
        os.chdir(cwd)
    elapsed = time.monotonic() - start
    captured = capfd.readouterr()
    both = captured.out + captured.err
    errors = [line for line in captured.err.splitlines() if line.startswith("error:")]
    assert "Traceback" not in both, both
    assert code == case.code, f"exit {code}, expected {case.code}:\n{both}"
    if case.per_photo:  # a batch command: its one error: line names the broken photo
        assert len(errors) == 1 and Path(argv[1]).name in errors[0], both
    elif case.code == 1:
        assert len(errors) <= 1, both
    else:
        assert len(errors) == 1, both
    for w in watched:
        assert _files_under(w) == before[w], f"left behind in {w}: {_files_under(w)}"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"], "nothing written beside the output"
    assert elapsed < 60, f"took {elapsed:.0f} s"


@pytest.mark.parametrize(
    ("cli", "argv"),
    [
        ("edgesmith-profile", ["bench", "{tflite}", "--runs", "2"]),
        ("edgesmith-quantize", ["convert", "{keras}", "-o", "{out}/m.tflite", "--mode", "float16"]),
    ],
)
def test_model_over_the_size_limit_is_refused_before_loading(cli, argv, inputs, tmp_path, capfd, monkeypatch):
    monkeypatch.setenv("EDGESMITH_MAX_MODEL_MB", "0.001")  # 1 kB: every tiny model is over it
    out = tmp_path / "out"
    out.mkdir()
    places = {k: str(v) for k, v in inputs.items()} | {"out": str(out)}
    code = invoke(_app(cli), [a.format(**places) for a in argv], cli)
    err = capfd.readouterr().err
    assert code == 2 and "over the 0.001 MB limit" in err and "EDGESMITH_MAX_MODEL_MB" in err, err
    assert list(out.iterdir()) == []
