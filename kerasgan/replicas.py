"""Per-replica arithmetic of a train step under ``tf.distribute``.

Under N replicas each one runs the step on its share of the global batch.
For the result to equal one device's on the whole batch:

- a loss is the *sum* over the replica's examples divided by the *global*
  batch (:func:`global_mean`), so that the optimizer's sum of the replicas'
  gradients is the global batch's mean gradient; the global batch is
  all-reduced (:func:`global_batch_size`), so a partial last batch split
  unevenly is counted exactly;
- random draws are folded with the replica id (:func:`replica_seed`):
  ``keras.random.SeedGenerator`` gives every replica the same seed;
- MultiWorkerMirroredStrategy reduces logs along a batch axis, so they must
  not be scalars there (:func:`in_multi_worker_mode`).

Outside a strategy (or with one replica) every function is the plain
single-device computation.

This is the arithmetic *inside* a step (it imports TensorFlow);
:mod:`kerasgan.distribute` *chooses* the strategy and the precision by name,
and stays TensorFlow-free at import for the command line's ``--help``.

Example:

>>> import tensorflow as tf
>>> from kerasgan import replicas
>>> float(replicas.global_mean(tf.constant([1.0, 2.0, 3.0]), replicas.global_batch_size(3)))
2.0
"""

from __future__ import annotations

import tensorflow as tf

__all__ = ["global_batch_size", "global_mean", "replica_seed", "in_multi_worker_mode"]


def global_batch_size(batch_size) -> tf.Tensor:
    """The number of examples in this step over all replicas (float32).

    Example:

    >>> float(global_batch_size(8))
    8.0
    """
    local = tf.cast(batch_size, tf.float32)
    context = tf.distribute.get_replica_context()
    if context is None or context.num_replicas_in_sync == 1:
        return local
    return context.all_reduce(tf.distribute.ReduceOp.SUM, local)


def global_mean(per_example, global_batch) -> tf.Tensor:
    """Sum over this replica's examples / the global batch: summed across
    replicas by the optimizer, the gradient is the global batch's mean.

    Example:

    >>> float(global_mean(tf.constant([2.0, 4.0]), 4.0))
    1.5
    """
    return tf.reduce_sum(per_example) / global_batch


def replica_seed(seed) -> tf.Tensor:
    """A stateless seed (shape ``(2,)``, int64) made different on every replica
    by folding in the replica id; unchanged outside a strategy.

    Example:

    >>> replica_seed(tf.constant([1, 2], tf.int64)).numpy().tolist()
    [1, 2]
    """
    seed = tf.cast(seed, tf.int64)
    context = tf.distribute.get_replica_context()
    if context is not None and tf.distribute.has_strategy():
        replica = tf.cast(context.replica_id_in_sync_group, tf.int32)
        seed = tf.random.experimental.stateless_fold_in(seed, replica)
    return seed


def in_multi_worker_mode() -> bool:
    """True under a MultiWorkerMirroredStrategy spanning several workers.

    Example:

    >>> in_multi_worker_mode()
    False
    """
    strategy = tf.distribute.get_strategy()
    extended = getattr(strategy, "extended", None)
    return isinstance(strategy, tf.distribute.MultiWorkerMirroredStrategy) and bool(
        getattr(extended, "_in_multi_worker_mode", lambda: False)()
    )
