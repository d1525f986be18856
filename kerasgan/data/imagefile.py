"""Image files checked before training: each one read by content, its size bounded, its pixels decoded once.

A user's folder is never clean: failed downloads with an image's name,
truncated copies, empty files, TIFFs called ``.png``, pictures too large to
decode safely. :func:`check_files` reads every file the way the training
pipeline will and sorts them into pixels and problems, so that a bad file is
named before training starts instead of failing in the middle of a
``tf.data`` pipeline without its name.

Each file goes through, in order:

1. ``os.stat``: a regular file (not a folder, a FIFO, a link that loops), not empty;
2. Pillow reads the header by **content** (not extension): an image in one of
   :data:`FORMATS`, with at most ``PIL.Image.MAX_IMAGE_PIXELS`` pixels
   (Pillow's decompression-bomb limit);
3. :func:`decode` decodes all its pixels: ``tf.io.decode_image`` (JPEG with
   TensorFlow's default DCT, as the zoo's data was always decoded; other
   libraries differ on JPEG by a few levels), the first frame of an
   animation, alpha dropped, converted to the requested channels.

The pixels of step 3 are what the pipeline trains on (:class:`CheckedImages`
keeps them), so a file that passed cannot fail later.

Example:

>>> import os, tempfile
>>> import numpy as np
>>> from PIL import Image
>>> folder = tempfile.mkdtemp()
>>> Image.fromarray(np.zeros((4, 6, 3), "uint8")).save(os.path.join(folder, "good.png"))
>>> _ = open(os.path.join(folder, "broken.png"), "w").write("404 Not Found")
>>> checked = check_files([os.path.join(folder, f) for f in ("good.png", "broken.png")], channels=3)
>>> [image.shape for image in checked.images], [os.path.basename(f) for f, _ in checked.problems]
([(4, 6, 3)], ['broken.png'])
>>> checked.problems[0][1]
'not an image (Pillow cannot identify its content)'
"""

from __future__ import annotations

import dataclasses
import os
import re
import stat
import warnings

import numpy as np

from kerasgan.quiet import muted_stderr

__all__ = ["FORMATS", "GRAY_MODES", "Header", "CheckedImages", "read_header", "decode", "check_files",
           "BadFile"]

#: The formats ``tf.io.decode_image`` decodes (Pillow's names), which the pipeline reads.
FORMATS = ("PNG", "JPEG", "GIF", "BMP", "WEBP")
#: Pillow modes that hold one channel (a folder of only these gives grayscale data).
GRAY_MODES = frozenset({"1", "L", "LA", "I", "I;16", "I;16B", "I;16L", "I;16N"})


class BadFile(Exception):
    """One file that cannot be used; its message is the reason (for the report that names it)."""


@dataclasses.dataclass(frozen=True)
class Header:
    """What a file's header says: Pillow's format and mode, and its size as (height, width)."""

    format: str
    mode: str
    size: tuple[int, int]

    @property
    def channels(self) -> int:
        """1 for grayscale modes, else 3 (GIF always decodes to RGB)."""
        return 1 if self.mode in GRAY_MODES and self.format != "GIF" else 3


def read_header(path: str) -> Header:
    """The :class:`Header` of the image file ``path`` (reads the header, not
    the pixels); raises :class:`BadFile` with the reason when ``path`` is not
    a regular, non-empty file holding an image of :data:`FORMATS` small
    enough to decode safely.

    Example:

    >>> import os, tempfile
    >>> from PIL import Image
    >>> path = os.path.join(tempfile.mkdtemp(), "x.png")
    >>> Image.new("L", (6, 4)).save(path)
    >>> read_header(path)
    Header(format='PNG', mode='L', size=(4, 6))
    """
    from PIL import Image

    try:
        info = os.stat(path)
    except OSError as error:
        raise BadFile(f"cannot be read ({error.strerror or error})") from None
    if not stat.S_ISREG(info.st_mode):
        raise BadFile("not a regular file")
    if info.st_size == 0:
        raise BadFile("empty (0 bytes)")
    limit = Image.MAX_IMAGE_PIXELS
    try:
        with warnings.catch_warnings():
            # we apply the limit ourselves, below: Pillow's warning is only the first half of it
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(path) as image:
                header = Header(str(image.format), image.mode, (image.size[1], image.size[0]))
    except Image.DecompressionBombError:
        raise BadFile(f"too large to decode safely (more than twice Pillow's limit of {limit:,} pixels)") from None
    except Image.UnidentifiedImageError:
        raise BadFile("not an image (Pillow cannot identify its content)") from None
    except Exception as error:  # noqa: BLE001  any failure to read a user's file is that file's problem
        raise BadFile(f"cannot be read as an image ({_reason(error)})") from None
    if header.format not in FORMATS:
        raise BadFile(f"a {header.format} image; kerasgan reads {', '.join(FORMATS)}: convert it (e.g. to PNG)")
    height, width = header.size
    if min(header.size) <= 0:
        raise BadFile(f"declares an empty size ({width}x{height})")
    if limit and height * width > limit:
        raise BadFile(f"too large to decode safely ({width}x{height} = {height * width:,} pixels; Pillow's "
                      f"decompression-bomb limit is {limit:,}): shrink it, or raise PIL.Image.MAX_IMAGE_PIXELS")
    return header


