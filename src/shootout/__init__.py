"""shootout: the classic progression of image classifiers, correct, tested and fast."""

__version__ = "0.1.0"
