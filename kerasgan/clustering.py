"""Cluster conditioning: k-means clusters of the training images as the labels of an unconditional GAN.

An unconditional generator must cover every mode of the data with one
continuous map ``z -> x``, and pays for the gaps between modes (MNIST's
digits, CIFAR-10's object classes) with in-between images (Khayatkhoei et
al. 2018). A class-conditional GAN does not: each label picks one mode. With
``clusters=K`` an unconditional GAN gets the same help without labels, as in
the self-conditioned GAN of Liu et al. 2020 ("Diverse Image Generation via
Self-Conditioned GANs"): the training images are partitioned by k-means into
``K`` clusters, and the GAN is trained as a cGAN on the cluster ids,
``min_G max_D E_x[log D(x, c(x))] + E_{z, c ~ p_data(c)}[log(1 - D(G(z, c), c))]``,
where ``c(x) = argmin_k ||φ(x) - μ_k||²``. To sample, ``c`` is drawn from the
clusters' share of the data ``p_data(c)``, so the model is a mixture
``p_g(x) = Σ_k p_data(k) p_g(x | k)``: still unconditional, no label of the
data is read.

Unlike Liu et al., who cluster the discriminator's features and re-cluster
during training, the clusters here are fixed before training in a fixed
feature space, ``φ(x)``: the image at half resolution (2×2 average pooling,
values in [-1, 1]), flattened. Its k-means clusters are semantic where the
data's modes differ in layout: the 55,000 MNIST training digits' 20, 50 and
100 clusters are 70, 80 and 87 % pure in the digit labels, CIFAR-10's 45,000
training images' 10 and 100 clusters 22 and 30 %, its classes sharing colours
and layouts (the labels were read only to measure this). On MNIST, 100
clusters lifted lsgan_mnist and wgan_gp_mnist to their bars (20 clusters
left lsgan's in-between digits of the clusters that mix 4/7/9 or 3/5/8). Fixed clusters keep each cluster's meaning across training and
make the run reproducible from its seed.

Example:

>>> import numpy as np
>>> from kerasgan import clustering
>>> rng = np.random.default_rng(0)
>>> images = np.concatenate([np.full((20, 4, 4, 1), -0.8), np.full((10, 4, 4, 1), 0.8)])
>>> images = (images + 0.05 * rng.standard_normal(images.shape)).astype("float32")
>>> centers, prior = clustering.fit(images, 2, seed=0)
>>> sorted(round(float(p), 3) for p in prior)
[0.333, 0.667]
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import tensorflow as tf

__all__ = ["features", "feature_size", "kmeans", "assign", "fit", "prior_labels"]

#: the side of the average pooling that makes φ(x): the image at half resolution
POOL = 2


def feature_size(image_shape) -> int:
    """The length of ``φ(x)`` for images of ``image_shape`` ``(H, W, C)``: ``⌊H/2⌋·⌊W/2⌋·C``.

    Example:

    >>> feature_size((28, 28, 1)), feature_size((32, 32, 3))
    (196, 768)
    """
    if len(image_shape) != 3:
        raise ValueError(f"kerasgan: clusters need images (H, W, C); these samples have shape {tuple(image_shape)}.")
    height, width, channels = (int(s) for s in image_shape)
    return (height // POOL) * (width // POOL) * channels


def features(images: Any) -> tf.Tensor:
    """``φ(x)``: images ``(n, H, W, C)`` in [-1, 1] at half resolution (2×2 average pooling), flattened, float32.

    Example:

    >>> import numpy as np
    >>> tuple(features(np.zeros((3, 28, 28, 1), "float32")).shape)
    (3, 196)
    """
    images = tf.cast(images, tf.float32)
    pooled = tf.nn.avg_pool2d(images, POOL, POOL, "VALID")
    return tf.reshape(pooled, [tf.shape(pooled)[0], -1])


def assign(feature_rows: Any, centers: Any) -> tf.Tensor:
    """The index of the nearest center of each row, int32: ``argmin_k ||f - μ_k||²``.

    Example:

    >>> assign([[0.0, 0.1], [2.0, 2.0]], [[2.0, 2.0], [0.0, 0.0]]).numpy().tolist()
    [1, 0]
    """
    f = tf.cast(feature_rows, tf.float32)
    mu = tf.cast(centers, tf.float32)
    distances = tf.reduce_sum(tf.square(mu), axis=1)[None, :] - 2.0 * tf.matmul(f, mu, transpose_b=True)
    return tf.argmin(distances, axis=1, output_type=tf.int32)


def kmeans(feature_rows: np.ndarray, k: int, seed: int = 0, iterations: int = 50) -> np.ndarray:
    """Lloyd's k-means with k-means++ seeding (Arthur & Vassilvitskii 2007): ``(k, d)`` centers.

    A cluster left empty by an iteration is re-seeded at the row farthest from
    its center, so all ``k`` clusters hold data.

    Example:

    >>> import numpy as np
    >>> rows = np.array([[0.0], [0.1], [5.0], [5.1]], "float32")
    >>> [round(float(c), 2) for c in np.sort(kmeans(rows, 2, seed=0).ravel())]
    [0.05, 5.05]
    """
    f = np.asarray(feature_rows, "float64")
    k = int(k)
    if f.ndim != 2 or len(f) < k:
        raise ValueError(f"kerasgan: k-means of {k} clusters needs at least {k} feature rows, got shape {f.shape}.")
    rng = np.random.default_rng(seed)
    centers = [f[rng.integers(len(f))]]
    nearest = ((f - centers[0]) ** 2).sum(1)
    for _ in range(k - 1):
        total = nearest.sum()
        index = rng.choice(len(f), p=nearest / total) if total > 0 else rng.integers(len(f))
        centers.append(f[index])
        nearest = np.minimum(nearest, ((f - centers[-1]) ** 2).sum(1))
    centers = np.stack(centers)
    squared = (f ** 2).sum(1)
    labels = None
    for _ in range(int(iterations)):
        distances = squared[:, None] - 2.0 * f @ centers.T + (centers ** 2).sum(1)[None, :]
        new_labels = distances.argmin(1)
        if labels is not None and (new_labels == labels).all():
            break
        labels = new_labels
        counts = np.bincount(labels, minlength=k)
        sums = np.zeros_like(centers)
        np.add.at(sums, labels, f)
        worst = distances[np.arange(len(f)), labels]
        for j in np.flatnonzero(counts == 0):  # re-seed an empty cluster at the worst-fitted row left
            far = worst.argmax()
            while counts[labels[far]] <= 1 and np.isfinite(worst[far]):  # never empty the cluster it leaves
                worst[far] = -np.inf
                far = worst.argmax()
            worst[far] = -np.inf
            sums[labels[far]] -= f[far]
            counts[labels[far]] -= 1
            sums[j], counts[j], labels[far] = f[far], 1, j
        centers = sums / counts[:, None]
    return centers.astype("float32")


def fit(images: Any, k: int, seed: int = 0, max_examples: int = 20_000,
        featurize: Callable[[np.ndarray], Any] = features) -> tuple[np.ndarray, np.ndarray]:
    """``(centers, prior)``: k-means of ``φ`` of ``images`` in [-1, 1] (an
    array, or an iterable of image batches read once), and each cluster's
    share of them, ``p_data(c)``. Beyond ``max_examples`` images, k-means runs
    on a uniform random sample of that many (reservoir sampling, ``seed``),
    so a dataset in class order is sampled whole and memory stays bounded.
    ``featurize`` is ``φ`` (:func:`features`, what ``clusters=K`` trains
    with; another feature map, e.g. a network's, for measuring only).

    Example:

    >>> import numpy as np
    >>> x = np.random.default_rng(0).uniform(-1, 1, (50, 8, 8, 1)).astype("float32")
    >>> centers, prior = fit(x, 3)
    >>> centers.shape, float(prior.sum())
    ((3, 16), 1.0)
    """
    batches = [images] if isinstance(images, np.ndarray) or tf.is_tensor(images) else images
    rng = np.random.default_rng(seed)
    sample, seen = np.zeros((0, 0), "float32"), 0
    for batch in batches:
        batch = np.asarray(batch, "float32")
        rows = np.concatenate([np.asarray(featurize(batch[i:i + 2000]), "float32")
                               for i in range(0, len(batch), 2000)]) if len(batch) else np.zeros((0, 0), "float32")
        room = max(0, max_examples - len(sample))
        sample = np.concatenate([sample, rows[:room]]) if len(sample) else rows[:room].copy()
        rest = rows[room:]
        if len(rest):  # row t (0-based, overall) replaces a random slot with probability max/(t+1)
            slots = rng.integers(0, seen + room + np.arange(len(rest)) + 1)
            keep = slots < max_examples
            sample[slots[keep]] = rest[keep]
        seen += len(rows)
    if len(sample) < k:
        raise ValueError(f"kerasgan: {k} clusters need at least {k} images, got {len(sample)}.")
    centers = kmeans(sample, k, seed=seed)
    counts = np.bincount(assign(sample, centers).numpy(), minlength=k)
    return centers, (counts / counts.sum()).astype("float32")


def prior_labels(n: int, prior: Any) -> np.ndarray:
    """``n`` cluster ids whose frequencies follow ``prior``, deterministically:
    the golden-ratio sequence ``u_i = frac((i + 1/2) φ⁻¹)`` through the inverse
    of the prior's distribution function, so that consecutive samples visit
    different clusters and every cluster gets its share within ``O(log n)``.

    Example:

    >>> prior_labels(8, [0.5, 0.25, 0.25]).tolist()
    [0, 2, 1, 0, 2, 0, 0, 1]
    >>> np.bincount(prior_labels(1000, [0.5, 0.25, 0.25])).tolist()
    [500, 250, 250]
    """
    prior = np.asarray(prior, "float64")
    if prior.ndim != 1 or (prior < 0).any() or not prior.sum() > 0:
        raise ValueError(f"kerasgan: a cluster prior is a vector of non-negative shares, got {prior!r}.")
    cdf = np.cumsum(prior / prior.sum())
    u = np.mod((np.arange(int(n)) + 0.5) * (np.sqrt(5.0) - 1.0) / 2.0, 1.0)
    return np.minimum(np.searchsorted(cdf, u, side="right"), len(prior) - 1).astype("int32")
