"""Sampling a generator: latent points, labels, and decoding them in batches.

:meth:`kerasgan.GAN.generate` and the zoo's generators
(:class:`kerasgan.zoo.ZooGenerator`) share these functions, so a seed means
the same latent points ``z ~ N(0, I)`` (drawn with
``tf.random.stateless_normal``) and the same labels everywhere.

Example:

>>> import keras
>>> from kerasgan import sampling
>>> g = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])
>>> bool((sampling.generate_samples(g, 3, 4, seed=0) == sampling.decode_latents(g, sampling.latent_points(3, 4, 0))).all())
True
"""

from __future__ import annotations

from typing import Any

import keras
import numpy as np
import tensorflow as tf

from kerasgan import clustering, inputs

__all__ = ["generate_samples", "latent_points", "decode_latents", "sample_labels", "encode_images", "scaled_images",
           "images_line"]


def generate_samples(
    generator: keras.Model,
    n: int,
    latent_dim: int,
    num_classes: int | None = None,
    labels: Any = None,
    seed: int | None = None,
    batch_size: int = 500,
    prior: Any = None,
) -> np.ndarray:
    """Sample ``n`` outputs of a (conditional if ``num_classes``) generator.

    The latent points are :func:`latent_points` of ``seed`` (``None``: fresh
    random ones); ``labels`` (and the ``prior`` of a cluster-conditioned
    generator) as in :func:`sample_labels`.

    Example:

    >>> import keras
    >>> g = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])
    >>> generate_samples(g, 3, latent_dim=4, seed=0).shape
    (3, 2)
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n <= 0:
        raise ValueError(f"kerasgan: generate needs a number of samples n > 0, got {n!r}.")
    n = int(n)
    labels = sample_labels(n, labels, num_classes, prior)
    if seed is None:
        z = np.random.default_rng().standard_normal((n, latent_dim)).astype("float32")
    else:
        z = latent_points(n, latent_dim, seed)
    return decode_latents(generator, z, labels, batch_size)


def latent_points(n: int, latent_dim: int, seed: int) -> np.ndarray:
    """The ``(n, latent_dim)`` points ``z ~ N(0, I)`` that ``generate(n, seed=seed)`` decodes.

    Example:

    >>> latent_points(3, 2, seed=0).shape
    (3, 2)
    """
    return tf.random.stateless_normal((int(n), int(latent_dim)), seed=(int(seed), 0)).numpy()


def decode_latents(generator: keras.Model, z: np.ndarray, labels: Any = None, batch_size: int = 500) -> np.ndarray:
    """Run ``generator`` on given latent points ``z`` (and int ``labels`` of a
    conditional generator), in batches, as float32 NumPy.

    Example:

    >>> import keras
    >>> g = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])
    >>> decode_latents(g, np.zeros((3, 4), "float32")).shape
    (3, 2)
    """
    z = np.asarray(z, "float32")
    chunks = []
    for start in range(0, len(z), batch_size):
        part = slice(start, start + batch_size)
        inputs = tf.constant(z[part]) if labels is None else [tf.constant(z[part]), tf.constant(labels[part])]
        chunks.append(np.asarray(generator(inputs, training=False)))
    return np.concatenate(chunks).astype("float32")


def sample_labels(n: int, labels: Any, num_classes: int | None, prior: Any = None) -> np.ndarray | None:
    """The ``n`` int32 class ids to generate: ``labels`` checked and expanded.

    ``labels`` is one int (every sample that class), ``n`` ids, or ``None``:
    the classes in turn (0, 1, ..., num_classes - 1, 0, ...), or, given the
    ``prior`` ``p_data(k)`` of a cluster-conditioned generator, a draw from it
    (:func:`kerasgan.clustering.prior_labels`). An unconditional generator
    (``num_classes`` None) takes no labels and gets ``None``.

    Example:

    >>> sample_labels(4, None, num_classes=3).tolist(), sample_labels(2, 7, num_classes=10).tolist()
    ([0, 1, 2, 0], [7, 7])
    >>> sample_labels(4, None, num_classes=2, prior=[0.75, 0.25]).tolist()
    [0, 1, 0, 0]
    """
    if not num_classes:
        if labels is not None:
            raise ValueError("kerasgan: this generator is unconditional; call generate without labels.")
        return None
    if labels is None and prior is not None:
        return clustering.prior_labels(n, prior)
    if labels is None:
        return np.arange(n, dtype="int32") % num_classes
    labels = np.asarray(labels)
    if labels.ndim == 0:
        labels = np.full((n,), labels)
    if labels.shape != (n,) or not np.issubdtype(labels.dtype, np.integer):
        raise ValueError(
            f"kerasgan: labels must be one int or {n} integer class ids, got shape "
            f"{labels.shape} and dtype {labels.dtype}."
        )
    if labels.min() < 0 or labels.max() >= num_classes:
        raise ValueError(
            f"kerasgan: labels must be in [0, {num_classes}); got values from {labels.min()} to {labels.max()}."
        )
    return labels.astype("int32")


def scaled_images(images: Any, image_shape: tuple) -> np.ndarray:
    """Real ``images`` (uint8 0..255 or floats in [-1, 1] of ``image_shape``, grayscale with or without its channel
    axis), checked as ``fit`` checks them, as float32 in [-1, 1] with the channel axis.

    Example:

    >>> scaled_images(np.full((2, 4, 4), 255, "uint8"), (4, 4, 1)).shape
    (2, 4, 4, 1)
    """
    if not tf.is_tensor(images):
        images = np.asarray(images)
    inputs.check_data(images, tuple(image_shape))
    return inputs.unpack_batch(images, tuple(image_shape))[0].numpy()


def encode_images(encoder: keras.Model, images: Any, image_shape: tuple, batch_size: int = 500) -> np.ndarray:
    """``E(images)`` of an encoder (a GAN's with one, or a zoo entry's), in batches, float32 ``(n, latent_dim)``:
    ``images`` are uint8 0..255 or floats in [-1, 1] of ``image_shape`` (grayscale with or without its channel
    axis), checked as ``fit`` checks them.

    Example:

    >>> import keras
    >>> e = keras.Sequential([keras.Input((4, 4, 1)), keras.layers.Flatten(), keras.layers.Dense(2)])
    >>> encode_images(e, np.zeros((3, 4, 4), "uint8"), (4, 4, 1)).shape
    (3, 2)
    """
    scaled = scaled_images(images, image_shape)
    return np.concatenate([np.asarray(encoder(scaled[start:start + batch_size], training=False))
                           for start in range(0, len(scaled), batch_size)]).astype("float32")


def images_line(encode, decode, first: Any, second: Any, image_shape: tuple, steps: int = 8,
                assign=None) -> np.ndarray:
    """The images along the straight latent line between real images: ``decode((1 - t) encode(first) + t
    encode(second))`` for ``steps`` values of ``t`` from 0 to 1; ``first`` and ``second`` one image each
    (``(steps, *image_shape)``) or two equal-length batches (``(n, steps, *image_shape)``).

    ``assign`` (a cluster-conditioned generator's: images -> cluster ids) gives each point a label too,
    ``decode(latents, labels)``: the first image's cluster for ``t < 1/2``, the second's from there on.

    Example:

    >>> line = images_line(lambda x: np.asarray(x, "float32").reshape(len(x), -1), lambda z: z.reshape(-1, 2, 1),
    ...                    np.zeros((2, 1)), np.ones((2, 1)), (2, 1), steps=3)
    >>> line[:, 0, 0].tolist()
    [0.0, 0.5, 1.0]
    """
    if steps < 2:
        raise ValueError(f"kerasgan: interpolate_images needs steps >= 2 (both ends), got {steps}.")
    shape = tuple(image_shape)
    single = np.shape(first) in (shape, shape[:-1] if shape[-1] == 1 else shape)  # one image (grayscale: or H, W)
    a, b = (np.asarray(v)[None] if single else np.asarray(v) for v in (first, second))
    if a.shape != b.shape:
        raise ValueError(f"kerasgan: interpolate_images needs two images (or batches) of one shape, got {a.shape} "
                         f"and {b.shape}.")
    za, zb = encode(a), encode(b)
    t = np.linspace(0.0, 1.0, steps, dtype="float32")[None, :, None]
    latents = ((1.0 - t) * za[:, None] + t * zb[:, None]).reshape(-1, za.shape[-1])
    if assign is None:
        decoded = decode(latents)
    else:
        ca, cb = (np.asarray(assign(v)) for v in (a, b))
        decoded = decode(latents, np.where(t[..., 0] < 0.5, ca[:, None], cb[:, None]).reshape(-1))
    line = np.asarray(decoded).reshape((len(a), steps) + shape)
    return line[0] if single else line
