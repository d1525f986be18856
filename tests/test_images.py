"""kerasgan.images: grids, and grids with a labelled row per class."""

import numpy as np
import pytest
from PIL import Image

from kerasgan import images


def test_grid_tiles_images_in_rows_with_gaps():
    x = np.stack([np.full((4, 4, 1), v) for v in (-1.0, 0.0, 1.0, 1.0)])
    grid = images.make_grid(x, nrow=2, padding=1)
    assert grid.shape == (9, 9, 1)
    assert grid[0, 0, 0] == 0 and grid[0, 5, 0] == 128 and grid[5, 0, 0] == 255 and grid[4, 4, 0] == 0


def test_row_labels_are_written_in_a_left_margin(tmp_path):
    x = np.full((6, 8, 8, 3), -1.0)  # black images: any bright pixel is label text
    plain = Image.open(images.save_grid(x, tmp_path / "plain.png", nrow=3, scale=2))
    labelled = Image.open(images.save_grid(x, tmp_path / "labelled.png", nrow=3, scale=2, row_labels=["cat", "dog"]))
    margin = labelled.width - plain.width
    assert margin > 10 and labelled.height == plain.height
    pixels = np.asarray(labelled)
    assert pixels[:, :margin].max() > 128 and pixels[:, margin:].max() == 0  # (antialiased) text in the margin only
    top, bottom = pixels[: plain.height // 2, :margin], pixels[plain.height // 2 :, :margin]
    assert top.max() > 128 and bottom.max() > 128  # one label in each row's band
    with pytest.raises(ValueError, match=r"one label per row \(2 rows\), got 3"):
        images.save_grid(x, tmp_path / "bad.png", nrow=3, row_labels=["a", "b", "c"])
