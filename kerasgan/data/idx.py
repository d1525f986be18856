"""``idx:PATH``: MNIST-format IDX files (gzipped or not).

``PATH`` is a folder or an images file. The standard prefixes name the split
(``train-`` is ``"train"``, ``t10k-`` is ``"test"``); labels come from the
matching ``*-labels-idx1-ubyte`` file when it is there. Describing reads only
the images file's header and the (small) labels file.

Example:

>>> import os, struct, tempfile
>>> from kerasgan.data.idx import IdxSource
>>> folder = tempfile.mkdtemp()
>>> _ = open(os.path.join(folder, "t10k-images-idx3-ubyte"), "wb").write(struct.pack(">iIII", 0x803, 2, 3, 3) + bytes(18))
>>> IdxSource(folder).describe().image_shape
(3, 3, 1)
"""

from __future__ import annotations

import gzip
import os

import numpy as np

from kerasgan.data.source import DatasetInfo, DatasetUnavailableError, Source, register_source
from kerasgan.data.splits import parse_split, resolve_slice, slice_text

__all__ = ["IdxSource", "read_idx", "read_idx_header"]

_PREFIXES = {"train": "train", "test": "t10k"}


def _open(path: str):
    return gzip.open(path, "rb") if path.endswith(".gz") else open(path, "rb")


def read_idx_header(path: str | os.PathLike) -> tuple[int, ...]:
    """The dimensions an IDX file's header declares (reads a few bytes).

    Example:

    >>> import tempfile, os, struct
    >>> p = os.path.join(tempfile.mkdtemp(), "x-idx3-ubyte")
    >>> _ = open(p, "wb").write(struct.pack(">iIII", 0x803, 5, 28, 28))
    >>> read_idx_header(p)
    (5, 28, 28)
    """
    path = os.fspath(path)
    try:
        with _open(path) as handle:
            magic = handle.read(4)
            if len(magic) < 4 or magic[:3] != b"\x00\x00\x08":
                raise ValueError(
                    f"kerasgan: {path} is not an IDX file of unsigned bytes (expected magic 0x0000080N)."
                )
            raw = handle.read(4 * magic[3])
    except (OSError, EOFError) as error:
        raise ValueError(f"kerasgan: cannot read the IDX file {path}: {error}") from None
    return tuple(int.from_bytes(raw[4 * i: 4 * i + 4], "big") for i in range(magic[3]))


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
    dims = read_idx_header(path)
    with _open(path) as handle:
        raw = handle.read()
    header = 4 + 4 * len(dims)
    expected = int(np.prod(dims)) if dims else 0
    if len(raw) - header != expected:
        raise ValueError(
            f"kerasgan: the IDX file {path} is truncated or damaged: its header says {dims} "
            f"({expected} bytes of data), it holds {max(len(raw) - header, 0)}."
        )
    return np.frombuffer(raw, dtype=np.uint8, offset=header).reshape(dims)


def _labels_file(images_file: str) -> str | None:
    labels = images_file.replace("images-idx3", "labels-idx1").replace("images.idx3", "labels.idx1")
    return labels if labels != images_file and os.path.isfile(labels) else None


@register_source
class IdxSource(Source):
    """MNIST-format IDX files (see the module docstring)."""

    prefix = "idx"

    def __init__(self, location: str, split: str | None = None):
        super().__init__(location, split)
        self.path = os.path.expanduser(location)
        split_name, self.part = parse_split(split) if split else (None, slice(None))
        self.images_file, self.labels_file, self.split_name = self._files(split_name)
        self._labels = None

    def _files(self, split: str | None) -> tuple[str, str | None, str]:
        """``(images file, labels file or None, split name)``."""
        path = self.path
        if os.path.isfile(path):
            base = os.path.basename(path)
            name = next((s for s, p in _PREFIXES.items() if base.startswith((p + "-", p + "."))), "train")
            return path, _labels_file(path), name
        if not os.path.isdir(path):
            raise DatasetUnavailableError(f"kerasgan: idx:{path} does not exist: no such folder or IDX images file.")
        found = {}
        for name, prefix in _PREFIXES.items():
            for candidate in (f"{prefix}-images-idx3-ubyte", f"{prefix}-images.idx3-ubyte"):
                for ext in (".gz", ""):
                    file = os.path.join(path, candidate + ext)
                    if os.path.isfile(file) and name not in found:
                        found[name] = (file, _labels_file(file))
        if not found:
            raise DatasetUnavailableError(
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

    def _label_array(self) -> np.ndarray | None:
        if self.labels_file and self._labels is None:
            self._labels = read_idx(self.labels_file).astype("int32")
        return self._labels

    def describe(self) -> DatasetInfo:
        dims = read_idx_header(self.images_file)
        if len(dims) not in (3, 4):
            raise ValueError(f"kerasgan: {self.images_file} holds arrays of shape {dims[1:]}, not images.")
        labels = self._label_array()
        if labels is not None and len(labels) != dims[0]:
            raise ValueError(
                f"kerasgan: {self.labels_file} has {len(labels)} labels for {dims[0]} images in {self.images_file}."
            )
        part = resolve_slice(self.part, dims[0])
        num_classes = int(labels.max()) + 1 if labels is not None and len(labels) else None
        return DatasetInfo(
            name=self.name,
            source="idx",
            split=self.split_name if part == slice(None) else f"{self.split_name}[{slice_text(part)}]",
            image_shape=tuple(dims[1:]) + ((1,) if len(dims) == 3 else ()),
            num_classes=num_classes,
            class_names=tuple(str(i) for i in range(num_classes)) if num_classes else None,
            num_examples=len(range(dims[0])[part]),
        )

    def examples(self, shuffle_files: bool = False, seed: int | None = None, reshuffle_files: bool = True):
        import tensorflow as tf

        info = self.describe()
        images = read_idx(self.images_file).reshape((-1,) + info.image_shape)
        part = resolve_slice(self.part, len(images))
        elements = {"image": images[part]}
        if info.has_labels:
            elements["label"] = self._label_array()[part]
        return tf.data.Dataset.from_tensor_slices(elements)
