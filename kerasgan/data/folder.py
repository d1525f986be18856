"""``folder:PATH``: images in class sub-folders.

``PATH/<class>/*.png`` (or ``PATH/<split>/<class>/...``, the layout of
``tfds.folder_dataset.ImageFolder``); class names are the sorted folder
names. The examples come interleaved by class (the first file of each class,
then the second, ...; files sorted by name), so any slice of a split
(``train[49000:]``) holds the classes in proportion. Images directly in ``PATH``
form an unlabelled set. Files named ``.png``, ``.jpg``, ``.jpeg``, ``.bmp``,
``.gif`` or ``.webp`` are read, by their content; grayscale files give one
channel, others three. Describing lists the files and reads their headers, not
their pixels.

Before training (:meth:`FolderSource.prepare`, which :func:`kerasgan.data.load`
calls) every file of the split is read and decoded once
(:mod:`kerasgan.data.imagefile`): files that are not images, are empty,
truncated or damaged, or too large to decode safely raise one
:class:`~kerasgan.data.source.BadDataError` naming them, or with
``skip_bad=True`` are left out with one warning line (``skipped`` lists them).
The decoded pixels are what the pipeline reads (up to :data:`KEEP_BYTES` of
them; past that the pipeline decodes the checked files again with the same
decoder), so a file that passed cannot fail in the middle of training.

Example:

>>> import os, tempfile
>>> import numpy as np
>>> from PIL import Image
>>> from kerasgan.data.folder import FolderSource
>>> root = tempfile.mkdtemp()
>>> os.makedirs(os.path.join(root, "a"))
>>> Image.fromarray(np.zeros((4, 6), "uint8")).save(os.path.join(root, "a", "0.png"))
>>> FolderSource(root).describe().image_shape
(4, 6, 1)
"""

from __future__ import annotations

import logging
import os

import numpy as np

from kerasgan.data import imagefile
from kerasgan.data.source import BadDataError, DatasetInfo, DatasetUnavailableError, Source, register_source
from kerasgan.data.splits import parse_split, resolve_slice

__all__ = ["FolderSource", "IMAGE_EXTENSIONS", "KEEP_BYTES"]

IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp")
#: Decoded pixels (uint8, before any resize) kept in memory for the pipeline up to this many bytes.
KEEP_BYTES = 1024**3
#: What a user can do about bad files (the end of the error).
_HINT = "Fix or remove them, or leave them out: kerasgan train --skip_bad_images (in Python, skip_bad=True)."

_log = logging.getLogger(__name__)


def _listdir(folder: str) -> list[str]:
    try:
        return sorted(os.listdir(folder))
    except OSError as error:
        raise DatasetUnavailableError(
            f"kerasgan: cannot list the folder {folder}: {error.strerror or error}.") from None


def _list_images(folder: str) -> list[str]:
    """Every entry named like an image that is not a folder: links that loop, FIFOs and
    unreadable files are listed so that the check names them instead of passing over them."""
    return [os.path.join(folder, f) for f in _listdir(folder)
            if f.lower().endswith(IMAGE_EXTENSIONS) and not os.path.isdir(os.path.join(folder, f))]


def _subfolders(folder: str) -> list[str]:
    return [d for d in _listdir(folder) if os.path.isdir(os.path.join(folder, d)) and not d.startswith(".")]


