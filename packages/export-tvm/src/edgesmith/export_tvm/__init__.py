"""ONNX/TFLite to TVM Relax modules compiled for llvm/cuda/ARM targets, optional MetaSchedule tuning, saved libraries and a TVM runner for the profiler."""
