"""Train, evaluate and write one zoo entry from its card (run by hand; minutes to hours on a CPU).

    python scripts/build_zoo_entry.py dcgan_mnist [--epochs=N] [--set FLAG=VALUE ...] [--selection=DATASET@SPLIT]
                                                  [--workdir=runs/zoo/NAME] [--out=DIR]
    python scripts/build_zoo_entry.py sngan_cifar10 --continue --epochs=ADDED [--workdir=~/kerasgan-runs/NAME]
                                                  [--until=HH:MM] [--replace]

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

``--continue`` trains a shipped entry further, across sessions: from its
networks and step count (``kerasgan.training.train(preset=NAME,
initial_steps=steps)``), for ``--epochs`` more epochs; the card's totals and
``eval_history`` grow and its ``continued`` list says what restarted, and the
entry is replaced only when the selection slice says the result is better.
Keep the workdir of a long training outside the work tree (``~/kerasgan-runs/NAME``):
on the same machine the same command resumes its exact checkpoint, until the run is
shipped: then its workdir is refused (its evaluations would count twice), and
the next continuation starts from the entry in a new workdir.

An entry that ships a training is replaced only when the new run's best
selection FID beats the shipped weights' (``--replace`` replaces it anyway,
e.g. after a change of evaluator). ``--until=HH:MM`` (or ``+MINUTES``) ends the training at the
last epoch that finishes before that time (:class:`kerasgan.callbacks.TimeLimit`;
its last epoch is evaluated) and then writes the entry as usual, with the
epochs it ran: a session's training ends shipped (or compared and kept in its
workdir) instead of being killed, and the next session continues it.
"""

import argparse
import datetime
import json
import os
import time

import keras
import numpy as np
import tensorflow as tf

import kerasgan
from kerasgan import zoo
from kerasgan.callbacks import EvaluateCallback, TimeLimit
from kerasgan.metrics import Evaluator
from kerasgan.saving import stored_difference
from kerasgan.zoo.bars import EVAL_SAMPLES, HEADLINE_METRICS, bar_minima, bar_numbers, first_met, quality_bar
from kerasgan.zoo.storage import shipped_selection_fid

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


def continuation_start(old: dict) -> dict:
    """Where a ``--continue`` run of the entry with card ``old`` starts: its generator steps, epochs and training
    seconds, and the selection-slice FID of the shipped weights, which the continued run must beat to be shipped."""
    if not old.get("steps") or not old.get("eval_history"):
        raise SystemExit(f"{old['name']} has no shipped training to continue (no steps or eval_history in its card); "
                         "build it first.")
    fid = shipped_selection_fid(old)
    if fid is None:
        raise SystemExit(f"{old['name']}'s eval_history has no evaluation of its shipped weights (epoch "
                         f"{old['best_epoch']}, {old['best_weights']}); it cannot be compared, so it is not continued.")
    return {"steps": int(old["steps"]), "epochs": int(old["recipe"]["epochs"]),
            "seconds": float(old["training_seconds"]), "selection_fid": fid}


def check_resumable(workdir: str, name: str, start: dict) -> None:
    """Refuse a ``--continue`` run whose ``workdir`` holds a continuation of entry ``name`` that started from other
    generator steps than the card's now (``start``): that run's weights were shipped since, and resumed, its
    evaluations would be counted on from the new card's totals, twice. A new workdir continues from the entry."""
    config = os.path.join(workdir, "config.json")
    if not os.path.exists(config):
        return
    with open(config) as handle:
        earlier = json.load(handle).get("initial_steps")
    if earlier is not None and int(earlier) != start["steps"]:
        raise SystemExit(
            f"{workdir} continued {name} from {int(earlier):,} generator steps, but its card now ships "
            f"{start['steps']:,} (that run was shipped since): resumed, its evaluations would be counted twice. "
            "Continue from the entry in a new --workdir (its networks, fresh optimizer moments); nothing was changed.")


