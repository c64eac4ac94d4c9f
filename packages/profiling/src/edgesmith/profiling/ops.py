"""Op-level profiles aggregated by op type (CIFAR study): time, self and cumulative share, requested bytes.

Three sources, one table:

* Keras / SavedModel: the model is frozen into a TensorFlow graph and run in a session with
  ``FULL_TRACE``; TensorFlow's step stats give each executed node's time and requested output bytes,
  after TensorFlow's own graph rewrites (so fused kernels appear as they really ran).
* ``.onnx``: ONNX Runtime's own profiler (``enable_profiling``) gives each node's kernel time and output
  bytes, after ONNX Runtime's graph optimisations (fused nodes appear as they ran).
* ``.tflite``: neither the ai-edge-litert Python interpreter nor its ``litert-benchmark`` script times single
  ops; TensorFlow Lite's ``benchmark_model`` binary (on PATH or in ``$EDGESMITH_TFLITE_BENCHMARK``) is run
  with ``--enable_op_profiling`` when installed and its "by node type" summary is parsed. Without it the
  table counts the model's ops by type from the flatbuffer and the interpreter times the whole model, so the
  total is measured and per-op times are left empty rather than guessed.

::

    from edgesmith.profiling.ops import profile_ops
    prof = profile_ops("cifar10.keras", batch_size=1, runs=20)
    print(prof.sorted("time").to_markdown())
"""

from __future__ import annotations

import collections
import csv
import dataclasses
import importlib
import io
import json
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from edgesmith.profiling.artifacts import atomic_write
from edgesmith.profiling.bench import make_batch
from edgesmith.profiling.runner import BackendUnavailable, RunnerError, TensorSpec

_BOOKKEEPING = {"_SOURCE", "_SINK", "_Arg", "_Retval", "NoOp", "_Recv", "_Send"}
_KERNEL_PREFIXES = ("_MklNative", "_MklFused", "_Mkl", "_Fused")
SORT_KEYS = ("time", "bytes", "count", "name")


def op_type_of(kernel: str) -> str:
    """The op type behind a kernel name: ``_MklNativeConv2D`` -> ``Conv2D``, ``_MklMatMul`` -> ``MatMul``."""
    for prefix in _KERNEL_PREFIXES:
        if kernel.startswith(prefix) and len(kernel) > len(prefix):
            return kernel[len(prefix) :]
    return kernel


@dataclasses.dataclass
class OpRow:
    """One op type: how many nodes, their time per run (ms), share of the total, bytes requested."""

    op_type: str
    count: int
    time_ms: float
    share: float = 0.0
    cumulative: float = 0.0
    requested_bytes: int | None = None
    kernels: tuple[str, ...] = ()


@dataclasses.dataclass
class OpProfile:
    """An op-type profile; ``sorted(by)`` returns a copy ordered by time, bytes, count or name."""

    artifact: str
    source: str
    batch_size: int
    runs: int
    rows: list[OpRow]
    sort_key: str = "time"
    measured_total_ms: float | None = None  # whole-model latency when per-op times are not available

    @property
    def timed(self) -> bool:
        """Whether the rows carry per-op times (False: op counts plus a measured whole-model total)."""
        return self.measured_total_ms is None

    @property
    def total_ms(self) -> float:
        if self.measured_total_ms is not None:
            return self.measured_total_ms
        return float(sum(r.time_ms for r in self.rows))

    def sorted(self, by: str = "time") -> OpProfile:
        """Rows ordered by ``by`` (descending, except ``name``) with the cumulative share recomputed."""
        if by not in SORT_KEYS:
            raise ValueError(f"unknown sort key {by!r}; use one of {', '.join(SORT_KEYS)}")
        keyf = {
            "time": lambda r: -r.time_ms,
            "bytes": lambda r: -(r.requested_bytes or 0),
            "count": lambda r: -r.count,
            "name": lambda r: r.op_type,
        }[by]
        rows = [dataclasses.replace(r) for r in sorted(self.rows, key=keyf)]
        total = float(sum(r.time_ms for r in rows))
        acc = 0.0
        for r in rows:
            r.share = r.time_ms / total if total else 0.0
            acc += r.share
            r.cumulative = acc
        return dataclasses.replace(self, rows=rows, sort_key=by)

    def share_of(self, op_type: str, *, fused: bool = True) -> float:
        """Share of total time (0..1) spent in ``op_type``; with ``fused`` its fused forms count too
        ("Conv2D" includes oneDNN's FusedConv2D, a convolution with its bias and ReLU folded in)."""
        types = {op_type, f"Fused{op_type}", f"_Fused{op_type}"} if fused else {op_type}
        total = self.total_ms
        return sum(r.time_ms for r in self.rows if r.op_type in types) / total if total else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {**dataclasses.asdict(self), "total_ms": self.total_ms, "timed": self.timed}

    def to_json(self, path: str | os.PathLike[str] | None = None) -> str:
        text = json.dumps(self.to_dict(), indent=2)
        if path is not None:
            atomic_write(path, text)
        return text

    def to_csv(self, path: str | os.PathLike[str] | None = None) -> str:
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(["op_type", "count", "time_ms", "share", "cumulative", "requested_bytes", "kernels"])
        for r in self.rows:
            w.writerow(
                [
                    r.op_type,
                    r.count,
                    f"{r.time_ms:.6f}",
                    f"{r.share:.6f}",
                    f"{r.cumulative:.6f}",
                    "" if r.requested_bytes is None else r.requested_bytes,
                    " ".join(r.kernels),
                ]
            )
        if path is not None:
            atomic_write(path, buf.getvalue())
        return buf.getvalue()

    def to_markdown(self) -> str:
        head = (
            f"{Path(self.artifact).name}: {self.total_ms:.3f} ms per run at batch {self.batch_size}, "
            f"mean of {self.runs} traced runs ({self.source}), sorted by {self.sort_key}\n\n"
        )
        lines = [
            "| op type | count | time ms | self % | cumulative % | requested KB |",
            "|---|---:|---:|---:|---:|---:|",
        ]
        for r in self.rows:
            kb = "" if r.requested_bytes is None else f"{r.requested_bytes / 1024:.1f}"
            if not self.timed:
                lines.append(f"| {r.op_type} | {r.count} | | | | {kb} |")
                continue
            lines.append(
                f"| {r.op_type} | {r.count} | {r.time_ms:.4f} | {100 * r.share:.1f} | "
                f"{100 * r.cumulative:.1f} | {kb} |"
            )
        return head + "\n".join(lines) + "\n"


