"""Zoo storage: the entries' folders, their cards, and their files checked against the cards' sha256.

Entries live in the repository's top-level ``zoo/`` folder, one folder each (``card.json``, ``generator.keras``,
``discriminator.keras``, ``samples.png``), installed with the package as ``kerasgan.zoo_entries``. Networks open
in Keras ``safe_mode``; an entry stored in float16 comes back computing in float32.

This module imports neither TensorFlow nor Keras until a network is opened (the command line's ``--help`` lists
the presets from the cards).

Example:

>>> from kerasgan.zoo import storage
>>> storage.card("dcgan_mnist")["variant"]
'dcgan'
"""

from __future__ import annotations

import hashlib
import json
import os
from typing import Any

from kerasgan.recipes import command

__all__ = ["CARD", "GENERATOR", "DISCRIMINATOR", "ENCODER", "CLUSTERS", "PROGRESS", "root", "names", "card", "sha256",
           "train_command", "shipped_selection_fid", "runs", "verified_folder", "open_network", "load_networks",
           "cluster_centers", "size"]

CARD = "card.json"
GENERATOR = "generator.keras"
DISCRIMINATOR = "discriminator.keras"
#: The encoder of an entry of a GAN with one (mrgan, mdgan): images -> latents.
ENCODER = "encoder.keras"
#: The k-means centers ``μ_k`` (``(K, φ size)``, float32 NumPy) of an entry trained with ``clusters=K``: a real
#: image's cluster, which its reconstruction and a preset's fine-tuning need (:mod:`kerasgan.clustering`).
CLUSTERS = "clusters.npy"
#: An entry's trainings that its card does not ship (yet): ``{"runs": [...]}``, each run's curve recorded from its
#: workdir by ``scripts/training_progress.py`` (a training that spans sessions, on machines that come and go).
PROGRESS = "progress.json"
#: The environment variable naming another zoo folder (:func:`root`).
ZOO_ENV = "KERASGAN_ZOO"


def root() -> str:
    """The folder holding the zoo entries: ``$KERASGAN_ZOO`` when set (a copy of the zoo to build or test entries
    in), else the installed copy, else the repository's ``zoo/``.

    Example:

    >>> os.path.isdir(root())
    True
    """
    if os.environ.get(ZOO_ENV):
        return os.environ[ZOO_ENV]
    try:
        from importlib import resources  # the standard library

        installed = resources.files("kerasgan.zoo_entries")
        if installed.is_dir():
            return os.fspath(installed)
    except (ImportError, TypeError, ModuleNotFoundError):
        pass
    return os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "zoo")


def _card_names() -> list[str]:
    base = root()
    return sorted(d for d in os.listdir(base) if os.path.isfile(os.path.join(base, d, CARD)))


def names() -> list[str]:
    """The entries that load (a pretrained generator ships with them), sorted.

    Example:

    >>> "dcgan_mnist" in names() and "dcgan_celeb_a" not in names()
    True
    """
    return [n for n in _card_names() if card(n).get("files", {}).get(GENERATOR)]


def recipes() -> list[str]:
    """The recipe-only entries, sorted: a card with the ``kerasgan train`` recipe and no weights, for data that
    cannot be had here (TFDS downloads it elsewhere; :func:`train_command` writes the command).

    Example:

    >>> recipes()
    ['dcgan_celeb_a', 'dcgan_fashion_mnist']
    """
    return [n for n in _card_names() if n not in names()]


def card(name: str) -> dict:
    """The card of entry ``name``: variant, data, training and metrics.

    Example:

    >>> card("dcgan_mnist")["variant"]
    'dcgan'
    """
    path = os.path.join(root(), str(name), CARD)
    if not os.path.isfile(path):
        raise ValueError(f"kerasgan: unknown zoo entry {name!r}; entries are {names()} (recipes without weights: "
                         f"{recipes()}).")
    with open(path) as handle:
        info = json.load(handle)
    info["variant"] = info["recipe"]["variant"]  # the recipe says it once
    return info


def shipped_selection_fid(info: dict) -> float | None:
    """The selection-slice FID of the weights a card ships (the evaluation of its ``eval_history`` that its
    ``best_epoch`` and ``best_weights`` name), which another training of the entry must beat to replace them; None
    when the card ships no training (a recipe, or an entry without an evaluation history).

    Example:

    >>> shipped_selection_fid(card("dcgan_mnist")) > 0, shipped_selection_fid(card("dcgan_celeb_a"))
    (True, None)
    """
    shipped = [e for e in info.get("eval_history", [])
               if e["epoch"] == info.get("best_epoch") and e["source"] == info.get("best_weights")]
    return float(shipped[0]["fid"]) if shipped and info.get("steps") else None


