"""TVM's TFLite operator converter, with the ops the plate CRNN needs converted correctly (TVM 0.27).

Passed to ``relax.frontend.tflite.from_tflite`` as its ``op_converter`` by
:func:`edgesmith.export_tvm.frontends.import_tflite`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from edgesmith.export_tvm.errors import TVMExportError


def tflite_converter(batch: int) -> Any:
    """TVM's TFLite operator converter with these TVM 0.27 Relax-frontend faults worked around.

    - Keras' ``Reshape`` converts to SHAPE -> STRIDED_SLICE -> PACK -> RESHAPE (the batch dim is read at
      run time); the frontend hands that computed shape to ``ShapeExpr`` and fails ("Expected Array<ir.Expr>
      but got ir.Call"), its constant inference being disabled. With static input shapes the output
      tensor's own shape is the target, the batch dim set to ``batch``.
    - SPACE_TO_BATCH_ND / BATCH_TO_SPACE_ND (how TFLite writes a dilated convolution) become calls of
      ``topi.nn.*`` as if they were runtime functions; they are TE computes, so the compiled model fails
      when run ("Cannot convert from type ffi.Shape"). Here they are pad, reshape, transpose and slice,
      which also carry int8 tensors (padding with the zero point), so a full-integer CRNN converts.
    """
    from tvm import relax
    from tvm.relax.frontend.tflite.tflite_frontend import OperatorConverter

    def ints(values: Any) -> list[int]:
        return [int(v) for v in values]

    class TFLiteConverter(OperatorConverter):
        # data movement only (int8 in, the same scale out) or a shape: exact on integer tensors
        _SUPPORTED_QUANTIZED_OPS = OperatorConverter._SUPPORTED_QUANTIZED_OPS | {
            "SHAPE",
            "SPACE_TO_BATCH_ND",
            "BATCH_TO_SPACE_ND",
            "TRANSPOSE",
        }

        def convert_reshape(self, op: Any) -> Any:
            inputs = self.get_input_tensors(op)
            if len(inputs) == 2 and self.has_expr(inputs[1].tensor_idx):
                out = self.get_output_tensors(op)[0].tensor
                dims = out.ShapeSignatureAsNumpy() if out.ShapeSignatureLength() else out.ShapeAsNumpy()
                shape = [batch if i == 0 and d < 0 else int(d) for i, d in enumerate(dims)]
                if all(d >= 0 for d in shape):
                    return relax.op.reshape(self.get_expr(inputs[0].tensor_idx), shape)
            return super().convert_reshape(op)

        def _block_args(self, op: Any) -> tuple[Any, list[int], list[int], list[int], list[int], float]:
            """Input, its shape, block shape, the per-axis (before, after) edges, and the stored value of a
            real 0 (an int8 tensor's zero point), which padding writes."""
            data, block, edges = self.get_input_tensors(op)
            q = data.qnn_params
            if q and not self.has_same_qnn_params(data, self.get_output_tensors(op)[0]):
                raise TVMExportError("a quantized SPACE_TO_BATCH_ND/BATCH_TO_SPACE_ND rescales; re-convert")
            expr = self.get_expr(data.tensor_idx)
            shape = [int(d) for d in self._infer_shape(expr)]
            pairs = self.get_tensor_value(edges)
            zero = float(q["zero_point"].value.numpy()) if q else 0.0
            return expr, shape, ints(self.get_tensor_value(block)), ints(pairs[:, 0]), ints(pairs[:, 1]), zero

        def convert_space_to_batch_nd(self, op: Any) -> Any:
            x, shape, block, before, after, zero = self._block_args(op)
            m, rest = len(block), shape[len(block) + 1 :]
            edges = [w for pair in zip(before, after, strict=True) for w in pair]
            widths = [0, 0, *edges] + [0, 0] * len(rest)
            padded = [shape[1 + i] + before[i] + after[i] for i in range(m)]
            split = [s for i in range(m) for s in (padded[i] // block[i], block[i])]
            padded_x = relax.op.nn.pad(x, widths, pad_value=zero)
            x = relax.op.reshape(padded_x, [shape[0], *split, *rest])
            blocks, spatial = [2 + 2 * i for i in range(m)], [1 + 2 * i for i in range(m)]
            x = relax.op.permute_dims(x, [*blocks, 0, *spatial, *range(2 * m + 1, 2 * m + 1 + len(rest))])
            batch = shape[0] * int(np.prod(block))
            return relax.op.reshape(x, [batch, *(padded[i] // block[i] for i in range(m)), *rest])

        def convert_batch_to_space_nd(self, op: Any) -> Any:
            x, shape, block, crop_begin, crop_end, _ = self._block_args(op)
            m, rest = len(block), shape[len(block) + 1 :]
            n = shape[0] // int(np.prod(block))
            x = relax.op.reshape(x, [*block, n, *shape[1 : m + 1], *rest])
            interleaved = [a for i in range(m) for a in (m + 1 + i, i)]
            x = relax.op.permute_dims(x, [m, *interleaved, *range(2 * m + 1, 2 * m + 1 + len(rest))])
            grown = [shape[1 + i] * block[i] for i in range(m)]
            x = relax.op.reshape(x, [n, *grown, *rest])
            ends = [grown[i] - crop_end[i] for i in range(m)]
            return relax.op.strided_slice(x, list(range(1, m + 1)), crop_begin, ends)

    return TFLiteConverter


__all__ = ["tflite_converter"]
