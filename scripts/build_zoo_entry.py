"""Train, evaluate and write one zoo entry from its card (run by hand; minutes to hours on a CPU).

    python scripts/build_zoo_entry.py dcgan_mnist [--epochs=N] [--set FLAG=VALUE ...] [--selection=DATASET@SPLIT]
                                                  [--workdir=runs/zoo/NAME] [--out=DIR]

The card is the entry's single source: its ``recipe`` holds the ``kerasgan
train`` flags (``kerasgan.zoo.train_command(NAME)`` prints them as a command)
and its ``selection`` the held-out slice of the training split that picks the
best weights. The script trains with kerasgan.training.train (what `kerasgan
train` runs) in a persistent work directory: the training checkpoints every
epoch, and the same command resumes it after an interruption (a session's
end). Every ``--eval_every`` epochs the raw and the EMA generator are scored
on 2,000 samples against the selection slice (this picks the best: the
lowest FID among the evaluations that reach the bar's score and label-accuracy
minima there, or among all if none does) and against the test split (recorded
only, for the time at which the quality bar was first met). At the end it
writes zoo/NAME/: generator.keras (the best weights), discriminator.keras
(the run's last discriminator, for the entry's preset) and samples.png, then measures the card's numbers from those
files with ``kerasgan.zoo.evaluate`` (``kerasgan eval NAME``: 10,000 samples
against the test split, and the copy rate against the training images), and
writes card.json with the recipe, the measurements, the bar, the versions and
each file's sha256.
"""

import argparse
import json
import os

import keras
import numpy as np
import tensorflow as tf

