"""``python -m kerasgan`` runs the command line."""

from kerasgan.cli import entry_point

entry_point()
