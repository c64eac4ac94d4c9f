"""Keras to int8 to Edge TPU pipeline for convolutional autoencoders (document 004)."""
