"""Keras to int8 to Edge TPU pipeline for convolutional autoencoders (the Edge TPU study)."""
