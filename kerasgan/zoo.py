"""The model zoo: pretrained generators that load offline in one line.

Entries live in the repository's top-level ``zoo/`` folder, one folder each
(``card.json``, ``generator.keras``, ``discriminator.keras``,
``samples.png``), and are installed with the package (as
``kerasgan.zoo_entries``), so they load from any directory with no network.

The card is an entry's single source of truth: its ``recipe`` holds the
``kerasgan train`` flags that made it (:func:`train_command` writes the
command; ``scripts/build_zoo_entry.py`` trains from it), beside the measured
metrics, the files' sha256 and the versions. Recipe-only entries have a card
but no weights: :func:`load` says how to train one. Each pretrained entry is
also a *preset*: ``kerasgan.GAN.from_preset(name)`` builds its variant with
the pretrained generator and discriminator, to fine-tune on your own data
(:func:`load_networks`). :func:`table` formats the zoo for the command line
and the README.

Loading checks every file's sha256 against the card and opens the networks
with Keras ``safe_mode`` (no code from the file is run). Entries whose card
says ``"stored_dtype": "float16"`` keep their weights in float16 (half the
bytes); they load as float32 networks (:func:`kerasgan.saving.with_dtype`).

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

__all__ = ["ZooGenerator", "names", "card", "load", "load_networks", "evaluate", "train_command", "table", "size", "root",
           "sha256"]

CARD = "card.json"
GENERATOR = "generator.keras"
DISCRIMINATOR = "discriminator.keras"


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
        info = json.load(handle)
    info["variant"] = info["recipe"]["variant"]  # the recipe says it once
    return info


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

    An entry trained with InfoGAN's ``latent_code=K`` (its card's recipe) takes
    the code where a conditional entry takes labels (``latent_code`` says K);
    one trained with ``clusters=K`` takes a cluster id there, and without one
    draws it from the training data's shares, the card's ``cluster_prior``.

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
        self.latent_code = card.get("recipe", {}).get("latent_code")
        #: p_data(k) of an entry trained with ``clusters=K``; None otherwise
        self.cluster_prior = card.get("cluster_prior")
        #: classes of a conditional entry, or values of its InfoGAN code or clusters; None: unconditional
        self.label_values = self.num_classes or self.latent_code or card.get("recipe", {}).get("clusters")
        self.image_shape = tuple(card["image_shape"])

    def generate(self, n: int, labels: Any = None, seed: int | None = None, batch_size: int = 500) -> np.ndarray:
        """``n`` samples, float32 in [-1, 1], shape ``(n, H, W, C)``; the same seed
        gives the same images (and the same as ``GAN.generate`` with that seed).

        Example:

        >>> g = load("dcgan_mnist")
        >>> bool((g.generate(2, seed=3) == g.generate(2, seed=3)).all())
        True
        """
        from kerasgan.sampling import generate_samples

        return generate_samples(self.model, n, self.latent_dim, self.label_values, labels, seed, batch_size,
                                prior=self.cluster_prior)

    def latents(self, n: int, seed: int = 0) -> np.ndarray:
        """The latent points ``z`` that ``generate(n, seed=seed)`` decodes, ``(n, latent_dim)``.

        Example:

        >>> g = load("dcgan_mnist")
        >>> bool((g.decode(g.latents(2, seed=5)) == g.generate(2, seed=5)).all())
        True
        """
        from kerasgan.sampling import latent_points

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
        from kerasgan.sampling import decode_latents, sample_labels

        z = np.asarray(z, "float32")
        if z.ndim != 2 or z.shape[1] != self.latent_dim or len(z) == 0:
            raise ValueError(
                f"kerasgan: {self.name} decodes latent points shaped (n, {self.latent_dim}), got {z.shape}."
            )
        return decode_latents(self.model, z, sample_labels(len(z), labels, self.label_values, self.cluster_prior))

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
        if self.label_values:
            chosen = np.arange(rows) % self.label_values if labels is None else labels
            row_labels = np.repeat(np.resize(np.asarray(chosen, "int64"), rows), steps)
        return self.decode(z, row_labels)

    def __repr__(self) -> str:
        return f"<ZooGenerator {self.name}: {self.card['variant']} on {self.card['dataset']}>"


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
    from kerasgan.recipes import command

    info = card(name)
    recipe = {**info["recipe"], "dataset": info["dataset"]} if online else info["recipe"]
    return command(recipe, workdir or os.path.join("runs", name))


def _verified(name: str, filenames: tuple[str, ...]) -> str:
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
            raise ValueError(
                f"kerasgan: the zoo entry {name!r} ships no {filename}; presets need an entry with "
                f"{DISCRIMINATOR} (entries with one: {[n for n in names() if DISCRIMINATOR in card(n)['files']]})."
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


def load(name: str, verify: bool = True) -> ZooGenerator:
    """Load the pretrained generator of entry ``name`` (offline).

    ``verify`` checks the sha256 of the generator file against the card and
    refuses a changed file, naming it and the expected digest.

    Example:

    >>> g = load("dcgan_mnist")
    >>> g.model.output_shape
    (None, 28, 28, 1)
    """
    folder = _verified(name, (GENERATOR,) if verify else ())
    return ZooGenerator(name, _open(os.path.join(folder, GENERATOR)), card(name))


def _open(path: str) -> Any:
    """A zoo network; one stored in float16 (to fit the zoo's budget) comes back computing in float32."""
    from kerasgan import saving

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
    folder = _verified(name, (GENERATOR, DISCRIMINATOR))
    return tuple(_open(os.path.join(folder, f)) for f in (GENERATOR, DISCRIMINATOR))


def evaluate(name: str, n: int = 10_000, seed: int = 0, train_data: str | None = None) -> dict:
    """The card metrics of entry ``name``, measured now: ``n`` samples (seed
    ``seed``; balanced labels for a conditional entry) scored by the evaluator
    of the entry's dataset (:class:`kerasgan.metrics.Evaluator`) against its
    test split, and the memorisation check (``copy_rate``) against the images
    the entry was trained on: ``train_data`` (a dataset name, read with the
    recipe's split) or else the recipe's dataset, relative to the current
    folder. Without them the copy rate is left out and ``copy_rate_skipped``
    says why. What ``kerasgan eval`` prints and a card records.

    Example:

    >>> result = evaluate("dcgan_mnist", n=500)
    >>> sorted(k for k in result if k in ("fid", "score", "kid"))
    ['fid', 'kid', 'score']
    """
    from kerasgan import data, metrics

    info = card(name)
    generator = load(name)
    evaluator = metrics.Evaluator(info["dataset"])
    labels = np.arange(n) % generator.num_classes if generator.num_classes else None
    samples = generator.generate(n, labels=labels, seed=seed)  # once, for the metrics and the copy check
    result = evaluator.evaluate(samples, labels=labels)
    recipe = info["recipe"]
    source = train_data or recipe["dataset"]
    try:
        ds = data.load(source, split=recipe.get("split"), batch_size=1000, shuffle=False, drop_remainder=False,
                       with_labels=False, image_size=recipe.get("image_size"))
    except ValueError as error:
        result["copy_rate_skipped"] = f"no training data: {' '.join(str(error).split())}"
        return result
    train_images = np.concatenate([batch.numpy() for batch in ds])
    result.update(evaluator.copy_rate(samples, train_images))
    return result


def size(name: str | None = None) -> int:
    """Bytes of entry ``name``'s files, or of the whole zoo (what the package installs).

    Example:

    >>> size("dcgan_mnist") < size()
    True
    """
    base = os.path.join(root(), name) if name else root()
    return sum(os.path.getsize(os.path.join(d, f)) for d, _, files in os.walk(base) for f in files
               if "__pycache__" not in d)


def table(markdown: bool = False) -> str:
    """The zoo as a table: each entry's variant, dataset and measured metrics
    (score as a share of real test data's, FID against the test split, label
    accuracy, copy rate, whether it meets its quality bar), or its training
    command when it is a recipe only. ``markdown=True`` gives the README's
    table (with each entry's samples picture).

    Example:

    >>> print(table().splitlines()[0])
    entry                  variant   dataset          score (% real)      FID  label acc  copies bar
    """
    header = ["entry", "variant", "dataset", "score (% real)", "FID", "label acc", "copies", "bar"]
    rows = []
    for name in names():
        info = card(name)
        m = info.get("metrics") or {}
        if m:
            bar = info.get("quality_bar") or {}
            cells = [f"{m['score']:.2f} ({100 * m['score_ratio']:.0f}%)", f"{m['fid']:.1f}",
                     f"{m['label_accuracy']:.3f}" if "label_accuracy" in m else "",
                     f"{100 * m['copy_rate']:.2f}%" if "copy_rate" in m else "", "met" if bar.get("met") else "not met"]
        else:
            cells = ["recipe only", "", "", "", ""]
        rows.append([name, info["variant"], info["dataset"], *cells])
    if not markdown:
        widths = [22, 9, 14, 16, 8, 10, 7, 7]
        return "\n".join(" ".join(f"{c:<{w}}" if i < 3 or i == 7 else f"{c:>{w}}"
                                   for i, (c, w) in enumerate(zip(r, widths))).rstrip() for r in [header, *rows])
    lines = ["| " + " | ".join(header + ["samples"]) + " |", "|" + "---|" * (len(header) + 1)]
    for row in rows:
        name = row[0]
        picture = (f"![{name}](zoo/{name}/samples.png)" if (card(name).get("metrics"))
                   else f"`{train_command(name)}`")
        lines.append("| " + " | ".join([f"`{name}`", *row[1:], picture]) + " |")
    return "\n".join(lines)
