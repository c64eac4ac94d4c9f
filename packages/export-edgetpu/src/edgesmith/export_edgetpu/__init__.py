"""Edge TPU readiness check of TFLite models, edgetpu_compiler wrapper with its log parsed, and an Edge TPU runner with CPU fallback."""
