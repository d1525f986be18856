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

import functools
import os
import time

import keras
import numpy as np

from kerasgan import checkpoint, images
from kerasgan.data import toy
from kerasgan.metrics import MnistEvaluator

__all__ = ["SampleGrid", "EvaluateCallback", "TrainingCheckpoint", "DivergenceGuard", "TrainingDiverged", "TimeLimit"]


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
        classes = getattr(self.model, "label_values", None)
        return classes if classes and self.num >= classes else None

    def on_epoch_end(self, epoch: int, logs=None) -> None:
        if (epoch + 1) % self.every:
            return
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
    epoch's logs as ``eval_<name>`` (so History and TensorBoard record them);
    each history entry records ``train_seconds``, the training time until
    then with the evaluations left out (time to quality).
    A GAN built with ``ema_decay`` keeps its own EMA generator
    (``gan.ema_generator``, updated inside ``train_step``): it is scored as
    the ``"ema"`` source. For a GAN without one, ``ema_decay`` here (e.g.
    0.999) keeps an exponential moving average of the generator's weights
    after every batch and scores it. The weights
    (raw or EMA) with the lowest ``monitor`` value are kept and, with
    ``restore_best=True``, put in the generator at the end of training: GANs
    often get worse late in training, and weight averages are often better.
    ``require`` (e.g. ``{"label_accuracy": 0.6}``) names minima of other
    metrics: an evaluation that reaches all of them beats one that does not,
    whatever their ``monitor`` values (the lowest FID among the checkpoints
    that meet a quality bar's minima, not a sharper one that misses them).

    Choose with data the reported numbers never see: give ``evaluator`` a
    held-out slice of the training split (``Evaluator.with_reference``), and
    ``report_evaluator`` the test split: its metrics are recorded in each
    history entry under ``"report"`` (the same samples) and never used to
    choose.

    Example:

    >>> cb = EvaluateCallback(every=5, num=2000, ema_decay=0.999)
    >>> cb.monitor, cb.best
    ('fid', inf)
    """

    def __init__(self, evaluator=None, every: int = 1, num: int = 2000, seed: int = 1234, monitor: str = "fid",
                 restore_best: bool = True, ema_decay: float | None = None, report_evaluator=None,
                 require: dict[str, float] | None = None):
        super().__init__()
        if every <= 0 or num <= 1:
            raise ValueError(f"kerasgan: EvaluateCallback needs every > 0 and num > 1, got {every}, {num}.")
        if ema_decay is not None and not 0.0 < ema_decay < 1.0:
            raise ValueError(f"kerasgan: ema_decay must be in (0, 1), got {ema_decay}.")
        self.evaluator = evaluator
        self.report_evaluator = report_evaluator
        self.every, self.num, self.seed = int(every), int(num), int(seed)
        self.monitor, self.restore_best, self.ema_decay = monitor, restore_best, ema_decay
        self.require = dict(require or {})
        self.best = float("inf")
        #: whether the best evaluation so far reached every ``require`` minimum
        self.best_meets = False
        self.best_epoch = None
        self.best_source = None
        self.best_weights = None
        self.ema_weights = None
        self.history: list[dict] = []
        #: Seconds of training so far, evaluations excluded (kept across resumes).
        self.train_seconds = 0.0
        self._clock = None

    def _variables(self):
        return self.model.generator.variables

    def _model_ema(self) -> bool:
        return getattr(self.model, "ema_generator", None) is not None

    def on_epoch_begin(self, epoch: int, logs=None) -> None:
        self._clock = time.perf_counter()

    def on_train_begin(self, logs=None) -> None:
        if self.ema_decay and self.ema_weights is None and not self._model_ema():
            # a later fit (or a resumed one) continues the average
            self.ema_weights = [v.numpy().astype("float32") for v in self._variables()]

    def get_state(self) -> tuple[dict, dict]:
        """``(dict, arrays)``: the best score, epoch and weights, the EMA weights and
        the history, for :class:`TrainingCheckpoint`."""
        info = {"best": self.best, "best_epoch": self.best_epoch, "best_source": self.best_source,
                "best_meets": self.best_meets,
                "train_seconds": self.train_seconds,
                "history": self.history, "ema": self.ema_weights is not None, "best_weights": self.best_weights is not None}
        arrays = {}
        for name, values in (("ema", self.ema_weights), ("best", self.best_weights)):
            for i, value in enumerate(values or []):
                arrays[f"{name}_{i:04d}"] = value
        return info, arrays

    def set_state(self, info: dict, arrays: dict) -> None:
        """Restore what :meth:`get_state` returned."""
        self.best, self.best_epoch, self.best_source = float(info["best"]), info["best_epoch"], info["best_source"]
        self.best_meets = bool(info.get("best_meets", not self.require))
        self.history = list(info["history"])
        self.train_seconds = float(info.get("train_seconds", 0.0))
        for name, present in (("ema", info["ema"]), ("best", info["best_weights"])):
            values = [np.array(arrays[k]) for k in sorted(arrays) if k.startswith(f"{name}_")] if present else None
            setattr(self, "ema_weights" if name == "ema" else "best_weights", values)

    def on_train_batch_end(self, batch: int, logs=None) -> None:
        if self.ema_weights is None:
            return
        d = self.ema_decay
        for average, variable in zip(self.ema_weights, self._variables(), strict=True):
            average *= d
            average += (1.0 - d) * variable.numpy()

    def _score(self, epoch: int, source: str) -> dict:
        generate, network = self.model.generate, self.model.generator
        if self._model_ema():
            generate = functools.partial(self.model.generate, ema=source == "ema")
            network = self.model.ema_generator if source == "ema" else network
        classes = self.model.num_classes
        labels = np.arange(self.num) % classes if classes else None
        images = generate(self.num, labels=labels, seed=self.seed)
        result = self.evaluator.evaluate(images, labels=labels)
        result.update(epoch=epoch + 1, source=source, train_seconds=round(self.train_seconds, 1),
                      generator_steps=int(self.model.g_optimizer.iterations.numpy()))
        if self.report_evaluator is not None:
            result["report"] = self.report_evaluator.evaluate(images, labels=labels)
        self.history.append(result)
        meets = all(result.get(name, -np.inf) >= minimum for name, minimum in self.require.items())
        if (not meets, result[self.monitor]) < (not self.best_meets, self.best):
            self.best, self.best_epoch, self.best_source = result[self.monitor], epoch + 1, source
            self.best_meets = meets
            self.best_weights = [v.numpy().copy() for v in network.variables]
        return result

    def _due(self, epoch: int) -> bool:
        """Whether epoch ``epoch`` (0-based) is evaluated: every ``every``-th, and the last one of the ``fit`` (its
        planned last, or one after which a callback earlier in the list, such as :class:`TimeLimit`, stops it), so
        the weights a run ends with are always scored."""
        last = (self.params or {}).get("epochs")
        return not (epoch + 1) % self.every or epoch + 1 == last or bool(getattr(self.model, "stop_training", False))

    def on_epoch_end(self, epoch: int, logs=None) -> None:
        if self._clock is not None:
            self.train_seconds += time.perf_counter() - self._clock
        if not self._due(epoch):
            return
        if self.evaluator is None:
            self.evaluator = MnistEvaluator()
        result = self._score(epoch, "raw")
        if logs is not None:
            logs.update({f"eval_{k}": v for k, v in result.items() if isinstance(v, float)})
        if self._model_ema():
            ema = self._score(epoch, "ema")
            if logs is not None:
                logs.update({f"eval_ema_{k}": v for k, v in ema.items() if isinstance(v, float)})
        elif self.ema_weights is not None:
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


def _non_finite(logs) -> dict:
    """``{name: first NaN/Inf value}`` of the logged values that are not finite."""
    bad = {}
    for key, value in (logs or {}).items():
        array = np.asarray(value, dtype="float64").ravel()
        if not np.isfinite(array).all():
            bad[key] = float(array[~np.isfinite(array)][0])
    return bad


class TrainingDiverged(RuntimeError):
    """Training produced a NaN or infinite loss (raised by :class:`DivergenceGuard`)."""


class DivergenceGuard(keras.callbacks.Callback):
    """Stop ``fit`` at the first batch whose logged losses are NaN or infinite,
    by raising :class:`TrainingDiverged` with the epoch, batch and values.

    Unlike ``keras.callbacks.TerminateOnNaN`` it raises at once, so no
    epoch-end callback runs after the divergence: a :class:`TrainingCheckpoint`
    keeps the last good checkpoint and nothing is saved with NaN weights.

    Example:

    >>> guard = DivergenceGuard()
    >>> guard.on_epoch_begin(0)
    >>> try:
    ...     guard.on_train_batch_end(4, {"d_loss": float("nan"), "g_loss": 0.7})
    ... except TrainingDiverged as error:
    ...     print(str(error)[:61])
    kerasgan: training diverged in epoch 1 at batch 5: d_loss=nan
    """

    def __init__(self):
        super().__init__()
        self.epoch = 0

    def on_epoch_begin(self, epoch: int, logs=None) -> None:
        self.epoch = epoch

    def on_train_batch_end(self, batch: int, logs=None) -> None:
        bad = _non_finite(logs)
        if bad:
            values = ", ".join(f"{k}={v}" for k, v in bad.items())
            raise TrainingDiverged(
                f"kerasgan: training diverged in epoch {self.epoch + 1} at batch {batch + 1}: {values}. "
                "Training stopped and nothing was saved after the last good checkpoint. Check the data for "
                "NaN/Inf values, lower the learning rates, or try mixed precision off; then resume or restart."
            )


class TrainingCheckpoint(keras.callbacks.Callback):
    """Checkpoint the whole training state every epoch and resume from it.

    At the end of every epoch the GAN (generator, discriminator, both
    optimizers, the seed generator's state) and the state of the ``track``ed
    callbacks (e.g. an :class:`EvaluateCallback`'s EMA and best generator)
    are written to ``directory`` atomically (see :mod:`kerasgan.checkpoint`).
    At the start of ``fit`` an existing checkpoint is restored and training
    continues at the epoch after it; a checkpoint of a different GAN
    (variant, image shape, classes, latent size) is refused. A checkpoint is
    never written with non-finite weights or losses.

    For batches identical to an uninterrupted run, feed ``fit`` from
    ``kerasgan.data.load(..., start_epoch=kerasgan.checkpoint.initial_epoch(directory))``
    (what ``kerasgan train --workdir`` does).

    Example:

    >>> import numpy as np, tempfile, kerasgan
    >>> folder = tempfile.mkdtemp()
    >>> gan = kerasgan.build("dcgan", (28, 28, 1), seed=0, base_filters=4); gan.compile()
    >>> x = np.zeros((16, 28, 28, 1), "float32")
    >>> _ = gan.fit(x, batch_size=8, epochs=2, verbose=0, callbacks=[TrainingCheckpoint(folder)])
    >>> again = kerasgan.build("dcgan", (28, 28, 1), seed=1, base_filters=4); again.compile()
    >>> history = again.fit(x, batch_size=8, epochs=3, verbose=0, callbacks=[TrainingCheckpoint(folder)])
    >>> history.epoch, int(again.g_optimizer.iterations)
    ([2], 6)
    """

    def __init__(self, directory: str, track: list | tuple = ()):
        super().__init__()
        self.directory = os.fspath(directory)
        self.track = {f"{type(cb).__name__}_{i}": cb for i, cb in enumerate(track)}
        for name, cb in self.track.items():
            if not (hasattr(cb, "get_state") and hasattr(cb, "set_state")):
                raise ValueError(f"kerasgan: TrainingCheckpoint can track callbacks with get_state/set_state; "
                                 f"{name} has none.")
        self.restored_epoch = None
        self._batches = 0

    def on_epoch_begin(self, epoch: int, logs=None) -> None:
        self._batches = 0

    def on_train_batch_end(self, batch: int, logs=None) -> None:
        self._batches += 1

    def on_train_begin(self, logs=None) -> None:
        restored = checkpoint.restore(self.directory, self.model)
        if restored is None:
            return
        state, states = restored
        for name, cb in self.track.items():
            if name in states:
                cb.set_state(*states[name])
        self.restored_epoch = int(state["epoch"])
        self.model._initial_epoch = self.restored_epoch  # fit continues after the checkpoint's epoch

    def on_epoch_end(self, epoch: int, logs=None) -> None:
        if not self._batches:
            raise ValueError(f"kerasgan: epoch {epoch + 1} had no batches (the data is empty or ran out); "
                             f"the checkpoint in {self.directory} was not written.")
        bad = list(_non_finite(logs))
        if bad or not all(np.isfinite(np.asarray(v)).all() for v in self.model.get_weights()):
            raise TrainingDiverged(
                f"kerasgan: non-finite {'logs ' + ', '.join(bad) if bad else 'weights'} at the end of epoch "
                f"{epoch + 1}; the checkpoint in {self.directory} was not overwritten."
            )
        states = {name: cb.get_state() for name, cb in self.track.items()}
        checkpoint.write(self.directory, self.model, epoch + 1, states)

    def on_train_end(self, logs=None) -> None:
        self.model._initial_epoch = None


class TimeLimit(keras.callbacks.Callback):
    """Stop ``fit`` at the end of the last epoch that ends before a deadline.

    A training that spans sessions (or a job with a wall-clock limit) needs to
    end cleanly before it is killed: with its checkpoint written, its last
    epoch evaluated and its result saved. After each epoch, ``TimeLimit``
    estimates the next epoch's duration as the longest of the last ``recent``
    epochs (from one epoch's start to the next one's, so the epoch-end
    callbacks such as evaluations and checkpoints count; recent ones only, so
    an epoch slowed long ago by another job on the machine does not end the
    training early: keep ``recent`` at least the evaluation period) and sets
    ``model.stop_training`` when it would end after the deadline. At least
    one epoch always runs. Put it *before* an :class:`EvaluateCallback` in
    the list, which then scores the epoch it stopped at; ``stopped_epoch``
    (1-based, as in ``keras.callbacks.EarlyStopping``) says where it stopped,
    0 when it did not.

    Give the deadline as ``seconds`` from the start of ``fit`` or as ``until``,
    a time in seconds since the epoch (``time.time()`` scale).

    Example:

    >>> import numpy as np, kerasgan
    >>> gan = kerasgan.build("dcgan", (28, 28, 1), seed=0, base_filters=4); gan.compile()
    >>> limit = TimeLimit(seconds=0)
    >>> history = gan.fit(np.zeros((16, 28, 28, 1), "float32"), batch_size=8, epochs=5, verbose=0, callbacks=[limit])
    >>> limit.stopped_epoch, history.epoch
    (1, [0])
    """

    def __init__(self, seconds: float | None = None, until: float | None = None, recent: int = 5):
        super().__init__()
        if int(recent) < 1:
            raise ValueError(f"kerasgan: TimeLimit needs recent >= 1 (epochs whose longest is the estimate), got "
                             f"{recent}.")
        self.recent = int(recent)
        if (seconds is None) == (until is None):
            raise ValueError("kerasgan: TimeLimit needs exactly one of seconds (from the start of fit) and until "
                             f"(a time.time() value), got seconds={seconds}, until={until}.")
        if seconds is not None and seconds < 0:
            raise ValueError(f"kerasgan: TimeLimit needs seconds >= 0, got {seconds}.")
        self.seconds, self.until = seconds, until
        self.deadline = until
        self.stopped_epoch = 0
        self.longest = 0.0  # the estimate of the next epoch
        self.durations: list[float] = []  # each finished epoch, start to start
        self._started = None

    def on_train_begin(self, logs=None) -> None:
        if self.seconds is not None:
            self.deadline = time.time() + self.seconds
        self.stopped_epoch, self.longest, self.durations, self._started = 0, 0.0, [], None

    def on_epoch_begin(self, epoch: int, logs=None) -> None:
        now = time.time()
        if self._started is not None:
            self.durations.append(now - self._started)
        self._started = now

    def on_epoch_end(self, epoch: int, logs=None) -> None:
        now = time.time()
        # the epoch that just ran, without its end callbacks, is a lower bound of the next one
        earlier = self.durations[max(0, len(self.durations) - self.recent + 1):] if self.recent > 1 else []
        self.longest = max(earlier + [now - self._started])
        if now + self.longest > self.deadline:
            self.model.stop_training = True
            self.stopped_epoch = epoch + 1
