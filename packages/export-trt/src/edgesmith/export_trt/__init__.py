"""Keras/SavedModel to ONNX (tf2onnx) and ONNX to TensorRT engines (FP32/FP16/INT8 with a calibration cache), plus a TensorRT runner for the profiler."""