def runs(name: str) -> list[dict]:
    """The recorded trainings of entry ``name`` besides the one its card ships (its :data:`PROGRESS` file; ``[]``
    when there is none), oldest first: each run's workdir name, machine, recipe (``config``), checkpoint epoch,
    training seconds, best selection-slice evaluation and ``history`` of evaluations (the card's ``eval_history``
    format), and why it stopped (``note``) when it did.

    Example:

    >>> runs("dcgan_mnist")
    []
    """
    path = os.path.join(root(), str(name), PROGRESS)
    if not os.path.isfile(path):
        return []
    with open(path) as handle:
        return json.load(handle)["runs"]


def sha256(path: str) -> str:
    """The sha256 hex digest of a file, as the cards record it.

    Example:

    >>> len(sha256(os.path.join(root(), "__init__.py")))
    64
    """
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def train_command(name: str, workdir: str | None = None, online: bool = False) -> str:
    """The ``kerasgan train`` command of entry ``name``'s recipe (its card's ``recipe``).

    ``online=True``: the same recipe on the TFDS dataset that the entry's data
    stands for (the card's ``dataset``, e.g. ``cifar10`` for the local JPEG
    copy ``folder:../shared/data/cifar10``), for machines that can download it.

    Example:

    >>> train_command("dcgan_celeb_a")
    'kerasgan train --variant=dcgan --dataset=celeb_a --split=train --image_size=64 --epochs=20 --batch_size=64 --seed=0 --workdir=runs/dcgan_celeb_a'
    >>> train_command("dcgan_mnist", online=True).split()[3]
    '--dataset=mnist'
    """
    info = card(name)
    recipe = {**info["recipe"], "dataset": info["dataset"]} if online else info["recipe"]
    return command(recipe, workdir or os.path.join("runs", name))


def verified_folder(name: str, filenames: tuple[str, ...]) -> str:
    """The folder of entry ``name`` after checking that ``filenames`` are there and unchanged."""
    info = card(name)
    folder = os.path.join(root(), name)
    files = info.get("files", {})
    if GENERATOR not in files:
        raise ValueError(
            f"kerasgan: the zoo entry {name!r} is a recipe only (no pretrained weights). Train one with:\n"
            f"  {train_command(name)}"
        )
    for filename in filenames:
        if filename not in files:
            use = {DISCRIMINATOR: "presets need an entry with it", ENCODER: "encoding real images needs an entry "
                   "of a GAN with an encoder (variants mrgan, mdgan)",
                   CLUSTERS: "a real image's cluster needs an entry that ships its cluster centers"}.get(filename, "")
            raise ValueError(
                f"kerasgan: the zoo entry {name!r} ships no {filename}; {use} (entries with one: "
                f"{[n for n in names() if filename in card(n)['files']]})."
            )
        path = os.path.join(folder, filename)
        if not os.path.isfile(path):
            raise ValueError(f"kerasgan: the zoo file {path} is missing (its card expects sha256 {files[filename]}).")
        actual = sha256(path)
        if actual != files[filename]:
            raise ValueError(
                f"kerasgan: the zoo file {path} has been changed: its sha256 is {actual}, the card "
                f"expects {files[filename]}. Reinstall kerasgan to restore it."
            )
    return folder


def open_network(path: str) -> Any:
    """A zoo network; one stored in float16 (to fit the zoo's budget) comes back computing in float32."""
    from kerasgan import saving  # Keras, imported when a network is opened: reading cards stays TensorFlow-free

    model = saving.load_model(path, compile=False)
    return saving.with_dtype(model, "float32") if saving.weights_dtype(model) == "float16" else model


def load_networks(name: str) -> tuple[Any, Any]:
    """The pretrained ``(generator, discriminator)`` Keras models of entry
    ``name`` (checked against the card's sha256): what
    ``kerasgan.GAN.from_preset`` fine-tunes.

    Example:

    >>> g, d = load_networks("dcgan_mnist")
    >>> g.output_shape, d.input_shape
    ((None, 28, 28, 1), (None, 28, 28, 1))
    """
    folder = verified_folder(name, (GENERATOR, DISCRIMINATOR))
    return tuple(open_network(os.path.join(folder, f)) for f in (GENERATOR, DISCRIMINATOR))


def cluster_centers(name: str) -> Any:
    """The k-means centers ``μ_k`` of entry ``name`` (trained with ``clusters=K``; checked against the card's sha256),
    float32 ``(K, φ size)``; entries without say so.

    Example:

    >>> try:
    ...     cluster_centers("dcgan_mnist")
    ... except ValueError as error:
    ...     print(str(error)[:59])
    kerasgan: the zoo entry 'dcgan_mnist' ships no clusters.npy
    """
    import numpy as np  # NumPy when the centers are read: reading cards stays light

    folder = verified_folder(name, (CLUSTERS,))
    return np.load(os.path.join(folder, CLUSTERS), allow_pickle=False).astype("float32")


def size(name: str | None = None) -> int:
    """Bytes of entry ``name``'s files, or of the whole zoo (what the package installs).

    Example:

    >>> size("dcgan_mnist") < size()
    True
    """
    base = os.path.join(root(), name) if name else root()
    return sum(os.path.getsize(os.path.join(d, f)) for d, _, files in os.walk(base) for f in files
               if "__pycache__" not in d)
