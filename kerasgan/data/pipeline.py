"""The training pipeline: any source to shuffled, batched, prefetched ``fit`` input.

Example:

>>> from kerasgan.data import pipeline
>>> ds = pipeline.load("toy:ring8", batch_size=100, num_examples=400)
>>> next(iter(ds))[0].shape
TensorShape([100, 2])
"""

from __future__ import annotations

import dataclasses
from typing import Any, Callable, Sequence

import numpy as np
import tensorflow as tf

from kerasgan.data.source import DatasetInfo, Source, open_source
from kerasgan.inputs import scale_images

__all__ = ["load", "describe", "resize_images", "CACHE_LIMIT_BYTES"]

AUTOTUNE = tf.data.AUTOTUNE
#: Data up to this many bytes (as uint8) is cached in memory by default.
CACHE_LIMIT_BYTES = 2 * 1024**3


def _target_size(image_size) -> tuple[int, int] | None:
    if image_size is None:
        return None
    if isinstance(image_size, int):
        return (image_size, image_size)
    size = tuple(int(s) for s in image_size)
    if len(size) != 2 or min(size) <= 0:
        raise ValueError(f"kerasgan: image_size must be an int or (height, width), got {image_size!r}.")
    return size


def resize_images(size: tuple[int, int], crop: str | int | None = "center") -> Callable[[dict], dict]:
    """A per-example map function: centre crop (to the target's aspect ratio
    with ``"center"``, or a square of ``crop`` pixels) and resize to ``size``
    (antialiased, rounded back to uint8).

    Example:

    >>> resize = resize_images((4, 4))
    >>> resize({"image": tf.zeros((8, 16, 3), tf.uint8)})["image"].shape
    TensorShape([4, 4, 3])
    """
    target_h, target_w = size

    def resize(element):
        image = element["image"]
        shape = tf.shape(image)
        h, w = shape[0], shape[1]
        if crop == "center":
            # the largest centred window with the target's aspect ratio
            ch = tf.minimum(h, tf.cast(tf.round(tf.cast(w, tf.float32) * target_h / target_w), tf.int32))
            cw = tf.minimum(w, tf.cast(tf.round(tf.cast(h, tf.float32) * target_w / target_h), tf.int32))
            image = tf.image.crop_to_bounding_box(image, (h - ch) // 2, (w - cw) // 2, ch, cw)
        elif isinstance(crop, int):
            image = tf.image.crop_to_bounding_box(image, (h - crop) // 2, (w - crop) // 2, crop, crop)
        resized = tf.image.resize(image, size, antialias=True)
        image = tf.cast(tf.clip_by_value(tf.round(resized), 0, 255), tf.uint8)
        return {**element, "image": image}

    return resize


def _epoch_stream(examples, start_epoch, shuffle, buffer, seed, batch_size, drop_remainder):
    """Epochs ``start_epoch, start_epoch + 1, ...`` of ``examples``, each shuffled by
    a seed made of ``seed`` and the epoch number (not by how many epochs this
    process has read), batched within the epoch."""

    def one_epoch(epoch):
        # This function's graph gets its own graph seed, so the shuffle's seed is
        # (constant, seed * 1000003 + epoch) whatever the caller's global seed is.
        tf.random.set_seed(1)
        ds = examples
        if shuffle:
            ds = ds.shuffle(buffer, seed=tf.constant(seed, tf.int64) * 1_000_003 + epoch, reshuffle_each_iteration=False)
        return ds.batch(batch_size, drop_remainder=drop_remainder)

    return tf.data.Dataset.range(start_epoch, 1 << 62).flat_map(one_epoch)


def describe(name: str, split: str | None = None, data_dir: str | None = None) -> DatasetInfo:
    """The :class:`DatasetInfo` of a source without building its pipeline
    (no download: for TFDS names, the registered metadata).

    Example:

    >>> describe("toy:ring8").num_classes
    8
    """
    return open_source(name, split, data_dir=data_dir).describe()


def load(
    name: str | Source,
    split: str | None = None,
    batch_size: int = 64,
    image_size: int | Sequence[int] | None = None,
    with_labels: bool | None = None,
    shuffle: bool = True,
    seed: int | None = None,
    cache: bool | None = None,
    drop_remainder: bool = True,
    crop: str | int | None = "center",
    shuffle_buffer: int = 10_000,
    data_dir: str | None = None,
    download: bool = True,
    download_config: Any = None,
    num_examples: int | None = None,
    with_info: bool = False,
    start_epoch: int | None = None,
    channels: int | None = None,
    d_steps: int = 1,
    skip_bad: bool = False,
) -> tf.data.Dataset | tuple[tf.data.Dataset, DatasetInfo]:
    """A ``tf.data.Dataset`` of training batches for ``gan.fit``.

    Args:
        name: a TFDS dataset name, ``"folder:PATH"``, ``"idx:PATH"`` or
            ``"toy:ring8"``/``"toy:grid25"`` (see the module docstring), or a
            :class:`Source` already opened with :func:`open_source` (then
            ``split``, ``data_dir``, ``download``, ``download_config`` and
            ``num_examples`` are the source's own).
        split: the split, with an optional slice (``"test[:9000]"``).
            Default ``"train"``; for ``idx:`` the only split present.
        batch_size: examples per batch.
        image_size: resize to ``(height, width)`` (an int: square); with
            ``crop="center"`` the largest centred window of the target's
            aspect ratio is cut first; ``crop=N`` cuts a centred NxN square
            first (e.g. 108 or 140 for CelebA); ``crop=None`` only resizes.
        with_labels: ``True``: batches are ``(images, labels)`` (error if the
            source has none); ``False``: images alone; ``None``: labels when
            the source has them.
        shuffle: shuffle (files and a ``shuffle_buffer`` of examples);
            ``False`` keeps the source's order.
        seed: seed of the shuffling.
        cache: cache the decoded (resized, uint8) examples in memory;
            ``None``: when they fit in ``CACHE_LIMIT_BYTES``.
        drop_remainder: drop the last partial batch (GAN batches should all
            be full).
        data_dir: passed to TFDS (where prepared datasets are).
        download: passed to TFDS (may it download).
        download_config: passed to TFDS (e.g. a ``manual_dir``).
        num_examples: size of a ``toy:`` dataset (default 100,000).
        with_info: also return the :class:`DatasetInfo`.
        start_epoch: an endless stream of epochs ``start_epoch``,
            ``start_epoch + 1``, ... instead of one pass: each epoch is the whole
            split, shuffled in an order that depends only on ``seed`` and the
            epoch number, so a run resumed at epoch k sees the batches an
            uninterrupted run sees (give ``fit`` its ``steps_per_epoch``).

        channels: convert the images to 1 (grayscale) or 3 (RGB) channels.
        d_steps: batches of ``d_steps · batch_size`` examples, which a GAN with
            ``d_steps = k`` splits into k real minibatches of ``batch_size``,
            one per discriminator update (fresh real data for every critic
            step, as Algorithm 1 samples it).
        skip_bad: for ``folder:`` data, leave out the files that cannot be
            used (not images, truncated, damaged, too large) with one warning
            line, instead of raising :class:`~kerasgan.data.BadDataError`
            naming them (every file is decoded once before the first batch).

    Returns:
        The dataset, or ``(dataset, info)`` with ``with_info=True``.

    Example:

    >>> ds = load("toy:ring8", batch_size=256, num_examples=1024, seed=0)
    >>> batch, labels = next(iter(ds))
    >>> batch.shape, labels.dtype.name
    (TensorShape([256, 2]), 'int32')
    """
    if not isinstance(batch_size, int) or batch_size <= 0:
        raise ValueError(f"kerasgan: batch_size must be a positive int, got {batch_size!r}.")
    if not isinstance(d_steps, int) or d_steps <= 0:
        raise ValueError(f"kerasgan: d_steps must be a positive int, got {d_steps!r}.")
    batch_size *= d_steps
    if start_epoch is not None and (not isinstance(start_epoch, int) or start_epoch < 0):
        raise ValueError(f"kerasgan: start_epoch must be an int >= 0, got {start_epoch!r}.")
    size = _target_size(image_size)
    if isinstance(name, Source):
        source = name
    else:
        source = open_source(name, split, image_size=size, data_dir=data_dir, download=download,
                             download_config=download_config, num_examples=num_examples, skip_bad=skip_bad)
    info = source.prepare()
    dataset = source.examples(shuffle_files=shuffle, seed=seed, reshuffle_files=start_epoch is None)
    if info.num_examples == 0:
        raise ValueError(f"kerasgan: {info.name} (split {info.split}) has no examples; check the path and the split.")
    if with_labels and not info.has_labels:
        raise ValueError(f"kerasgan: {info.name} (split {info.split}) has no labels; load it with with_labels=False.")
    keep_labels = info.has_labels if with_labels is None else bool(with_labels)
    if not keep_labels:
        dataset = dataset.map(lambda e: {"image": e["image"]}, num_parallel_calls=AUTOTUNE)
        info = dataclasses.replace(info, num_classes=None, class_names=None)
    if size is not None:
        dataset = dataset.map(resize_images(size, crop), num_parallel_calls=AUTOTUNE)
        info = dataclasses.replace(info, image_shape=size + tuple(info.image_shape[2:]))
    if channels is not None and len(info.image_shape) == 3 and channels != info.image_shape[2]:
        if (channels, info.image_shape[2]) not in ((1, 3), (3, 1)):
            raise ValueError(f"kerasgan: channels must be 1 or 3 for {info.image_shape[2]}-channel images, "
                             f"got {channels}.")
        convert = tf.image.rgb_to_grayscale if channels == 1 else tf.image.grayscale_to_rgb
        dataset = dataset.map(lambda e: {**e, "image": convert(e["image"])}, num_parallel_calls=AUTOTUNE)
        info = dataclasses.replace(info, image_shape=tuple(info.image_shape[:2]) + (channels,))
    if info.num_examples is not None and drop_remainder and info.num_examples < batch_size:
        raise ValueError(
            f"kerasgan: {info.name} (split {info.split}) has {info.num_examples} examples, fewer than "
            f"batch_size={batch_size}{f' (d_steps × batch_size)' if d_steps > 1 else ''}; with drop_remainder no "
            "batch would be left. Use a smaller batch_size."
        )
    if cache is None:
        per_example = int(np.prod([d or 0 for d in info.image_shape])) * (4 if info.source == "toy" else 1)
        cache = info.num_examples is not None and 0 < info.num_examples * per_example <= CACHE_LIMIT_BYTES
    if cache:
        dataset = dataset.cache()
    if start_epoch is None:
        if shuffle:
            dataset = dataset.shuffle(shuffle_buffer, seed=seed, reshuffle_each_iteration=True)
        dataset = dataset.batch(batch_size, drop_remainder=drop_remainder)
    else:
        dataset = _epoch_stream(dataset, start_epoch, shuffle, shuffle_buffer, seed or 0, batch_size, drop_remainder)

    def finish(batch):
        images = scale_images(batch["image"])
        return (images, batch["label"]) if keep_labels else images

    dataset = dataset.map(finish, num_parallel_calls=AUTOTUNE).prefetch(AUTOTUNE)
    # Under MultiWorkerMirroredStrategy each worker reads every N-th batch
    # (sources with a few files cannot be sharded by file).
    options = tf.data.Options()
    options.experimental_distribute.auto_shard_policy = tf.data.experimental.AutoShardPolicy.DATA
    dataset = dataset.with_options(options)
    return (dataset, info) if with_info else dataset
