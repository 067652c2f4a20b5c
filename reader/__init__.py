"""reader: a keyboard-driven terminal app for reading and annotating news articles."""

__version__ = "0.1.0"
