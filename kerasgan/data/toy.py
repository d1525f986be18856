"""``toy:ring8`` and ``toy:grid25``: the 2-D Gaussian mixtures of :mod:`kerasgan.toy`.

Points are float32 of shape ``(2,)``, labelled by their mode; the ``train``
split is drawn from seed 0, ``test`` from seed 1 (other names from seed 2).

Example:

>>> from kerasgan.data.toy import ToySource
>>> ToySource("ring8", num_examples=500).describe().num_examples
500
"""

from __future__ import annotations

from kerasgan import toy as toy_lib
from kerasgan.data.source import DatasetInfo, Source, register_source
from kerasgan.data.splits import parse_split, resolve_slice

__all__ = ["ToySource", "DEFAULT_EXAMPLES"]

#: Points drawn when ``num_examples`` is not given.
DEFAULT_EXAMPLES = 100_000


@register_source
class ToySource(Source):
    """A toy distribution's points (see the module docstring)."""

    prefix = "toy"
    training_defaults = {
        "batch_size": toy_lib.TRAIN_SETTINGS["batch_size"],
        "optimizer": "adam",
        "learning_rate": toy_lib.TRAIN_SETTINGS["learning_rate"],
        "beta_1": toy_lib.TRAIN_SETTINGS["beta_1"],
        **toy_lib.GAN_SETTINGS,
    }

    def __init__(self, location: str, split: str | None = None, num_examples: int | None = None, image_size=None):
        super().__init__(location, split)
        if image_size is not None:
            raise ValueError("kerasgan: image_size does not apply to toy: datasets (2-D points).")
        self.distribution = toy_lib.get(location)
        self.split_name, self.part = parse_split(split) if split else ("train", slice(None))
        self.num_examples = int(num_examples or DEFAULT_EXAMPLES)

    def _points(self):
        seed = {"train": 0, "test": 1}.get(self.split_name, 2)
        points, modes = toy_lib.sample(self.location, self.num_examples, seed=seed)
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
        return toy_lib.sample(self.location, 2000, seed=1)[0]
