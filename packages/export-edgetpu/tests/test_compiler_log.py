"""The compiler-log parser on logs written in the format edgetpu_compiler prints (see fixtures/)."""

from __future__ import annotations

from pathlib import Path

import pytest

from edgesmith.export_edgetpu import CompilerLogError, parse_compiler_output, parse_operator_table
from edgesmith.export_edgetpu.compiler_log import parse_size

FIXTURES = Path(__file__).parent / "fixtures"


def _read(name: str) -> str:
    return (FIXTURES / name).read_text()


@pytest.mark.parametrize(
    ("text", "expected"),
    [("0.00B", 0), ("21.25KiB", 21760), ("7.99MiB", round(7.99 * 1024**2)), ("1.5GiB", 3 * 1024**3 // 2)],
)
def test_sizes_are_binary_units(text, expected):
    assert parse_size(text) == expected


def test_all_mapped_log_without_operator_table():
    log = parse_compiler_output(_read("compile_cae_all_mapped.txt"))
    assert log.success and log.compiler_version == "16.0.384591198" and log.compile_ms == 214
    (m,) = log.models
    assert m.input_model == "cae_int8.tflite" and m.output_model == "cae_int8_edgetpu.tflite"
    assert m.total_ops == 14 and m.tpu_ops == 14 and m.cpu_ops == 0
    assert m.on_chip_used_bytes == 21760 and m.off_chip_used_bytes == 0 and m.params_fit_on_chip
    assert m.output_size_bytes == round(101.34 * 1024)


def test_partial_log_splits_tpu_and_cpu_ops():
    log = parse_compiler_output(_read("compile_partial_show_ops.txt"))
    (m,) = log.models
    assert (m.tpu_ops, m.cpu_ops, m.total_ops) == (36, 5, 41)
    assert sum(o.count for o in m.operators) == 41
    assert sum(o.count for o in m.operators if o.on_tpu) == 36
    cpu = {(o.operator, o.status) for o in m.cpu_operators()}
    assert ("LEAKY_RELU", "Operation not supported") in cpu
    assert ("CONV_2D", "More than one subgraph is not supported") in cpu
    assert m.off_chip_used_bytes == 768 * 1024 and m.params_fit_on_chip is False
    assert m.on_chip_remaining_bytes == round(1.75 * 1024)


def test_co_compiled_models_each_get_a_block():
    log = parse_compiler_output(_read("compile_cocompiled.txt"))
    assert log.success and [m.output_model for m in log.models] == [
        "out/cae_int8_edgetpu.tflite",
        "out/unet_int8_edgetpu.tflite",
    ]
    cae, unet = log.models
    assert cae.off_chip_used_bytes == 0 and unet.off_chip_used_bytes == round(1.10 * 1024**2)
    assert unet.total_ops == 43 and unet.tpu_ops == 43


def test_failed_compile_reports_errors():
    log = parse_compiler_output(_read("compile_float_failed.txt"))
    assert not log.success and not log.models
    assert "Model not quantized" in log.errors and any("Compilation failed" in e for e in log.errors)


def test_operation_log_file():
    text = _read("unet_int8_edgetpu.log")
    rows = parse_operator_table(text)
    assert [r.operator for r in rows][:2] == ["CONV_2D", "MAX_POOL_2D"] and len(rows) == 6
    log = parse_compiler_output(text)
    (m,) = log.models
    assert m.input_model == "unet_int8.tflite" and (m.tpu_ops, m.cpu_ops) == (30, 3)


def test_not_a_log_is_rejected():
    with pytest.raises(CompilerLogError):
        parse_compiler_output("hello\nworld\n")
