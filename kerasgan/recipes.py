"""Training recipes: the ``kerasgan train`` flags that make a GAN, as a zoo card stores them.

A recipe is a dict of ``kerasgan train`` flags (the keyword arguments of
:func:`kerasgan.training.train`): ``{"variant": "dcgan", "dataset":
"idx:../shared/data/mnist", "epochs": 100, "base_filters": 32, ...}``.
:func:`command` writes it as a command line. The flags that are GAN, network
and optimizer options are declared in :mod:`kerasgan.options`; the optimizers
a recipe asks for are made by :func:`kerasgan.optimizers.recipe_optimizers`.

This module imports neither TensorFlow nor Keras.

Example:

>>> from kerasgan import recipes
>>> recipes.command({"variant": "dcgan", "dataset": "mnist", "epochs": 5}, workdir="runs/x")
'kerasgan train --variant=dcgan --dataset=mnist --epochs=5 --workdir=runs/x'
"""

from __future__ import annotations

__all__ = ["command"]


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
