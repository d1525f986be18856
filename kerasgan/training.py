"""Train a variant on a dataset into a work directory (what ``kerasgan train`` runs).

Example:

>>> import os, tempfile
>>> from kerasgan import training
>>> out = tempfile.mkdtemp()
>>> result = training.train("vanilla", "toy:ring8", out, epochs=1, steps_per_epoch=5, verbose=0)
>>> sorted(os.listdir(out))
['checkpoint', 'gan.keras', 'generator.keras', 'logs', 'samples']
"""

from __future__ import annotations

import os
import tempfile
import time

import keras

from kerasgan import checkpoint as checkpoint_lib
from kerasgan import data as data_lib
from kerasgan import distribute
from kerasgan import toy as toy_lib
from kerasgan.callbacks import DivergenceGuard, SampleGrid, TrainingCheckpoint
from kerasgan.gan import GAN
from kerasgan.saving import save_atomic
from kerasgan.variants import build, get_variant

__all__ = ["train", "save_atomic"]


def _check_workdir(workdir: str) -> str:
    workdir = os.path.abspath(os.path.expanduser(workdir))
    try:
        os.makedirs(workdir, exist_ok=True)
    except OSError as error:
        raise ValueError(f"kerasgan: cannot create the workdir {workdir}: {error.strerror}.") from None
    try:  # a real write: os.access says yes to root on read-only file systems
        with tempfile.TemporaryFile(dir=workdir):
            pass
    except OSError as error:
        raise ValueError(
            f"kerasgan: the workdir {workdir} is not writable ({error.strerror}); choose another --workdir."
        ) from None
    return workdir


