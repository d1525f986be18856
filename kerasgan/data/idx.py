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
import math
import os
import zlib

import numpy as np

from kerasgan.data.source import BadDataError, DatasetInfo, DatasetUnavailableError, Source, register_source
from kerasgan.data.splits import parse_split, resolve_slice, slice_text

__all__ = ["IdxSource", "read_idx", "read_idx_header"]

_PREFIXES = {"train": "train", "test": "t10k"}


_HINT = "The file is damaged: download or copy it again."
_CHUNK = 1 << 24


def _open(path: str):
    return gzip.open(path, "rb") if path.endswith(".gz") else open(path, "rb")


def _bad(path: str, reason: str) -> BadDataError:
    return BadDataError([(path, reason)], f"idx:{path}", hint=_HINT)


def _read(path: str, header_only: bool = False) -> tuple[tuple[int, ...], bytes]:
    """``(dims, data)``: the header's dimensions and (unless ``header_only``)
    the data bytes, checked against them; every failure a :class:`BadDataError`."""
    try:
        with _open(path) as handle:
            magic = handle.read(4)
            if len(magic) < 4 or magic[:3] != b"\x00\x00\x08" or not 1 <= magic[3] <= 4:
                raise _bad(path, f"not an IDX file of unsigned bytes (its first bytes are {magic.hex() or 'absent'}; "
                                 "expected 0x0000080N, N = 1 to 4 dimensions)")
            raw = handle.read(4 * magic[3])
            if len(raw) < 4 * magic[3]:
                raise _bad(path, f"truncated in its header ({4 + len(raw)} bytes)")
            dims = tuple(int.from_bytes(raw[4 * i: 4 * i + 4], "big") for i in range(magic[3]))
            if header_only:
                return dims, b""
            expected = math.prod(dims)
            chunks, held = [], 0
            while held <= expected:  # in chunks: a header that declares terabytes allocates nothing
                chunk = handle.read(min(_CHUNK, expected + 1 - held))
                if not chunk:
                    break
                chunks.append(chunk)
                held += len(chunk)
    except BadDataError:
        raise
    except (OSError, EOFError, zlib.error) as error:  # includes gzip.BadGzipFile, truncated or damaged .gz
        raise _bad(path, f"cannot be read ({getattr(error, 'strerror', None) or error})") from None
    if held != expected:
        raise _bad(path, f"truncated or damaged: its header says {dims} ({expected:,} bytes of data), "
                         f"it holds {held:,}{'' if held < expected else ' or more'}")
    return dims, b"".join(chunks)


def read_idx_header(path: str | os.PathLike) -> tuple[int, ...]:
    """The dimensions an IDX file's header declares (reads a few bytes);
    :class:`~kerasgan.data.BadDataError` when it is not an IDX file.

    Example:

    >>> import tempfile, os, struct
    >>> p = os.path.join(tempfile.mkdtemp(), "x-idx3-ubyte")
    >>> _ = open(p, "wb").write(struct.pack(">iIII", 0x803, 5, 28, 28))
    >>> read_idx_header(p)
    (5, 28, 28)
    """
    return _read(os.fspath(path), header_only=True)[0]


def read_idx(path: str | os.PathLike) -> np.ndarray:
    """Read one IDX file (``.gz`` or plain) into a uint8 NumPy array;
    :class:`~kerasgan.data.BadDataError` naming the file when it is not an
    IDX file, cannot be read, or holds more or fewer bytes than its header says.

    Example:

    >>> import tempfile, os, struct
    >>> p = os.path.join(tempfile.mkdtemp(), "t10k-labels-idx1-ubyte")
    >>> _ = open(p, "wb").write(struct.pack(">iI", 0x801, 3) + bytes([7, 2, 1]))
    >>> read_idx(p).tolist()
    [7, 2, 1]
    """
    dims, data = _read(os.fspath(path))
    return np.frombuffer(data, dtype=np.uint8).reshape(dims)


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
        self._images = None

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
            labels = read_idx(self.labels_file)
            if labels.ndim != 1:
                raise _bad(self.labels_file, f"a labels file holds one number per image, this one arrays of shape "
                                             f"{labels.shape[1:]}")
            self._labels = labels.astype("int32")
        return self._labels

    def describe(self) -> DatasetInfo:
        dims = read_idx_header(self.images_file)
        if len(dims) not in (3, 4) or 0 in dims[1:] or (len(dims) == 4 and dims[3] not in (1, 3)):
            raise _bad(self.images_file, f"holds arrays of shape {dims[1:]}, not images (height, width[, 1 or 3])")
        labels = self._label_array()
        if labels is not None and len(labels) != dims[0]:
            raise BadDataError([(self.labels_file, f"{len(labels):,} labels for the {dims[0]:,} images of "
                                                   f"{self.images_file}")], f"idx:{self.path}",
                               hint="The labels do not match the images: use the labels file of the same split.")
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

    def prepare(self) -> DatasetInfo:
        """Read the images once and check them against their header and labels."""
        info = self.describe()
        if self._images is None:
            self._images = read_idx(self.images_file).reshape((-1,) + info.image_shape)
        return info

    def examples(self, shuffle_files: bool = False, seed: int | None = None, reshuffle_files: bool = True):
        import tensorflow as tf

        info = self.prepare()
        part = resolve_slice(self.part, len(self._images))
        elements = {"image": self._images[part]}
        if info.has_labels:
            elements["label"] = self._label_array()[part]
        return tf.data.Dataset.from_tensor_slices(elements)
