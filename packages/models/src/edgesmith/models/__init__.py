"""Keras (tf-keras, Keras 2 API) builders for every architecture of the source documents, training entry point, save/load, parameter and FLOP counts."""
