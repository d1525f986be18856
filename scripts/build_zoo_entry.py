"""Train, evaluate and write one zoo entry (run by hand; minutes to an hour on a CPU).

    python scripts/build_zoo_entry.py dcgan_mnist [--data=../shared/data/mnist] [--epochs=N]

Each entry's recipe is below. The script trains with kerasgan.training.train
(what `kerasgan train` runs) on the real MNIST test split, scores the
generator (and an exponential moving average of its weights) every few epochs
on 2,000 samples and keeps the best (lowest FID),
measures the final metrics on 10,000 samples, and writes zoo/NAME/:
generator.keras, samples.png, recipe.json and card.json (with each file's
sha256).
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
from kerasgan.zoo import sha256
from kerasgan.callbacks import EvaluateCallback
from kerasgan.metrics import MnistEvaluator

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

#: The zoo's recipes: kerasgan.training.train arguments. The conv entries use
#: base_filters=32 (a quarter of the default DCGAN's weights) to fit the zoo's
#: 40 MB budget; "optimizer" overrides the variant's paper optimizers.
RECIPES = {
    "vanilla_mnist": dict(variant="vanilla", epochs=200, batch_size=64, optimizer=("adam", 2e-4, 0.5)),
    "dcgan_mnist": dict(variant="dcgan", epochs=100, batch_size=64, base_filters=32),
    "cgan_mnist": dict(variant="cgan", epochs=60, batch_size=64, base_filters=32),
    "acgan_mnist": dict(variant="acgan", epochs=30, batch_size=64, base_filters=32),
    "lsgan_mnist": dict(variant="lsgan", epochs=100, batch_size=64, base_filters=32),
    "wgan_mnist": dict(variant="wgan", epochs=80, batch_size=64, base_filters=32, optimizer=("rmsprop", 1e-4)),
    "wgan_gp_mnist": dict(variant="wgan_gp", epochs=60, batch_size=64, base_filters=32),
}



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
    default = os.path.join(os.environ.get("KERASGAN_DATA", os.path.join(ROOT, "..", "shared", "data")), "mnist")
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("name", choices=sorted(RECIPES))
    parser.add_argument("--data", default=default)
    parser.add_argument("--epochs", type=int, default=None)
    parser.add_argument("--eval_every", type=int, default=5)
    parser.add_argument("--ema_decay", type=float, default=0.999)
    parser.add_argument("--learning_rate", type=float, default=None,
                        help="override the recipe's learning rate (the variant's optimizer kind is kept)")
    parser.add_argument("--out", default=None, help="folder to write (default zoo/NAME); compare before replacing")
    args = parser.parse_args()
    recipe = dict(RECIPES[args.name], dataset="idx:../shared/data/mnist", split="test", seed=0)
    if args.epochs:
        recipe["epochs"] = args.epochs
    if args.learning_rate:
        kind = recipe.get("optimizer", ("rmsprop",) if recipe["variant"] == "wgan" else ("adam", 0, 0.5))
        recipe["optimizer"] = (kind[0], args.learning_rate, *kind[2:])
    evaluator = MnistEvaluator()
    callback = EvaluateCallback(evaluator, every=args.eval_every, num=2000, ema_decay=args.ema_decay)
    workdir = tempfile.mkdtemp(prefix=f"zoo-{args.name}-")
    train_args = {k: v for k, v in recipe.items() if k not in ("variant", "dataset", "optimizer")}
    if "optimizer" in recipe:  # ("adam", lr, beta_1) or ("rmsprop", lr), for both networks
        kind, lr, *beta = recipe["optimizer"]
        make = {"adam": lambda: keras.optimizers.Adam(lr, beta_1=beta[0]),
                "rmsprop": lambda: keras.optimizers.RMSprop(lr)}[kind]
        train_args["optimizers"] = {"d_optimizer": make(), "g_optimizer": make()}
    result = kerasgan.training.train(recipe["variant"], f"idx:{args.data}", workdir, verbose=2,
                                     callbacks=[callback], **train_args)
    gan = result["gan"]  # generator restored to the best-scoring epoch
    final = evaluator.evaluate_generator(gan.generate, n=10_000, num_classes=gan.num_classes, seed=0)
    out = args.out or os.path.join(ROOT, "zoo", args.name)
    os.makedirs(out, exist_ok=True)
    kerasgan.save_atomic(gan.generator, os.path.join(out, "generator.keras"))
    labels = np.arange(100) % 10 if gan.num_classes else None
    kerasgan.images.save_grid(gan.generate(100, labels=labels, seed=0), os.path.join(out, "samples.png"), nrow=10,
                              scale=2)
    with open(os.path.join(out, "recipe.json"), "w") as handle:
        json.dump(recipe, handle, indent=1)
    command = f"python scripts/build_zoo_entry.py {args.name}  # recipe.json: {json.dumps(recipe)}"
    card = {
        "name": args.name,
        "variant": recipe["variant"],
        "dataset": "mnist",
        "split": "MNIST test split, all 10,000 digits (t10k-images-idx3-ubyte.gz; the training split is not "
                 "available on our machines)",
        "image_shape": list(gan.image_shape),
        "latent_dim": gan.latent_dim,
        "num_classes": gan.num_classes,
        "steps": int(gan.g_optimizer.iterations.numpy()),
        "best_epoch": callback.best_epoch,
        "best_weights": callback.best_source,
        "ema_decay": args.ema_decay,
        "epochs": recipe["epochs"],
        "batch": recipe["batch_size"],
        "seed": recipe["seed"],
        "precision": "float32",
        "training_seconds": round(result["seconds"], 1),
        "machine": f"{platform.machine()} CPU, {os.cpu_count()} cores",
        "command": command,
        "metrics": {**final, "evaluated_with": "kerasgan eval: 10,000 samples, seed 0, MNIST classifier in "
                                                "kerasgan/assets"},
        "quality_bar": quality_bar(recipe["variant"], final),
        "eval_history": callback.history,
        "versions": {"kerasgan": kerasgan.__version__, "keras": keras.__version__, "tensorflow": tf.__version__},
        "files": {f: sha256(os.path.join(out, f)) for f in ("generator.keras", "samples.png", "recipe.json")},
    }
    with open(os.path.join(out, "card.json"), "w") as handle:
        json.dump(card, handle, indent=1)
    shutil.rmtree(workdir, ignore_errors=True)
    print(json.dumps({k: card[k] for k in ("name", "steps", "best_epoch", "training_seconds", "metrics")}, indent=1))


if __name__ == "__main__":
    main()
