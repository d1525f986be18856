"""Offline quality metrics for generated images, from small classifiers shipped per dataset (MNIST, CIFAR-10).

The metrics (pure NumPy functions) take class probabilities or features:

- :func:`classifier_score`: ``exp(E_x KL(p(y|x) || p(y)))`` (the Inception
  Score of Salimans et al. 2016, computed with the dataset's classifier): 1 for
  uninformative predictions, the number of classes for confident, balanced ones.
- :func:`frechet_distance`: ``||μ1 - μ2||² + Tr(Σ1 + Σ2 - 2 (Σ1^½ Σ2 Σ1^½)^½)``
  between Gaussians fitted to classifier features (FID, Heusel et al. 2017).
- :func:`kernel_distance`: the unbiased squared MMD with the cubic polynomial
  kernel ``k(x, y) = (x·y / d + 1)³`` averaged over subsets (KID, Bińkowski
  et al. 2018).
- :func:`kernel_distance_error`: KID as the field reports it (100 subsets of 1,000) with its standard error.
- :func:`precision_recall`: improved precision and recall (Kynkäänniemi et al. 2019, k = 3): the share of samples
  inside the real data's k-NN manifold, and of real data inside the samples'.
- :func:`label_accuracy`: how often the classifier agrees with the labels a
  conditional generator was asked for.
- :func:`mode_score`: the MODE score of Che et al. 2017, the classifier score
  with the KL of the samples' class distribution to the data's subtracted in
  the exponent; :func:`missing_modes` counts the classes the samples miss.

:class:`Evaluator` computes all of them for a generator or a batch of images
against the reference statistics of a dataset's real **test** split shipped
with the package (``kerasgan/assets/``), with one implementation for every
dataset (``Evaluator("mnist")``; :class:`MnistEvaluator` is that one), and
checks memorisation (:meth:`Evaluator.copy_rate`, in pixel space).

The MNIST reference (made by ``python scripts/train_classifier.py mnist``): the
classifier trains on the 60,000 training digits and is 99.11 %
accurate on the 10,000 test digits; the real test digits' classifier score is
9.731. FID is measured against the test digits' statistics: the
noise floor, FID(10,000 random training digits vs the test digits), is
0.96; real test digits at lower resolution (area-downsampled and
resized back, bilinear) score 49.7 at 20x20 and 106.7 at 14x14. The
copy threshold is the 1st percentile of the test digits' pixel distances to
their nearest training digit (2.58 on the [-1, 1] scale, median
8.67).

The CIFAR-10 reference (``python scripts/train_classifier.py cifar10``), on
the public JPEG copy of CIFAR-10 in ``../shared/data/cifar10`` (quality 75,
4:2:0; its numbers compare with this project's, not with published CIFAR-10
numbers): a VGG-style classifier (three stages of two 3x3 conv + batch norm,
256-d features) trains on the 50,000 training images (20 epochs, flips and
translations, 2,153 s here) and is 80.65 % accurate on the 10,000 test
images; their classifier score is 6.10; the noise floor FID(10,000 training
vs test images) is 0.88; real test images at 16x16 (area down, bilinear
back to 32x32) score FID 251.1 (the classifier's features depend on fine
detail); the copy threshold is 8.30 (median test-to-train distance 18.3).

Example:

>>> import numpy as np
>>> from kerasgan import metrics
>>> round(metrics.classifier_score(np.eye(10)[np.arange(100) % 10]), 3)
10.0
>>> round(metrics.frechet_distance(np.zeros(2), np.eye(2), np.ones(2), np.eye(2)), 6)
2.0
"""

from __future__ import annotations

import json
import os
import numpy as np

__all__ = [
    "classifier_score",
    "frechet_distance",
    "feature_statistics",
    "kernel_distance",
    "kernel_distances",
    "kernel_distance_error",
    "precision_recall",
    "label_accuracy",
    "mode_score",
    "missing_modes",
    "nearest_distances",
    "Evaluator",
    "MnistEvaluator",
    "ASSETS",
]

#: Folder of the shipped classifier and reference statistics.
ASSETS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "assets")
#: An evaluator's files in ASSETS, by dataset name: the classifier, the reference statistics, reference features.
CLASSIFIER_FILE = "{dataset}_classifier.keras"
REFERENCE_FILE = "{dataset}_reference.json"
REFERENCE_FEATURES_FILE = "{dataset}_reference_features.npy"


