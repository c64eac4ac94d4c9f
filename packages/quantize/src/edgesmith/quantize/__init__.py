"""TFLite post-training quantization in every mode, quantization-aware training and magnitude pruning (tfmot), with an accuracy/size report against the float model."""
