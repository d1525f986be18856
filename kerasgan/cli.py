"""The ``kerasgan`` command line.

    kerasgan train --variant=dcgan --dataset=mnist --epochs=5 --workdir=runs/dcgan

Usage errors (unknown variant or dataset, a conditional variant on data
without labels, bad flag values) print one line and exit with status 2.

Example:

>>> from kerasgan import cli
>>> cli.main(["kerasgan", "train", "--variant=nope", "--dataset=toy:ring8", "--workdir=/tmp/x"])  # error on stderr
2
"""

from __future__ import annotations

import os
import sys
from typing import Callable, Sequence

from absl import flags

from kerasgan.quiet import muted_stderr

__all__ = ["main", "UsageError", "import_tensorflow_quietly"]

#: Flags absl defines on every FlagValues; not kerasgan's.
_ABSL_FLAGS = ("help", "helpfull", "helpshort", "helpxml")


class UsageError(Exception):
    """A bad command line: reported in one line, exit status 2."""


def _train_flags() -> flags.FlagValues:
    from kerasgan import distribute, options, registry, zoo

    fv = flags.FlagValues()
    flags.DEFINE_enum("variant", None, registry.variant_names(), "GAN variant (not needed with --preset).",
                      flag_values=fv)
    flags.DEFINE_enum("preset", None, zoo.names(),
                      "Fine-tune a pretrained zoo entry (its variant and networks; kerasgan zoo list).", flag_values=fv)
    flags.DEFINE_string(
        "dataset", None, "A TFDS image dataset name (mnist, cifar10, celeb_a, ...), folder:PATH, idx:PATH, "
        "toy:ring8 or toy:grid25.", flag_values=fv)
    flags.DEFINE_string("workdir", None, "Output folder: samples/, logs/, checkpoint/, generator.keras, "
                        "discriminator.keras, gan.keras. Run the same command again to resume from its checkpoint.",
                        flag_values=fv)
    flags.DEFINE_integer("epochs", 1, "Training epochs.", lower_bound=1, flag_values=fv)
    flags.DEFINE_integer("batch_size", None, "Batch size (default 64; 512 for toy data).", lower_bound=1, flag_values=fv)
    flags.DEFINE_integer("steps_per_epoch", None, "Batches per epoch (default: the whole split).", lower_bound=1,
                         flag_values=fv)
    flags.DEFINE_string("split", None, "Split, with an optional slice: train, test, test[:9000].", flag_values=fv)
    flags.DEFINE_integer("image_size", None, "Centre-crop and resize images to this square size.", lower_bound=8,
                         flag_values=fv)
    flags.DEFINE_integer("latent_dim", None, "Size of the latent vector z.", lower_bound=1, flag_values=fv)
    flags.DEFINE_integer("seed", 0, "Random seed (weights, noise, shuffling).", flag_values=fv)
    flags.DEFINE_integer("num_samples", 64, "Samples in each epoch's grid.", lower_bound=1, flag_values=fv)
    flags.DEFINE_string("data_dir", None, "TFDS data_dir (where prepared TFDS datasets are).", flag_values=fv)
    flags.DEFINE_boolean("download", True, "Let TFDS download a dataset that is not prepared in data_dir.",
                         flag_values=fv)
    flags.DEFINE_boolean("skip_bad_images", False, "Leave out the images of a folder: dataset that cannot be used "
                         "(not images, empty, truncated, damaged, too large) with one warning line and their count "
                         "in config.json; without it they stop the run before anything is written, named.",
                         flag_values=fv)
    flags.DEFINE_enum("verbose", "auto", ["auto", "0", "1", "2"], "Keras fit verbosity.", flag_values=fv)
    flags.DEFINE_enum("strategy", "auto", list(distribute.STRATEGIES), "tf.distribute strategy: " + "; ".join(
        f"{name}: {text}" for name, text in distribute.STRATEGIES.items()) + ".", flag_values=fv)
    flags.DEFINE_enum("precision", "float32", list(distribute.PRECISIONS), "Numeric precision: " + "; ".join(
        f"{name}: {text}" for name, text in distribute.PRECISIONS.items()) + ".", flag_values=fv)
    flags.DEFINE_boolean("jit_compile", None, "Compile the train step with XLA (--nojit_compile: without). Not given: "
                         f"auto, a run of {distribute.JIT_AUTO_MIN_STEPS:,} steps or more times a few steps both ways "
                         "first and keeps the faster (both timings in its config.json).", flag_values=fv)
    flags.DEFINE_integer("steps_per_execution", 1, "Train steps per compiled call.", lower_bound=1,
                         flag_values=fv)
    for option in options.OPTIONS.values():  # the GAN, network and optimizer options, as declared
        if option.flag:
            _define(fv, option, option.name, option.help)
            if option.prefix_flags:
                for net, whole in (("g", "generator"), ("d", "discriminator")):
                    _define(fv, option, f"{net}_{option.name}", f"{option.help.split(':')[0]} of the {whole} alone "
                            f"(default: --{option.name}).")
    return fv


