"""The package's version (``kerasgan.__version__``; ``setup.py`` reads it from here)."""

__version__ = "0.1.0"