def decode(contents, channels: int):
    """The pixels of an encoded image (bytes or a string tensor): a uint8
    ``(height, width, channels)`` tensor, the first frame of an animation,
    alpha dropped. The one decoder of files: :func:`check_files` calls it
    eagerly, the pipeline in its graph when the checked pixels were not kept.

    Example:

    >>> import io
    >>> from PIL import Image
    >>> buffer = io.BytesIO()
    >>> Image.new("RGBA", (5, 3)).save(buffer, "PNG")
    >>> decode(buffer.getvalue(), channels=3).shape
    TensorShape([3, 5, 3])
    """
    import tensorflow as tf

    return tf.io.decode_image(contents, channels=channels, expand_animations=False, dtype=tf.uint8)


@dataclasses.dataclass
class CheckedImages:
    """The result of :func:`check_files`: the files that passed (``good``, in
    the order given, and ``headers``), their pixels (``images``; ``None`` when
    they were more than ``keep_bytes``), and ``problems``: ``(file, reason)``
    for each file that failed."""

    good: list[str]
    headers: list[Header]
    images: list[np.ndarray] | None
    problems: list[tuple[str, str]]


def check_files(paths: list[str], channels: int | None = None, keep_bytes: int | None = None,
                headers: dict[str, Header] | None = None) -> CheckedImages:
    """Read and decode every file in ``paths`` (see the module docstring).

    Args:
        paths: the image files.
        channels: 1 or 3; ``None``: 1 if every image is grayscale, else 3.
        keep_bytes: keep the decoded pixels while they are at most this many
            bytes (``None``: no limit); past it the pixels are checked and
            dropped, and the pipeline decodes the files again with :func:`decode`.
        headers: the :class:`Header` of files already read with
            :func:`read_header` (they are not read again).

    Returns:
        A :class:`CheckedImages`; a failure is never raised, it is a problem.

    Example:

    >>> import os, tempfile
    >>> folder = tempfile.mkdtemp()
    >>> _ = open(os.path.join(folder, "empty.jpg"), "wb")
    >>> check_files([os.path.join(folder, "empty.jpg")]).problems[0][1]
    'empty (0 bytes)'
    """
    import tensorflow as tf

    known, problems = dict(headers or {}), []
    for path in paths:
        if path not in known:
            try:
                known[path] = read_header(path)
            except BadFile as problem:
                problems.append((path, str(problem)))
    good = [path for path in paths if path in known]
    if channels is None:
        channels = 1 if good and all(known[p].channels == 1 for p in good) else 3
    # Decoded in parallel by tf.data (the pipeline's own op), in padded batches of at most 64 MB; a file
    # that fails is left out of the stream and decoded again alone below, for its message.
    largest = max((known[p].size[0] * known[p].size[1] * channels for p in good), default=1)
    batch = int(np.clip((64 << 20) // largest, 1, 256))
    stream = tf.data.Dataset.from_tensor_slices((np.arange(len(good)), np.asarray(good, dtype=str)))
    stream = stream.map(lambda index, path: _decoded(index, path, channels), num_parallel_calls=tf.data.AUTOTUNE,
                        deterministic=True).ignore_errors().padded_batch(batch)
    passed, passed_headers, images, kept, decoded = [], [], [], 0, set()
    with muted_stderr():  # libjpeg's own lines; the problems below say the same, naming the file
        examples = ((index, np.ascontiguousarray(image[:height, :width]))
                    for indices, padded, shapes in (stream.as_numpy_iterator() if good else ())
                    for index, image, (height, width) in zip(indices, padded, shapes))
        for index, pixels in examples:
            path, header = good[index], known[good[index]]
            decoded.add(int(index))
            if pixels.shape[:2] != header.size:
                problems.append((path, f"decodes to {pixels.shape[1]}x{pixels.shape[0]} pixels, its header says "
                                       f"{header.size[1]}x{header.size[0]}"))
                continue
            passed.append(path)
            passed_headers.append(header)
            if images is not None:
                kept += pixels.nbytes
                if keep_bytes is not None and kept > keep_bytes:
                    images = None
                else:
                    images.append(pixels)
        for index in sorted(set(range(len(good))) - decoded):
            path, header = good[index], known[good[index]]
            try:
                with open(path, "rb") as handle:
                    decode(handle.read(), channels)
                reason = "cannot be decoded in a pipeline, but alone it can: file changed while read?"
            except tf.errors.OpError as error:
                reason = f"cannot be decoded ({header.format}, mode {header.mode}: {_reason(error)})"
            except OSError as error:
                reason = f"cannot be read ({error.strerror or error})"
            problems.append((path, reason))
    position = {path: index for index, path in enumerate(paths)}
    problems.sort(key=lambda item: position[item[0]])
    return CheckedImages(passed, passed_headers, images, problems)


def _decoded(index, path, channels: int):
    """``(index, pixels, (height, width))`` of one file, in a tf.data map (the shape survives padding)."""
    import tensorflow as tf

    pixels = decode(tf.io.read_file(path), channels)
    return index, pixels, tf.shape(pixels)[:2]


def _reason(error: BaseException) -> str:
    """An exception's message in one line, without TensorFlow's node and op decorations."""
    text = re.sub(r"\{\{[^}]*\}\}|\[Op:\w+\]( name: \S*)?", "", str(error))
    text = " ".join(text.split()).strip(" .;:") or type(error).__name__
    return text[:200]
