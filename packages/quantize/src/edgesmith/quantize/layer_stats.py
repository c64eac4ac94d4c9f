"""Per-layer int8 error from TFLite's QuantizationDebugger, with the range statistics that explain it.

The debug model runs every quantized op next to a float copy fed the same input (NumericVerify), so each
layer's error is its own, not what it inherited. On top of the debugger's metrics (RMSE / scale, mean error)
each tensor gets: how much of the int8 code range it uses, how many values calibration clipped, how unequal
its channels are (an outlier channel stretches the one per-tensor scale) and how many channels fall inside
a single quantization step ("crushed": their information is gone). Weights get the spread of their
per-channel scales.
"""

from __future__ import annotations

import dataclasses
import math
import warnings
from collections.abc import Iterable
from typing import Any

import numpy as np

from edgesmith.datasets.native_logs import quiet_native_stderr
from edgesmith.quantize.layer_map import map_interpreter
from edgesmith.quantize.selective import CalibratedModel

_WEIGHT_INPUT = {"CONV_2D": 1, "DEPTHWISE_CONV_2D": 1, "FULLY_CONNECTED": 1, "TRANSPOSE_CONV": 1}


def _dequantized(q: np.ndarray, scale: float, zp: int) -> np.ndarray:
    return (q.astype(np.float32) - zp) * scale


def _range_use(f: np.ndarray, q: np.ndarray, scale: float, zp: int) -> float:
    """Share of the 256 int8 codes between the smallest and largest code used."""
    qi = q.astype(np.int32)
    return float(qi.max() - qi.min()) / 255.0


def _clipped(f: np.ndarray, q: np.ndarray, scale: float, zp: int) -> float:
    """Share of float values outside the calibrated range (saturated to -128 or 127)."""
    lo, hi = (-128.5 - zp) * scale, (127.5 - zp) * scale
    return float(np.mean((f < lo) | (f > hi)))


# The debugger hands each metric a fresh copy of the same tensor; spread and crushed both need its channel
# peaks, so the last result is kept under a cheap fingerprint (shape + 64 strided values).
_LAST_PEAKS: list[Any] = [None, None]


