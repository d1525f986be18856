"""The optimizers a recipe asks for: the variant's paper optimizers, changed by the recipe's optimizer flags
(declared in :mod:`kerasgan.options`: ``optimizer``, ``learning_rate``, ``d_learning_rate``, ``g_learning_rate``,
``beta_1``, ``beta_2``, and the schedule ``lr_decay`` over ``total_steps``).

Example:

>>> from kerasgan import optimizers
>>> opts = optimizers.recipe_optimizers("sngan", beta_1=0.0, beta_2=0.9)
>>> round(float(opts["d_optimizer"].beta_1), 3), round(float(opts["g_optimizer"].beta_2), 3)
(0.0, 0.9)
"""

from __future__ import annotations

from typing import Any

import keras

from kerasgan.options import LR_DECAYS, OPTIMIZER_OPTIONS, OPTIMIZERS
from kerasgan.variants import get_variant

__all__ = ["OPTIMIZER_FLAGS", "recipe_optimizers"]

#: The recipe flags that change the optimizers.
OPTIMIZER_FLAGS = tuple(OPTIMIZER_OPTIONS)


def recipe_optimizers(variant: str, d_steps: int = 1, **flags: Any) -> dict[str, Any]:
    """``{"d_optimizer", "g_optimizer"}`` of a recipe's :data:`OPTIMIZER_FLAGS`:
    the variant's paper optimizers, or fresh ones of kind ``optimizer`` (one of
    :data:`OPTIMIZERS`), with ``learning_rate`` (or ``d_learning_rate`` and
    ``g_learning_rate``: the two time-scale update rule, TTUR, Heusel et al.
    2017) and Adam's ``beta_1``/``beta_2`` replaced where given (``None``:
    the variant's). ``lr_decay="linear"`` makes each rate fall linearly to 0
    at ``total_steps`` generator steps: a ``PolynomialDecay`` of power 1 on
    the optimizer's own ``iterations``, so D's, with ``d_steps`` updates per
    generator step, reaches 0 at ``total_steps × d_steps``; the schedule is
    saved with the optimizers, and a resumed run continues it where it stopped.

    Example:

    >>> opts = recipe_optimizers("wgan", learning_rate=1e-4)
    >>> type(opts["d_optimizer"]).__name__, round(float(opts["g_optimizer"].learning_rate), 6)
    ('RMSprop', 0.0001)
    >>> sngan = recipe_optimizers("sngan", d_steps=5, lr_decay="linear", total_steps=100)
    >>> [round(float(sngan[k].learning_rate), 6) for k in ("d_optimizer", "g_optimizer")]
    [0.0002, 0.0002]
    >>> _ = sngan["g_optimizer"].iterations.assign(50); _ = sngan["d_optimizer"].iterations.assign(250)
    >>> [round(float(sngan[k].learning_rate), 6) for k in ("d_optimizer", "g_optimizer")]  # half way: half the rate
    [0.0001, 0.0001]
    """
    unknown = set(flags) - set(OPTIMIZER_FLAGS)
    if unknown:
        raise ValueError(f"kerasgan: {sorted(unknown)} are not optimizer flags; they are {list(OPTIMIZER_FLAGS)}.")
    optimizer, learning_rate, d_learning_rate, g_learning_rate, beta_1, beta_2, lr_decay, total_steps = (
        flags.get(name) for name in OPTIMIZER_FLAGS)
    if lr_decay is not None and lr_decay not in LR_DECAYS:
        raise ValueError(f"kerasgan: unknown lr_decay {lr_decay!r}; choose one of {list(LR_DECAYS)}.")
    if bool(lr_decay) != bool(total_steps):
        raise ValueError("kerasgan: lr_decay and total_steps go together: lr_decay='linear' falls to 0 at "
                         f"total_steps generator steps (got lr_decay={lr_decay!r}, total_steps={total_steps!r}).")
    if optimizer is None:
        pair = get_variant(variant).default_optimizers()
    elif optimizer in OPTIMIZERS:
        pair = (keras.optimizers.get(optimizer), keras.optimizers.get(optimizer))
    else:
        raise ValueError(f"kerasgan: unknown optimizer {optimizer!r}; choose one of {list(OPTIMIZERS)}.")
    result = {}
    for key, base, rate, updates in (("d_optimizer", pair[0], d_learning_rate, d_steps),
                                     ("g_optimizer", pair[1], g_learning_rate, 1)):
        config = base.get_config()
        changes = {"learning_rate": rate or learning_rate, "beta_1": beta_1, "beta_2": beta_2}
        for name, value in changes.items():
            if value is None:
                continue
            if name not in config:
                raise ValueError(f"kerasgan: {type(base).__name__} has no {name}; {name} applies to adam.")
            config[name] = float(value)
        if lr_decay == "linear":
            config["learning_rate"] = keras.optimizers.schedules.PolynomialDecay(
                float(config["learning_rate"]), decay_steps=int(total_steps) * int(updates), end_learning_rate=0.0,
                power=1.0)
        result[key] = type(base).from_config(config)
    return result
