"""Input pipelines for GAN training: TFDS datasets by name, local files, toys.

:func:`load` returns a ``tf.data.Dataset`` that ``gan.fit`` takes as it is:
batches of float32 images in [-1, 1] (NHWC), with int32 labels when the
source has them (or when asked), cached in memory when the data fits,
shuffled, batched with ``drop_remainder`` and prefetched.

Sources (the ``name`` argument):

- any TFDS image dataset by name (``"mnist"``, ``"cifar10"``, ``"celeb_a"``,
  ...): the image and label features and the number of classes are read from
  the dataset's ``info``; ``data_dir`` and ``download_config`` (e.g. a
  ``manual_dir`` holding the original files) go to TFDS.
- ``"folder:PATH"``: images in class sub-folders ``PATH/<class>/*.png``
  (or ``PATH/<split>/<class>/...``, the layout of
  ``tfds.folder_dataset.ImageFolder``); class names are the sorted folder
  names. Images directly in ``PATH`` form an unlabelled set.
- ``"idx:PATH"``: MNIST-format IDX files (gzipped or not), ``PATH`` a folder
  or an images file. The standard prefixes name the split (``train-`` is
  ``"train"``, ``t10k-`` is ``"test"``); labels come from the matching
  ``*-labels-idx1-ubyte`` file when it is there.
- ``"toy:ring8"`` / ``"toy:grid25"``: 2-D Gaussian mixtures
  (:mod:`kerasgan.toy`), float32 points of shape ``(2,)``.

Local sources accept TFDS-style split slices: ``"test[:9000]"``,
``"test[9000:]"``, ``"train[:80%]"``.

Example:

>>> import numpy as np, os, tempfile
>>> from PIL import Image
>>> from kerasgan import data
>>> root = tempfile.mkdtemp()
>>> for cls in ("cats", "dogs"):
...     os.makedirs(os.path.join(root, cls))
...     for i in range(4):
...         Image.fromarray(np.full((8, 8, 3), 40 * i, "uint8")).save(os.path.join(root, cls, f"{i}.png"))
>>> ds, info = data.load("folder:" + root, batch_size=4, shuffle=False, with_info=True)
>>> info.class_names, info.image_shape, info.num_examples
(('cats', 'dogs'), (8, 8, 3), 8)
>>> images, labels = next(iter(ds))
>>> images.dtype.name, float(images.numpy().min()), labels.numpy().tolist()
('float32', -1.0, [0, 0, 0, 0])
"""

from __future__ import annotations

import dataclasses
import gzip
import os
import re
from typing import Any, Sequence

import numpy as np
import tensorflow as tf

__all__ = ["DatasetInfo", "load", "describe", "read_idx", "parse_split"]

AUTOTUNE = tf.data.AUTOTUNE
#: Data up to this many bytes (as uint8) is cached in memory by default.
CACHE_LIMIT_BYTES = 2 * 1024**3
_IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".bmp", ".gif")
_IDX_PREFIXES = {"train": "train", "test": "t10k"}


@dataclasses.dataclass(frozen=True)
class DatasetInfo:
    """What :func:`load` delivers: the shape of one sample and the labels.

    ``image_shape`` is after any resize; ``num_classes`` and ``class_names``
    are ``None`` for unlabelled data; ``num_examples`` is the size of the
    split when known (before batching).
    """

    name: str
    source: str
    split: str
    image_shape: tuple
    num_classes: int | None
    class_names: tuple | None
    num_examples: int | None

    @property
    def has_labels(self) -> bool:
        return self.num_classes is not None


# ------------------------------------------------------------------ splits
def parse_split(split: str) -> tuple[str, slice]:
    """``"test[:9000]"`` -> ``("test", slice(None, 9000))``; percents allowed.

    Percent bounds are returned as negative-free floats in [0, 1] wrapped in
    the slice and resolved by :func:`_resolve_slice` against the split size.

    Example:

    >>> parse_split("test[9000:]"), parse_split("train")
    (('test', slice(9000, None, None)), ('train', slice(None, None, None)))
    """
    match = re.fullmatch(r"\s*(\w+)\s*(?:\[\s*(-?\d+%?)?\s*:\s*(-?\d+%?)?\s*\])?\s*", split or "")
    if not match:
        raise ValueError(
            f"kerasgan: cannot read the split {split!r}; write a name with an optional slice, "
            "like 'train', 'test[:9000]' or 'train[80%:]'."
        )
    name, start, stop = match.groups()

    def bound(text):
        if text is None:
            return None
        if text.endswith("%"):
            return float(text[:-1]) / 100.0
        return int(text)

    return name, slice(bound(start), bound(stop))


