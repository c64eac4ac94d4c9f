"""Calibrate a Keras model once, then quantize it any number of times with chosen layers kept in float.

TFLite's MLIR quantizer (``mlir_quantize``, what ``QuantizationDebugger`` drives) takes the calibrated
flatbuffer plus ``denylisted_nodes`` (op output tensor names); :class:`CalibratedModel` turns Keras layer
names into those nodes, so trying a float-layer set costs one quantization pass, never a re-calibration.
"""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Iterable, Sequence
from typing import Any

from edgesmith.datasets.native_logs import quiet_native_stderr
from edgesmith.datasets.tf_runtime import keras, tf
from edgesmith.quantize.calibration import Calibration, Representative, calibration_from
from edgesmith.quantize.errors import QuantizeError
from edgesmith.quantize.layer_map import LayerMap, keras_layer_kinds, keras_layer_names, map_layers
from edgesmith.quantize.modes import IoDtype

_TF_IO = {IoDtype.INT8: tf.int8, IoDtype.UINT8: tf.uint8, IoDtype.FLOAT32: tf.float32}


def _quiet_convert(converter: Any) -> bytes:
    with warnings.catch_warnings(), quiet_native_stderr():
        warnings.simplefilter("ignore")
        return converter.convert()


@dataclasses.dataclass
class CalibratedModel:
    """A Keras model's float TFLite file, its calibrated (not yet quantized) file and the layer map."""

    float_content: bytes
    calibrated: bytes
    layer_map: LayerMap
    calibration: Calibration
    model_name: str
    layer_kinds: dict[str, str] = dataclasses.field(default_factory=dict)  # layer → Keras class

    @property
    def layers(self) -> tuple[str, ...]:
        """Keras layers that own TFLite ops, in execution order: the candidates for float."""
        return self.layer_map.layers

    def quantize(
        self,
        float_layers: Iterable[str] = (),
        io_dtype: IoDtype | str = IoDtype.INT8,
        *,
        debug: bool = False,
    ) -> bytes:
        """Full-integer model with ``float_layers`` computing in float (``debug``: with NumericVerify ops).

        The debug model keeps float input/output (what ``QuantizationDebugger`` expects).
        """
        from tensorflow.lite.python import convert as tfl_convert

        io = IoDtype(io_dtype)
        nodes = self.layer_map.nodes(float_layers) or None
        kwargs: dict[str, Any] = {"denylisted_nodes": nodes}
        if debug:
            kwargs.update(enable_numeric_verify=True, fully_quantize=False)
        else:
            kwargs.update(
                fully_quantize=io is not IoDtype.FLOAT32,
                input_data_type=_TF_IO[io],
                output_data_type=_TF_IO[io],
            )
        try:
            with warnings.catch_warnings(), quiet_native_stderr():
                warnings.simplefilter("ignore")
                return bytes(tfl_convert.mlir_quantize(self.calibrated, **kwargs))
        except Exception as exc:  # MLIR errors carry pages of IR
            first = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else type(exc).__name__
            raise QuantizeError(f"int8 quantization of {self.model_name!r} failed: {first}") from exc


def calibrate(
    model: keras.Model,
    representative: Representative,
    *,
    calibration_samples: int = 100,
    seed: int = 0,
    layer_names: Sequence[str] | None = None,
) -> CalibratedModel:
    """Convert ``model`` to float TFLite and to a calibrated TFLite file (activation ranges recorded)."""
    if len(model.inputs) != 1 or len(model.outputs) != 1:
        raise QuantizeError(
            f"model {model.name!r} has {len(model.inputs)} inputs and {len(model.outputs)} outputs; "
            "per-layer int8 debugging supports single-input, single-output models"
        )
    calibration = calibration_from(representative, model.input_shape, calibration_samples, seed)
    float_content = _quiet_convert(tf.lite.TFLiteConverter.from_keras_model(model))
    converter = tf.lite.TFLiteConverter.from_keras_model(model)
    converter.optimizations = [tf.lite.Optimize.DEFAULT]
    converter.representative_dataset = calibration.generator
    converter.experimental_mlir_quantizer = True
    converter._experimental_calibrate_only = True  # what QuantizationDebugger does: ranges, no quantization
    try:
        calibrated = _quiet_convert(converter)
    except Exception as exc:
        first = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else type(exc).__name__
        raise QuantizeError(f"calibration of {model.name!r} failed: {first}") from exc
    names = list(layer_names) if layer_names is not None else keras_layer_names(model)
    kinds = keras_layer_kinds(model)
    return CalibratedModel(
        float_content=bytes(float_content),
        calibrated=bytes(calibrated),
        layer_map=map_layers(calibrated, names, kinds),
        calibration=calibration,
        model_name=model.name,
        layer_kinds=kinds,
    )
