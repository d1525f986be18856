"""The zoo generator: a pretrained generator that samples, decodes latent points and interpolates, offline.

Example:

>>> from kerasgan.zoo import generator
>>> generator.load("dcgan_mnist").generate(4, seed=0).shape
(4, 28, 28, 1)
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from kerasgan.sampling import decode_latents, encode_images, scaled_images, generate_samples, images_line, latent_points, sample_labels
from kerasgan import clustering
from kerasgan.zoo.storage import ENCODER, GENERATOR, card, cluster_centers, open_network, verified_folder

__all__ = ["ZooGenerator", "load"]


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
        self._encoder = None
        self._centers = None

    def generate(self, n: int, labels: Any = None, seed: int | None = None, batch_size: int = 500) -> np.ndarray:
        """``n`` samples, float32 in [-1, 1], shape ``(n, H, W, C)``; the same seed
        gives the same images (and the same as ``GAN.generate`` with that seed).

        Example:

        >>> g = load("dcgan_mnist")
        >>> bool((g.generate(2, seed=3) == g.generate(2, seed=3)).all())
        True
        """
        return generate_samples(self.model, n, self.latent_dim, self.label_values, labels, seed, batch_size,
                                prior=self.cluster_prior)

    def latents(self, n: int, seed: int = 0) -> np.ndarray:
        """The latent points ``z`` that ``generate(n, seed=seed)`` decodes, ``(n, latent_dim)``.

        Example:

        >>> g = load("dcgan_mnist")
        >>> bool((g.decode(g.latents(2, seed=5)) == g.generate(2, seed=5)).all())
        True
        """
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

    @property
    def encoder(self) -> Any:
        """The entry's encoder (Keras model, images -> latents; checked against the card's sha256), for entries of a
        GAN with one (mrgan, mdgan); others say they ship none."""
        if self._encoder is None:
            folder = verified_folder(self.name, (ENCODER,))
            self._encoder = open_network(os.path.join(folder, ENCODER))
        return self._encoder

    def encode(self, images: Any, batch_size: int = 500) -> np.ndarray:
        """The latents of real ``images`` (uint8 0..255 or floats in [-1, 1]) under the entry's encoder,
        ``(n, latent_dim)``; ``decode`` maps them back.

        Example:

        >>> try:
        ...     load("dcgan_mnist").encode(np.zeros((1, 28, 28), "uint8"))
        ... except ValueError as error:
        ...     print(str(error)[:60])
        kerasgan: the zoo entry 'dcgan_mnist' ships no encoder.keras
        """
        return encode_images(self.encoder, images, self.image_shape, batch_size)

    def reconstruct(self, images: Any, batch_size: int = 500) -> np.ndarray:
        """``G(E(images))``: real images through the entry's encoder and generator (an entry trained with
        ``clusters`` decodes each with its own cluster, ``G(E(x), c(x))``)."""
        return self.decode(self.encode(images, batch_size), self._own_clusters(images))

    def interpolate_images(self, first: Any, second: Any, steps: int = 8) -> np.ndarray:
        """The images along the latent line between two real images (or two batches), ``(steps, H, W, C)``
        (:func:`kerasgan.sampling.images_line`; with clusters, the first image's for the first half)."""
        return images_line(self.encode, self.decode, first, second, self.image_shape, steps,
                           assign=self._own_clusters if self.cluster_prior else None)

    def assign_clusters(self, images: Any) -> np.ndarray:
        """The cluster id ``c(x)`` of each real image (uint8 0..255 or floats in [-1, 1]) under the centers that an
        entry trained with ``clusters`` ships (``clusters.npy``), int32; others say they ship none.

        Example:

        >>> try:
        ...     load("lsgan_mnist").assign_clusters(np.zeros((1, 28, 28), "uint8"))
        ... except ValueError as error:
        ...     print(str(error)[:59])
        kerasgan: the zoo entry 'lsgan_mnist' ships no clusters.npy
        """
        if self._centers is None:  # read and checked against the card once
            self._centers = cluster_centers(self.name)
        return clustering.assign(clustering.features(scaled_images(images, self.image_shape)), self._centers).numpy()

    def _own_clusters(self, images: Any) -> np.ndarray | None:
        return self.assign_clusters(images) if self.cluster_prior else None

    def __repr__(self) -> str:
        return f"<ZooGenerator {self.name}: {self.card['variant']} on {self.card['dataset']}>"


def load(name: str, verify: bool = True) -> ZooGenerator:
    """Load the pretrained generator of entry ``name`` (offline).

    ``verify`` checks the sha256 of the generator file against the card and
    refuses a changed file, naming it and the expected digest.

    Example:

    >>> g = load("dcgan_mnist")
    >>> g.model.output_shape
    (None, 28, 28, 1)
    """
    folder = verified_folder(name, (GENERATOR,) if verify else ())
    return ZooGenerator(name, open_network(os.path.join(folder, GENERATOR)), card(name))
