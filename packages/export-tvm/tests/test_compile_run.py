"""ONNX/TFLite -> TVM library directory, reload without the source, runner, CLI and bad input."""

from __future__ import annotations

import json

import numpy as np
import onnx
import onnxruntime as ort
import pytest
from onnx import TensorProto, helper
from typer.testing import CliRunner

from edgesmith.export_tvm import TVMExportError, compile_model, import_model, load_compiled
from edgesmith.export_tvm.cli import app
from edgesmith.export_tvm.runner import UNTUNED, TVMRunner
from edgesmith.profiling.registry import open_runner, runner_class
from edgesmith.profiling.runner import InputMismatch


@pytest.fixture(scope="module")
def compiled(tmp_path_factory, make_conv_onnx):
    """One batch-1 library shared by the runner and CLI tests (compiling is the slow part)."""
    tmp = tmp_path_factory.mktemp("tvm")
    source = make_conv_onnx(tmp / "conv.onnx")
    return source, compile_model(source, tmp / "conv.tvm")


def _ort(path, x):
    return ort.InferenceSession(str(path), providers=["CPUExecutionProvider"]).run(None, {"x": x})[0]


def test_onnx_compile_reload_without_source(tmp_path, onnx_model):
    result = compile_model(onnx_model, tmp_path / "conv.tvm", target="llvm", opt_level=3, batch=2)
    assert {p.name for p in result.path.iterdir()} == {"lib.so", "params.npz", "meta.json"}
    meta = json.loads(result.sidecar.read_text())
    got = (meta["opt_level"], meta["source"]["format"], meta["inputs"][0]["shape"])
    assert got == (3, "onnx", [2, 2, 6, 6])
    with np.load(result.path / "params.npz") as npz:  # weights ship packed in the schedules' layouts
        assert result.num_params == len(npz.files) >= 1
    assert result.tuned_functions == 0 and result.default_functions >= 1
    x = np.random.default_rng(0).random((2, 2, 6, 6), dtype=np.float32)
    expected = _ort(onnx_model, x)
    onnx_model.unlink()  # the library must not need its source
    (y,) = load_compiled(result.path)(x)
    np.testing.assert_allclose(y, expected, atol=1e-4)


def test_tflite_import_and_compile(tmp_path, tflite_model):
    path, model = tflite_model
    imported = import_model(path)
    assert (imported.source_format, imported.inputs[0][1]) == ("tflite", (1, 8, 8, 3))
    compiled = compile_model(path, tmp_path / "small.tvm", target="native")
    x = np.random.default_rng(2).random((1, 8, 8, 3), dtype=np.float32)
    (y,) = load_compiled(compiled.path)(x)
    np.testing.assert_allclose(y, model(x, training=False).numpy(), atol=1e-4)


def _dilated_reshape_tflite(path, int8=False):
    """TFLite writes a dilated conv as SPACE_TO_BATCH_ND -> CONV -> BATCH_TO_SPACE_ND and Keras' Reshape with
    a computed shape (the plate CRNN has both); TVM 0.27's own converter fails on each."""
    from edgesmith.datasets.tf_runtime import keras, tf

    keras.utils.set_random_seed(0)
    inp = keras.Input((6, 10, 2))
    x = keras.layers.Conv2D(3, 3, dilation_rate=(1, 2), padding="same")(inp)
    x = keras.layers.Conv2D(4, 3, dilation_rate=2, padding="same", activation="relu")(x)
    model = keras.Model(inp, keras.layers.Reshape((10, 24))(keras.layers.Permute((2, 1, 3))(x)))
    converter = tf.lite.TFLiteConverter.from_keras_model(model)
    if int8:
        rng = np.random.default_rng(0)
        converter.optimizations = [tf.lite.Optimize.DEFAULT]
        converter.representative_dataset = lambda: (
            [rng.random((1, 6, 10, 2), np.float32)] for _ in range(16)
        )
        converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
        converter.inference_input_type = converter.inference_output_type = tf.int8
    path.write_bytes(converter.convert())
    return path, model