def _aggregate(nodes: list[tuple[str, float, int]], runs: int) -> list[OpRow]:
    """(kernel, µs, bytes) per executed node over all runs -> one row per op type, time per run."""
    time_us: dict[str, float] = collections.defaultdict(float)
    nbytes: dict[str, int] = collections.defaultdict(int)
    names: dict[str, set[str]] = collections.defaultdict(set)
    count: collections.Counter[str] = collections.Counter()
    for kernel, us, b in nodes:
        t = op_type_of(kernel)
        time_us[t] += us
        nbytes[t] += b
        names[t].add(kernel)
        count[t] += 1
    return [
        OpRow(
            t,
            count[t] // runs,
            time_us[t] / runs / 1000.0,
            requested_bytes=nbytes[t] // runs,
            kernels=tuple(sorted(names[t])),
        )
        for t in time_us
    ]


def profile_keras_ops(
    model: Any,
    batch_size: int = 1,
    runs: int = 10,
    warmup: int = 3,
    threads: int | None = None,
    inputs: np.ndarray | None = None,
    artifact: str = "",
) -> OpProfile:
    """Trace ``runs`` executions of a Keras model (object or path) and aggregate node times by op type."""
    from edgesmith.profiling.errors import require

    require("edgesmith.models", "a Keras op profile", "keras")
    from edgesmith.datasets.tf_runtime import keras, tf
    from edgesmith.models.runner import load_keras_model

    # Graph freezing has no public TF2 API; import it only after tf_runtime has configured TensorFlow.
    freeze = importlib.import_module("tensorflow.python.framework.convert_to_constants")

    if not isinstance(model, keras.Model):
        artifact = artifact or str(model)
        if not Path(model).exists():
            raise RunnerError(f"{model}: no such model file; check the path or export it first")
        model = load_keras_model(model)
        if not isinstance(model, keras.Model):
            raise RunnerError(
                f"{artifact}: op profiling needs a Keras model (.keras/.h5), not a bare SavedModel"
            )
    if len(model.inputs) != 1:
        raise RunnerError(f"{artifact or model.name}: op profiling supports single-input models")
    shape = tuple(model.inputs[0].shape)
    fn = tf.function(lambda t: model(t, training=False))
    concrete = fn.get_concrete_function(tf.TensorSpec((None, *shape[1:]), tf.float32))
    frozen = freeze.convert_variables_to_constants_v2(concrete)
    graph = tf.Graph()
    with graph.as_default():
        tf.compat.v1.import_graph_def(frozen.graph.as_graph_def(), name="")
    cfg = tf.compat.v1.ConfigProto(
        intra_op_parallelism_threads=threads or 0, inter_op_parallelism_threads=1 if threads else 0
    )
    spec = TensorSpec("input", tuple(None if d is None else int(d) for d in shape))
    (batch,) = make_batch([spec], batch_size, inputs)
    feed = {frozen.inputs[0].name: batch}
    fetch = [t.name for t in frozen.outputs]
    nodes: list[tuple[str, float, int]] = []
    with tf.compat.v1.Session(graph=graph, config=cfg) as sess:
        for _ in range(warmup):
            sess.run(fetch, feed)
        options = tf.compat.v1.RunOptions(trace_level=tf.compat.v1.RunOptions.FULL_TRACE)
        for _ in range(runs):
            meta = tf.compat.v1.RunMetadata()
            sess.run(fetch, feed, options=options, run_metadata=meta)
            for dev in meta.step_stats.dev_stats:
                for ns in dev.node_stats:
                    m = re.search(r"= (\w+)\(", ns.timeline_label)
                    kernel = m.group(1) if m else ns.node_name.rsplit("/", 1)[-1]
                    if kernel in _BOOKKEEPING or ns.node_name in _BOOKKEEPING:
                        continue
                    req = sum(o.tensor_description.allocation_description.requested_bytes for o in ns.output)
                    nodes.append((kernel, float(ns.op_end_rel_micros - ns.op_start_rel_micros), int(req)))
    prof = OpProfile(
        artifact or model.name,
        "TensorFlow step stats (FULL_TRACE)",
        batch_size,
        runs,
        _aggregate(nodes, runs),
    )
    return prof.sorted("time")


