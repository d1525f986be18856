"""Training checkpoints on disk: the whole state of a GAN's training, saved atomically.

A checkpoint folder holds ``checkpoint.json`` (the pointer: epoch, the GAN's
fingerprint, the folder of the latest checkpoint) and one ``ckpt-NNNNNN/``
folder with ``gan.keras`` (generator, discriminator, both optimizers' slots,
the GAN's seed generator state) and ``callbacks.json``/``callbacks.npz``
(the state of tracked callbacks: EMA and best generator of
:class:`kerasgan.callbacks.EvaluateCallback`). A new checkpoint is written to
a temporary folder, renamed into place, and only then does the pointer
(replaced atomically) name it; a run killed at any moment leaves the
previous checkpoint loadable. :class:`kerasgan.callbacks.TrainingCheckpoint`
writes and restores them during ``fit``.

Example:

>>> import tempfile
>>> from kerasgan import checkpoint
>>> checkpoint.latest(tempfile.mkdtemp()) is None
True
"""

from __future__ import annotations

import json
import os
import shutil
import time

import numpy as np

from kerasgan import saving
from kerasgan.version import __version__

__all__ = ["fingerprint", "latest", "check_compatible", "write", "restore", "initial_epoch"]

POINTER = "checkpoint.json"
MODEL = "gan.keras"


def fingerprint(gan) -> dict:
    """What must match for a checkpoint to be restored into ``gan``: its
    registered class (the variant), image shape, class count and latent size.

    Example:

    >>> import kerasgan
    >>> fingerprint(kerasgan.build("dcgan", (28, 28, 1), base_filters=4))
    {'variant': 'kerasgan>DCGAN', 'image_shape': [28, 28, 1], 'num_classes': None, 'latent_dim': 100}
    """
    import keras

    return {
        "variant": keras.saving.get_registered_name(type(gan)),
        "image_shape": [int(d) for d in gan.image_shape],
        "num_classes": None if gan.num_classes is None else int(gan.num_classes),
        "latent_dim": int(gan.latent_dim),
        **({"latent_code": int(gan.latent_code)} if getattr(gan, "latent_code", None) else {}),
        **({"clusters": int(gan.clusters)} if getattr(gan, "clusters", None) else {}),
    }


def latest(directory: str | os.PathLike) -> dict | None:
    """The pointer of the latest checkpoint in ``directory`` (with ``"path"``,
    the folder of the checkpoint), or None when there is none.

    Example:

    >>> import tempfile
    >>> latest(tempfile.mkdtemp()) is None
    True
    """
    directory = os.fspath(directory)
    pointer = os.path.join(directory, POINTER)
    if not os.path.isfile(pointer):
        return None
    try:
        with open(pointer) as handle:
            state = json.load(handle)
        path = os.path.join(directory, state["checkpoint"])
        int(state["epoch"]), dict(state["fingerprint"])
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise ValueError(
            f"kerasgan: the checkpoint pointer {pointer} is unreadable ({error}); move the folder {directory} "
            "away to start over, or restore it from a copy."
        ) from None
    if not os.path.isfile(os.path.join(path, MODEL)):
        raise ValueError(
            f"kerasgan: {pointer} names {path}, which has no {MODEL}; the checkpoint folder was changed by hand. "
            f"Move {directory} away to start over."
        )
    return dict(state, path=path)


def _describe(fp: dict) -> str:
    classes = f", {fp['num_classes']} classes" if fp.get("num_classes") else ""
    classes += f", a latent code of {fp['latent_code']} values" if fp.get("latent_code") else ""
    classes += f", {fp['clusters']} data clusters" if fp.get("clusters") else ""
    return (f"{fp['variant'].split('>')[-1]} on images {tuple(fp['image_shape'])}{classes}, "
            f"latent_dim {fp['latent_dim']}")


def check_compatible(directory: str | os.PathLike, gan) -> dict | None:
    """The latest checkpoint of ``directory`` if it was written by a GAN like
    ``gan`` (see :func:`fingerprint`); a ``ValueError`` saying both when not;
    None when there is no checkpoint.

    Example:

    >>> import tempfile, kerasgan
    >>> check_compatible(tempfile.mkdtemp(), kerasgan.build("dcgan", (28, 28, 1), base_filters=4)) is None
    True
    """
    state = latest(directory)
    if state is None:
        return None
    mine = fingerprint(gan)
    if state["fingerprint"] != mine:
        raise ValueError(
            f"kerasgan: {os.fspath(directory)} holds a checkpoint of a different GAN "
            f"({_describe(state['fingerprint'])}, epoch {state['epoch']}) than this run ({_describe(mine)}). "
            "Choose another workdir, or move the old one away to start over; nothing was changed."
        )
    return state