def train(
    variant: str,
    dataset: str,
    workdir: str,
    epochs: int = 1,
    batch_size: int | None = None,
    split: str | None = None,
    image_size: int | None = None,
    steps_per_epoch: int | None = None,
    seed: int = 0,
    latent_dim: int | None = None,
    num_samples: int = 64,
    data_dir: str | None = None,
    verbose: str | int = "auto",
    strategy: str = "auto",
    precision: str = "float32",
    jit_compile: bool = False,
    steps_per_execution: int = 1,
    callbacks: list | None = None,
    optimizers: dict | None = None,
    **build_overrides,
) -> dict:
    """Train ``variant`` on ``dataset`` and write the results to ``workdir``.

    Writes ``samples/epoch_NNN.png`` (a grid per epoch, the same latent
    points each time), TensorBoard logs with image summaries in ``logs/``,
    the generator as ``generator.keras`` (loads with plain Keras) and the
    whole GAN as ``gan.keras``. Toy datasets use :data:`kerasgan.toy.GAN_SETTINGS`
    and Adam per :data:`kerasgan.toy.TRAIN_SETTINGS`.

    ``strategy`` and ``precision`` are names for
    :func:`kerasgan.distribute.strategy` and
    :func:`kerasgan.distribute.set_precision` (the global dtype policy is
    restored afterwards); ``batch_size`` is the global batch.
    ``jit_compile`` and ``steps_per_execution`` go to ``compile``; extra
    Keras ``callbacks`` run after the sample grid and TensorBoard ones;
    ``optimizers`` (``{"d_optimizer": ..., "g_optimizer": ...}``) replace the
    variant's paper optimizers.

    Resume: every epoch the whole training state is checkpointed to
    ``workdir/checkpoint`` (:class:`kerasgan.callbacks.TrainingCheckpoint`);
    the same call again (after a crash, a kill or with more ``epochs``)
    continues from it, on the same batches as an uninterrupted run
    (``data.load(start_epoch=...)``), and ends with the same weights. A
    checkpoint of another variant or image shape is refused. A NaN or
    infinite loss stops training with :class:`kerasgan.callbacks.TrainingDiverged`
    and leaves the last good checkpoint as it was.

    Reproducible: the same ``seed`` gives bit-identical weights on a CPU.

    Returns a dict with the ``gan``, the Keras ``history`` dict, the
    ``info`` of the data, the written ``paths``, ``seconds`` of training and
    the ``initial_epoch`` it resumed from.

    Example:

    >>> import tempfile
    >>> result = train("vanilla", "toy:ring8", tempfile.mkdtemp(), epochs=1, steps_per_epoch=5, verbose=0)
    >>> result["info"].image_shape, int(result["gan"].g_optimizer.iterations)
    ((2,), 5)
    """
    if epochs <= 0:
        raise ValueError(f"kerasgan: epochs must be > 0, got {epochs}.")
    cls = get_variant(variant)
    # first: a multi-worker strategy must exist before TensorFlow initialises
    distribution = distribute.strategy(strategy)
    distribute.resolve_precision(precision)
    keras.utils.set_random_seed(seed)  # before the data: tf.data's shuffle seeds depend on the global seed
    workdir = _check_workdir(workdir)
    info = data_lib.describe(dataset, split=split, data_dir=data_dir)
    if cls.conditioning and not info.has_labels:
        raise ValueError(
            f"kerasgan: {variant} is class-conditional but {dataset} has no class labels; "
            "choose an unconditional variant or a labelled dataset."
        )
    is_toy = info.source == "toy"
    batch_size = batch_size or (toy_lib.TRAIN_SETTINGS["batch_size"] if is_toy else 64)
    checkpoint_dir = os.path.join(workdir, "checkpoint")
    resumed = checkpoint_lib.latest(checkpoint_dir)
    initial_epoch = 0 if resumed is None else int(resumed["epoch"])
    # Batches of a pass over the data, and where in the stream of passes the
    # first epoch of this run starts (a resumed run skips what was trained).
    num_examples = info.num_examples
    steps_per_pass = (num_examples or 0) // batch_size
    if steps_per_pass == 0 and not steps_per_epoch:
        raise ValueError(
            f"kerasgan: {dataset} has {num_examples} examples, fewer than batch_size={batch_size}; "
            "use a smaller --batch_size."
        )
    steps_per_epoch = steps_per_epoch or steps_per_pass
    first_pass, skip = divmod(initial_epoch * steps_per_epoch, steps_per_pass or 1)
    dataset_obj, info = data_lib.load(
        dataset, split=split, batch_size=batch_size, image_size=image_size,
        with_labels=bool(cls.conditioning), seed=seed, data_dir=data_dir, with_info=True, start_epoch=first_pass,
    )
    if skip:
        dataset_obj = dataset_obj.skip(skip)
    keras.utils.set_random_seed(seed)
    options = dict(toy_lib.GAN_SETTINGS) if is_toy else {}
    options.update(build_overrides)
    if latent_dim:
        options["latent_dim"] = latent_dim
    previous_policy = keras.config.dtype_policy()
    try:
        distribute.set_precision(precision)
        with distribution.scope():
            gan: GAN = build(
                variant, image_shape=info.image_shape, num_classes=info.num_classes if cls.conditioning else None,
                seed=seed, **options,
            )
            optimizers = dict(optimizers or {})
            if is_toy and not optimizers:
                lr, beta_1 = toy_lib.TRAIN_SETTINGS["learning_rate"], toy_lib.TRAIN_SETTINGS["beta_1"]
                optimizers = {"d_optimizer": keras.optimizers.Adam(lr, beta_1=beta_1),
                              "g_optimizer": keras.optimizers.Adam(lr, beta_1=beta_1)}
            gan.compile(jit_compile=jit_compile, steps_per_execution=steps_per_execution, **optimizers)
    finally:
        keras.config.set_dtype_policy(previous_policy)
    checkpoint_lib.check_compatible(checkpoint_dir, gan)  # before anything is written
    if resumed is not None and verbose != 0:
        print(f"kerasgan: resuming {workdir} from its checkpoint of epoch {initial_epoch} (of {epochs})")
    log_dir = os.path.join(workdir, "logs")
    toy_data = toy_lib.sample(info.name.split(":", 1)[1], 2000, seed=1)[0] if is_toy else None
    callbacks = [
        SampleGrid(os.path.join(workdir, "samples"), num=num_samples, seed=seed, log_dir=log_dir, data=toy_data),
        keras.callbacks.TensorBoard(log_dir=log_dir, update_freq="epoch"),
    ] + list(callbacks or [])
    tracked = [cb for cb in callbacks if hasattr(cb, "get_state") and hasattr(cb, "set_state")]
    callbacks += [DivergenceGuard(), TrainingCheckpoint(checkpoint_dir, track=tracked)]
    start = time.time()
    history = gan.fit(dataset_obj, epochs=epochs, steps_per_epoch=steps_per_epoch, callbacks=callbacks, verbose=verbose)
    seconds = time.time() - start
    paths = {
        "generator": save_atomic(gan.generator, os.path.join(workdir, "generator.keras")),
        "gan": save_atomic(gan, os.path.join(workdir, "gan.keras")),
        "samples": callbacks[0].last_path,
        "logs": log_dir,
    }
    return {"gan": gan, "history": history.history, "info": info, "paths": paths, "seconds": seconds,
            "initial_epoch": initial_epoch}
