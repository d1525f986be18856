"""Pretrained kerasgan generators, one folder per entry (installed as ``kerasgan.zoo_entries``).

Use them through :mod:`kerasgan.zoo`; each folder's ``card.json`` says how it was trained and measured.
"""
