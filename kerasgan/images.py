"""Image grids: many samples tiled into one picture, saved as PNG.

Example:

>>> import numpy as np, tempfile, os
>>> from kerasgan import images
>>> x = np.random.uniform(-1, 1, (10, 28, 28, 1)).astype("float32")
>>> images.make_grid(x, nrow=5).shape     # 2 rows of 5, 2-pixel gaps
(58, 148, 1)
>>> path = images.save_grid(x, os.path.join(tempfile.mkdtemp(), "grid.png"), nrow=5)
>>> os.path.getsize(path) > 0
True
"""

from __future__ import annotations

import math
import os
from typing import Sequence

import numpy as np

__all__ = ["to_uint8", "make_grid", "save_grid"]


def to_uint8(images: np.ndarray, value_range: Sequence[float] = (-1.0, 1.0)) -> np.ndarray:
    """Map images from ``value_range`` to uint8 0..255 (clipping outside values).

    Example:

    >>> to_uint8(np.array([-1.0, 0.0, 1.0])).tolist()
    [0, 128, 255]
    """
    images = np.asarray(images)
    if images.dtype == np.uint8:
        return images
    low, high = float(value_range[0]), float(value_range[1])
    if not high > low:
        raise ValueError(f"kerasgan: value_range must be (low, high) with high > low, got {value_range}.")
    scaled = (images.astype("float32") - low) / (high - low)
    return np.round(np.clip(scaled, 0.0, 1.0) * 255.0).astype("uint8")


def make_grid(
    images: np.ndarray,
    nrow: int | None = None,
    padding: int = 2,
    value_range: Sequence[float] = (-1.0, 1.0),
    pad_value: int = 0,
) -> np.ndarray:
    """Tile a batch ``(n, H, W, C)`` (or ``(n, H, W)``) into one uint8 image.

    ``nrow`` is the number of images per row (default: a near-square grid);
    images are separated by ``padding`` pixels of ``pad_value``.

    Example:

    >>> make_grid(np.zeros((4, 8, 8, 3)), padding=0).shape
    (16, 16, 3)
    """
    images = np.asarray(images)
    if images.ndim == 3:
        images = images[..., None]
    if images.ndim != 4 or images.shape[0] == 0 or images.shape[-1] not in (1, 3, 4):
        raise ValueError(
            "kerasgan: make_grid needs a non-empty batch of images shaped (n, H, W, C) with C in "
            f"1, 3 or 4 (or (n, H, W)); got shape {images.shape}."
        )
    n, h, w, c = images.shape
    nrow = int(nrow) if nrow else int(math.ceil(math.sqrt(n)))
    if nrow <= 0:
        raise ValueError(f"kerasgan: nrow must be > 0, got {nrow}.")
    rows = int(math.ceil(n / nrow))
    pixels = to_uint8(images, value_range)
    grid = np.full(
        (rows * h + (rows - 1) * padding, nrow * w + (nrow - 1) * padding, c),
        pad_value,
        dtype="uint8",
    )
    for i in range(n):
        row, col = divmod(i, nrow)
        top, left = row * (h + padding), col * (w + padding)
        grid[top : top + h, left : left + w] = pixels[i]
    return grid


def save_grid(
    images: np.ndarray,
    path: str | os.PathLike,
    nrow: int | None = None,
    padding: int = 2,
    value_range: Sequence[float] = (-1.0, 1.0),
    scale: int = 1,
    row_labels: Sequence[str] | None = None,
) -> str:
    """Save a batch of images as one PNG grid; returns the path.

    ``scale`` enlarges the grid by an integer factor (nearest neighbour), for
    small images such as MNIST digits. ``row_labels`` (one string per row,
    e.g. the class of a class-conditional row) are written in a margin left
    of the rows. Parent folders are created.

    Example:

    >>> import tempfile, os
    >>> p = save_grid(np.ones((4, 28, 28, 1)), os.path.join(tempfile.mkdtemp(), "a", "g.png"), scale=2)
    >>> from PIL import Image
    >>> Image.open(p).size
    (116, 116)
    """
    from PIL import Image

    grid = make_grid(images, nrow=nrow, padding=padding, value_range=value_range)
    if scale > 1:
        grid = grid.repeat(scale, axis=0).repeat(scale, axis=1)
    picture = Image.fromarray(grid[..., 0] if grid.shape[-1] == 1 else grid)
    if row_labels is not None:
        picture = _label_rows(picture, [str(label) for label in row_labels], np.asarray(images).shape[1] * scale,
                              padding * scale)
    path = os.fspath(path)
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    picture.save(path, format="PNG")
    return path


def _label_rows(picture, labels: list[str], row_height: int, gap: int):
    """``picture`` with a left margin holding one label per row, vertically centred."""
    from PIL import Image, ImageDraw, ImageFont

    rows = (picture.height + gap) // (row_height + gap)
    if len(labels) != rows:
        raise ValueError(f"kerasgan: row_labels needs one label per row ({rows} rows), got {len(labels)}.")
    font = ImageFont.load_default()
    measure = ImageDraw.Draw(picture)
    boxes = [measure.textbbox((0, 0), label, font=font) for label in labels]
    margin = max(box[2] - box[0] for box in boxes) + 8
    labelled = Image.new(picture.mode, (picture.width + margin, picture.height), 0)
    labelled.paste(picture, (margin, 0))
    draw = ImageDraw.Draw(labelled)
    white = 255 if picture.mode == "L" else (255, 255, 255)
    for row, (label, box) in enumerate(zip(labels, boxes)):
        top = row * (row_height + gap) + (row_height - (box[3] - box[1])) // 2 - box[1]
        draw.text((margin - 4 - (box[2] - box[0]), top), label, fill=white, font=font)
    return labelled
