"""Train a variant on a dataset into a work directory (what ``kerasgan train`` runs).

Example:

>>> import os, tempfile
>>> from kerasgan import training
>>> out = tempfile.mkdtemp()
>>> result = training.train("vanilla", "toy:ring8", out, epochs=1, steps_per_epoch=5, verbose=0)
>>> sorted(os.listdir(out))
['checkpoint', 'config.json', 'discriminator.keras', 'gan.keras', 'generator.keras', 'logs', 'samples']
"""

from __future__ import annotations

import json
import os
import tempfile
import time

import keras

from kerasgan import checkpoint as checkpoint_lib
from kerasgan import data as data_lib
from kerasgan import distribute
from kerasgan.callbacks import DivergenceGuard, SampleGrid, TrainingCheckpoint
from kerasgan.gan import GAN
from kerasgan.optimizers import OPTIMIZER_FLAGS, recipe_optimizers
from kerasgan.options import GAN_OPTIONS, NetworkOptions, resolve_settings
from kerasgan.saving import save_atomic
from kerasgan.variants import build, get_variant
from kerasgan.zoo import card as zoo_card

__all__ = ["train"]


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


def _choose_jit(jit_compile, resumed_workdir, planned_steps: int, make_gan, fresh_optimizers, batch_size: int,
                steps_per_execution: int) -> tuple[bool, dict | None]:
    """``(jit_compile to use, what auto decided or None)``: ``True``/``False`` as given; ``"auto"``: a resumed run's
    earlier choice, no XLA for a run under ``distribute.JIT_AUTO_MIN_STEPS`` steps, else the faster of both timed."""
    if jit_compile in (True, False):
        return bool(jit_compile), None
    if jit_compile not in ("auto", None):
        raise ValueError(f"kerasgan: jit_compile must be True, False or 'auto', got {jit_compile!r}.")
    if resumed_workdir is not None:
        with open(os.path.join(resumed_workdir, "config.json")) as handle:
            earlier = json.load(handle).get("jit_compile_auto")
        if earlier:
            return bool(earlier["choice"]), {**earlier, "resumed": True}
    minimum = distribute.JIT_AUTO_MIN_STEPS
    if planned_steps < minimum:
        return False, {"choice": False,
                       "reason": f"{planned_steps} planned steps, under {minimum}: not timed, compiled without XLA"}
    probes = {}
    for name, jit in (("no_xla", False), ("xla", True)):
        probes[name] = make_gan()
        probes[name].compile(jit_compile=jit, steps_per_execution=steps_per_execution, **fresh_optimizers())
    timings = {name: round(ms, 1) for name, ms in
               distribute.compare_train_steps(probes, batch_size, steps_per_execution).items()}
    choice = timings["xla"] < timings["no_xla"]
    return choice, {"choice": choice, "ms_per_step": timings, "machine": distribute.cpu_description()}


def _in_run_policy(gan: GAN, preset_card: dict, seed: int, settings: dict) -> GAN:
    """The preset ``gan`` computing in the run's precision. A zoo network opens computing in float32 (one stored in
    float16 comes back in float32), so under a mixed policy (``precision="mixed_bfloat16"``, or ``auto`` where
    bfloat16 is native) the preset's networks are built again from its card's recipe in that policy, their output
    layers in float32 as :mod:`kerasgan.nets` builds them, and take the pretrained weights (and the EMA's, the
    clusters'): a continued or fine-tuned preset trains as fast as a run from scratch with the same precision."""
    if keras.config.dtype_policy().name == "float32":
        return gan
    recipe = preset_card.get("recipe", {})
    networks = {k: v for k, v in recipe.items() if k == "network" or NetworkOptions.is_option(k)}
    gan_settings = {**{k: recipe[k] for k in GAN_OPTIONS if k in recipe}, **settings, "seed": seed}
    rebuilt = build(preset_card["variant"], tuple(preset_card["image_shape"]),
                    num_classes=preset_card.get("num_classes"), latent_dim=int(preset_card["latent_dim"]),
                    **networks, **gan_settings)
    rebuilt.set_weights(gan.get_weights())
    return rebuilt


def _jsonable(value) -> bool:
    return isinstance(value, (str, int, float, bool, list, tuple, type(None)))


