"""``folder:PATH``: images in class sub-folders.

``PATH/<class>/*.png`` (or ``PATH/<split>/<class>/...``, the layout of
``tfds.folder_dataset.ImageFolder``); class names are the sorted folder
names. The examples come interleaved by class (the first file of each class,
then the second, ...; files sorted by name), so any slice of a split
(``train[49000:]``) holds the classes in proportion. Images directly in ``PATH`` form an unlabelled set. PNG, JPEG, BMP and
GIF files are read; grayscale files give one channel, others three.
Describing lists the files and reads their headers, not their pixels.

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

import os

import numpy as np

from kerasgan.data.source import DatasetInfo, DatasetUnavailableError, Source, register_source
from kerasgan.data.splits import parse_split, resolve_slice

__all__ = ["FolderSource", "IMAGE_EXTENSIONS"]

IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".bmp", ".gif")


def _list_images(folder: str) -> list[str]:
    return sorted(
        os.path.join(folder, f)
        for f in os.listdir(folder)
        if f.lower().endswith(IMAGE_EXTENSIONS) and os.path.isfile(os.path.join(folder, f))
    )


def _subfolders(folder: str) -> list[str]:
    return sorted(d for d in os.listdir(folder) if os.path.isdir(os.path.join(folder, d)) and not d.startswith("."))


@register_source
class FolderSource(Source):
    """A folder of images (see the module docstring). ``image_size`` says the
    images will be resized, so they may differ in size."""

    prefix = "folder"

    def __init__(self, location: str, split: str | None = None, image_size=None):
        super().__init__(location, split)
        self.path = os.path.expanduser(location)
        self.image_size = image_size
        self._scanned = None

    def _scan(self) -> dict:
        """Files, labels, class names and the images' sizes and modes (once)."""
        if self._scanned is not None:
            return self._scanned
        from PIL import Image

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
        sizes, modes = set(), set()
        for file in files:
            with Image.open(file) as image:
                sizes.add(image.size)
                modes.add(image.mode)
        if len(sizes) > 1 and self.image_size is None:
            raise ValueError(
                f"kerasgan: the images in folder:{path} have {len(sizes)} different sizes "
                f"(e.g. {sorted(sizes)[:3]}); pass image_size=(height, width) to resize them."
            )
        self._scanned = {"files": files, "labels": labels, "class_names": class_names, "sizes": sizes,
                         "channels": 1 if modes <= {"L", "1", "P;L"} else 3}
        return self._scanned

    def describe(self) -> DatasetInfo:
        scan = self._scan()
        width, height = sorted(scan["sizes"])[0]
        return DatasetInfo(
            name=self.name,
            source="folder",
            split=self.split or "train",
            image_shape=(height, width, scan["channels"]),
            num_classes=len(scan["class_names"]) or None,
            class_names=scan["class_names"] or None,
            num_examples=len(scan["files"]),
        )

    def examples(self, shuffle_files: bool = False, seed: int | None = None, reshuffle_files: bool = True):
        import tensorflow as tf

        scan = self._scan()
        height, width, channels = self.describe().image_shape
        same_size = len(scan["sizes"]) == 1
        # Class folders list their files class by class: shuffle the list (once,
        # by seed) so that a shuffle buffer smaller than the data mixes classes.
        order = np.random.default_rng(seed).permutation(len(scan["files"])) if shuffle_files else slice(None)
        elements = {"image": np.asarray(scan["files"])[order]}
        if scan["class_names"]:
            elements["label"] = np.asarray(scan["labels"], "int32")[order]

        def decode(element):
            image = tf.io.decode_image(tf.io.read_file(element["image"]), channels=channels, expand_animations=False)
            image.set_shape((height, width, channels) if same_size else (None, None, channels))
            return {**element, "image": image}

        return tf.data.Dataset.from_tensor_slices(elements).map(decode, num_parallel_calls=tf.data.AUTOTUNE)