def continued_note(note: str | None, continuation: dict) -> str | None:
    """The card's ``quality_note`` after a ``--continue`` run given no ``--note``: the shipped card's note (the
    story of the training up to the continuation, which a rebuilt card would otherwise lose) followed by what the
    continuation did, from its ``continued`` record; ``None`` when the shipped card had no note.

    >>> continued_note("First training.", {"from_steps": 9248, "to_steps": 9928, "epochs": 5,
    ...                                    "selection_fid": {"before": 327.23, "after": 317.3}})[:71]
    'First training. Continued from 9,248 to 9,928 generator steps (5 epochs'
    """
    if not note:
        return None
    fid = continuation["selection_fid"]
    return (f"{note} Continued from {continuation['from_steps']:,} to {continuation['to_steps']:,} generator steps "
            f"({continuation['epochs']} epochs; the card's `continued`): selection-slice FID {fid['before']:.1f} -> "
            f"{fid['after']:.1f}. The numbers above are those of the weights before the continuation; the card's "
            "metrics are the continued weights'.")


def deadline(when: str, now: float | None = None) -> float:
    """The ``time.time()`` value of ``when``: the next clock time ``HH:MM`` (local time) after ``now``, or
    ``+M``, M minutes from ``now``.

    >>> start = datetime.datetime(2026, 12, 4, 16, 0).timestamp()
    >>> [(deadline(w, start) - start) / 60 for w in ("16:45", "15:00", "+90")]
    [45.0, 1380.0, 90.0]
    """
    now = time.time() if now is None else now
    try:
        if when.startswith("+"):
            return now + 60.0 * float(when[1:])
        hour, minute = (int(part) for part in when.split(":"))
        now_dt = datetime.datetime.fromtimestamp(now)
        target = now_dt.replace(hour=hour, minute=minute, second=0, microsecond=0)
    except ValueError:
        raise SystemExit(f"--until takes a clock time HH:MM (e.g. 16:45) or +MINUTES (e.g. +150), got {when!r}.") \
            from None
    if target <= now_dt:
        target += datetime.timedelta(days=1)
    return target.timestamp()


