"""The EMA generator: an exponential moving average of the generator's weights (Karras et al. 2018; Yazıcı et al.
2019), ``w_ema ← d w_ema + (1 - d) w`` after every generator update, inside ``train_step``.

Example:

>>> import kerasgan
>>> gan = kerasgan.build("dcgan", (16, 16, 1), base_filters=4, ema_decay=0.99)
>>> gan.ema_generator.trainable, len(gan.ema_generator.weights) == len(gan.generator.weights)
(False, True)
"""

from __future__ import annotations

import keras
import tensorflow as tf

__all__ = ["clone", "update"]


def clone(generator: keras.Model) -> keras.Model:
    """A frozen copy of ``generator`` with its weights: the EMA's start."""
    ema = keras.models.clone_model(generator)
    ema.set_weights(generator.get_weights())
    ema.trainable = False
    return ema


def update(ema: keras.Model | None, generator: keras.Model, decay: float | None) -> None:
    """``w_ema ← d w_ema + (1 - d) w`` for every generator variable (nothing without an EMA generator). Under a
    strategy the update runs once per variable in cross-replica context (the generator's weights are the same on
    every replica)."""
    if ema is None:
        return
    pairs = list(zip(ema.variables, generator.variables, strict=True))

    def average(ema_variable, weights):
        return ema_variable.assign(decay * ema_variable + (1.0 - decay) * tf.cast(weights, ema_variable.dtype))

    context = tf.distribute.get_replica_context()
    if tf.distribute.has_strategy() and context is not None:
        context.merge_call(lambda strategy: [
            strategy.extended.update(e.value, average, args=(w.value,), group=False) for e, w in pairs])
    else:
        for e, w in pairs:
            average(e, w.value)