_NODE_TYPE_HEADER = "Summary by node type"


def parse_benchmark_model_output(text: str, artifact: str = "", runs: int = 0) -> OpProfile:
    """Parse the "Summary by node type" table that ``benchmark_model --enable_op_profiling`` prints."""
    start = text.rfind(_NODE_TYPE_HEADER)  # the last summary covers the timed runs, not initialisation
    if start < 0:
        raise RunnerError("benchmark_model printed no op profile; was --enable_op_profiling=true honoured?")
    rows = []
    for line in text[start:].splitlines()[1:]:
        parts = line.split()
        if not parts or parts[0].startswith("="):
            if rows:
                break
            continue
        if parts[0].startswith("[") or len(parts) < 6:
            continue
        try:
            op, count, avg_ms = parts[0], int(parts[1]), float(parts[2])
            mem_kb = float(parts[5])
        except ValueError:
            continue
        rows.append(OpRow(op, count, avg_ms, requested_bytes=int(mem_kb * 1024), kernels=(op,)))
    if not rows:
        raise RunnerError("could not read benchmark_model's op profile table; check its version")
    return OpProfile(artifact, "TFLite benchmark_model op profiling", 1, runs, rows).sorted("time")


def benchmark_model_binary() -> str | None:
    """TFLite's ``benchmark_model`` from ``$EDGESMITH_TFLITE_BENCHMARK`` or PATH, if any."""
    env = os.environ.get("EDGESMITH_TFLITE_BENCHMARK")
    if env and Path(env).is_file():
        return env
    return shutil.which("benchmark_model")


def tflite_op_counts(path: str | os.PathLike[str]) -> list[OpRow]:
    """Op types of a ``.tflite`` flatbuffer with how many nodes each (every subgraph), untimed."""
    from ai_edge_litert.tools import flatbuffer_utils

    model = flatbuffer_utils.read_model(str(path))
    count: collections.Counter[str] = collections.Counter()
    for sg in model.subgraphs:
        for op in sg.operators:
            count[flatbuffer_utils.opcode_to_name(model, op.opcodeIndex) or "UNKNOWN"] += 1
    return [OpRow(t, n, 0.0, kernels=(t,)) for t, n in count.items()]


def tflite_total_ms(path: str | os.PathLike[str], runs: int = 50, threads: int | None = None) -> float:
    """Mean latency (ms) of the whole model at batch 1 through the TFLite runner (XNNPACK, as shipped)."""
    from edgesmith.profiling.bench import bench

    result = bench(path, (1,), warmup=5, runs=runs, backend="tflite", threads=threads)
    return result.stats().mean_ms


def profile_tflite_ops(path: str | os.PathLike[str], runs: int = 50, threads: int | None = None) -> OpProfile:
    """Per-op-type profile of a ``.tflite`` file: ``benchmark_model`` op times when installed, else op
    counts from the flatbuffer and the whole-model latency measured through the interpreter."""
    if not Path(path).exists():
        raise RunnerError(f"no such model file ({path}): check the path or export it first")
    binary = benchmark_model_binary()
    if binary is None:
        total = tflite_total_ms(path, runs=runs, threads=threads)
        rows = sorted(tflite_op_counts(path), key=lambda r: -r.count)
        source = (
            "op counts from the flatbuffer, total timed by the interpreter (op times need benchmark_model)"
        )
        return OpProfile(str(path), source, 1, runs, rows, sort_key="count", measured_total_ms=total)
    cmd = [binary, f"--graph={path}", "--enable_op_profiling=true", f"--num_runs={runs}"]
    if threads:
        cmd.append(f"--num_threads={threads}")
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    if proc.returncode != 0:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-1:] or ["no output"]
        raise RunnerError(f"benchmark_model failed on {path}: {tail[0]}")
    return parse_benchmark_model_output(proc.stdout + proc.stderr, str(path), runs)


