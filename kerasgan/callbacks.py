"""Keras callbacks for GAN training.

Example:

>>> import numpy as np, os, tempfile, kerasgan
>>> from kerasgan.callbacks import SampleGrid
>>> gan = kerasgan.build("dcgan", (28, 28, 1), seed=0, base_filters=4)
>>> gan.compile()
>>> out = tempfile.mkdtemp()
>>> _ = gan.fit(np.zeros((16, 28, 28, 1), "float32"), batch_size=8, verbose=0,
...             callbacks=[SampleGrid(os.path.join(out, "samples"), num=16)])
>>> sorted(os.listdir(os.path.join(out, "samples")))
['epoch_001.png']
"""

from __future__ import annotations

import os

import keras
import numpy as np

__all__ = ["SampleGrid", "EvaluateCallback"]


class SampleGrid(keras.callbacks.Callback):
    """Save a grid of generated samples at the end of every ``every`` epochs.

    The same ``seed`` is used each time, so the grids show how the same
    latent points evolve. Files are ``directory/epoch_001.png``, ...; 2-D
    samples (toy distributions) are drawn as a scatter plot over ``data``.
    With ``log_dir``, the grid is also written as a TensorBoard image summary
    (``log_dir/samples``). Conditional GANs get the labels cycling through the
    classes, one class per column.

    Example:

    >>> cb = SampleGrid("/tmp/samples", num=64, seed=0)
    >>> cb.num, cb.every
    (64, 1)
    """

    def __init__(
        self,
        directory: str,
        num: int = 64,
        seed: int = 0,
        every: int = 1,
        log_dir: str | None = None,
        data: np.ndarray | None = None,
        scale: int = 2,
    ):
        super().__init__()
        if num <= 0 or every <= 0:
            raise ValueError(f"kerasgan: SampleGrid needs num > 0 and every > 0, got num={num}, every={every}.")
        self.directory = os.fspath(directory)
        self.num = int(num)
        self.seed = int(seed)
        self.every = int(every)
        self.log_dir = log_dir
        self.data = data
        self.scale = scale
        self._writer = None
        self.last_path: str | None = None

    def _nrow(self) -> int | None:
        classes = getattr(self.model, "num_classes", None)
        return classes if classes and self.num >= classes else None

    def on_epoch_end(self, epoch: int, logs=None) -> None:
        if (epoch + 1) % self.every:
            return
        from kerasgan import images, toy

        samples = self.model.generate(self.num, seed=self.seed)
        path = os.path.join(self.directory, f"epoch_{epoch + 1:03d}.png")
        if samples.ndim == 2 and samples.shape[1] == 2:
            toy.plot(samples, path, data=self.data)
        else:
            images.save_grid(samples, path, nrow=self._nrow(), scale=self.scale)
        self.last_path = path
        if self.log_dir:
            import tensorflow as tf
            from PIL import Image

            if self._writer is None:
                self._writer = tf.summary.create_file_writer(os.path.join(self.log_dir, "samples"))
            with Image.open(path) as picture:
                pixels = np.asarray(picture.convert("RGB"))
            with self._writer.as_default():
                tf.summary.image("samples", pixels[None], step=epoch + 1)
            self._writer.flush()

    def on_train_end(self, logs=None) -> None:
        if self._writer is not None:
            self._writer.close()
            self._writer = None


class EvaluateCallback(keras.callbacks.Callback):
    """Measure sample quality during ``fit``; keep the best (or EMA) generator.

    Every ``every`` epochs, ``num`` samples (fixed ``seed``; balanced labels
    for a conditional GAN) are scored by ``evaluator`` (default: the shipped
    :class:`kerasgan.metrics.MnistEvaluator`); the metrics are added to the
    epoch's logs as ``eval_<name>`` (so History and TensorBoard record them).
    With ``ema_decay`` (e.g. 0.999) an exponential moving average of the
    generator's weights is kept after every batch and scored too. The weights
    (raw or EMA) with the lowest ``monitor`` value are kept and, with
    ``restore_best=True``, put in the generator at the end of training: GANs
    often get worse late in training, and weight averages are often better.

    Example:

    >>> cb = EvaluateCallback(every=5, num=2000, ema_decay=0.999)
    >>> cb.monitor, cb.best
    ('fid', inf)
    """

    def __init__(self, evaluator=None, every: int = 1, num: int = 2000, seed: int = 1234, monitor: str = "fid",
                 restore_best: bool = True, ema_decay: float | None = None):
        super().__init__()
        if every <= 0 or num <= 1:
            raise ValueError(f"kerasgan: EvaluateCallback needs every > 0 and num > 1, got {every}, {num}.")
        if ema_decay is not None and not 0.0 < ema_decay < 1.0:
            raise ValueError(f"kerasgan: ema_decay must be in (0, 1), got {ema_decay}.")
        self.evaluator = evaluator
        self.every, self.num, self.seed = int(every), int(num), int(seed)
        self.monitor, self.restore_best, self.ema_decay = monitor, restore_best, ema_decay
        self.best = float("inf")
        self.best_epoch = None
        self.best_source = None
        self.best_weights = None
        self.ema_weights = None
        self.history: list[dict] = []

    def _variables(self):
        return self.model.generator.variables

    def on_train_begin(self, logs=None) -> None:
        if self.ema_decay:
            self.ema_weights = [v.numpy().astype("float32") for v in self._variables()]

    def on_train_batch_end(self, batch: int, logs=None) -> None:
        if self.ema_weights is None:
            return
        d = self.ema_decay
        for average, variable in zip(self.ema_weights, self._variables(), strict=True):
            average *= d
            average += (1.0 - d) * variable.numpy()

    def _score(self, epoch: int, source: str) -> dict:
        result = self.evaluator.evaluate_generator(
            self.model.generate, n=self.num, num_classes=self.model.num_classes, seed=self.seed
        )
        result.update(epoch=epoch + 1, source=source)
        self.history.append(result)
        if result[self.monitor] < self.best:
            self.best, self.best_epoch, self.best_source = result[self.monitor], epoch + 1, source
            self.best_weights = [v.numpy().copy() for v in self._variables()]
        return result

    def on_epoch_end(self, epoch: int, logs=None) -> None:
        if (epoch + 1) % self.every:
            return
        if self.evaluator is None:
            from kerasgan.metrics import MnistEvaluator

            self.evaluator = MnistEvaluator()
        result = self._score(epoch, "raw")
        if logs is not None:
            logs.update({f"eval_{k}": v for k, v in result.items() if isinstance(v, float)})
        if self.ema_weights is not None:
            current = [v.numpy().copy() for v in self._variables()]
            self._assign(self.ema_weights)
            ema = self._score(epoch, "ema")
            self._assign(current)
            if logs is not None:
                logs.update({f"eval_ema_{k}": v for k, v in ema.items() if isinstance(v, float)})

    def _assign(self, values) -> None:
        for variable, value in zip(self._variables(), values, strict=True):
            variable.assign(value)

    def on_train_end(self, logs=None) -> None:
        if self.restore_best and self.best_weights is not None:
            self._assign(self.best_weights)
