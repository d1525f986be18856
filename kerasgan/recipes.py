"""Training recipes: the ``kerasgan train`` flags that make a GAN, as a zoo card stores them.

A recipe is a dict of ``kerasgan train`` flags (the keyword arguments of
:func:`kerasgan.training.train`): ``{"variant": "dcgan", "dataset":
"idx:../shared/data/mnist", "epochs": 100, "base_filters": 32, ...}``.
:func:`command` writes it as a command line; :func:`recipe_optimizers` makes
the optimizers its ``optimizer``/``learning_rate``/... flags ask for.

This module imports neither TensorFlow nor Keras at import time (the command
line's ``--help`` reads :data:`OPTIMIZERS`).

Example:

>>> from kerasgan import recipes
>>> recipes.command({"variant": "dcgan", "dataset": "mnist", "epochs": 5}, workdir="runs/x")
'kerasgan train --variant=dcgan --dataset=mnist --epochs=5 --workdir=runs/x'
"""

from __future__ import annotations

from typing import Any

__all__ = ["OPTIMIZERS", "OPTIMIZER_FLAGS", "UPSAMPLINGS", "command", "recipe_optimizers"]

#: Optimizer kinds a recipe can name (``optimizer=``), each a Keras optimizer identifier.
OPTIMIZERS = {"adam": "Adam", "rmsprop": "RMSprop", "sgd": "SGD"}
#: The recipe flags that change the optimizers.
OPTIMIZER_FLAGS = ("optimizer", "learning_rate", "d_learning_rate", "g_learning_rate", "beta_1", "beta_2")
#: How the conv generators upsample (``upsample=``, :func:`kerasgan.nets.dcgan_generator`).
UPSAMPLINGS = {
    "transpose": "stride-2 transposed convolutions (DCGAN)",
    "nearest": "2x nearest-neighbour resize, then a convolution",
    "bilinear": "2x bilinear resize, then a convolution",
}


def command(recipe: dict, workdir: str) -> str:
    """The ``kerasgan train`` command line of ``recipe``, writing to ``workdir``.
    Boolean flags are written the absl way, ``--name`` or ``--noname``.

    Example:

    >>> command({"variant": "wgan", "dataset": "cifar10", "learning_rate": 0.0001}, "w")
    'kerasgan train --variant=wgan --dataset=cifar10 --learning_rate=0.0001 --workdir=w'
    >>> command({"variant": "cgan", "dataset": "cifar10", "projection": True}, "w")
    'kerasgan train --variant=cgan --dataset=cifar10 --projection --workdir=w'
    """
    flags = [(f"--{key}" if value else f"--no{key}") if isinstance(value, bool) else f"--{key}={value}"
             for key, value in recipe.items()]
    return " ".join(["kerasgan train", *flags, f"--workdir={workdir}"])


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
    import keras

    from kerasgan.variants import get_variant

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
