"""Differentiable augmentation for data-efficient GAN training (DiffAugment, Zhao et al. 2020).

The discriminator sees ``D(T(x))`` and ``D(T(G(z)))`` for real and generated
images alike, in its own update and in the generator's, with ``T`` a random,
differentiable transformation (so G's gradient flows through it): D cannot
memorise a small training set, and G is not taught to make augmented images.
The policies (Zhao et al. 2020, sec. 3 and their reference code), on images
in [-1, 1]:

- ``color``: brightness ``+ U(-0.5, 0.5)``, saturation ``× U(0, 2)`` around the
  per-pixel channel mean, contrast ``× U(0.5, 1.5)`` around the image mean;
- ``translation``: a shift of up to 1/8 of the image side in each direction
  (integer pixels), the vacated border filled with zeros;
- ``cutout``: a square of half the image side, at a random centre, set to 0.

Each example gets its own random draw; draws are stateless functions of a
seed, so the same seed gives the same transformation.

Example:

>>> import numpy as np
>>> from kerasgan import augment
>>> x = np.ones((2, 8, 8, 3), "float32")
>>> y = augment.diff_augment(x, "cutout", seed=[1, 2])
>>> y.shape, float(y.numpy().min()), float(y.numpy().max())
(TensorShape([2, 8, 8, 3]), 0.0, 1.0)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Sequence

if TYPE_CHECKING:  # for the annotations only
    import tensorflow as tf

# TensorFlow is imported inside the functions: the command line's --help lists
# POLICIES and must not import it.

__all__ = ["POLICIES", "parse_policy", "diff_augment"]


def _color(x, seed):
    import tensorflow as tf

    brightness, saturation, contrast = tf.unstack(tf.random.experimental.stateless_split(seed, 3))
    batch = [tf.shape(x)[0], 1, 1, 1]
    x = x + (tf.random.stateless_uniform(batch, brightness) - 0.5)
    mean = tf.reduce_mean(x, axis=3, keepdims=True)
    x = (x - mean) * (tf.random.stateless_uniform(batch, saturation) * 2.0) + mean
    mean = tf.reduce_mean(x, axis=[1, 2, 3], keepdims=True)
    return (x - mean) * (tf.random.stateless_uniform(batch, contrast) + 0.5) + mean


def _translation(x, seed, ratio: float = 0.125):
    import tensorflow as tf

    size = tf.shape(x)[1:3]
    shift = tf.cast(tf.cast(size, tf.float32) * ratio + 0.5, tf.int32)
    seed_x, seed_y = tf.unstack(tf.random.experimental.stateless_split(seed, 2))
    batch = tf.shape(x)[0]
    tx = tf.random.stateless_uniform([batch, 1], seed_x, -shift[0], shift[0] + 1, dtype=tf.int32)
    ty = tf.random.stateless_uniform([batch, 1], seed_y, -shift[1], shift[1] + 1, dtype=tf.int32)
    # Rows (then columns) are gathered from the image padded by one zero line:
    # index 0 and size + 1 are the zeros that fill the vacated border.
    rows = tf.clip_by_value(tf.range(size[0])[None, :] + tx + 1, 0, size[0] + 1)
    cols = tf.clip_by_value(tf.range(size[1])[None, :] + ty + 1, 0, size[1] + 1)
    x = tf.gather(tf.pad(x, [[0, 0], [1, 1], [0, 0], [0, 0]]), rows, axis=1, batch_dims=1)
    return tf.gather(tf.pad(x, [[0, 0], [0, 0], [1, 1], [0, 0]]), cols, axis=2, batch_dims=1)


def _cutout(x, seed, ratio: float = 0.5):
    import tensorflow as tf

    size = tf.shape(x)[1:3]
    cut = tf.cast(tf.cast(size, tf.float32) * ratio + 0.5, tf.int32)
    seed_x, seed_y = tf.unstack(tf.random.experimental.stateless_split(seed, 2))
    batch = tf.shape(x)[0]
    # the square's centre, as in the reference code (its top-left corner is centre - cut // 2)
    cy = tf.random.stateless_uniform([batch, 1, 1], seed_x, 0, size[0] + (1 - cut[0] % 2), dtype=tf.int32)
    cx = tf.random.stateless_uniform([batch, 1, 1], seed_y, 0, size[1] + (1 - cut[1] % 2), dtype=tf.int32)
    top, left = cy - cut[0] // 2, cx - cut[1] // 2
    rows = tf.range(size[0])[None, :, None]
    cols = tf.range(size[1])[None, None, :]
    inside = (rows >= top) & (rows < top + cut[0]) & (cols >= left) & (cols < left + cut[1])
    return x * tf.cast(~inside, x.dtype)[..., None]


#: The DiffAugment policies by name, in the order they are applied.
POLICIES = {"color": _color, "translation": _translation, "cutout": _cutout}


def parse_policy(policy: str | Sequence[str] | None) -> tuple[str, ...]:
    """``"color,translation"`` (or a list) -> ``("color", "translation")``, in
    :data:`POLICIES` order; ``None`` or ``""`` -> ``()`` (no augmentation).

    Example:

    >>> parse_policy("cutout, color")
    ('color', 'cutout')
    """
    if not policy:
        return ()
    names = [p.strip() for p in (policy.split(",") if isinstance(policy, str) else policy) if p.strip()]
    unknown = sorted(set(names) - set(POLICIES))
    if unknown:
        raise ValueError(f"kerasgan: unknown augmentation policy {unknown}; choose from {list(POLICIES)}, "
                         "comma-separated (e.g. augment='color,translation,cutout').")
    return tuple(name for name in POLICIES if name in names)


def diff_augment(images, policy: str | Sequence[str] | None, seed) -> "tf.Tensor":
    """DiffAugment ``T(images)``: the ``policy``'s transformations, each drawn
    per example from the stateless ``seed`` (shape ``(2,)`` ints), differentiable
    in ``images``. Images are ``(batch, H, W, C)`` floats in [-1, 1].

    Example:

    >>> import numpy as np
    >>> x = np.random.default_rng(0).uniform(-1, 1, (4, 8, 8, 1)).astype("float32")
    >>> a = diff_augment(x, "color,translation,cutout", seed=[3, 4])
    >>> bool((a.numpy() == diff_augment(x, "color,translation,cutout", seed=[3, 4]).numpy()).all())
    True
    """
    import tensorflow as tf

    x = tf.convert_to_tensor(images)
    if x.shape.rank != 4:
        raise ValueError(f"kerasgan: DiffAugment needs images shaped (batch, H, W, C), got shape {x.shape}.")
    names = parse_policy(policy)
    seeds = tf.unstack(tf.random.experimental.stateless_split(tf.cast(seed, tf.int64), max(len(names), 1)))
    for name, part in zip(names, seeds):
        x = POLICIES[name](x, part)
    return x
