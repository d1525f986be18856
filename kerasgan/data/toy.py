"""Toy 2-D distributions for the theory and for mode-collapse studies, and their data source ``toy:NAME``.

``ring8``: 8 Gaussians evenly spaced on a circle of radius 2, σ = 0.02
(Metz et al. 2017, unrolled GANs). ``grid25``: 25 Gaussians on the 5x5 grid
{-4, -2, 0, 2, 4}², σ = 0.05 (Srivastava et al. 2017, VEEGAN). Samples are
drawn deterministically from a seed; the label of a sample is its mode.

:func:`mode_coverage` counts the modes a generator reaches: a mode is covered
when at least ``min_fraction`` (2 %) of the samples lie within ``3σ`` of its
centre. :func:`plot` draws generated samples over the data as a PNG.

:class:`ToySource` is ``toy:ring8`` and ``toy:grid25`` for :func:`kerasgan.data.load`:
points are float32 of shape ``(2,)``, labelled by their mode; the ``train``
split is drawn from seed 0, ``test`` from seed 1 (other names from seed 2).
The module is also ``kerasgan.toy``.

Example:

>>> from kerasgan import toy
>>> x, y = toy.sample("ring8", 800, seed=0)
>>> x.shape, sorted(set(y.tolist())) == list(range(8))
((800, 2), True)
>>> toy.mode_coverage("ring8", x)["covered"]
8
"""

from __future__ import annotations

import dataclasses
import os

import numpy as np

from kerasgan.data.source import DatasetInfo, Source, register_source
from kerasgan.data.splits import parse_split, resolve_slice

__all__ = ["ToyDistribution", "DISTRIBUTIONS", "get", "sample", "mode_coverage", "plot", "GAN_SETTINGS",
           "TRAIN_SETTINGS", "ToySource", "DEFAULT_EXAMPLES"]


@dataclasses.dataclass(frozen=True)
class ToyDistribution:
    """An equal-weight mixture of isotropic Gaussians in the plane."""

    name: str
    centers: np.ndarray
    sigma: float

    @property
    def num_modes(self) -> int:
        return len(self.centers)


def _ring(n: int = 8, radius: float = 2.0) -> np.ndarray:
    angles = 2 * np.pi * np.arange(n) / n
    return np.stack([radius * np.cos(angles), radius * np.sin(angles)], axis=1)


def _grid(side: int = 5, spacing: float = 2.0) -> np.ndarray:
    ticks = (np.arange(side) - (side - 1) / 2) * spacing
    return np.array([(x, y) for x in ticks for y in ticks])


DISTRIBUTIONS = {
    "ring8": ToyDistribution("ring8", _ring(), 0.02),
    "grid25": ToyDistribution("grid25", _grid(), 0.05),
}

#: Settings for ``kerasgan.build`` that suit the 2-D toys: an MLP pair with a
#: linear generator output and a 2-D latent space, where an encoder's outputs
#: stay free (``latent_sphere=False``: in two dimensions ``|z|`` of the prior
#: does not concentrate, and a circle would miss most of its mass).
GAN_SETTINGS = {"network": "mlp", "latent_dim": 2, "hidden_units": (128, 128, 128), "d_dropout": 0.0,
                "latent_sphere": False}
#: Training settings that let the vanilla GAN cover all of ``ring8`` in a few
#: thousand steps on a CPU (Adam for both networks).
TRAIN_SETTINGS = {"batch_size": 512, "learning_rate": 1e-4, "beta_1": 0.5, "steps": 4000}


def get(name: str) -> ToyDistribution:
    """The toy distribution called ``name`` (``ring8`` or ``grid25``).

    Example:

    >>> get("grid25").num_modes
    25
    """
    try:
        return DISTRIBUTIONS[name]
    except KeyError:
        raise ValueError(f"kerasgan: unknown toy distribution {name!r}; choose one of {sorted(DISTRIBUTIONS)}.") from None


