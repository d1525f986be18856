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

__all__ = ["main", "UsageError"]


class UsageError(Exception):
    """A bad command line: reported in one line, exit status 2."""


def _train_flags() -> flags.FlagValues:
    fv = flags.FlagValues()
    flags.DEFINE_string("variant", None, "GAN variant: vanilla, dcgan, cgan, acgan, lsgan, wgan, wgan_gp.", flag_values=fv)
    flags.DEFINE_string(
        "dataset", None, "A TFDS image dataset name (mnist, cifar10, celeb_a, ...), folder:PATH, idx:PATH, "
        "toy:ring8 or toy:grid25.", flag_values=fv)
    flags.DEFINE_string("workdir", None, "Output folder: samples/, logs/, checkpoint/, generator.keras, gan.keras. "
                        "Run the same command again to resume from its checkpoint.", flag_values=fv)
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
    flags.DEFINE_string("data_dir", None, "TFDS data_dir.", flag_values=fv)
    flags.DEFINE_enum("verbose", "auto", ["auto", "0", "1", "2"], "Keras fit verbosity.", flag_values=fv)
    flags.DEFINE_enum("strategy", "auto", ["auto", "default", "mirrored", "multi_worker", "tpu"],
                      "tf.distribute strategy: auto (all GPUs when several), default, mirrored, multi_worker "
                      "(TF_CONFIG), tpu.", flag_values=fv)
    flags.DEFINE_enum("precision", "float32", ["auto", "float32", "mixed_bfloat16", "mixed_float16"],
                      "Numeric precision (auto: bfloat16 where the hardware has it).", flag_values=fv)
    flags.DEFINE_boolean("jit_compile", False, "Compile the train step with XLA.", flag_values=fv)
    flags.DEFINE_integer("steps_per_execution", 1, "Train steps per compiled call.", lower_bound=1,
                         flag_values=fv)
    return fv