def _onnx_feed(
    sess: Any, batch_size: int, inputs: np.ndarray | None, shapes: Mapping[str, tuple[int, ...]]
) -> dict:
    from edgesmith.profiling.shapes import SINGLE

    feed = {}
    rng = np.random.default_rng(0)
    for i, meta in enumerate(sess.get_inputs()):
        dims = shapes.get(meta.name) or (shapes.get(SINGLE) if i == 0 else None)
        if dims is None:
            dims = tuple(d if isinstance(d, int) and d > 0 else None for d in meta.shape)
            if any(d is None for d in dims[1:]):
                raise RunnerError(
                    f"input {meta.name!r} has dynamic dimensions {list(meta.shape)}: "
                    f"pass --input-shape {meta.name}:1x3x640x640 (your sizes)"
                )
            dims = (batch_size, *dims[1:])
        if i == 0 and inputs is not None:
            feed[meta.name] = np.ascontiguousarray(inputs[:batch_size], np.float32)
        else:
            feed[meta.name] = rng.random(dims, dtype=np.float32)
    return feed


def profile_onnx_ops(
    path: str | os.PathLike[str],
    batch_size: int = 1,
    runs: int = 10,
    warmup: int = 3,
    threads: int | None = None,
    inputs: np.ndarray | None = None,
    input_shapes: Mapping[str, tuple[int, ...]] | None = None,
) -> OpProfile:
    """Per-op-type profile of an ``.onnx`` model from ONNX Runtime's profiler (kernel time, output bytes)."""
    if not Path(path).exists():
        raise RunnerError(f"no such model file ({path}): check the path or export it first")
    try:
        import onnxruntime as ort
    except ImportError as exc:
        raise BackendUnavailable("profiling .onnx needs onnxruntime: `uv add onnxruntime`") from exc
    with tempfile.TemporaryDirectory(prefix="edgesmith-ops-") as tmp:
        opts = ort.SessionOptions()
        if threads:
            opts.intra_op_num_threads, opts.inter_op_num_threads = threads, 1
        try:
            warm = ort.InferenceSession(str(path), sess_options=opts, providers=["CPUExecutionProvider"])
        except Exception as exc:
            raise RunnerError(
                f"not a loadable ONNX model ({path}): {type(exc).__name__}; re-export it"
            ) from exc
        feed = _onnx_feed(warm, batch_size, inputs, input_shapes or {})
        for _ in range(warmup):
            warm.run(None, feed)
        opts.enable_profiling = True
        opts.profile_file_prefix = str(Path(tmp) / "ort")
        sess = ort.InferenceSession(str(path), sess_options=opts, providers=["CPUExecutionProvider"])
        for _ in range(runs + 1):  # the first profiled run includes allocation: dropped below
            sess.run(None, feed)
        events = json.loads(Path(sess.end_profiling()).read_text())
    nodes = [e for e in events if e.get("cat") == "Node" and str(e.get("name", "")).endswith("_kernel_time")]
    per_run = len(nodes) // (runs + 1)
    nodes = nodes[per_run:]  # drop the first run (allocation, caches)
    rows = [
        (str(e["args"].get("op_name", "?")), float(e["dur"]), int(e["args"].get("output_size", 0)))
        for e in nodes
    ]
    source = f"ONNX Runtime profiler ({ort.__version__}, CPU)"
    return OpProfile(str(path), source, batch_size, runs, _aggregate(rows, runs)).sorted("time")


def profile_ops(
    artifact: str | os.PathLike[str],
    batch_size: int = 1,
    runs: int = 10,
    threads: int | None = None,
    inputs: np.ndarray | None = None,
    input_shapes: Mapping[str, tuple[int, ...]] | None = None,
) -> OpProfile:
    """Op-type profile of a Keras model / SavedModel (TF trace), an ``.onnx`` (ONNX Runtime's profiler) or a
    ``.tflite`` file (benchmark_model, else op counts + litert-benchmark total), as one table."""
    suffix = Path(artifact).suffix.lower()
    if suffix == ".tflite":
        if batch_size != 1:
            raise RunnerError("a .tflite is profiled at its own input shape; use --batch-size 1")
        return profile_tflite_ops(artifact, runs=runs, threads=threads)
    if suffix == ".onnx":
        return profile_onnx_ops(
            artifact,
            batch_size=batch_size,
            runs=runs,
            threads=threads,
            inputs=inputs,
            input_shapes=input_shapes,
        )
    return profile_keras_ops(artifact, batch_size=batch_size, runs=runs, threads=threads, inputs=inputs)