def _define(fv: flags.FlagValues, option, name: str, help_text: str) -> None:
    """The ``kerasgan train`` flag of a declared option (:mod:`kerasgan.options`): its type, bounds and choices."""
    if option.choices:
        flags.DEFINE_enum(name, None, list(option.choices), help_text, flag_values=fv)
        return
    define = {int: flags.DEFINE_integer, float: flags.DEFINE_float, bool: flags.DEFINE_boolean,
              str: flags.DEFINE_string}[option.type]
    bounds = {"lower_bound": option.lower, "upper_bound": option.upper} if option.type in (int, float) else {}
    define(name, None, help_text, flag_values=fv, **{k: v for k, v in bounds.items() if v is not None})


def _train(fv: flags.FlagValues, args: Sequence[str]) -> int:
    if args:
        raise UsageError(f"unexpected arguments: {' '.join(args)}")
    for required in ("dataset", "workdir"):
        if not fv[required].value:
            raise UsageError(f"--{required} is required")
    if not fv.variant and not fv.preset:
        raise UsageError("--variant is required (or --preset to fine-tune a pretrained entry)")
    from kerasgan import training
    from kerasgan.callbacks import TrainingDiverged

    given = {name: fv[name].value for name in fv if name not in _ABSL_FLAGS and fv[name].value is not None}
    if given["verbose"] != "auto":
        given["verbose"] = int(given["verbose"])
    try:
        result = training.train(**given)
    except ValueError as error:
        raise UsageError(str(error)) from None
    except TrainingDiverged as error:
        print(f"kerasgan train: error: {' '.join(str(error).split()).removeprefix('kerasgan: ')} The last good "
              f"checkpoint is in {os.path.join(fv.workdir, 'checkpoint')}.", file=sys.stderr)
        return 1
    last = {k: round(float(v[-1]), 4) for k, v in result["history"].items() if v}
    print(f"kerasgan: trained {type(result['gan']).variant} on {result['info'].name} ({result['info'].split}) "
          f"in {result['seconds']:.1f}s; last epoch {last}")
    for name, path in result["paths"].items():
        print(f"  {name}: {path}")
    return 0


def _zoo_flags() -> flags.FlagValues:
    return flags.FlagValues()


def _zoo(fv: flags.FlagValues, args: Sequence[str]) -> int:
    if list(args) != ["list"]:
        raise UsageError("usage: kerasgan zoo list")
    from kerasgan import zoo

    print(zoo.table())
    if zoo.recipes():
        print(f"\nrecipes without weights (their data downloads with TFDS elsewhere): {', '.join(zoo.recipes())}; "
              "kerasgan.zoo.train_command(NAME) writes the command.")
    return 0


def _sample_flags() -> flags.FlagValues:
    fv = flags.FlagValues()
    flags.DEFINE_integer("num", 64, "Number of samples.", flag_values=fv)
    flags.DEFINE_string("out", "samples.png", "Output PNG grid.", flag_values=fv)
    flags.DEFINE_list("labels", None, "Class labels for a conditional entry (code values for an entry with "
                      "an InfoGAN latent_code, cluster ids for one trained with clusters): one, or one per sample.",
                      flag_values=fv)
    flags.DEFINE_integer("seed", 0, "Random seed of the latent points.", flag_values=fv)
    flags.DEFINE_boolean("interpolate", False, "Rows of latent interpolations instead of independent samples.",
                         flag_values=fv)
    flags.DEFINE_integer("nrow", None, "Images per row (default: a square grid).", lower_bound=1, flag_values=fv)
    flags.DEFINE_string("reconstruct", None, "An entry with an encoder (mrgan, mdgan): reconstruct the first --num "
                        "images of this dataset (folder:PATH, idx:PATH, a TFDS name; @SPLIT picks a split, default "
                        "test) instead of sampling: rows of originals, each followed by its row of reconstructions "
                        "G(E(x)).", flag_values=fv)
    return fv


