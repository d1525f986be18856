"""Train, evaluate and write one zoo entry from its card's recipe (run by hand; minutes to hours on a CPU).

    python scripts/build_zoo_entry.py dcgan_mnist [--epochs=N] [--learning_rate=LR] [--out=DIR]

The recipe is the entry's card's ``recipe`` (the ``kerasgan train`` flags;
``kerasgan.zoo.train_command(NAME)`` prints them as a command). The script
trains with kerasgan.training.train (what `kerasgan train` runs), scores the
generator (and an exponential moving average of its weights) every few epochs
on 2,000 samples and keeps the best (lowest FID), measures the final metrics
on 10,000 samples, and writes zoo/NAME/: generator.keras, discriminator.keras
(the training run's last discriminator, for the entry's preset), samples.png
and card.json (the recipe it ran, the measurements, each file's sha256).
"""

import argparse
import json
import os
import platform
import shutil
import tempfile

import keras
import numpy as np
import tensorflow as tf

import kerasgan
from kerasgan import zoo
from kerasgan.callbacks import EvaluateCallback
from kerasgan.metrics import MnistEvaluator

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
#: What the entries' files are, in the card's "files".
FILES = ("generator.keras", "discriminator.keras", "samples.png")


def quality_bar(variant: str, metrics: dict) -> dict:
    """The project's quality bar for an MNIST entry and whether the metrics meet it
    (score as a fraction of real data's, FID as a multiple of the real-vs-real floor)."""
    if variant in ("cgan", "acgan"):
        bar = {"label_accuracy_min": 0.97, "fid_ratio_max": 4.0}
        met = metrics["label_accuracy"] >= 0.97 and metrics["fid_ratio"] <= 4.0
    else:
        bar = {"score_ratio_min": 0.85 if variant == "vanilla" else 0.94}
        if variant != "vanilla":
            bar["fid_ratio_max"] = 4.0
        met = metrics["score_ratio"] >= bar["score_ratio_min"] and metrics["fid_ratio"] <= bar.get("fid_ratio_max", 1e9)
    return {**bar, "met": bool(met)}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("name", choices=zoo.names())
    parser.add_argument("--epochs", type=int, default=None)
    parser.add_argument("--eval_every", type=int, default=5)
    parser.add_argument("--ema_decay", type=float, default=0.999)
    parser.add_argument("--learning_rate", type=float, default=None, help="override the recipe's learning rate")
    parser.add_argument("--out", default=None, help="folder to write (default zoo/NAME); compare before replacing")
    args = parser.parse_args()
    os.chdir(ROOT)  # recipes name their data relative to the repository
    old = zoo.card(args.name)
    recipe = dict(old["recipe"])
    if args.epochs:
        recipe["epochs"] = args.epochs
    if args.learning_rate:
        recipe["learning_rate"] = args.learning_rate
    evaluator = MnistEvaluator()
    callback = EvaluateCallback(evaluator, every=args.eval_every, num=2000, ema_decay=args.ema_decay)
    workdir = tempfile.mkdtemp(prefix=f"zoo-{args.name}-")
    result = kerasgan.training.train(workdir=workdir, verbose=2, callbacks=[callback], **recipe)
    gan = result["gan"]  # generator restored to the best-scoring epoch
    final = evaluator.evaluate_generator(gan.generate, n=10_000, num_classes=gan.num_classes, seed=0)
    out = args.out or os.path.join(zoo.root(), args.name)
    os.makedirs(out, exist_ok=True)
    kerasgan.save_atomic(gan.generator, os.path.join(out, "generator.keras"))
    kerasgan.save_atomic(gan.discriminator, os.path.join(out, "discriminator.keras"))
    labels = np.arange(100) % 10 if gan.num_classes else None
    kerasgan.images.save_grid(gan.generate(100, labels=labels, seed=0), os.path.join(out, "samples.png"), nrow=10,
                              scale=2)
    card = {
        "name": args.name,
        "dataset": old["dataset"],
        "split": old["split"],
        "image_shape": list(gan.image_shape),
        "latent_dim": gan.latent_dim,
        "num_classes": gan.num_classes,
        "recipe": recipe,
        "steps": int(gan.g_optimizer.iterations.numpy()),
        "best_epoch": callback.best_epoch,
        "best_weights": callback.best_source,
        "ema_decay": args.ema_decay,
        "discriminator": "the training run's discriminator after its last epoch",
        "training_seconds": round(result["seconds"], 1),
        "machine": f"{platform.machine()} CPU, {os.cpu_count()} cores",
        "metrics": {**final, "evaluated_with": "kerasgan eval: 10,000 samples, seed 0, MNIST classifier in "
                                                "kerasgan/assets"},
        "quality_bar": quality_bar(recipe["variant"], final),
        "eval_history": callback.history,
        "versions": {"kerasgan": kerasgan.__version__, "keras": keras.__version__, "tensorflow": tf.__version__},
        "files": {f: zoo.sha256(os.path.join(out, f)) for f in FILES},
    }
    with open(os.path.join(out, "card.json"), "w") as handle:
        json.dump(card, handle, indent=1)
    shutil.rmtree(workdir, ignore_errors=True)
    print(json.dumps({k: card[k] for k in ("name", "steps", "best_epoch", "training_seconds", "metrics")}, indent=1))


if __name__ == "__main__":
    main()