def _channel_absmax(f: np.ndarray) -> np.ndarray | None:
    if f.ndim < 2 or f.shape[-1] < 2:
        return None
    flat = f.reshape(-1)
    key = (f.shape, flat[:: max(1, flat.size // 64)].tobytes())
    if _LAST_PEAKS[0] == key:
        return _LAST_PEAKS[1]
    peaks = np.abs(f.reshape(-1, f.shape[-1])).max(axis=0)
    _LAST_PEAKS[0], _LAST_PEAKS[1] = key, peaks
    return peaks


def _channel_spread(f: np.ndarray, q: np.ndarray, scale: float, zp: int) -> float:
    """Largest channel's |max| over the median channel's: outlier channels make this ≫ 1."""
    peaks = _channel_absmax(f)
    if peaks is None:
        return float("nan")
    median = float(np.median(peaks))
    return float(peaks.max() / median) if median > 0 else float("nan")


def _crushed(f: np.ndarray, q: np.ndarray, scale: float, zp: int) -> float:
    """Share of channels that carry signal in float but stay within one int8 step (read as a constant)."""
    peaks = _channel_absmax(f)
    if peaks is None:
        return float("nan")
    alive = peaks > 0
    if not alive.any():
        return 0.0
    return float(np.mean(peaks[alive] < scale))


DIRECT_METRICS = {
    "range_use": _range_use,
    "clipped": _clipped,
    "channel_spread": _channel_spread,
    "crushed": _crushed,
}


@dataclasses.dataclass
class LayerError:
    """Quantization error of one Keras layer's output and what explains it."""

    layer: str
    ops: list[str]
    depth: int
    rmse_per_scale: float
    mean_error_per_scale: float
    max_abs_error: float
    scale: float
    range_use: float
    clipped: float
    channel_spread: float
    crushed: float
    weight_spread: float | None = None
    share: float = 0.0

    @property
    def notes(self) -> list[str]:
        """Plain-words reasons for a large error, from the range statistics."""
        out = []
        if self.crushed >= 0.25:
            out.append(f"{100 * self.crushed:.0f} % of channels inside one int8 step")
        if not math.isnan(self.channel_spread) and self.channel_spread >= 20:
            out.append(f"outlier channel ×{self.channel_spread:.3g} the median")
        if self.clipped >= 0.005:
            out.append(f"{100 * self.clipped:.1f} % of values clipped")
        if self.range_use < 0.1:
            out.append(f"uses {100 * self.range_use:.0f} % of the int8 range")
        if self.weight_spread is not None and self.weight_spread >= 50:
            out.append(f"weight channel scales spread ×{self.weight_spread:.3g}")
        if self.rmse_per_scale >= 1.0:
            out.append("error above one int8 step")
        return out

    def to_dict(self) -> dict[str, Any]:
        d = dataclasses.asdict(self)
        d["notes"] = self.notes
        return {k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in d.items()}


def _weight_spreads(calibrated: CalibratedModel, content: bytes) -> dict[str, float]:
    """Per layer: max / median of the per-channel weight scales of its conv/dense kernels."""
    from ai_edge_litert.interpreter import Interpreter, OpResolverType

    interp = Interpreter(
        model_content=content, experimental_op_resolver_type=OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES
    )
    interp.allocate_tensors()
    mapping = map_interpreter(interp, _layer_names(calibrated), calibrated.layer_kinds)
    out: dict[str, float] = {}
    for op in mapping.ops:
        pos = _WEIGHT_INPUT.get(op.op)
        if pos is None or op.layer is None or len(op.inputs) <= pos:
            continue
        scales = np.asarray(
            interp._get_tensor_details(op.inputs[pos], 0)["quantization_parameters"]["scales"]
        )
        if scales.size > 1 and np.median(scales) > 0:
            out[op.layer] = max(out.get(op.layer, 0.0), float(scales.max() / np.median(scales)))
    return out


def _layer_names(calibrated: CalibratedModel) -> list[str]:
    return [name for name in calibrated.layers]


def layer_errors(
    calibrated: CalibratedModel,
    samples: np.ndarray,
    *,
    float_layers: Iterable[str] = (),
    quantized: bytes | None = None,
) -> list[LayerError]:
    """Run the NumericVerify debug model on ``samples`` and return one row per quantized layer.

    Rows come in depth order with ``share`` = the layer's squared error in int8 steps over the sum of all
    layers'. ``quantized`` (the plain int8 file, for weight scales) is built when not given.
    """
    from edgesmith.datasets.tf_runtime import tf

    float_layers = list(float_layers)
    debug_model = calibrated.quantize(float_layers, debug=True)
    options = tf.lite.experimental.QuantizationDebugOptions(layer_direct_compare_metrics=DIRECT_METRICS)

    def dataset() -> Iterable[list[np.ndarray]]:
        for i in range(len(samples)):
            yield [np.ascontiguousarray(samples[i : i + 1], dtype=np.float32)]

    with warnings.catch_warnings(), quiet_native_stderr():
        warnings.simplefilter("ignore")  # tf.lite.Interpreter's deprecation notice, nanmean of empty
        debugger = tf.lite.experimental.QuantizationDebugger(
            quant_debug_model_content=debug_model, debug_dataset=dataset, debug_options=options
        )
        debugger.run()
    interp = debugger._quant_interpreter
    mapping = map_interpreter(interp, _layer_names(calibrated), calibrated.layer_kinds)
    verify_ops = debugger._numeric_verify_op_details  # NumericVerify output name → its op details

    per_layer: dict[str, list[tuple[str, dict[str, float], float]]] = {}
    for name, stats in debugger.layer_statistics.items():
        q_idx = verify_ops[name]["inputs"][0]
        layer = mapping.layer_of_tensor(q_idx)
        if layer is None:
            continue
        detail = interp._get_tensor_details(q_idx, 0)
        scale = float(detail["quantization_parameters"]["scales"][0])
        op_name = interp._get_op_details(debugger._defining_op[q_idx])["op_name"]
        per_layer.setdefault(layer, []).append((op_name, dict(stats), scale))

    spreads = _weight_spreads(calibrated, quantized or calibrated.quantize(float_layers))
    order = {layer: i for i, layer in enumerate(calibrated.layers)}
    rows: list[LayerError] = []
    for layer, entries in per_layer.items():
        ops = [op for op, _, _ in entries]

        def steps(entry: tuple[str, dict[str, float], float]) -> float:
            _, stats, scale = entry
            return math.sqrt(max(float(stats["mean_squared_error"]), 0.0)) / scale if scale > 0 else 0.0

        worst = max(entries, key=steps)
        _, stats, scale = worst
        rows.append(
            LayerError(
                layer=layer,
                ops=ops,
                depth=order.get(layer, len(order)),
                rmse_per_scale=steps(worst),
                mean_error_per_scale=float(stats["mean_error"]) / scale if scale > 0 else 0.0,
                max_abs_error=float(stats["max_abs_error"]),
                scale=scale,
                range_use=float(stats["range_use"]),
                clipped=float(stats["clipped"]),
                channel_spread=float(stats["channel_spread"]),
                crushed=float(stats["crushed"]),
                weight_spread=spreads.get(layer),
            )
        )
    total = sum(r.rmse_per_scale**2 for r in rows)
    for r in rows:
        r.share = r.rmse_per_scale**2 / total if total > 0 else 0.0
    rows.sort(key=lambda r: r.depth)
    return rows