def continued_history(old_history: list, new_history: list, start: dict) -> list:
    """The card's eval_history after a continued run: the old evaluations, then the new ones with their epochs and
    training seconds counted from the entry's start (their generator steps count from it already)."""
    shifted = [{**e, "epoch": e["epoch"] + start["epochs"],
                "train_seconds": round(e["train_seconds"] + start["seconds"], 1)} for e in new_history]
    return list(old_history) + shifted


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("name", choices=zoo.names() + zoo.recipes())
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
    parser.add_argument("--continue", dest="continue_entry", action="store_true",
                        help="continue the shipped entry's training for --epochs more epochs: from its generator "
                             "(which also seeds the EMA) and discriminator, with its step count (a --lr_decay schedule "
                             "goes on where it stopped); the optimizers' moments restart. The card's steps, seconds and "
                             "eval_history grow; the entry is replaced only when the selection slice's best FID beats "
                             "the shipped weights'")
    parser.add_argument("--until", default=None, metavar="HH:MM|+MINUTES",
                        help="end the training at the last epoch that finishes before this clock time (or this many "
                             "minutes from now), then write "
                             "the entry with the epochs it ran (the same command with more --epochs goes on)")
    parser.add_argument("--replace", action="store_true",
                        help="replace the shipped entry even when the new run's selection FID does not beat it")
    parser.add_argument("--stored_dtype", default=None, choices=["float16"],
                        help="store the networks' weights in float16 (half the bytes; they load as float32)")
    args = parser.parse_args()
    os.chdir(ROOT)  # recipes name their data relative to the repository
    old = zoo.card(args.name)
    recipe = dict(old["recipe"])
    start = continuation_start(old) if args.continue_entry else None
    if start and not args.epochs:
        raise SystemExit("--continue needs --epochs: how many epochs to add")
    workdir = args.workdir or os.path.join("runs", "zoo", args.name)
    if start:
        check_resumable(workdir, args.name, start)
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
    continuing = {"preset": args.name, "initial_steps": start["steps"]} if start else {}
    limit = [TimeLimit(until=deadline(args.until))] if args.until else []  # before the callback: it scores the stop
    result = kerasgan.training.train(workdir=workdir, verbose=2, callbacks=limit + [callback], **recipe, **continuing)
    gan = result["gan"]  # generator restored to the best-scoring weights (raw or EMA)
    ran = result["epochs"]  # fewer than asked when --until stopped it
    out = args.out or os.path.join(zoo.root(), args.name)
    beat = shipped_selection_fid(old) if out == os.path.join(zoo.root(), args.name) and not args.replace else None
    if beat is not None and not callback.best < beat:
        print(f"{args.name}: not shipped: the run's best selection FID {callback.best:.2f} (after {ran} epochs) does "
              f"not beat the shipped weights' {beat:.2f}; the run is in {workdir} (the same command with more "
              f"--epochs goes on; --replace ships it anyway; `python scripts/training_progress.py {workdir} "
              f"--entry={args.name}` records its curve on the entry's page)")
        return
    recipe["epochs"] = (start["epochs"] if start else 0) + ran  # the card's recipe: all the epochs that made it
    os.makedirs(out, exist_ok=True)
    kerasgan.save_atomic(gan.generator, os.path.join(out, "generator.keras"), dtype=args.stored_dtype)
    kerasgan.save_atomic(gan.discriminator, os.path.join(out, "discriminator.keras"), dtype=args.stored_dtype)
    files = FILES + tuple(f"{name}.keras" for name in gan.extra_network_names)  # mrgan's encoder, mdgan's D1 too
    for name in gan.extra_network_names:
        kerasgan.save_atomic(getattr(gan, name), os.path.join(out, f"{name}.keras"), dtype=args.stored_dtype)
    if gan.clusters:  # the centers: a real image's cluster, for reconstructing it and for a preset's fine-tuning
        np.save(os.path.join(out, zoo.storage.CLUSTERS), gan.cluster_centers.numpy().astype("float32"))
        files += (zoo.storage.CLUSTERS,)
    if gan.label_values and not gan.clusters:  # one labelled row per class, or per value of InfoGAN's code
        labels = np.repeat(np.arange(gan.label_values), 10)
        row_labels = ((gan.num_classes and result["info"].class_names)
                      or [f"c={c}" if gan.latent_code else str(c) for c in range(gan.label_values)])
    else:
        labels, row_labels = None, None
    kerasgan.images.save_grid(gan.generate(len(labels) if labels is not None else 100, labels=labels, seed=0,
                                           ema=False), os.path.join(out, "samples.png"), nrow=10, scale=2,
                              row_labels=row_labels)
    # every evaluation of the entry's training, a continued run's counted from where the entry stood
    history = continued_history(old["eval_history"], callback.history, start) if start else callback.history
    continuation = {  # what a --continue run did, in the card's "continued"
        "from_steps": start["steps"], "to_steps": int(gan.g_optimizer.iterations.numpy()), "epochs": ran,
        "seconds": round(callback.train_seconds, 1), "machine": kerasgan.distribute.cpu_description(),
        "selection_fid": {"before": start["selection_fid"], "after": callback.best},
        "metrics_before": {k: old["metrics"][k] for k in HEADLINE_METRICS if k in old.get("metrics", {})},
        "restarted": "the optimizers' moments (a shipped entry keeps none) and the EvaluateCallback's EMA copy; "
                     "the networks, the GAN's EMA (seeded by the shipped generator), the step count and the "
                     "learning-rate schedule went on"} if start else None
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
        "best_epoch": callback.best_epoch + (start["epochs"] if start else 0),
        "best_weights": callback.best_source,
        "discriminator": "the training run's discriminator after its last epoch",
        "training_seconds": round(callback.train_seconds + (start["seconds"] if start else 0.0), 1),
        "bar_first_met": first_met(history, recipe["variant"], test_evaluator.reference, old["dataset"],
                                   EVAL_SAMPLES),
        "machine": kerasgan.distribute.cpu_description(),
        "versions": {"kerasgan": kerasgan.__version__, "keras": keras.__version__, "tensorflow": tf.__version__},
        "files": {f: zoo.sha256(os.path.join(out, f)) for f in files},
        **({"stored_dtype": args.stored_dtype,
            "stored_dtype_check": stored_difference(gan.generator, os.path.join(out, "generator.keras"), gan.latent_dim,
                                                     gan.label_values)}
           if args.stored_dtype else {}),
        "attempts": list(old.get("attempts", [])) if start else previous_attempts(old),
        "eval_history": history,
        **({"continued": old.get("continued", []) + [continuation]} if start else {}),
    }
    note = args.note or (continued_note(old.get("quality_note"), continuation) if start else None)
    if note:
        card["quality_note"] = note
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
