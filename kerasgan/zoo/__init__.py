"""The model zoo: pretrained generators that load offline in one line.

Entries live in the repository's top-level ``zoo/`` folder, one folder each
(``card.json``, ``generator.keras``, ``discriminator.keras``,
``samples.png``), and are installed with the package (as
``kerasgan.zoo_entries``), so they load from any directory with no network.

The card is an entry's single source of truth: its ``recipe`` holds the
``kerasgan train`` flags that made it (:func:`train_command` writes the
command; ``scripts/build_zoo_entry.py`` trains from it), beside the measured
metrics, the files' sha256 and the versions. :func:`names` lists the entries
that load; :func:`recipes` the recipe-only ones (a card, no weights: data that
TFDS downloads elsewhere), for which :func:`load` says how to train one. Each pretrained entry is
also a *preset*: ``kerasgan.GAN.from_preset(name)`` builds its variant with
the pretrained generator and discriminator, to fine-tune on your own data
(:func:`load_networks`). :func:`table` formats the zoo for the command line
and the README, and :mod:`~kerasgan.zoo.pages` makes each entry's documentation
page and training plot from its card.

Loading checks every file's sha256 against the card and opens the networks
with Keras ``safe_mode`` (no code from the file is run). Entries whose card
says ``"stored_dtype": "float16"`` keep their weights in float16 (half the
bytes); they load as float32 networks (:func:`kerasgan.saving.with_dtype`).

The package, by concept: :mod:`~kerasgan.zoo.storage` (folders, cards, checked files),
:mod:`~kerasgan.zoo.generator` (:class:`ZooGenerator`), :mod:`~kerasgan.zoo.report` (evaluation),
:mod:`~kerasgan.zoo.pages` (the tables and documentation pages) and :mod:`~kerasgan.zoo.presets` (a GAN built from
an entry, for fine-tuning).

Example:

>>> import kerasgan
>>> "dcgan_mnist" in kerasgan.zoo.names()
True
>>> g = kerasgan.zoo.load("dcgan_mnist")
>>> g.generate(4, seed=0).shape
(4, 28, 28, 1)
"""

import importlib as _importlib

from kerasgan.zoo.storage import (CARD, DISCRIMINATOR, ENCODER, GENERATOR, card, load_networks, names, recipes, root, sha256,
                                  size, train_command)

#: Names served by the modules that need TensorFlow, imported on first use: ``kerasgan zoo --help`` and the
#: command line's preset names read the cards without importing TensorFlow.
_LAZY = {"ZooGenerator": "generator", "load": "generator", "evaluate": "report", "table": "pages",
         "generator": "generator", "report": "report", "presets": "presets", "pages": "pages"}


def __getattr__(name: str):
    if name not in _LAZY:
        raise AttributeError(f"module 'kerasgan.zoo' has no attribute {name!r}")
    module = _importlib.import_module(f"kerasgan.zoo.{_LAZY[name]}")
    return module if name == _LAZY[name] else getattr(module, name)

__all__ = ["ZooGenerator", "names", "recipes", "card", "load", "load_networks", "evaluate", "train_command", "table", "size",
           "root", "sha256", "presets", "pages", "CARD", "GENERATOR", "DISCRIMINATOR", "ENCODER"]