def nearest_distances(queries: np.ndarray, references: np.ndarray, batch_size: int = 1000) -> np.ndarray:
    """For each query, the Euclidean distance to its nearest reference (rows
    are flattened), computed as ``||q||² + ||r||² - 2 q·r`` in float32 blocks.

    Example:

    >>> nearest_distances(np.array([[0.0, 0.0], [3.0, 4.0]]), np.array([[0.0, 1.0], [3.0, 4.0]])).tolist()
    [1.0, 0.0]
    """
    q = np.asarray(queries, "float32").reshape(len(queries), -1)
    r = np.asarray(references, "float32").reshape(len(references), -1)
    r_norms = np.einsum("ij,ij->i", r, r)
    out = np.empty(len(q), "float64")
    for start in range(0, len(q), batch_size):
        block = q[start:start + batch_size]
        squared = np.einsum("ij,ij->i", block, block)[:, None] + r_norms[None, :] - 2.0 * block @ r.T
        out[start:start + batch_size] = np.sqrt(np.maximum(squared.min(axis=1), 0.0))
    return out


def classifier_score(probabilities: np.ndarray, splits: int = 1, eps: float = 1e-12) -> float:
    """``exp(E_x KL(p(y|x) || p(y)))`` of class probabilities ``(n, classes)``.

    With ``splits > 1`` the score is averaged over that many equal parts (the
    Inception Score convention); 1 part by default.

    Example:

    >>> round(classifier_score(np.full((8, 4), 0.25)), 6)   # uniform p(y|x)
    1.0
    """
    p = np.asarray(probabilities, dtype="float64")
    if p.ndim != 2 or len(p) == 0:
        raise ValueError(f"kerasgan: classifier_score needs probabilities of shape (n, classes), got {p.shape}.")
    scores = []
    for part in np.array_split(p, splits):
        marginal = part.mean(axis=0, keepdims=True)
        kl = np.sum(part * (np.log(part + eps) - np.log(marginal + eps)), axis=1)
        scores.append(np.exp(kl.mean()))
    return float(np.mean(scores))


def _class_distribution(data_distribution, classes: int) -> np.ndarray:
    q = np.asarray(data_distribution, dtype="float64").ravel()
    if q.shape != (classes,) or (q < 0).any() or not np.isclose(q.sum(), 1.0):
        raise ValueError(f"kerasgan: the data's class distribution must be {classes} shares that sum to 1, got "
                         f"{np.round(q, 4).tolist()}.")
    return q


def mode_score(probabilities: np.ndarray, data_distribution: np.ndarray, eps: float = 1e-12) -> float:
    """The MODE score of Che et al. 2017 (sec. 4, their measure of MNIST samples): the classifier score with the KL
    divergence of the samples' class distribution to the data's subtracted in the exponent,
    ``exp(E_x KL(p(y|x) || p(y)) - KL(p(y) || p*(y)))``, with ``p(y|x)`` the classifier's probabilities for the
    samples (``(n, classes)``), ``p(y)`` their mean and ``p*(y)`` the class distribution of the real data
    (``data_distribution``). It falls below the classifier score as the samples' classes are distributed unlike the
    data's (a missing or a swollen class). The form often quoted with ``p*(y)`` inside the first KL,
    ``exp(E_x KL(p(y|x) || p*(y)) - KL(p(y) || p*(y)))``, is algebraically the classifier score itself (the
    ``p*`` terms cancel), so this is the one that measures what the paper means it to.

    Example:

    >>> balanced = np.eye(10)[np.arange(100) % 10]
    >>> round(mode_score(balanced, np.full(10, 0.1)), 3)   # confident and balanced: the number of classes
    10.0
    >>> round(mode_score(np.eye(10)[np.arange(100) % 5], np.full(10, 0.1)), 3)   # half missing: 5 / e^(log 2)
    2.5
    """
    p = np.asarray(probabilities, dtype="float64")
    if p.ndim != 2 or len(p) == 0:
        raise ValueError(f"kerasgan: mode_score needs probabilities of shape (n, classes), got {p.shape}.")
    q = _class_distribution(data_distribution, p.shape[1])
    marginal = p.mean(axis=0)
    per_sample = np.sum(p * (np.log(p + eps) - np.log(marginal + eps)), axis=1).mean()
    marginal_kl = np.sum(marginal * (np.log(marginal + eps) - np.log(q + eps)))
    return float(np.exp(per_sample - marginal_kl))