@pytest.mark.parametrize("batch", [1, 2])
def test_tflite_dilated_conv_and_reshape_compile_and_match_keras(tmp_path, batch):
    path, model = _dilated_reshape_tflite(tmp_path / "dilated.tflite")
    compiled = compile_model(path, tmp_path / "dilated.tvm", target="llvm", batch=batch)
    x = np.random.default_rng(3).standard_normal((batch, 6, 10, 2)).astype(np.float32)
    (y,) = load_compiled(compiled.path)(x)
    np.testing.assert_allclose(y, model(x, training=False).numpy(), atol=1e-4)


def test_int8_tflite_dilated_conv_and_reshape_match_the_interpreter(tmp_path):
    """The same ops on int8 tensors: data movement, padded with the zero point, so TVM matches TFLite."""
    path, _ = _dilated_reshape_tflite(tmp_path / "dilated_int8.tflite", int8=True)
    compiled = compile_model(path, tmp_path / "dilated_int8.tvm", target="llvm")
    x = np.random.default_rng(4).random((1, 6, 10, 2), dtype=np.float32)
    with open_runner(compiled.path) as tvm_runner, open_runner(path) as tflite_runner:
        got, expected = np.asarray(tvm_runner.predict(x)), np.asarray(tflite_runner.predict(x))
    assert expected.std() > 0
    step = json.loads((compiled.path / "meta.json").read_text())["output_quantization"][0]["scales"][0]
    np.testing.assert_allclose(got, expected, atol=1.01 * step)


def test_runner_is_registered_and_chunks_batches(compiled):
    onnx_model, compiled = compiled
    assert runner_class("tvm") is TVMRunner
    x = np.random.default_rng(1).random((3, 2, 6, 6), dtype=np.float32)
    with open_runner(compiled.path, threads=1) as runner:
        assert isinstance(runner, TVMRunner)
        np.testing.assert_allclose(runner.predict(x), _ort(onnx_model, x), atol=1e-4)
        info = runner.describe()
        assert info.backend == "tvm" and info.extra["compiled_batch"] == 1 and info.size_bytes > 0
        assert info.extra["caveats"] == [UNTUNED]  # compiled without a tuning log
        with pytest.raises(InputMismatch, match="expects shape Nx2x6x6"):
            runner.predict(np.zeros((1, 3, 6, 6), np.float32))


def test_runner_rejects_batches_that_are_not_multiples(tmp_path, onnx_model):
    lib = compile_model(onnx_model, tmp_path / "conv2.tvm", batch=2, opt_level=0)
    with TVMRunner(lib.path) as runner, pytest.raises(InputMismatch, match="compiled for batch 2"):
        runner.predict(np.zeros((3, 2, 6, 6), np.float32))


def test_unsupported_onnx_op_is_named(tmp_path):
    graph = helper.make_graph(
        [helper.make_node("Relu", ["x"], ["r"]), helper.make_node("DFT", ["r"], ["y"])],
        "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 8, 2])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 8, 2])],
    )
    path = tmp_path / "dft.onnx"
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), str(path))
    with pytest.raises(TVMExportError, match="does not support op\\(s\\) DFT"):
        compile_model(path, tmp_path / "dft.tvm")
    assert not (tmp_path / "dft.tvm").exists()