def _train(fv: flags.FlagValues, args: Sequence[str]) -> int:
    if args:
        raise UsageError(f"unexpected arguments: {' '.join(args)}")
    for required in ("variant", "dataset", "workdir"):
        if not fv[required].value:
            raise UsageError(f"--{required} is required")
    from kerasgan import training
    from kerasgan.callbacks import TrainingDiverged

    try:
        result = training.train(
            fv.variant, fv.dataset, fv.workdir, epochs=fv.epochs, batch_size=fv.batch_size, split=fv.split,
            image_size=fv.image_size, steps_per_epoch=fv.steps_per_epoch, seed=fv.seed,
            latent_dim=fv.latent_dim, num_samples=fv.num_samples, data_dir=fv.data_dir,
            verbose=fv.verbose if fv.verbose == "auto" else int(fv.verbose), strategy=fv.strategy,
            precision=fv.precision, jit_compile=fv.jit_compile, steps_per_execution=fv.steps_per_execution,
        )
    except ValueError as error:
        raise UsageError(str(error)) from None
    except TrainingDiverged as error:
        print(f"kerasgan train: error: {' '.join(str(error).split()).removeprefix('kerasgan: ')} The last good "
              f"checkpoint is in {os.path.join(fv.workdir, 'checkpoint')}.", file=sys.stderr)
        return 1
    last = {k: round(float(v[-1]), 4) for k, v in result["history"].items() if v}
    print(f"kerasgan: trained {fv.variant} on {result['info'].name} ({result['info'].split}) "
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

    print(f"{'entry':<22} {'variant':<9} {'dataset':<14} {'score':>6} {'FID':>7} {'label acc':>9}")
    for name in zoo.names():
        info = zoo.card(name)
        m = info.get("metrics") or {}
        score = f"{m['score']:.2f}" if "score" in m else "recipe"
        fid = f"{m['fid']:.1f}" if "fid" in m else ""
        acc = f"{m['label_accuracy']:.3f}" if "label_accuracy" in m else ""
        print(f"{name:<22} {info['variant']:<9} {info['dataset']:<14} {score:>6} {fid:>7} {acc:>9}")
    return 0


def _sample_flags() -> flags.FlagValues:
    fv = flags.FlagValues()
    flags.DEFINE_integer("num", 64, "Number of samples.", flag_values=fv)
    flags.DEFINE_string("out", "samples.png", "Output PNG grid.", flag_values=fv)
    flags.DEFINE_list("labels", None, "Class labels for a conditional entry: one, or one per sample.",
                      flag_values=fv)
    flags.DEFINE_integer("seed", 0, "Random seed of the latent points.", flag_values=fv)
    flags.DEFINE_boolean("interpolate", False, "Rows of latent interpolations instead of independent samples.",
                         flag_values=fv)
    flags.DEFINE_integer("nrow", None, "Images per row (default: a square grid).", lower_bound=1, flag_values=fv)
    return fv


def _sample(fv: flags.FlagValues, args: Sequence[str]) -> int:
    if len(args) != 1:
        raise UsageError("usage: kerasgan sample NAME [--num=64] [--out=grid.png] [--labels=...] [--seed=0]")
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
        if fv.interpolate:
            nrow = 10  # rows of 10 images walking the latent space between two random points
            samples = generator.interpolate(rows=max(1, fv.num // nrow), steps=nrow, seed=fv.seed, labels=labels)
        else:
            samples, nrow = generator.generate(fv.num, labels=labels, seed=fv.seed), fv.nrow
    except ValueError as error:
        raise UsageError(str(error)) from None
    path = images.save_grid(samples, fv.out, nrow=nrow or fv.nrow, scale=2)
    print(f"kerasgan: {len(samples)} samples of {args[0]} written to {path}")
    return 0


def _eval_flags() -> flags.FlagValues:
    fv = flags.FlagValues()
    flags.DEFINE_integer("num", 10_000, "Number of samples to score.", lower_bound=2, flag_values=fv)
    flags.DEFINE_integer("seed", 0, "Random seed of the samples.", flag_values=fv)
    return fv


def _eval(fv: flags.FlagValues, args: Sequence[str]) -> int:
    if len(args) != 1:
        raise UsageError("usage: kerasgan eval NAME [--num=10000]")
    from kerasgan import metrics, zoo

    try:
        generator = zoo.load(args[0])
    except ValueError as error:
        raise UsageError(str(error)) from None
    if generator.image_shape != (28, 28, 1):
        raise UsageError(f"kerasgan eval scores MNIST-shaped generators; {args[0]} makes {generator.image_shape}")
    evaluator = metrics.MnistEvaluator()
    result = evaluator.evaluate_generator(generator.generate, n=fv.num, num_classes=generator.num_classes,
                                          seed=fv.seed)
    reference = evaluator.reference
    print(f"{args[0]}: {fv.num} samples, seed {fv.seed}")
    print(f"  classifier score {result['score']:.3f} ({100 * result['score_ratio']:.1f}% of real data's "
          f"{reference['real_score']:.3f})")
    print(f"  Frechet distance {result['fid']:.2f} ({result['fid_ratio']:.2f}x the real-vs-real floor "
          f"{reference['fid_floor']:.2f})")
    print(f"  kernel distance  {result['kid']:.4f}")
    if "label_accuracy" in result:
        print(f"  label accuracy   {result['label_accuracy']:.4f}")
    return 0


#: command name -> (flag definitions, runner, one-line description)
COMMANDS: dict[str, tuple[Callable[[], flags.FlagValues], Callable, str]] = {
    "train": (_train_flags, _train, "train a GAN variant on a dataset with model.fit"),
    "zoo": (_zoo_flags, _zoo, "list the pretrained generators: kerasgan zoo list"),
    "sample": (_sample_flags, _sample, "write a grid of samples of a zoo entry: kerasgan sample NAME"),
    "eval": (_eval_flags, _eval, "score a zoo entry with the MNIST classifier metrics: kerasgan eval NAME"),
}


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
        return run(fv, args[1:])
    except (flags.Error, UsageError) as error:
        message = " ".join(str(error).split()).removeprefix("kerasgan: ")
        print(f"kerasgan {command}: error: {message}", file=sys.stderr)
        return 2


def entry_point() -> None:
    """Console-script entry: ``sys.exit(main())``."""
    sys.exit(main())