def train(
    variant: str | None = None,
    dataset: str | None = None,
    workdir: str | None = None,
    epochs: int = 1,
    batch_size: int | None = None,
    split: str | None = None,
    image_size: int | None = None,
    steps_per_epoch: int | None = None,
    seed: int = 0,
    latent_dim: int | None = None,
    num_samples: int = 64,
    data_dir: str | None = None,
    download: bool = True,
    verbose: str | int = "auto",
    strategy: str = "auto",
    precision: str = "float32",
    jit_compile: bool | str = "auto",
    steps_per_execution: int = 1,
    preset: str | None = None,
    initial_steps: int = 0,
    skip_bad_images: bool = False,
    callbacks: list | None = None,
    optimizers: dict | None = None,
    **build_overrides,
) -> dict:
    """Train ``variant`` on ``dataset`` and write the results to ``workdir``.

    The keyword arguments are the ``kerasgan train`` flags (a zoo card's
    ``recipe`` holds them). Writes ``samples/epoch_NNN.png`` (a grid per
    epoch, the same latent points each time), TensorBoard logs with image
    summaries in ``logs/``, the generator as ``generator.keras`` (loads with
    plain Keras), the discriminator as ``discriminator.keras`` and the whole
    GAN as ``gan.keras`` (with ``ema_decay``, also the EMA generator as
    ``ema_generator.keras``), and the run's settings as ``config.json``.
    Settings a run does not give come from the data
    source's ``training_defaults`` (toy data: an MLP pair, batch 512, Adam).

    ``preset`` fine-tunes a zoo entry (``kerasgan.GAN.from_preset``): its
    variant with its pretrained networks; ``variant`` may be left out, and
    the data is resized (and converted to the preset's channels) to the
    preset's image shape unless ``image_size`` says otherwise. Under a mixed
    ``precision`` its networks are built again in that policy (a zoo network
    opens computing in float32) and take the pretrained weights.

    ``strategy`` and ``precision`` are names for
    :func:`kerasgan.distribute.strategy` and
    :func:`kerasgan.distribute.set_precision` (the global dtype policy is
    restored afterwards); ``batch_size`` is the global batch.
    ``jit_compile`` and ``steps_per_execution`` go to ``compile``;
    ``jit_compile="auto"`` (the default) times a few steps of a throwaway
    copy of the GAN each way, the timed calls interleaved
    (:func:`kerasgan.distribute.compare_train_steps`), at the start of a run of at least
    :data:`kerasgan.distribute.JIT_AUTO_MIN_STEPS` generator steps and keeps the faster (XLA pays
    on some CPUs and loses on others), shorter runs compile without XLA; the
    choice, both timings (or why none) are in ``config.json``, and a resumed
    run keeps its choice.
    The keyword arguments ``optimizer``, ``learning_rate``,
    ``d_learning_rate``, ``g_learning_rate``, ``beta_1``, ``beta_2``
    (:data:`kerasgan.optimizers.OPTIMIZER_FLAGS`) change the variant's paper
    optimizers (:func:`kerasgan.optimizers.recipe_optimizers`); ``optimizers``
    (``{"d_optimizer": ..., "g_optimizer": ...}``) replaces them outright.
    Extra Keras ``callbacks`` run after the sample grid and TensorBoard ones;
    other keyword arguments are GAN settings (``d_steps``, ``label_smoothing``,
    ``augment``, ``r1_weight``, ``ema_decay``, ``clusters`` (fitted here on the
    training split, :meth:`kerasgan.GAN.fit_clusters`), ...: :class:`kerasgan.GAN`) and
    network options (``base_filters=32``, ...). Each step reads ``d_steps``
    real minibatches of ``batch_size`` (one per discriminator update), so an
    epoch, one pass over the data, has ``examples // (d_steps · batch_size)``
    steps.

    ``initial_steps`` continues a training that ran that many generator
    steps before (``scripts/build_zoo_entry.py NAME --continue`` gives it a
    zoo entry's ``steps`` with ``preset=NAME``, the entry's networks): both
    optimizers' step counters start there (D's at ``initial_steps × d_steps``),
    so an ``lr_decay`` schedule continues where it stopped, and the data
    stream starts at the pass those steps reached. The optimizers' moments
    start afresh (a shipped entry keeps none).

    Resume: every epoch the whole training state is checkpointed to
    ``workdir/checkpoint`` (:class:`kerasgan.callbacks.TrainingCheckpoint`);
    the same call again (after a crash, a kill or with more ``epochs``)
    continues from it, on the same batches as an uninterrupted run
    (``data.load(start_epoch=...)``), and ends with the same weights. A
    checkpoint of another variant or image shape is refused. A NaN or
    infinite loss stops training with :class:`kerasgan.callbacks.TrainingDiverged`
    and leaves the last good checkpoint as it was.

    Bad data is refused before anything is written: every image of a
    ``folder:`` split is decoded once before the workdir is made (a file that
    is not an image, is empty, truncated, damaged or too large raises
    :class:`kerasgan.data.BadDataError` naming it; so does a damaged IDX
    file). ``skip_bad_images=True`` leaves the bad images out instead, with
    one warning line; ``config.json`` records the option and the files left out.

    Reproducible: the same ``seed`` gives bit-identical weights on a CPU.

    Returns a dict with the ``gan``, the Keras ``history`` dict, the
    ``info`` of the data, the written ``paths``, ``seconds`` of training,
    the ``initial_epoch`` it resumed from and the ``epochs`` done (fewer than
    asked when a callback such as :class:`kerasgan.callbacks.TimeLimit`
    stopped it; the same call resumes from there).

    Example:

    >>> import tempfile
    >>> result = train("vanilla", "toy:ring8", tempfile.mkdtemp(), epochs=1, steps_per_epoch=5, verbose=0)
    >>> result["info"].image_shape, int(result["gan"].g_optimizer.iterations)
    ((2,), 5)
    """
    if epochs <= 0:
        raise ValueError(f"kerasgan: epochs must be > 0, got {epochs}.")
    if not dataset or not workdir:
        raise ValueError("kerasgan: train needs a dataset and a workdir.")
    preset_card = zoo_card(preset) if preset else None
    if preset_card is not None:
        if variant and variant != preset_card["variant"]:
            raise ValueError(f"kerasgan: the preset {preset} is a {preset_card['variant']} GAN, not {variant}; "
                             "leave out --variant to fine-tune it.")
        variant = preset_card["variant"]
    if not variant:
        raise ValueError("kerasgan: train needs a variant (or a preset).")
    cls = get_variant(variant)
    # first: a multi-worker strategy must exist before TensorFlow initialises
    distribution = distribute.strategy(strategy)
    distribute.resolve_precision(precision)
    keras.utils.set_random_seed(seed)  # before the data: tf.data's shuffle seeds depend on the global seed
    channels = None
    if preset_card is not None:
        height, width, channels = preset_card["image_shape"]
        image_size = image_size or (height, width)
    source = data_lib.open_source(dataset, split, image_size=image_size, data_dir=data_dir, download=download,
                                  skip_bad=skip_bad_images)
    if cls.conditioning and not source.describe().has_labels:
        raise ValueError(
            f"kerasgan: {variant} is class-conditional but {dataset} has no class labels; "
            "choose an unconditional variant or a labelled dataset."
        )
    info = source.prepare()  # reads (and checks) the data: bad files are refused before the workdir exists
    workdir = _check_workdir(workdir)
    skipped = getattr(source, "skipped", [])
    run_config = {"variant": variant, "dataset": dataset, "split": split, "image_size": image_size, "epochs": epochs,
                  "batch_size": batch_size, "steps_per_epoch": steps_per_epoch, "seed": seed, "latent_dim": latent_dim,
                  "precision": precision,
                  "preset": preset, "initial_steps": initial_steps or None,
                  "steps_per_execution": steps_per_execution, "jit_compile": jit_compile,
                  "skip_bad_images": skip_bad_images or None,
                  "bad_images_left_out": {"count": len(skipped), "files": [f"{f}: {why}" for f, why in skipped[:100]]}
                  if skipped else None,
                  **{k: v for k, v in build_overrides.items() if _jsonable(v)}}
    defaults = dict(source.training_defaults)
    batch_size = batch_size or defaults.pop("batch_size")
    defaults.pop("batch_size", None)
    recipe_opt = {k: build_overrides.pop(k, None) for k in OPTIMIZER_FLAGS}
    if not any(v is not None for v in recipe_opt.values()):
        recipe_opt.update({k: defaults[k] for k in recipe_opt if k in defaults})
    options = {k: v for k, v in defaults.items() if k not in recipe_opt}
    options.update(build_overrides)
    if latent_dim:
        options["latent_dim"] = latent_dim
    # each step reads d_steps real minibatches of batch_size
    d_steps = resolve_settings(cls, {k: v for k, v in options.items() if k in GAN_OPTIONS})["d_steps"]
    checkpoint_dir = os.path.join(workdir, "checkpoint")
    resumed = checkpoint_lib.latest(checkpoint_dir)
    initial_epoch = 0 if resumed is None else int(resumed["epoch"])
    # Batches of a pass over the data, and where in the stream of passes the
    # first epoch of this run starts (a resumed run skips what was trained).
    steps_per_pass = (info.num_examples or 0) // (batch_size * d_steps)
    if steps_per_pass == 0 and not steps_per_epoch:
        raise ValueError(
            f"kerasgan: {info.name} (split {info.split}) has {info.num_examples} examples, fewer than "
            f"batch_size={batch_size}{f' x d_steps={d_steps}' if d_steps > 1 else ''}; use a smaller --batch_size."
        )
    # Keras runs whole executions of steps_per_execution steps: an epoch must be a multiple of it.
    if steps_per_epoch and steps_per_epoch % steps_per_execution:
        rounded = -(-steps_per_epoch // steps_per_execution) * steps_per_execution
        raise ValueError(f"kerasgan: steps_per_epoch={steps_per_epoch} is not a multiple of steps_per_execution="
                         f"{steps_per_execution}; Keras would run {rounded} steps an epoch. Choose a multiple.")
    steps_per_epoch = steps_per_epoch or max(steps_per_execution, steps_per_pass // steps_per_execution * steps_per_execution)
    first_pass, skip = divmod(initial_steps + initial_epoch * steps_per_epoch, steps_per_pass or 1)
    dataset_obj, info = data_lib.load(
        source, batch_size=batch_size, image_size=image_size, with_labels=bool(cls.conditioning), seed=seed,
        with_info=True, start_epoch=first_pass, channels=channels, d_steps=d_steps,
    )
    if skip:
        dataset_obj = dataset_obj.skip(skip)
    previous_policy = keras.config.dtype_policy()

    def make_gan() -> GAN:
        """The GAN of this run (not compiled)."""
        if preset:
            settings = {k: v for k, v in options.items() if k in GAN_OPTIONS}
            return _in_run_policy(cls.from_preset(preset, seed=seed, **settings), preset_card, seed, settings)
        return build(variant, image_shape=info.image_shape, num_classes=info.num_classes if cls.conditioning else None,
                     seed=seed, **options)

    def fresh_optimizers() -> dict:
        if any(v is not None for v in recipe_opt.values()):
            return recipe_optimizers(variant, d_steps=d_steps, **recipe_opt)
        return {}

    try:
        distribute.set_precision(precision)
        with distribution.scope():
            jit, run_config["jit_compile_auto"] = _choose_jit(
                jit_compile, workdir if resumed is not None else None, epochs * steps_per_epoch, make_gan,
                fresh_optimizers, batch_size, steps_per_execution)
            keras.utils.set_random_seed(seed)
            gan = make_gan()
            gan.compile(jit_compile=jit, steps_per_execution=steps_per_execution,
                        **(optimizers if optimizers is not None else fresh_optimizers()))
            if initial_steps:  # a checkpoint of this workdir, restored when fit starts, brings its own counters
                gan.g_optimizer.iterations.assign(int(initial_steps))
                gan.d_optimizer.iterations.assign(int(initial_steps) * d_steps)
    finally:
        keras.config.set_dtype_policy(previous_policy)
    checkpoint_lib.check_compatible(checkpoint_dir, gan)  # before anything is written
    if getattr(gan, "clusters", None):  # k-means of the whole split, in its own order (a resumed run reloads them)
        gan.fit_clusters(data_lib.load(source, batch_size=1000, image_size=image_size, with_labels=False,
                                       shuffle=False, drop_remainder=False, channels=channels), seed=seed)
    with open(os.path.join(workdir, "config.json"), "w") as handle:
        json.dump({k: v for k, v in run_config.items() if v is not None}, handle, indent=1)
    if resumed is not None and verbose != 0:
        print(f"kerasgan: resuming {workdir} from its checkpoint of epoch {initial_epoch} (of {epochs})")
    log_dir = os.path.join(workdir, "logs")
    callbacks = [
        SampleGrid(os.path.join(workdir, "samples"), num=num_samples, seed=seed, log_dir=log_dir,
                   data=source.reference_points()),
        keras.callbacks.TensorBoard(log_dir=log_dir, update_freq="epoch"),
    ] + list(callbacks or [])
    tracked = [cb for cb in callbacks if hasattr(cb, "get_state") and hasattr(cb, "set_state")]
    callbacks += [DivergenceGuard(), TrainingCheckpoint(checkpoint_dir, track=tracked)]
    start = time.time()
    history = gan.fit(dataset_obj, epochs=epochs, steps_per_epoch=steps_per_epoch, callbacks=callbacks, verbose=verbose)
    seconds = time.time() - start
    paths = {
        "generator": save_atomic(gan.generator, os.path.join(workdir, "generator.keras")),
        "discriminator": save_atomic(gan.discriminator, os.path.join(workdir, "discriminator.keras")),
        **({"ema_generator": save_atomic(gan.ema_generator, os.path.join(workdir, "ema_generator.keras"))}
           if gan.ema_generator is not None else {}),
        "gan": save_atomic(gan, os.path.join(workdir, "gan.keras")),
        "samples": callbacks[0].last_path,
        "logs": log_dir,
    }
    return {"gan": gan, "history": history.history, "info": info, "paths": paths, "seconds": seconds,
            "initial_epoch": initial_epoch, "epochs": initial_epoch + len(history.epoch)}