def _resolve_slice(part: slice, size: int) -> slice:
    def resolve(b):
        if isinstance(b, float):
            return int(round(b * size))
        return b

    return slice(resolve(part.start), resolve(part.stop))


# ------------------------------------------------------------------ IDX files
def read_idx(path: str | os.PathLike) -> np.ndarray:
    """Read one IDX file (``.gz`` or plain) into a uint8 NumPy array.

    Example:

    >>> import tempfile, os, struct
    >>> p = os.path.join(tempfile.mkdtemp(), "t10k-labels-idx1-ubyte")
    >>> _ = open(p, "wb").write(struct.pack(">iI", 0x801, 3) + bytes([7, 2, 1]))
    >>> read_idx(p).tolist()
    [7, 2, 1]
    """
    path = os.fspath(path)
    opener = gzip.open if path.endswith(".gz") else open
    try:
        with opener(path, "rb") as handle:
            raw = handle.read()
    except (OSError, EOFError) as error:
        raise ValueError(f"kerasgan: cannot read the IDX file {path}: {error}") from None
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] != 0x08:
        raise ValueError(
            f"kerasgan: {path} is not an IDX file of unsigned bytes (expected magic 0x0000080N)."
        )
    ndim = raw[3]
    header = 4 + 4 * ndim
    dims = tuple(int.from_bytes(raw[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim))
    expected = int(np.prod(dims)) if dims else 0
    if len(raw) - header != expected:
        raise ValueError(
            f"kerasgan: the IDX file {path} is truncated or damaged: its header says {dims} "
            f"({expected} bytes of data), it holds {max(len(raw) - header, 0)}."
        )
    return np.frombuffer(raw, dtype=np.uint8, offset=header).reshape(dims)


def _idx_files(path: str, split: str | None) -> tuple[str, str | None, str]:
    """``(images file, labels file or None, split name)`` for an ``idx:`` path."""
    if os.path.isfile(path):
        base = os.path.basename(path)
        split_name = next((s for s, p in _IDX_PREFIXES.items() if base.startswith(p + "-") or base.startswith(p + ".")), "train")
        labels = os.path.join(os.path.dirname(path), base.replace("images-idx3", "labels-idx1").replace("images.idx3", "labels.idx1"))
        return path, labels if os.path.isfile(labels) and labels != path else None, split_name
    if not os.path.isdir(path):
        raise ValueError(f"kerasgan: idx:{path} is neither a folder nor an IDX images file.")
    found = {}
    for split_name, prefix in _IDX_PREFIXES.items():
        for candidate in (f"{prefix}-images-idx3-ubyte", f"{prefix}-images.idx3-ubyte"):
            for ext in (".gz", ""):
                file = os.path.join(path, candidate + ext)
                if os.path.isfile(file) and split_name not in found:
                    labels = file.replace("images-idx3", "labels-idx1").replace("images.idx3", "labels.idx1")
                    found[split_name] = (file, labels if os.path.isfile(labels) else None)
    if not found:
        raise ValueError(
            f"kerasgan: no IDX images file in {path}; expected train-images-idx3-ubyte[.gz] or "
            "t10k-images-idx3-ubyte[.gz]."
        )
    if split is None:
        split = next(iter(found)) if len(found) == 1 else "train"
    if split not in found:
        raise ValueError(
            f"kerasgan: idx:{path} has no {split!r} split; it holds {sorted(found)} "
            f"(files {', '.join(os.path.basename(f) for f, _ in found.values())})."
        )
    return found[split][0], found[split][1], split


def _idx_source(path: str, split: str | None):
    split_name, part = parse_split(split) if split else (None, slice(None))
    images_file, labels_file, split_name = _idx_files(path, split_name)
    images = read_idx(images_file)
    if images.ndim == 3:
        images = images[..., None]
    if images.ndim != 4:
        raise ValueError(f"kerasgan: {images_file} holds arrays of shape {images.shape[1:]}, not images.")
    labels = read_idx(labels_file).astype("int32") if labels_file else None
    if labels is not None and len(labels) != len(images):
        raise ValueError(
            f"kerasgan: {labels_file} has {len(labels)} labels for {len(images)} images in {images_file}."
        )
    part = _resolve_slice(part, len(images))
    images = images[part]
    elements = {"image": images}
    num_classes = None
    if labels is not None:
        elements["label"] = labels[part]
        num_classes = int(labels.max()) + 1 if len(labels) else None
    info = DatasetInfo(
        name=f"idx:{path}",
        source="idx",
        split=split_name if part == slice(None) else f"{split_name}[{_slice_text(part)}]",
        image_shape=tuple(images.shape[1:]),
        num_classes=num_classes,
        class_names=tuple(str(i) for i in range(num_classes)) if num_classes else None,
        num_examples=len(images),
    )
    return tf.data.Dataset.from_tensor_slices(elements), info


def _slice_text(part: slice) -> str:
    return f"{'' if part.start is None else part.start}:{'' if part.stop is None else part.stop}"


# ------------------------------------------------------------------ folders
def _list_images(folder: str) -> list[str]:
    return sorted(
        os.path.join(folder, f)
        for f in os.listdir(folder)
        if f.lower().endswith(_IMAGE_EXTENSIONS) and os.path.isfile(os.path.join(folder, f))
    )


def _subfolders(folder: str) -> list[str]:
    return sorted(d for d in os.listdir(folder) if os.path.isdir(os.path.join(folder, d)) and not d.startswith("."))


def _folder_source(path: str, split: str | None, image_size):
    from PIL import Image

    if not os.path.isdir(path):
        raise ValueError(f"kerasgan: folder:{path} is not a folder.")
    split_name, part = parse_split(split) if split else ("train", slice(None))
    root = path
    subdirs = _subfolders(root)
    # <root>/<split>/<class>/img: the tfds ImageFolder layout
    if subdirs and all(_subfolders(os.path.join(root, d)) for d in subdirs):
        if split_name not in subdirs:
            raise ValueError(f"kerasgan: folder:{path} has no {split_name!r} split; it holds {subdirs}.")
        root = os.path.join(root, split_name)
        subdirs = _subfolders(root)
    files, labels = [], []
    class_names = tuple(d for d in subdirs if _list_images(os.path.join(root, d)))
    for index, name in enumerate(class_names):
        found = _list_images(os.path.join(root, name))
        files += found
        labels += [index] * len(found)
    if not class_names:
        files = _list_images(root)
    if not files:
        raise ValueError(
            f"kerasgan: no images ({', '.join(_IMAGE_EXTENSIONS)}) in folder:{path}; put them in class "
            "sub-folders (PATH/<class>/*.png) or directly in the folder."
        )
    part = _resolve_slice(part, len(files))
    files, labels = files[part], labels[part]
    if not files:
        raise ValueError(f"kerasgan: the split {split!r} of folder:{path} is empty.")
    sizes, modes = set(), set()
    for file in files:
        with Image.open(file) as image:
            sizes.add(image.size)
            modes.add(image.mode)
    if len(sizes) > 1 and image_size is None:
        raise ValueError(
            f"kerasgan: the images in folder:{path} have {len(sizes)} different sizes "
            f"(e.g. {sorted(sizes)[:3]}); pass image_size=(height, width) to resize them."
        )
    channels = 1 if modes <= {"L", "1", "P;L"} else 3
    width, height = sorted(sizes)[0]
    elements = {"image": files}
    if class_names:
        elements["label"] = np.asarray(labels, "int32")

    def decode(element):
        image = tf.io.decode_image(tf.io.read_file(element["image"]), channels=channels, expand_animations=False)
        image.set_shape((None, None, channels) if len(sizes) > 1 else (height, width, channels))
        return {**element, "image": image}

    dataset = tf.data.Dataset.from_tensor_slices(elements).map(decode, num_parallel_calls=AUTOTUNE)
    info = DatasetInfo(
        name=f"folder:{path}",
        source="folder",
        split=split or "train",
        image_shape=(height, width, channels),
        num_classes=len(class_names) or None,
        class_names=class_names or None,
        num_examples=len(files),
    )
    return dataset, info


# ------------------------------------------------------------------ toys
def _toy_source(name: str, split: str | None, num_examples: int | None):
    from kerasgan import toy

    dist = toy.get(name)
    split_name, part = parse_split(split) if split else ("train", slice(None))
    points, modes = toy.sample(name, num_examples or 100_000, seed={"train": 0, "test": 1}.get(split_name, 2))
    part = _resolve_slice(part, len(points))
    points, modes = points[part], modes[part]
    info = DatasetInfo(
        name=f"toy:{name}", source="toy", split=split or "train", image_shape=(2,),
        num_classes=dist.num_modes, class_names=tuple(f"mode_{i}" for i in range(dist.num_modes)),
        num_examples=len(points),
    )
    return tf.data.Dataset.from_tensor_slices({"image": points, "label": modes}), info


# ------------------------------------------------------------------ TFDS
def _tfds_builder(name: str, data_dir):
    import tensorflow_datasets as tfds

    try:
        return tfds.builder(name, data_dir=data_dir)
    except tfds.core.registered.DatasetNotFoundError:
        raise ValueError(
            f"kerasgan: unknown dataset {name!r}: not a TFDS dataset (see tfds.list_builders()) and not "
            "a local source (folder:PATH, idx:PATH, toy:ring8, toy:grid25)."
        ) from None


def _tfds_features(builder):
    """The names of the image feature and of the class-label feature (or None)."""
    import tensorflow_datasets as tfds

    features = builder.info.features
    top = dict(features.items()) if hasattr(features, "items") else {}
    images = [k for k, f in top.items() if isinstance(f, tfds.features.Image)]
    labels = [k for k, f in top.items() if isinstance(f, tfds.features.ClassLabel)]
    if not images:
        raise ValueError(
            f"kerasgan: the TFDS dataset {builder.name!r} has no image feature (features: {sorted(top)})."
        )
    image_key = "image" if "image" in images else images[0]
    label_key = ("label" if "label" in labels else labels[0]) if labels else None
    return image_key, label_key, top


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


def _tfds_source(name: str, split: str | None, shuffle: bool, seed, data_dir, download, download_config,
                 reshuffle_files: bool = True):
    import tensorflow_datasets as tfds

    builder = _tfds_builder(name, data_dir)
    image_key, label_key, features = _tfds_features(builder)
    split = split or "train"
    if download:
        try:
            builder.download_and_prepare(download_config=download_config)
        except Exception as error:  # noqa: BLE001 - TFDS raises many kinds; we add the remedy
            raise RuntimeError(
                f"kerasgan: could not download and prepare the TFDS dataset {name!r} ({error}). Without "
                "network, put the original files in a manual dir and pass download_config="
                "tfds.download.DownloadConfig(manual_dir=...), point data_dir at a prepared copy, "
                "or train from local files (idx:PATH, folder:PATH)."
            ) from error
    read_config = tfds.ReadConfig(shuffle_seed=seed, try_autocache=False,
                                  shuffle_reshuffle_each_iteration=reshuffle_files)
    dataset = builder.as_dataset(split=split, shuffle_files=shuffle, read_config=read_config)

    def select(example):
        element = {"image": example[image_key]}
        if label_key:
            element["label"] = tf.cast(example[label_key], tf.int32)
        return element

    dataset = dataset.map(select, num_parallel_calls=AUTOTUNE)
    try:
        num_examples = int(builder.info.splits[split].num_examples) or None
    except Exception:  # noqa: BLE001 - unknown split sizes (e.g. mocked data)
        num_examples = None
    return dataset, _tfds_info(name, split, features, image_key, label_key, num_examples)


def _tfds_info(name, split, features, image_key, label_key, num_examples) -> DatasetInfo:
    label = features[label_key] if label_key else None
    return DatasetInfo(
        name=name,
        source="tfds",
        split=split,
        image_shape=tuple(features[image_key].shape),
        num_classes=int(label.num_classes) if label else None,
        class_names=tuple(label.names) if label else None,
        num_examples=num_examples,
    )


# ------------------------------------------------------------------ pipeline
def _target_size(image_size) -> tuple[int, int] | None:
    if image_size is None:
        return None
    if isinstance(image_size, int):
        return (image_size, image_size)
    size = tuple(int(s) for s in image_size)
    if len(size) != 2 or min(size) <= 0:
        raise ValueError(f"kerasgan: image_size must be an int or (height, width), got {image_size!r}.")
    return size


def _resize_fn(size: tuple[int, int], crop):
    """Per-example centre crop (to the target aspect, or a square of ``crop`` px) and resize."""
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


def describe(name: str, split: str | None = None, data_dir: str | None = None) -> DatasetInfo:
    """The :class:`DatasetInfo` of a source without building its pipeline
    (no download: for TFDS names, the registered metadata).

    Example:

    >>> describe("toy:ring8").num_classes
    8
    """
    if ":" in name:
        return load(name, split=split, batch_size=1, shuffle=False, cache=False, with_info=True)[1]
    builder = _tfds_builder(name, data_dir)
    image_key, label_key, features = _tfds_features(builder)
    return _tfds_info(name, split or "train", features, image_key, label_key, None)


def load(
    name: str,
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
) -> tf.data.Dataset | tuple[tf.data.Dataset, DatasetInfo]:
    """A ``tf.data.Dataset`` of training batches for ``gan.fit``.

    Args:
        name: a TFDS dataset name, ``"folder:PATH"``, ``"idx:PATH"`` or
            ``"toy:ring8"``/``"toy:grid25"`` (see the module docstring).
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
        data_dir, download, download_config: passed to TFDS.
        num_examples: size of a ``toy:`` dataset (default 100,000).
        with_info: also return the :class:`DatasetInfo`.
        start_epoch: an endless stream of epochs ``start_epoch``,
            ``start_epoch + 1``, ... instead of one pass: each epoch is the whole
            split, shuffled in an order that depends only on ``seed`` and the
            epoch number, so a run resumed at epoch k sees the batches an
            uninterrupted run sees (give ``fit`` its ``steps_per_epoch``).

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
    if start_epoch is not None and (not isinstance(start_epoch, int) or start_epoch < 0):
        raise ValueError(f"kerasgan: start_epoch must be an int >= 0, got {start_epoch!r}.")
    if not isinstance(name, str) or not name:
        raise ValueError(f"kerasgan: the dataset name must be a non-empty string, got {name!r}.")
    size = _target_size(image_size)
    kind, _, rest = name.partition(":")
    if rest and kind == "folder":
        dataset, info = _folder_source(os.path.expanduser(rest), split, size)
    elif rest and kind == "idx":
        dataset, info = _idx_source(os.path.expanduser(rest), split)
    elif rest and kind == "toy":
        if size is not None:
            raise ValueError("kerasgan: image_size does not apply to toy: datasets (2-D points).")
        dataset, info = _toy_source(rest, split, num_examples)
    elif ":" in name:
        raise ValueError(
            f"kerasgan: unknown dataset source {kind!r} in {name!r}; use folder:PATH, idx:PATH, "
            "toy:ring8, toy:grid25, or a TFDS dataset name."
        )
    else:
        dataset, info = _tfds_source(name, split, shuffle, seed, data_dir, download, download_config,
                                     reshuffle_files=start_epoch is None)

    if info.num_examples == 0:
        raise ValueError(f"kerasgan: {info.name} (split {info.split}) has no examples; check the path and the split.")
    if with_labels and not info.has_labels:
        raise ValueError(f"kerasgan: {info.name} (split {info.split}) has no labels; load it with with_labels=False.")
    keep_labels = info.has_labels if with_labels is None else bool(with_labels)
    if not keep_labels:
        dataset = dataset.map(lambda e: {"image": e["image"]}, num_parallel_calls=AUTOTUNE)
        info = dataclasses.replace(info, num_classes=None, class_names=None)
    if size is not None:
        dataset = dataset.map(_resize_fn(size, crop), num_parallel_calls=AUTOTUNE)
        info = dataclasses.replace(info, image_shape=size + tuple(info.image_shape[2:]))
    if info.num_examples is not None and drop_remainder and info.num_examples < batch_size:
        raise ValueError(
            f"kerasgan: {info.name} (split {info.split}) has {info.num_examples} examples, fewer than "
            f"batch_size={batch_size}; with drop_remainder no batch would be left. Use a smaller batch_size."
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
        images = batch["image"]
        if images.dtype == tf.uint8:
            images = tf.cast(images, tf.float32) * (1.0 / 127.5) - 1.0
        else:
            images = tf.cast(images, tf.float32)
        return (images, batch["label"]) if keep_labels else images

    dataset = dataset.map(finish, num_parallel_calls=AUTOTUNE).prefetch(AUTOTUNE)
    # Under MultiWorkerMirroredStrategy each worker reads every N-th batch
    # (sources with a few files cannot be sharded by file).
    options = tf.data.Options()
    options.experimental_distribute.auto_shard_policy = tf.data.experimental.AutoShardPolicy.DATA
    dataset = dataset.with_options(options)
    return (dataset, info) if with_info else dataset