def initial_epoch(directory: str | os.PathLike) -> int:
    """The epoch a run resumed from ``directory`` starts at (0 without a checkpoint):
    pass it to ``kerasgan.data.load(start_epoch=...)`` for the same batches.

    Example:

    >>> import tempfile
    >>> initial_epoch(tempfile.mkdtemp())
    0
    """
    state = latest(directory)
    return 0 if state is None else int(state["epoch"])


def write(directory: str | os.PathLike, gan, epoch: int, states: dict | None = None) -> str:
    """Save ``gan`` (with its optimizers and seed state) and the tracked
    callbacks' ``states`` (name -> ``(json-able dict, {name: array})``) as the
    checkpoint of ``epoch`` (epochs completed); returns its folder. Atomic:
    the previous checkpoint stays the latest until this one is complete.

    Example:

    >>> import tempfile, kerasgan
    >>> gan = kerasgan.build("dcgan", (28, 28, 1), base_filters=4); gan.compile()
    >>> folder = tempfile.mkdtemp()
    >>> _ = write(folder, gan, epoch=3)
    >>> latest(folder)["epoch"]
    3
    """
    directory = os.fspath(directory)
    os.makedirs(directory, exist_ok=True)
    name = f"ckpt-{int(epoch):06d}"
    tmp = os.path.join(directory, f".tmp-{name}-{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    os.makedirs(tmp)
    gan.save(os.path.join(tmp, MODEL))
    meta, arrays = {}, {}
    for key, (info, values) in (states or {}).items():
        meta[key] = info
        arrays.update({f"{key}/{k}": np.asarray(v) for k, v in values.items()})
    with open(os.path.join(tmp, "callbacks.json"), "w") as handle:
        json.dump(meta, handle)
    np.savez(os.path.join(tmp, "callbacks.npz"), **arrays)
    final = os.path.join(directory, name)
    if os.path.exists(final):  # a re-save of the same epoch: keep the old one until the pointer moves
        os.replace(final, final + f".old-{os.getpid()}")
    os.replace(tmp, final)
    pointer = {"format": 1, "epoch": int(epoch), "checkpoint": name, "fingerprint": fingerprint(gan),
               "kerasgan": __version__, "saved_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
    with open(os.path.join(directory, POINTER + ".tmp"), "w") as handle:
        json.dump(pointer, handle, indent=1)
    os.replace(os.path.join(directory, POINTER + ".tmp"), os.path.join(directory, POINTER))
    for entry in os.listdir(directory):  # older checkpoints and leftovers of killed saves
        if entry != name and (entry.startswith("ckpt-") or entry.startswith(".tmp-ckpt-")):
            shutil.rmtree(os.path.join(directory, entry), ignore_errors=True)
    return final


def restore(directory: str | os.PathLike, gan) -> tuple[dict, dict] | None:
    """Load the latest checkpoint of ``directory`` into ``gan`` (compiled, same
    structure); returns ``(pointer, states)`` with the callbacks' states as
    ``{name: (dict, {name: array})}``, or None without a checkpoint.

    Example:

    >>> import tempfile, kerasgan
    >>> gan = kerasgan.build("dcgan", (28, 28, 1), base_filters=4); gan.compile()
    >>> restore(tempfile.mkdtemp(), gan) is None
    True
    """
    state = check_compatible(directory, gan)
    if state is None:
        return None
    saving.load_weights(gan, os.path.join(state["path"], MODEL))
    states = {}
    meta_path = os.path.join(state["path"], "callbacks.json")
    if os.path.isfile(meta_path):
        with open(meta_path) as handle:
            meta = json.load(handle)
        with np.load(os.path.join(state["path"], "callbacks.npz")) as arrays:
            for key, info in meta.items():
                prefix = f"{key}/"
                states[key] = (info, {k[len(prefix):]: arrays[k] for k in arrays.files if k.startswith(prefix)})
    return state, states