def _reconstruction_rows(generator, spec: str, num: int, nrow: int | None):
    """``(grid images, nrow)``: the first ``num`` images of dataset ``spec`` (``DATASET[@SPLIT]``) in rows of
    ``nrow``, each row followed by the generator's reconstructions of it."""
    import numpy as np

    from kerasgan import data

    dataset, _, split = spec.partition("@")
    height, width, channels = generator.image_shape
    ds = data.load(dataset, split=split or "test", batch_size=num, shuffle=False, drop_remainder=False,
                   with_labels=False, image_size=(height, width), channels=channels)
    originals = next(iter(ds)).numpy()
    reconstructions = generator.reconstruct(originals)
    nrow = nrow or 8
    rows = []
    for start in range(0, len(originals), nrow):
        for part in (originals[start:start + nrow], reconstructions[start:start + nrow]):
            rows.append(np.concatenate([part, np.zeros((nrow - len(part),) + part.shape[1:], part.dtype)]))
    return np.concatenate(rows), nrow


def _sample(fv: flags.FlagValues, args: Sequence[str]) -> int:
    if len(args) != 1:
        raise UsageError("usage: kerasgan sample NAME [--num=64] [--out=grid.png] [--labels=...] [--seed=0] "
                         "[--reconstruct=DATASET[@SPLIT]]")
    if fv.num <= 0:
        raise UsageError(f"--num must be > 0, got {fv.num}")
    from kerasgan import images, zoo

    try:
        generator = zoo.load(args[0])
        labels = None
        if fv.labels:
            try:
                labels = [int(v) for v in fv.labels]
            except ValueError:
                raise UsageError(f"--labels must be integers, got {','.join(fv.labels)}") from None
            labels = labels[0] if len(labels) == 1 else labels
        if fv.reconstruct:
            samples, nrow = _reconstruction_rows(generator, fv.reconstruct, fv.num, fv.nrow)
        elif fv.interpolate:
            nrow = 10  # rows of 10 images walking the latent space between two random points
            samples = generator.interpolate(rows=max(1, fv.num // nrow), steps=nrow, seed=fv.seed, labels=labels)
        else:
            samples, nrow = generator.generate(fv.num, labels=labels, seed=fv.seed), fv.nrow
    except ValueError as error:
        raise UsageError(str(error)) from None
    path = images.save_grid(samples, fv.out, nrow=nrow or fv.nrow, scale=2)
    what = f"reconstructions of {fv.reconstruct} (rows of originals, then theirs)" if fv.reconstruct else "samples"
    print(f"kerasgan: {len(samples) // (2 if fv.reconstruct else 1)} {what} of {args[0]} written to {path}")
    return 0


def _eval_flags() -> flags.FlagValues:
    fv = flags.FlagValues()
    flags.DEFINE_integer("num", 10_000, "Number of samples to score.", lower_bound=2, flag_values=fv)
    flags.DEFINE_integer("seed", 0, "Random seed of the samples.", flag_values=fv)
    flags.DEFINE_string("train_data", None, "The entry's training data, for the memorisation check (default: its "
                        "recipe's dataset, relative to this folder).", flag_values=fv)
    flags.DEFINE_enum("features", "classifier", ["classifier", "inception"],
                      "Whose features: the dataset's shipped classifier (the cards' metrics), or the FID Inception "
                      "(the field's FID, KID, precision/recall; its weights converted once with the inception extra; "
                      "~0.12 s an image on a 2-core CPU).", flag_values=fv)
    flags.DEFINE_integer("reference_num", None, "With --features=inception: judge against the first N test images "
                         "(default all).", lower_bound=2, flag_values=fv)
    return fv


def _eval(fv: flags.FlagValues, args: Sequence[str]) -> int:
    if len(args) != 1:
        raise UsageError("usage: kerasgan eval NAME [--num=10000] [--train_data=idx:PATH] "
                         "[--features=classifier|inception]")
    from kerasgan import metrics, zoo

    if fv.features == "inception":
        return _eval_inception(fv, args[0])
    try:
        result = zoo.evaluate(args[0], n=fv.num, seed=fv.seed, train_data=fv.train_data)
    except (ValueError, FileNotFoundError) as error:
        raise UsageError(str(error)) from None
    reference = metrics.Evaluator(zoo.card(args[0])["dataset"]).reference
    print(f"{args[0]}: {fv.num} samples, seed {fv.seed}, against the {zoo.card(args[0])['dataset']} test split")
    print(f"  classifier score {result['score']:.3f} ({100 * result['score_ratio']:.1f}% of real data's "
          f"{reference['real_score']:.3f})")
    print(f"  Frechet distance {result['fid']:.2f} ({result['fid_ratio']:.2f}x the noise floor "
          f"{reference['fid_floor']:.2f})")
    for key, value in reference.get("fid_references", {}).items():
        print(f"    (FID of the real test images at {key.removeprefix('real_')}, resized back: {value:.2f})")
    print(f"  kernel distance  {result['kid']:.4f}")
    if "label_accuracy" in result:
        print(f"  label accuracy   {result['label_accuracy']:.4f}")
    if "copy_rate" in result:
        print(f"  copy rate        {100 * result['copy_rate']:.2f}% of samples nearer a training image than "
              f"{result['copy_threshold']:.2f} (1% of real test images are)")
    else:
        print(f"  copy rate        skipped: {result['copy_rate_skipped']}")
    return 0


def _eval_inception(fv: flags.FlagValues, name: str) -> int:
    from kerasgan.zoo import report

    try:
        result = report.evaluate_inception(name, n=fv.num, seed=fv.seed, reference_num=fv.reference_num)
    except (ValueError, FileNotFoundError, ImportError) as error:
        raise UsageError(str(error)) from None
    print(f"{name}: {fv.num} samples, seed {fv.seed}, against the {result['reference']}, on the FID Inception's "
          "features")
    print(f"  FID              {result['fid']:.2f}")
    print(f"  KID              {result['kid']:.5f} +- {result['kid_std_error']:.5f} (standard error)")
    print(f"  precision        {result['precision']:.3f} (share of samples inside the real images' manifold, k=3)")
    print(f"  recall           {result['recall']:.3f} (share of real images inside the samples' manifold)")
    return 0


#: command name -> (flag definitions, runner, one-line description)
COMMANDS: dict[str, tuple[Callable[[], flags.FlagValues], Callable, str]] = {
    "train": (_train_flags, _train, "train a GAN variant on a dataset with model.fit"),
    "zoo": (_zoo_flags, _zoo, "list the pretrained generators: kerasgan zoo list"),
    "sample": (_sample_flags, _sample, "write a grid of samples of a zoo entry: kerasgan sample NAME"),
    "eval": (_eval_flags, _eval, "score a zoo entry against its dataset's test split: kerasgan eval NAME"),
}


#: The commands that run TensorFlow (the others, and every --help, never import it).
NEEDS_TENSORFLOW = ("train", "sample", "eval")


def import_tensorflow_quietly() -> None:
    """Import TensorFlow with stderr muted: its C++ start-up lines (CUDA probing,
    oneDNN notices) are printed before any log level applies. Not when
    TF_CPP_MIN_LOG_LEVEL asks for logs (0 or 1), or when it is imported already.

    Example:

    >>> import_tensorflow_quietly()
    >>> "tensorflow" in sys.modules
    True
    """
    if os.environ.get("TF_CPP_MIN_LOG_LEVEL") in ("0", "1") or "tensorflow" in sys.modules:
        return
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    with muted_stderr():
        import tensorflow  # noqa: F401


def _usage() -> str:
    lines = ["usage: kerasgan COMMAND [--flags]", "", "commands:"]
    lines += [f"  {name:<8} {description}" for name, (_, _, description) in COMMANDS.items()]
    lines += ["", "kerasgan COMMAND --help lists a command's flags."]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line ``argv`` (default ``sys.argv``); returns the exit status.

    Example:

    >>> main(["kerasgan", "fly"])  # "kerasgan: error: unknown command 'fly'; ..." on stderr
    2
    """
    argv = list(sys.argv if argv is None else argv)
    if len(argv) < 2 or argv[1] in ("-h", "--help", "help"):
        print(_usage())
        return 0 if len(argv) >= 2 else 2
    command = argv[1]
    if command not in COMMANDS:
        print(f"kerasgan: error: unknown command {command!r}; commands: {', '.join(COMMANDS)}", file=sys.stderr)
        return 2
    make_flags, run, description = COMMANDS[command]
    fv = make_flags()
    if any(a in ("-h", "--help", "-help", "--helpfull") for a in argv[2:]):
        print(f"usage: kerasgan {command} [--flags]\n\n{description}\n")
        print(fv.get_help(include_special_flags=False).replace(f"{__name__}:\n", "flags:\n", 1).lstrip("\n"))
        return 0
    try:
        args = fv([f"kerasgan {command}"] + argv[2:])
        if command in NEEDS_TENSORFLOW:
            import_tensorflow_quietly()
        return run(fv, args[1:])
    except (flags.Error, UsageError) as error:
        message = " ".join(str(error).split()).removeprefix("kerasgan: ")
        print(f"kerasgan {command}: error: {message}", file=sys.stderr)
        return 2


def entry_point() -> None:
    """Console-script entry: ``sys.exit(main())``."""
    sys.exit(main())