def missing_modes(probabilities: np.ndarray, data_distribution: np.ndarray, min_share: float = 0.1) -> int:
    """How many classes the samples miss: classes that the classifier assigns (argmax) to fewer than ``min_share``
    (10 %) of their share in the data, ``p̂(k) < min_share · p*(k)``.

    Example:

    >>> missing_modes(np.eye(10)[np.arange(100) % 7], np.full(10, 0.1))
    3
    """
    p = np.asarray(probabilities, dtype="float64")
    q = _class_distribution(data_distribution, p.shape[1])
    shares = np.bincount(p.argmax(axis=1), minlength=p.shape[1]) / len(p)
    return int(np.sum(shares < min_share * q))


def feature_statistics(features: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean and covariance (``rowvar=False``) of features ``(n, d)``.

    Example:

    >>> mu, sigma = feature_statistics(np.array([[0.0, 1.0], [2.0, 3.0]]))
    >>> mu.tolist(), sigma.tolist()
    ([1.0, 2.0], [[2.0, 2.0], [2.0, 2.0]])
    """
    features = np.asarray(features, dtype="float64")
    return features.mean(axis=0), np.cov(features, rowvar=False)


def _sqrt_psd(matrix: np.ndarray) -> np.ndarray:
    values, vectors = np.linalg.eigh((matrix + matrix.T) / 2)
    return (vectors * np.sqrt(np.clip(values, 0, None))) @ vectors.T


def frechet_distance(mu1: np.ndarray, sigma1: np.ndarray, mu2: np.ndarray, sigma2: np.ndarray) -> float:
    """Fréchet distance between ``N(mu1, sigma1)`` and ``N(mu2, sigma2)``.

    ``Tr((Σ1 Σ2)^½)`` is computed as ``Tr((Σ1^½ Σ2 Σ1^½)^½)``, a symmetric
    positive semi-definite square root (exact, no complex parts).

    Example:

    >>> s = np.diag([4.0, 1.0])
    >>> round(frechet_distance(np.zeros(2), s, np.zeros(2), np.eye(2)), 6)   # (2 - 1)^2
    1.0
    """
    mu1, mu2 = np.asarray(mu1, "float64"), np.asarray(mu2, "float64")
    sigma1, sigma2 = np.atleast_2d(np.asarray(sigma1, "float64")), np.atleast_2d(np.asarray(sigma2, "float64"))
    root1 = _sqrt_psd(sigma1)
    middle = np.linalg.eigvalsh((root1 @ sigma2 @ root1 + (root1 @ sigma2 @ root1).T) / 2)
    trace_sqrt = np.sum(np.sqrt(np.clip(middle, 0, None)))
    return float(np.sum((mu1 - mu2) ** 2) + np.trace(sigma1) + np.trace(sigma2) - 2 * trace_sqrt)


def kernel_distances(features1: np.ndarray, features2: np.ndarray, subsets: int = 10, subset_size: int = 1000,
                     seed: int = 0) -> np.ndarray:
    """KID's estimates, one per subset: the unbiased MMD² with ``k(x, y) = (x·y / d + 1)³`` between ``subset_size``
    rows drawn without replacement from each side (Bińkowski et al. 2018),
    ``[Σ_{i≠j} k(x_i, x_j) + Σ_{i≠j} k(y_i, y_j)] / (m (m - 1)) - 2 Σ_{i,j} k(x_i, y_j) / m²``.

    Example:

    >>> x = np.random.default_rng(0).normal(size=(500, 4))
    >>> kernel_distances(x[:250], x[250:], subsets=3, subset_size=100).shape
    (3,)
    """
    f1, f2 = np.asarray(features1, "float64"), np.asarray(features2, "float64")
    d = f1.shape[1]
    m = min(subset_size, len(f1), len(f2))
    if m < 2:
        raise ValueError("kerasgan: kernel_distance needs at least 2 samples on each side.")
    rng = np.random.default_rng(seed)
    values = []
    for _ in range(subsets):
        x = f1[rng.choice(len(f1), m, replace=False)]
        y = f2[rng.choice(len(f2), m, replace=False)]
        kxx, kyy, kxy = ((x @ x.T) / d + 1) ** 3, ((y @ y.T) / d + 1) ** 3, ((x @ y.T) / d + 1) ** 3
        mmd = (kxx.sum() - np.trace(kxx) + kyy.sum() - np.trace(kyy)) / (m * (m - 1)) - 2 * kxy.mean()
        values.append(mmd)
    return np.asarray(values)


def kernel_distance(features1: np.ndarray, features2: np.ndarray, subsets: int = 10, subset_size: int = 1000,
                    seed: int = 0) -> float:
    """KID: the mean of :func:`kernel_distances` over the subsets.

    Example:

    >>> x = np.random.default_rng(0).normal(size=(500, 4))
    >>> abs(kernel_distance(x[:250], x[250:], subset_size=250)) < 0.05
    True
    """
    return float(np.mean(kernel_distances(features1, features2, subsets, subset_size, seed)))


def kernel_distance_error(features1: np.ndarray, features2: np.ndarray, subsets: int = 100,
                          subset_size: int = 1000, seed: int = 0) -> tuple[float, float]:
    """KID as the field reports it: the mean of :func:`kernel_distances` over ``subsets`` subsets (100 of 1,000, as
    StyleGAN's and clean-fid's code) and its standard error, ``std / sqrt(subsets)`` (sample std).

    Example:

    >>> x = np.random.default_rng(0).normal(size=(600, 4))
    >>> kid, error = kernel_distance_error(x[:300], x[300:] + 1.0, subsets=20, subset_size=200)
    >>> kid > 10 * error > 0
    True
    """
    values = kernel_distances(features1, features2, subsets, subset_size, seed)
    return float(values.mean()), float(values.std(ddof=1) / np.sqrt(len(values))) if len(values) > 1 else 0.0


def _kth_neighbour_radii(features: np.ndarray, k: int, batch_size: int) -> np.ndarray:
    """Each row's distance to its k-th nearest other row (the row itself, at distance 0, not counted)."""
    radii = np.empty(len(features), "float64")
    norms = np.einsum("ij,ij->i", features, features)
    for start in range(0, len(features), batch_size):
        block = features[start:start + batch_size]
        squared = norms[start:start + batch_size, None] + norms[None, :] - 2.0 * block @ features.T
        squared[np.arange(len(block)), np.arange(start, start + len(block))] = -np.inf  # itself comes first
        radii[start:start + len(block)] = np.sqrt(np.maximum(np.partition(squared, k, axis=1)[:, k], 0.0))
    return radii


def _within_any_ball(queries: np.ndarray, centres: np.ndarray, radii: np.ndarray, batch_size: int) -> np.ndarray:
    """Whether each query lies within ``radii[j]`` of some centre ``j``."""
    inside = np.empty(len(queries), bool)
    centre_norms = np.einsum("ij,ij->i", centres, centres)
    for start in range(0, len(queries), batch_size):
        block = queries[start:start + batch_size]
        squared = np.einsum("ij,ij->i", block, block)[:, None] + centre_norms[None, :] - 2.0 * block @ centres.T
        inside[start:start + len(block)] = (np.sqrt(np.maximum(squared, 0.0)) <= radii[None, :]).any(axis=1)
    return inside


def precision_recall(real_features: np.ndarray, fake_features: np.ndarray, k: int = 3,
                     batch_size: int = 1000) -> dict:
    """Improved precision and recall (Kynkäänniemi et al. 2019): each set's manifold is the union of balls around
    its points with radius the distance to the point's ``k``-th nearest neighbour in its set (k = 3, as the paper
    and StyleGAN's code); **precision** is the share of generated samples inside the real manifold (how many look
    real), **recall** the share of real samples inside the generated one (how much of the data the generator
    covers).

    Example:

    >>> real = np.array([[0.0], [1.0], [2.0], [3.0]])
    >>> precision_recall(real, np.array([[0.5], [10.0]]), k=1)   # real radii 1; generated radii 9.5
    {'precision': 0.5, 'recall': 1.0}
    """
    real, fake = (np.asarray(f, "float64").reshape(len(f), -1) for f in (real_features, fake_features))
    if min(len(real), len(fake)) <= k:
        raise ValueError(f"kerasgan: precision_recall with k={k} needs more than {k} samples on each side, got "
                         f"{len(real)} real and {len(fake)} generated.")
    precision = _within_any_ball(fake, real, _kth_neighbour_radii(real, k, batch_size), batch_size).mean()
    recall = _within_any_ball(real, fake, _kth_neighbour_radii(fake, k, batch_size), batch_size).mean()
    return {"precision": float(precision), "recall": float(recall)}


def label_accuracy(probabilities: np.ndarray, labels: np.ndarray) -> float:
    """Fraction of samples whose most likely class is the requested label.

    Example:

    >>> label_accuracy(np.eye(3), np.array([0, 1, 1]))
    0.6666666666666666
    """
    return float(np.mean(np.argmax(probabilities, axis=1) == np.asarray(labels).reshape(-1)))


class Evaluator:
    """Scores generated images with a dataset's shipped classifier.

    One implementation for every dataset: ``Evaluator("mnist")`` loads
    ``mnist_classifier.keras``, ``mnist_reference.json`` and
    ``mnist_reference_features.npy`` from :data:`ASSETS` (made by
    ``python scripts/train_classifier.py DATASET``). ``evaluate`` returns
    ``score`` (classifier score), ``score_ratio`` (score / real test data's),
    ``fid``, ``fid_ratio`` (fid / the noise floor), ``kid``, and for labelled
    samples ``label_accuracy``; :meth:`copy_rate` is the memorisation check.

    Example:

    >>> ev = Evaluator("mnist")
    >>> ev.image_shape, ev.reference["num_classes"]
    ((28, 28, 1), 10)
    """

    def __init__(self, dataset: str = "mnist", assets: str = ASSETS):
        import keras

        self.dataset = dataset
        paths = {name: os.path.join(assets, pattern.format(dataset=dataset)) for name, pattern in
                 (("classifier", CLASSIFIER_FILE), ("reference", REFERENCE_FILE), ("features", REFERENCE_FEATURES_FILE))}
        for path in paths.values():
            if not os.path.isfile(path):
                raise FileNotFoundError(
                    f"kerasgan: {path} is missing: there is no {dataset!r} evaluator (run "
                    f"python scripts/train_classifier.py {dataset} to make one)."
                )
        self.classifier = keras.models.load_model(paths["classifier"], safe_mode=True)
        # one pass gives both outputs (the features are a layer of the classifier): half the cost of two models
        self.outputs_model = keras.Model(self.classifier.input,
                                         [self.classifier.output, self.classifier.get_layer("features").output])
        self.image_shape = tuple(int(d) for d in self.classifier.input_shape[1:])
        with open(paths["reference"]) as handle:
            self.reference = json.load(handle)
        self.mu = np.asarray(self.reference["mu"], "float64")
        self.sigma = np.asarray(self.reference["sigma"], "float64")
        self.reference_features = np.load(paths["features"]).astype("float64")

    def predict(self, images: np.ndarray, batch_size: int = 500) -> tuple[np.ndarray, np.ndarray]:
        """``(probabilities, features)`` of images in [-1, 1] of the classifier's shape."""
        images = np.asarray(images, "float32")
        if images.ndim == len(self.image_shape) and self.image_shape[-1] == 1:
            images = images[..., None]
        if images.shape[1:] != self.image_shape:
            raise ValueError(
                f"kerasgan: the {self.dataset} evaluator takes (n, {', '.join(map(str, self.image_shape))}) "
                f"images, got {images.shape}."
            )
        probs, feats = [], []
        for start in range(0, len(images), batch_size):
            batch = images[start : start + batch_size]
            batch_probs, batch_feats = self.outputs_model(batch, training=False)
            probs.append(np.asarray(batch_probs))
            feats.append(np.asarray(batch_feats))
        return np.concatenate(probs).astype("float64"), np.concatenate(feats).astype("float64")

    def evaluate(self, images: np.ndarray, labels: np.ndarray | None = None) -> dict:
        """Metrics of ``images`` (and of their requested ``labels``)."""
        probs, feats = self.predict(images)
        mu, sigma = feature_statistics(feats)
        fid = frechet_distance(mu, sigma, self.mu, self.sigma)
        score = classifier_score(probs)
        result = {
            "num_samples": int(len(images)),
            "score": score,
            "score_ratio": score / self.reference["real_score"],
            "fid": fid,
            "fid_ratio": fid / self.reference["fid_floor"],
        }
        result["kid"] = kernel_distance(feats, self.reference_features)
        if labels is not None:
            result["label_accuracy"] = label_accuracy(probs, labels)
        return result

    def evaluate_generator(self, generate, n: int = 10_000, num_classes: int | None = None, seed: int = 0) -> dict:
        """Metrics of ``n`` samples of ``generate(n, labels=..., seed=...)``
        (a GAN's or a zoo entry's ``generate``); conditional generators are
        asked for balanced labels."""
        labels = np.arange(n) % num_classes if num_classes else None
        images = generate(n, labels=labels, seed=seed)
        return self.evaluate(images, labels=labels)

    def with_reference(self, images: np.ndarray, labels: np.ndarray | None = None) -> "Evaluator":
        """This evaluator judging against other real ``images`` (the same
        classifier): e.g. a slice of the training split held out for choosing
        the best epoch, so that selection never sees the test split the
        reported numbers come from. The noise floor and references stay the
        test split's.

        Example:

        >>> ev = Evaluator("mnist")
        >>> real = np.random.default_rng(0).uniform(-1, 1, (300, 28, 28, 1))
        >>> selection = ev.with_reference(real)
        >>> bool(selection.evaluate(real)["fid"] < 1e-3), selection.mu is not ev.mu
        (True, True)
        """
        import copy

        probs, feats = self.predict(images)
        other = copy.copy(self)
        other.mu, other.sigma = feature_statistics(feats)
        other.reference_features = feats[: len(self.reference_features)]
        other.reference = {**self.reference, "real_score": classifier_score(probs),
                           "data": f"{len(images)} given real images"}
        if labels is not None:
            other.reference["real_label_accuracy"] = label_accuracy(probs, labels)
        return other

    def reconstruction_error(self, images: np.ndarray, reconstructions: np.ndarray) -> dict:
        """How far ``reconstructions`` (``G(E(x))`` of a GAN with an encoder) are from the real ``images``, both in
        [-1, 1]: ``pixel_mse``, the mean squared pixel difference (:func:`kerasgan.losses.reconstruction_distance`
        averaged), and ``feature_distance``, the mean Euclidean distance of the classifier's features of each image
        and its reconstruction (what the evaluator sees: a reconstruction of the right digit in another stroke is
        near, a different digit far).

        Example:

        >>> ev = Evaluator("mnist")
        >>> x = np.random.default_rng(0).uniform(-1, 1, (4, 28, 28, 1))
        >>> ev.reconstruction_error(x, x)
        {'num_images': 4, 'pixel_mse': 0.0, 'feature_distance': 0.0}
        """
        images, reconstructions = (np.asarray(a, "float64") for a in (images, reconstructions))
        if images.shape != reconstructions.shape:
            raise ValueError(f"kerasgan: reconstruction_error needs images and reconstructions of one shape, got "
                             f"{images.shape} and {reconstructions.shape}.")
        features = [self.predict(a)[1] for a in (images, reconstructions)]
        return {"num_images": int(len(images)), "pixel_mse": float(np.mean((images - reconstructions) ** 2)),
                "feature_distance": float(np.mean(np.linalg.norm(features[0] - features[1], axis=1)))}

    def copy_rate(self, images: np.ndarray, train_images: np.ndarray) -> dict:
        """The memorisation check, in pixel space: the distance of each image to
        its nearest training image, against the same for real held-out test
        images. ``copy_rate`` is the share of ``images`` closer to a training
        image than the reference's ``copy_threshold``, the 1st percentile of the
        test images' nearest-training-image distances (so 1 % of real test
        images count as "copies"; a generator that copies its training data
        scores far above that). ``train_images`` are the training split in
        [-1, 1] (e.g. ``kerasgan.data.load(..., split="train")``).

        Example:

        >>> ev = Evaluator("mnist")
        >>> train = np.random.default_rng(0).uniform(-1, 1, (50, 28, 28, 1))
        >>> ev.copy_rate(train[:10], train)["copy_rate"]   # exact copies
        1.0
        """
        distances = nearest_distances(images, train_images)
        threshold = float(self.reference["copy_threshold"])
        return {"copy_rate": float(np.mean(distances < threshold)), "copy_threshold": threshold,
                "nearest_train_distance_median": float(np.median(distances))}


class MnistEvaluator(Evaluator):
    """The MNIST evaluator: ``Evaluator("mnist")`` (see :class:`Evaluator`).

    Example:

    >>> import numpy as np
    >>> ev = MnistEvaluator()
    >>> ev.reference["num_classes"]
    10
    >>> noise = np.random.default_rng(0).uniform(-1, 1, (200, 28, 28, 1)).astype("float32")
    >>> ev.evaluate(noise)["fid_ratio"] > 10   # noise is far from digits
    True
    """

    def __init__(self, assets: str = ASSETS):
        super().__init__("mnist", assets)