def test_bad_inputs_leave_nothing(tmp_path, onnx_model, monkeypatch):
    junk = tmp_path / "junk.onnx"
    junk.write_bytes(b"junk")
    with pytest.raises(TVMExportError, match="not a valid ONNX model"):
        compile_model(junk, tmp_path / "a.tvm")
    with pytest.raises(TVMExportError, match="no such model file"):
        compile_model(tmp_path / "absent.onnx", tmp_path / "a.tvm")
    with pytest.raises(TVMExportError, match="unsupported model type"):
        compile_model(tmp_path / "m.pb", tmp_path / "a.tvm")
    with pytest.raises(TVMExportError, match="TVM rejects target"):
        compile_model(onnx_model, tmp_path / "a.tvm", target="nosuchtarget")
    with pytest.raises(TVMExportError, match="needs -num-cores"):
        compile_model(onnx_model, tmp_path / "a.tvm", target="llvm -mtriple=aarch64-linux-gnu")
    import edgesmith.export_tvm.compile as compile_mod

    monkeypatch.setattr(compile_mod.shutil, "which", lambda name: None)  # as on a machine without it
    with pytest.raises(TVMExportError, match="needs a cross compiler"):
        compile_model(onnx_model, tmp_path / "a.tvm", target="rpi4")
    monkeypatch.undo()
    with pytest.raises(TVMExportError, match="opt level must be 0-3"):
        compile_model(onnx_model, tmp_path / "a.tvm", opt_level=4)
    bad_tflite = tmp_path / "bad.tflite"
    bad_tflite.write_bytes(b"\x00" * 16)
    with pytest.raises(TVMExportError, match="bad"):
        compile_model(bad_tflite, tmp_path / "a.tvm")
    assert not (tmp_path / "a.tvm").exists()
    with pytest.raises(TVMExportError, match=r"not a compiled \.tvm directory"):
        load_compiled(tmp_path)


def test_cli_compile_run_and_errors(tmp_path, compiled):
    onnx_model, lib = compiled
    out = tmp_path / "cli.tvm"
    result = CliRunner().invoke(
        app, ["compile", str(onnx_model), "-o", str(out), "--opt-level", "2", "--json"]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["opt_level"] == 2 and (out / "lib.so").exists()
    run = CliRunner().invoke(app, ["run", str(lib.path), "--runs", "3", "--warmup", "1", "--json"])
    assert run.exit_code == 0, run.output
    assert json.loads(run.output)["output_shape"] == [1, 4, 1, 1]
    bad = CliRunner().invoke(
        app, ["compile", str(onnx_model), "--target", "nosuch", "-o", str(tmp_path / "b.tvm")]
    )
    lines = [ln for ln in bad.output.splitlines() if ln.strip()]
    assert bad.exit_code == 2 and len(lines) == 1 and "TVM rejects target" in lines[0]
    missing = CliRunner().invoke(app, ["run", str(tmp_path / "none.tvm")])
    assert missing.exit_code == 2 and "none.tvm" in missing.output


def test_lrn_and_root_powers_compile_as_square_roots_and_match_onnxruntime(tmp_path):
    """LRN's ``x ** 0.75`` (and ``** 0.5``, ``** 0.25``) become square roots, which vectorize; other
    exponents stay ``power``. Results equal ONNX Runtime's, NaN where it gives NaN (a negative base)."""
    from edgesmith.export_tvm.pipeline import powers_as_roots

    nodes = [helper.make_node("LRN", ["x"], ["n"], size=5, alpha=1e-3, beta=0.75, bias=2.0)]
    inits = []
    for i, c in enumerate((0.5, 0.25, 0.75, 1.3)):
        inits.append(helper.make_tensor(f"c{i}", TensorProto.FLOAT, [], [c]))
        nodes.append(helper.make_node("Pow", ["x", f"c{i}"], [f"p{i}"]))
    nodes += [
        helper.make_node("Concat", ["n", "p0", "p1", "p2", "p3"], ["y"], axis=1),
    ]
    graph = helper.make_graph(
        nodes,
        "powers",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 8, 5, 6])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 40, 5, 6])],
        initializer=inits,
    )
    path = tmp_path / "powers.onnx"
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), str(path))
    script = powers_as_roots(import_model(path).mod)["main"].script()
    assert script.count("R.power(") == 1 and "R.sqrt(" in script  # only the 1.3 stays a power
    compiled = compile_model(path, tmp_path / "powers.tvm", target="llvm")
    x = np.random.default_rng(5).standard_normal((1, 8, 5, 6)).astype(np.float32)
    x[0, 0, 0, :2] = [0.0, -1.0]  # no inf: ORT's LRN gives NaN outside its window
    (y,) = load_compiled(compiled.path)(x)
    np.testing.assert_allclose(y, _ort(path, x), rtol=1e-5, atol=1e-6)