import kerasgan
from kerasgan import zoo
from kerasgan.callbacks import EvaluateCallback
from kerasgan.metrics import Evaluator
from kerasgan.saving import stored_difference
from kerasgan.zoo.bars import EVAL_SAMPLES, HEADLINE_METRICS, bar_minima, bar_numbers, first_met, quality_bar

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
#: What the entries' files are, in the card's "files".
FILES = ("generator.keras", "discriminator.keras", "samples.png")
def previous_attempts(old: dict) -> list:
    """The card's earlier trainings (``attempts`` of the old card plus the old
    card itself when it was trained, or its note when it was a recipe only,
    whose trainings were not shipped): what was tried, with its numbers."""
    attempts = list(old.get("attempts", []))
    if old.get("metrics"):
        attempts.append({
            "split": old.get("split"), "recipe": old["recipe"], "steps": old.get("steps"),
            "training_seconds": old.get("training_seconds"),
            "metrics": {k: old["metrics"][k] for k in HEADLINE_METRICS if k in old["metrics"]},
            "bar_met": (old.get("quality_bar") or {}).get("met"),
            **({"note": old["quality_note"]} if old.get("quality_note") else {}),
        })
    elif old.get("note") and not old.get("pretrained", True):  # a recipe-only card: its untrained attempts' story
        attempts.append({"recipe": old["recipe"], "shipped": False, "note": old["note"]})
    return attempts


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("name", choices=zoo.names())
    parser.add_argument("--epochs", type=int, default=None, help="override the recipe's epochs")
    parser.add_argument("--set", action="append", default=[], metavar="FLAG=VALUE",
                        help="change a recipe flag (a kerasgan train flag; 'FLAG=' removes it); the card records "
                             "the recipe that ran")
    parser.add_argument("--selection", default=None, metavar="DATASET@SPLIT",
                        help="the held-out slice that picks the best weights, e.g. "
                             "idx:../shared/data/mnist_full@train[55000:] (default: the card's)")
    parser.add_argument("--eval_every", type=int, default=5)
    parser.add_argument("--workdir", default=None, help="training folder (default runs/zoo/NAME; resumable)")
    parser.add_argument("--out", default=None, help="folder to write (default zoo/NAME); compare before replacing")
    parser.add_argument("--note", default=None, help="the card's quality_note: what this run tried and why")
    parser.add_argument("--stored_dtype", default=None, choices=["float16"],
                        help="store the networks' weights in float16 (half the bytes; they load as float32)")
    args = parser.parse_args()
    os.chdir(ROOT)  # recipes name their data relative to the repository
    old = zoo.card(args.name)
    recipe = dict(old["recipe"])
    if args.epochs:
        recipe["epochs"] = args.epochs
    for change in args.set:
        key, _, value = change.partition("=")
        if not value:
            recipe.pop(key, None)
            continue
        try:
            recipe[key] = json.loads(value)
        except json.JSONDecodeError:
            recipe[key] = value  # a string flag
    test_evaluator = Evaluator(old["dataset"])
    if args.selection:
        dataset, _, split = args.selection.partition("@")
        selection = {"dataset": dataset, "split": split}
    elif "selection" in old:
        selection = old["selection"]
    else:
        raise SystemExit(f"{args.name}'s card names no selection slice; pass --selection=DATASET@SPLIT")
    held_out = kerasgan.data.load(selection["dataset"], split=selection["split"], batch_size=100_000, shuffle=False,
                                  drop_remainder=False, with_labels=True)
    selection_images, selection_labels = (t.numpy() for t in next(iter(held_out)))
    # best-by-FID among the checkpoints that reach the bar's score and label-accuracy minima on the selection slice
    minima = bar_minima(bar_numbers(recipe["variant"], test_evaluator.reference, old["dataset"]))
    callback = EvaluateCallback(test_evaluator.with_reference(selection_images, selection_labels),
                                every=args.eval_every, num=EVAL_SAMPLES, report_evaluator=test_evaluator,
                                require=minima)
    workdir = args.workdir or os.path.join("runs", "zoo", args.name)
    result = kerasgan.training.train(workdir=workdir, verbose=2, callbacks=[callback], **recipe)
    gan = result["gan"]  # generator restored to the best-scoring weights (raw or EMA)
    out = args.out or os.path.join(zoo.root(), args.name)
    os.makedirs(out, exist_ok=True)
    kerasgan.save_atomic(gan.generator, os.path.join(out, "generator.keras"), dtype=args.stored_dtype)
    kerasgan.save_atomic(gan.discriminator, os.path.join(out, "discriminator.keras"), dtype=args.stored_dtype)
    if gan.label_values and not gan.clusters:  # one labelled row per class, or per value of InfoGAN's code
        labels = np.repeat(np.arange(gan.label_values), 10)
        row_labels = ((gan.num_classes and result["info"].class_names)
                      or [f"c={c}" if gan.latent_code else str(c) for c in range(gan.label_values)])
    else:
        labels, row_labels = None, None
    kerasgan.images.save_grid(gan.generate(len(labels) if labels is not None else 100, labels=labels, seed=0,
                                           ema=False), os.path.join(out, "samples.png"), nrow=10, scale=2,
                              row_labels=row_labels)
    card = {
        "name": args.name,
        "dataset": old["dataset"],
        "split": f"{result['info'].split} of {recipe['dataset']} ({result['info'].num_examples:,} examples)",
        "image_shape": list(gan.image_shape),
        "latent_dim": gan.latent_dim,
        "num_classes": gan.num_classes,
        **({"cluster_prior": [round(float(p), 6) for p in gan.cluster_prior.numpy()]} if gan.clusters else {}),
        **({"class_names": list(result["info"].class_names)} if gan.num_classes and result["info"].class_names
           else {}),
        "recipe": recipe,
        "selection": {**selection, "rule": "lowest FID on the slice, preferring evaluations that reach "
                      f"the bar's minima there ({minima})"},
        **({"data_note": old["data_note"]} if old.get("data_note") else {}),
        "steps": int(gan.g_optimizer.iterations.numpy()),
        "best_epoch": callback.best_epoch,
        "best_weights": callback.best_source,
        "discriminator": "the training run's discriminator after its last epoch",
        "training_seconds": round(callback.train_seconds, 1),
        "bar_first_met": first_met(callback.history, recipe["variant"], test_evaluator.reference, old["dataset"], EVAL_SAMPLES),
        "machine": kerasgan.distribute.cpu_description(),
        "versions": {"kerasgan": kerasgan.__version__, "keras": keras.__version__, "tensorflow": tf.__version__},
        "files": {f: zoo.sha256(os.path.join(out, f)) for f in FILES},
        **({"stored_dtype": args.stored_dtype,
            "stored_dtype_check": stored_difference(gan.generator, os.path.join(out, "generator.keras"), gan.latent_dim,
                                                     gan.label_values)}
           if args.stored_dtype else {}),
        "attempts": previous_attempts(old),
        "eval_history": callback.history,
    }
    if args.note:
        card["quality_note"] = args.note
    with open(os.path.join(out, "card.json"), "w") as handle:
        json.dump(card, handle, indent=1)
    final = zoo.evaluate(args.name, n=10_000, seed=0) if out == os.path.join(zoo.root(), args.name) else {}
    card["metrics"] = {**final, "evaluated_with": f"kerasgan eval {args.name}: 10,000 samples, seed 0, against the "
                                                  f"{old['dataset']} test split"}
    card["quality_bar"] = quality_bar(recipe["variant"], final, test_evaluator.reference,
                                       dataset=old["dataset"]) if final else None
    with open(os.path.join(out, "card.json"), "w") as handle:
        json.dump(card, handle, indent=1)
    print(json.dumps({k: card[k] for k in ("name", "steps", "best_epoch", "training_seconds", "metrics",
                                           "quality_bar", "bar_first_met")}, indent=1))


if __name__ == "__main__":
    main()
