"""Target strings: CLI form and JSON mapped to TVM 0.27 targets; rejected targets are one line."""

from __future__ import annotations

import pytest

from edgesmith.export_tvm import TVMExportError, host_cpu, parse_target, target_dict
from edgesmith.export_tvm.targets import is_host_target


def test_cli_form_becomes_a_dict():
    assert target_dict("llvm -mcpu=skylake -num-cores=4") == {
        "kind": "llvm",
        "mcpu": "skylake",
        "num-cores": 4,
    }
    assert target_dict("llvm -mtriple=aarch64-linux-gnu -mattr=+neon,+v8.2a")["mattr"] == ["+neon", "+v8.2a"]
    assert target_dict('{"kind": "cuda", "arch": "sm_87"}') == {"kind": "cuda", "arch": "sm_87"}


def test_native_is_the_host_cpu():
    cpu = host_cpu()
    assert cpu and target_dict("native")["mcpu"] == cpu
    t = parse_target("llvm -mcpu=native")
    assert str(t.attrs["mcpu"]) == cpu and is_host_target(t)


def test_cross_target_is_not_the_host():
    assert not is_host_target(parse_target("llvm -mtriple=aarch64-linux-gnu -num-cores=4"))


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("nosuchkind", "TVM rejects target"),
        ("llvm mcpu", "must look like -key=value"),
        ("llvm -mcpu", "needs a value"),
        ("{bad json", "does not parse"),
        ("", "empty target"),
    ],
)
def test_bad_targets(spec, message):
    with pytest.raises(TVMExportError, match=message) as info:
        parse_target(spec)
    assert "\n" not in str(info.value)


@pytest.mark.parametrize(
    ("preset", "kind", "mcpu", "arch"),
    [
        ("x86-avx2", "llvm", "haswell", None),
        ("x86-avx512", "llvm", "skylake-avx512", None),
        ("rpi4", "llvm", "cortex-a72", None),
        ("rpi5", "llvm", "cortex-a76", None),
        ("jetson-nano", "cuda", None, "sm_53"),
        ("jetson-orin", "cuda", None, "sm_87"),
    ],
)
def test_presets_are_json_targets_tvm_accepts(preset, kind, mcpu, arch):
    from edgesmith.export_tvm.targets import PRESETS

    assert isinstance(PRESETS[preset], dict)  # each preset is a plain JSON target dict
    t = parse_target(preset)
    assert t.kind.name == kind
    if mcpu:
        assert str(t.attrs["mcpu"]) == mcpu
    if arch:
        assert str(t.attrs["arch"]) == arch
        assert str(t.host.attrs["mtriple"]) == "aarch64-linux-gnu"  # Jetsons: aarch64 host code


def test_boards_need_the_aarch64_cross_compiler_and_x86_presets_do_not():
    from edgesmith.export_tvm.targets import cross_compiler

    assert cross_compiler(parse_target("rpi4")) == "aarch64-linux-gnu-g++"
    assert cross_compiler(parse_target("jetson-orin")) == "aarch64-linux-gnu-g++"
    assert cross_compiler(parse_target("x86-avx512")) is None
    assert not is_host_target(parse_target("rpi5")) and is_host_target(parse_target("x86-avx2"))
