"""The model zoo: pretrained generators that load offline in one line.

Entries live in the repository's top-level ``zoo/`` folder, one folder each
(``card.json``, ``generator.keras``, ``samples.png``, ``recipe.json``), and
are installed with the package (as ``kerasgan.zoo_entries``), so they load
from any directory with no network. Recipe-only entries have a card and a
recipe but no weights: :func:`load` says how to train one.

Loading checks every file's sha256 against the card and opens the generator
with Keras ``safe_mode`` (no code from the file is run).

Example:

>>> import kerasgan
>>> "dcgan_mnist" in kerasgan.zoo.names()
True
>>> g = kerasgan.zoo.load("dcgan_mnist")
>>> g.generate(4, seed=0).shape
(4, 28, 28, 1)
"""

from __future__ import annotations

import hashlib
import json
import os
from typing import Any

import numpy as np

__all__ = ["ZooGenerator", "names", "card", "load", "root", "sha256"]

CARD = "card.json"
GENERATOR = "generator.keras"


def root() -> str:
    """The folder holding the zoo entries (installed copy, or the repository's ``zoo/``).

    Example:

    >>> os.path.isdir(root())
    True
    """
    try:
        from importlib import resources

        installed = resources.files("kerasgan.zoo_entries")
        if installed.is_dir():
            return os.fspath(installed)
    except (ImportError, TypeError, ModuleNotFoundError):
        pass
    return os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "zoo")


def names(pretrained_only: bool = False) -> list[str]:
    """The zoo's entry names, sorted; ``pretrained_only`` skips recipe-only ones.

    Example:

    >>> set(names(pretrained_only=True)) <= set(names())
    True
    """
    base = root()
    found = sorted(d for d in os.listdir(base) if os.path.isfile(os.path.join(base, d, CARD)))
    if pretrained_only:
        found = [n for n in found if card(n).get("files", {}).get(GENERATOR)]
    return found


def card(name: str) -> dict:
    """The card of entry ``name``: variant, data, training and metrics.

    Example:

    >>> card("dcgan_mnist")["variant"]
    'dcgan'
    """
    path = os.path.join(root(), str(name), CARD)
    if not os.path.isfile(path):
        raise ValueError(f"kerasgan: unknown zoo entry {name!r}; entries are {names()}.")
    with open(path) as handle:
        return json.load(handle)


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


class ZooGenerator:
    """A pretrained generator: ``generate`` samples, ``model`` is the Keras model.

    Example:

    >>> g = load("dcgan_mnist")
    >>> g.latent_dim, g.num_classes, g.image_shape
    (100, None, (28, 28, 1))
    """

    def __init__(self, name: str, model: Any, card: dict):
        self.name = name
        self.model = model
        self.card = card
        self.latent_dim = int(card["latent_dim"])
        self.num_classes = card.get("num_classes")
        self.image_shape = tuple(card["image_shape"])

    def generate(self, n: int, labels: Any = None, seed: int | None = None, batch_size: int = 500) -> np.ndarray:
        """``n`` samples, float32 in [-1, 1], shape ``(n, H, W, C)``; the same seed
        gives the same images (and the same as ``GAN.generate`` with that seed).

        Example:

        >>> g = load("dcgan_mnist")
        >>> bool((g.generate(2, seed=3) == g.generate(2, seed=3)).all())
        True
        """
        from kerasgan.gan import generate_samples

        return generate_samples(self.model, n, self.latent_dim, self.num_classes, labels, seed, batch_size)

    def latents(self, n: int, seed: int = 0) -> np.ndarray:
        """The latent points ``z`` that ``generate(n, seed=seed)`` decodes, ``(n, latent_dim)``.

        Example:

        >>> g = load("dcgan_mnist")
        >>> bool((g.decode(g.latents(2, seed=5)) == g.generate(2, seed=5)).all())
        True
        """
        from kerasgan.gan import latent_points

        return latent_points(n, self.latent_dim, seed)

    def decode(self, z: Any, labels: Any = None) -> np.ndarray:
        """Images of given latent points ``z`` ``(n, latent_dim)`` (and ``labels``
        for a conditional entry: one class for all, or one per point): for
        latent interpolation and vector arithmetic.

        Example:

        >>> g = load("cgan_mnist")
        >>> g.decode(np.zeros((2, g.latent_dim)), labels=[3, 4]).shape
        (2, 28, 28, 1)
        """
        from kerasgan.gan import _sample_labels, decode_latents

        z = np.asarray(z, "float32")
        if z.ndim != 2 or z.shape[1] != self.latent_dim or len(z) == 0:
            raise ValueError(
                f"kerasgan: {self.name} decodes latent points shaped (n, {self.latent_dim}), got {z.shape}."
            )
        return decode_latents(self.model, z, _sample_labels(len(z), labels, self.num_classes))

    def interpolate(self, rows: int = 1, steps: int = 10, seed: int = 0, labels: Any = None) -> np.ndarray:
        """``rows`` straight-line walks of ``steps`` images between two random latent
        points each, ``(rows * steps, H, W, C)``, row after row. A conditional
        entry keeps one class per row (``labels``: one per row; default 0, 1, ...).

        Example:

        >>> load("dcgan_mnist").interpolate(rows=2, steps=5).shape
        (10, 28, 28, 1)
        """
        if rows <= 0 or steps < 2:
            raise ValueError(f"kerasgan: interpolate needs rows > 0 and steps >= 2, got rows={rows}, steps={steps}.")
        rng = np.random.default_rng(seed)
        ends = rng.standard_normal((rows, 2, self.latent_dim)).astype("float32")
        t = np.linspace(0.0, 1.0, steps, dtype="float32")[None, :, None]
        z = (ends[:, :1] * (1 - t) + ends[:, 1:] * t).reshape(rows * steps, self.latent_dim)
        row_labels = None
        if self.num_classes:
            chosen = np.arange(rows) % self.num_classes if labels is None else labels
            row_labels = np.repeat(np.resize(np.asarray(chosen, "int64"), rows), steps)
        return self.decode(z, row_labels)

    def __repr__(self) -> str:
        return f"<ZooGenerator {self.name}: {self.card['variant']} on {self.card['dataset']}>"


def load(name: str, verify: bool = True) -> ZooGenerator:
    """Load the pretrained generator of entry ``name`` (offline).

    ``verify`` checks the sha256 of every file the card lists and refuses a
    changed file, naming it and the expected digest.

    Example:

    >>> g = load("dcgan_mnist")
    >>> g.model.output_shape
    (None, 28, 28, 1)
    """
    from kerasgan import saving

    info = card(name)
    folder = os.path.join(root(), name)
    files = info.get("files", {})
    if GENERATOR not in files:
        raise ValueError(
            f"kerasgan: the zoo entry {name!r} is a recipe only (no pretrained weights). Train one with:\n"
            f"  {info.get('command', 'kerasgan train ...')}"
        )
    if verify:
        for filename, expected in files.items():
            path = os.path.join(folder, filename)
            if not os.path.isfile(path):
                raise ValueError(f"kerasgan: the zoo file {path} is missing (its card expects sha256 {expected}).")
            actual = sha256(path)
            if actual != expected:
                raise ValueError(
                    f"kerasgan: the zoo file {path} has been changed: its sha256 is {actual}, the card "
                    f"expects {expected}. Reinstall kerasgan to restore it."
                )
    model = saving.load_model(os.path.join(folder, GENERATOR), compile=False)
    return ZooGenerator(name, model, info)
