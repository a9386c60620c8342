"""Explain and run 1-D convolutions exactly as Keras and PyTorch do."""

__version__ = "0.1.0"