@register_source
class FolderSource(Source):
    """A folder of images (see the module docstring). ``image_size`` says the
    images will be resized, so they may differ in size; ``skip_bad=True``
    leaves out the files that cannot be used (listed in :attr:`skipped`)
    instead of raising :class:`~kerasgan.data.source.BadDataError`."""

    prefix = "folder"

    def __init__(self, location: str, split: str | None = None, image_size=None, skip_bad: bool = False):
        super().__init__(location, split)
        self.path = os.path.expanduser(location)
        self.image_size = image_size
        self.skip_bad = bool(skip_bad)
        #: ``(file, reason)`` of every file left out with ``skip_bad=True``.
        self.skipped: list[tuple[str, str]] = []
        self._listed = None
        self._scanned = None
        self._checked = None

    def _list(self) -> dict:
        """The split's files, their labels and the class names (no file is opened)."""
        if self._listed is not None:
            return self._listed
        path = self.path
        if not os.path.isdir(path):
            what = "is a file, not a folder" if os.path.exists(path) else "does not exist"
            raise DatasetUnavailableError(
                f"kerasgan: folder:{path} {what}; give the folder that holds the images (PATH/<class>/*.png)."
            )
        split_name, part = parse_split(self.split) if self.split else ("train", slice(None))
        root = path
        subdirs = _subfolders(root)
        if subdirs and all(_subfolders(os.path.join(root, d)) for d in subdirs):  # <root>/<split>/<class>/img
            if split_name not in subdirs:
                raise ValueError(f"kerasgan: folder:{path} has no {split_name!r} split; it holds {subdirs}.")
            root = os.path.join(root, split_name)
            subdirs = _subfolders(root)
        files, labels = [], []
        class_names = tuple(d for d in subdirs if _list_images(os.path.join(root, d)))
        per_class = [_list_images(os.path.join(root, name)) for name in class_names]
        # Interleaved by class (1st of each class, 2nd of each, ...): a slice
        # such as train[49000:] holds every class in proportion.
        for rank in range(max(map(len, per_class), default=0)):
            for index, found in enumerate(per_class):
                if rank < len(found):
                    files.append(found[rank])
                    labels.append(index)
        if not class_names:
            files = _list_images(root)
        if not files:
            raise DatasetUnavailableError(
                f"kerasgan: no images ({', '.join(IMAGE_EXTENSIONS)}) in folder:{path}; put them in class "
                "sub-folders (PATH/<class>/*.png) or directly in the folder."
            )
        part = resolve_slice(part, len(files))
        files, labels = files[part], labels[part]
        if not files:
            raise ValueError(f"kerasgan: the split {self.split!r} of folder:{path} is empty.")
        self._listed = {"files": files, "labels": labels, "class_names": class_names}
        return self._listed

    def _keep(self, files: list[str], labels: list[int], problems: list[tuple[str, str]]):
        """``files`` and ``labels`` without the files of ``problems``; raises
        :class:`BadDataError` naming them unless ``skip_bad``."""
        if not problems:
            return files, labels
        where = f"folder:{self.path}" + (f" (split {self.split})" if self.split else "")
        if not self.skip_bad:
            raise BadDataError(problems, where, total=len(self._list()["files"]), hint=_HINT)
        self.skipped += problems
        bad = {file for file, _ in problems}
        if len(bad) == len(files):
            raise BadDataError(self.skipped, where, total=len(self._list()["files"]),
                               hint="No image is left: check the folder.")
        return [f for f in files if f not in bad], [y for f, y in zip(files, labels) if f not in bad]

    def _scan(self) -> dict:
        """The listed files whose headers pass (:func:`imagefile.read_header`), their sizes and channels;
        the others wait in ``problems`` for :meth:`prepare`, which names them all at once."""
        if self._scanned is not None:
            return self._scanned
        listed = self._list()
        headers, problems = {}, []
        for file in listed["files"]:
            try:
                headers[file] = imagefile.read_header(file)
            except imagefile.BadFile as problem:
                problems.append((file, str(problem)))
        if len(problems) == len(listed["files"]):
            self._keep(listed["files"], listed["labels"], problems)  # raises: nothing to describe
        files = [f for f in listed["files"] if f in headers]
        labels = [y for f, y in zip(listed["files"], listed["labels"]) if f in headers]
        sizes = {headers[f].size for f in files}
        if len(sizes) > 1 and self.image_size is None:
            raise ValueError(
                f"kerasgan: the images in folder:{self.path} have {len(sizes)} different sizes "
                f"(e.g. {sorted(sizes)[:3]} as (height, width)); pass image_size=(height, width) to resize them."
            )
        self._scanned = {"files": files, "labels": labels, "class_names": listed["class_names"], "sizes": sizes,
                         "channels": 1 if all(headers[f].channels == 1 for f in files) else 3, "problems": problems,
                         "headers": headers}
        return self._scanned

    def describe(self) -> DatasetInfo:
        scan = self._checked or self._scan()
        height, width = sorted(scan["sizes"])[0]
        return DatasetInfo(
            name=self.name,
            source="folder",
            split=self.split or "train",
            image_shape=(height, width, scan["channels"]),
            num_classes=len(scan["class_names"]) or None,
            class_names=scan["class_names"] or None,
            num_examples=len(scan["files"]),
        )

    def prepare(self) -> DatasetInfo:
        """Decode every file once (see the module docstring): bad files raise
        :class:`BadDataError`, or are left out with ``skip_bad=True``."""
        if self._checked is None:
            scan = self._scan()
            checked = imagefile.check_files(scan["files"], channels=scan["channels"], keep_bytes=KEEP_BYTES,
                                            headers=scan["headers"])
            listed = self._list()
            order = {file: index for index, file in enumerate(listed["files"])}
            problems = sorted(scan["problems"] + checked.problems, key=lambda problem: order[problem[0]])
            files, labels = self._keep(listed["files"], listed["labels"], problems)
            self._checked = {**scan, "files": files, "labels": labels, "images": checked.images,
                             "sizes": {h.size for h in checked.headers}}
            if self.skipped:
                _log.warning("kerasgan: left out %s of %s files of folder:%s that cannot be used: %s",
                             f"{len(self.skipped):,}", f"{len(self._list()['files']):,}", self.path,
                             BadDataError.listing(self.skipped))
        return self.describe()

    def examples(self, shuffle_files: bool = False, seed: int | None = None, reshuffle_files: bool = True):
        import tensorflow as tf

        self.prepare()
        checked = self._checked
        height, width, channels = self.describe().image_shape
        same_size = len(checked["sizes"]) == 1
        # Class folders list their files class by class: shuffle the list (once,
        # by seed) so that a shuffle buffer smaller than the data mixes classes.
        count = len(checked["files"])
        order = np.random.default_rng(seed).permutation(count) if shuffle_files else np.arange(count)
        labels = {"label": np.asarray(checked["labels"], "int32")[order]} if checked["class_names"] else {}
        images = checked["images"]
        if images is not None and same_size:  # the checked pixels, decoded once
            return tf.data.Dataset.from_tensor_slices({"image": np.stack([images[i] for i in order]), **labels})
        if images is not None:  # of several sizes: one flat buffer, cut per example
            lengths = np.array([im.size for im in images], "int64")
            starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
            buffer = tf.constant(np.concatenate([im.reshape(-1) for im in images]))
            shapes = np.array([im.shape for im in images], "int64")

            def cut(element):
                start, shape = element["start"], element["shape"]
                image = tf.reshape(buffer[start:start + tf.reduce_prod(shape)], shape)
                image.set_shape((None, None, channels))
                return {"image": image, **{k: v for k, v in element.items() if k == "label"}}

            elements = {"start": starts[order], "shape": shapes[order], **labels}
            return tf.data.Dataset.from_tensor_slices(elements).map(cut, num_parallel_calls=tf.data.AUTOTUNE)

        def decode(element):  # more than KEEP_BYTES: the checked files again, with the check's decoder
            image = imagefile.decode(tf.io.read_file(element["image"]), channels)
            image.set_shape((height, width, channels) if same_size else (None, None, channels))
            return {**element, "image": image}

        elements = {"image": np.asarray(checked["files"])[order], **labels}
        return tf.data.Dataset.from_tensor_slices(elements).map(decode, num_parallel_calls=tf.data.AUTOTUNE)
