"""The optimizers a recipe asks for: the variant's paper optimizers, changed by the recipe's optimizer flags
(declared in :mod:`kerasgan.options`: ``optimizer``, ``learning_rate``, ``d_learning_rate``, ``g_learning_rate``,
``beta_1``, ``beta_2``).

Example:

>>> from kerasgan import optimizers
>>> opts = optimizers.recipe_optimizers("sngan", beta_1=0.0, beta_2=0.9)
>>> round(float(opts["d_optimizer"].beta_1), 3), round(float(opts["g_optimizer"].beta_2), 3)
(0.0, 0.9)
"""

from __future__ import annotations

from typing import Any

import keras

from kerasgan.options import OPTIMIZER_OPTIONS, OPTIMIZERS
from kerasgan.variants import get_variant

__all__ = ["OPTIMIZER_FLAGS", "recipe_optimizers"]

#: The recipe flags that change the optimizers.
OPTIMIZER_FLAGS = tuple(OPTIMIZER_OPTIONS)


def recipe_optimizers(variant: str, **flags: Any) -> dict[str, Any]:
    """``{"d_optimizer", "g_optimizer"}`` of a recipe's :data:`OPTIMIZER_FLAGS`:
    the variant's paper optimizers, or fresh ones of kind ``optimizer`` (one of
    :data:`OPTIMIZERS`), with ``learning_rate`` (or ``d_learning_rate`` and
    ``g_learning_rate``: the two time-scale update rule, TTUR, Heusel et al.
    2017) and Adam's ``beta_1``/``beta_2`` replaced where given (``None``:
    the variant's).

    Example:

    >>> opts = recipe_optimizers("wgan", learning_rate=1e-4)
    >>> type(opts["d_optimizer"]).__name__, round(float(opts["g_optimizer"].learning_rate), 6)
    ('RMSprop', 0.0001)
    """
    unknown = set(flags) - set(OPTIMIZER_FLAGS)
    if unknown:
        raise ValueError(f"kerasgan: {sorted(unknown)} are not optimizer flags; they are {list(OPTIMIZER_FLAGS)}.")
    optimizer, learning_rate, d_learning_rate, g_learning_rate, beta_1, beta_2 = (
        flags.get(name) for name in OPTIMIZER_FLAGS)
    if optimizer is None:
        pair = get_variant(variant).default_optimizers()
    elif optimizer in OPTIMIZERS:
        pair = (keras.optimizers.get(optimizer), keras.optimizers.get(optimizer))
    else:
        raise ValueError(f"kerasgan: unknown optimizer {optimizer!r}; choose one of {list(OPTIMIZERS)}.")
    result = {}
    for key, base, rate in (("d_optimizer", pair[0], d_learning_rate), ("g_optimizer", pair[1], g_learning_rate)):
        config = base.get_config()
        changes = {"learning_rate": rate or learning_rate, "beta_1": beta_1, "beta_2": beta_2}
        for name, value in changes.items():
            if value is None:
                continue
            if name not in config:
                raise ValueError(f"kerasgan: {type(base).__name__} has no {name}; {name} applies to adam.")
            config[name] = float(value)
        result[key] = type(base).from_config(config)
    return result