def sample(name: str, n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """``n`` points (float32, shape ``(n, 2)``) and their mode ids (int32).

    The same seed gives the same points. Modes are drawn uniformly.

    Example:

    >>> a, _ = sample("grid25", 5, seed=1)
    >>> b, _ = sample("grid25", 5, seed=1)
    >>> bool((a == b).all())
    True
    """
    dist = get(name)
    if n <= 0:
        raise ValueError(f"kerasgan: the number of toy samples must be > 0, got {n}.")
    rng = np.random.default_rng(seed)
    modes = rng.integers(0, dist.num_modes, n)
    points = dist.centers[modes] + dist.sigma * rng.standard_normal((n, 2))
    return points.astype("float32"), modes.astype("int32")


def mode_coverage(name: str, samples: np.ndarray, min_fraction: float = 0.02, radius_sigmas: float = 3.0) -> dict:
    """How many modes the samples cover, and how many samples are near a mode.

    A mode is *covered* when at least ``min_fraction`` of the samples lie
    within ``radius_sigmas · σ`` of its centre. Returns a dict with
    ``covered``, ``num_modes``, ``high_quality`` (fraction of samples within
    that radius of some mode) and ``per_mode`` (fraction near each mode).

    Example:

    >>> import numpy as np
    >>> collapsed = np.tile(get("ring8").centers[:1], (100, 1))
    >>> mode_coverage("ring8", collapsed)["covered"]
    1
    """
    dist = get(name)
    samples = np.asarray(samples, dtype="float64").reshape(-1, 2)
    distances = np.linalg.norm(samples[:, None, :] - dist.centers[None, :, :], axis=-1)
    nearest = distances.argmin(axis=1)
    close = distances.min(axis=1) <= radius_sigmas * dist.sigma
    per_mode = np.array([np.mean(close & (nearest == k)) for k in range(dist.num_modes)])
    return {
        "covered": int(np.sum(per_mode >= min_fraction)),
        "num_modes": dist.num_modes,
        "high_quality": float(np.mean(close)),
        "per_mode": per_mode.tolist(),
    }


def plot(samples: np.ndarray, path: str | os.PathLike, data: np.ndarray | None = None, size: int = 400,
         extent: float | None = None) -> str:
    """Scatter ``samples`` (red) over ``data`` (grey) into a PNG; returns the path.

    Example:

    >>> import tempfile, os
    >>> x, _ = sample("ring8", 500)
    >>> p = plot(x[:250], os.path.join(tempfile.mkdtemp(), "ring.png"), data=x[250:])
    >>> os.path.getsize(p) > 0
    True
    """
    from PIL import Image, ImageDraw

    samples = np.asarray(samples, dtype="float64").reshape(-1, 2)
    layers = [(data, (170, 170, 170)), (samples, (220, 30, 30))] if data is not None else [(samples, (220, 30, 30))]
    if extent is None:
        points = np.concatenate([np.asarray(p, dtype="float64").reshape(-1, 2) for p, _ in layers])
        finite = points[np.isfinite(points).all(axis=1)]
        extent = float(np.abs(finite).max()) * 1.15 if len(finite) else 1.0
    image = Image.new("RGB", (size, size), (255, 255, 255))
    draw = ImageDraw.Draw(image)
    mid = size / 2
    draw.line([(0, mid), (size, mid)], fill=(230, 230, 230))
    draw.line([(mid, 0), (mid, size)], fill=(230, 230, 230))
    for points, color in layers:
        points = np.asarray(points, dtype="float64").reshape(-1, 2)
        for x, y in points[np.isfinite(points).all(axis=1)]:
            px, py = mid + x / extent * mid, mid - y / extent * mid
            draw.ellipse([px - 1.5, py - 1.5, px + 1.5, py + 1.5], fill=color)
    path = os.fspath(path)
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    image.save(path, format="PNG")
    return path


#: Points drawn when ``num_examples`` is not given.
DEFAULT_EXAMPLES = 100_000


@register_source
class ToySource(Source):
    """A toy distribution's points (see the module docstring)."""

    prefix = "toy"
    training_defaults = {
        "batch_size": TRAIN_SETTINGS["batch_size"],
        "optimizer": "adam",
        "learning_rate": TRAIN_SETTINGS["learning_rate"],
        "beta_1": TRAIN_SETTINGS["beta_1"],
        **GAN_SETTINGS,
    }

    def __init__(self, location: str, split: str | None = None, num_examples: int | None = None, image_size=None):
        super().__init__(location, split)
        if image_size is not None:
            raise ValueError("kerasgan: image_size does not apply to toy: datasets (2-D points).")
        self.distribution = get(location)
        self.split_name, self.part = parse_split(split) if split else ("train", slice(None))
        self.num_examples = int(num_examples or DEFAULT_EXAMPLES)

    def _points(self):
        seed = {"train": 0, "test": 1}.get(self.split_name, 2)
        points, modes = sample(self.location, self.num_examples, seed=seed)
        part = resolve_slice(self.part, len(points))
        return points[part], modes[part]

    def describe(self) -> DatasetInfo:
        modes = self.distribution.num_modes
        return DatasetInfo(
            name=self.name, source="toy", split=self.split or "train", image_shape=(2,), num_classes=modes,
            class_names=tuple(f"mode_{i}" for i in range(modes)),
            num_examples=len(range(self.num_examples)[resolve_slice(self.part, self.num_examples)]),
        )

    def examples(self, shuffle_files: bool = False, seed: int | None = None, reshuffle_files: bool = True):
        import tensorflow as tf

        points, modes = self._points()
        return tf.data.Dataset.from_tensor_slices({"image": points, "label": modes})

    def reference_points(self):
        """2,000 points of the distribution (seed 1), drawn under sample plots."""
        return sample(self.location, 2000, seed=1)[0]
