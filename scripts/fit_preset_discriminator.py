"""Fit a discriminator to a zoo entry's shipped generator, for its preset (run by hand; about a minute each).

    python scripts/fit_preset_discriminator.py dcgan_mnist [--epochs=5] [--out=DIR]

The MNIST entries built before presets existed kept only their generator. A
preset (``kerasgan.GAN.from_preset``) needs a discriminator to fine-tune
against; this script trains the entry's variant discriminator, with the
entry's recipe (networks, optimizers, batch size, data), against the shipped
generator held frozen (in inference mode, exactly the generator users load),
for ``--epochs`` passes over the entry's training data, and writes
``discriminator.keras``. Entries trained from now on keep their training run's
discriminator instead, and their cards say which kind they ship.
"""

from __future__ import annotations

import argparse
import inspect
import json
import os
import time

import kerasgan
from kerasgan import training, zoo

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("name")
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--out", default=None, help="folder to write (default zoo/NAME)")
    args = parser.parse_args()
    os.chdir(ROOT)  # recipes name their data relative to the repository
    card = zoo.card(args.name)
    recipe = dict(card["recipe"])
    gan_settings, network_options, optimizer_flags = kerasgan.options.split_options(
        {k: v for k, v in recipe.items() if k not in inspect.signature(training.train).parameters})
    gan = kerasgan.build(card["variant"], tuple(card["image_shape"]), num_classes=card["num_classes"],
                         latent_dim=card["latent_dim"], seed=recipe["seed"], **gan_settings, **network_options)
    gan.generator.set_weights(zoo.load(args.name).model.get_weights())
    gan.generator.trainable = False
    gan.compile(**kerasgan.optimizers.recipe_optimizers(card["variant"], d_steps=gan.d_steps, **optimizer_flags))
    ds = kerasgan.data.load(recipe["dataset"], split=recipe.get("split"), batch_size=recipe["batch_size"],
                            with_labels=bool(card["num_classes"]), seed=recipe["seed"])
    start = time.time()
    history = gan.fit(ds, epochs=args.epochs, verbose=2)
    seconds = time.time() - start
    out = args.out or os.path.join(zoo.root(), args.name)
    os.makedirs(out, exist_ok=True)
    kerasgan.save_atomic(gan.discriminator, os.path.join(out, "discriminator.keras"))
    report = {"discriminator_source": "fitted to the frozen shipped generator",
              "discriminator_epochs": args.epochs,
              "discriminator_steps": int(gan.d_optimizer.iterations.numpy()),
              "discriminator_seconds": round(seconds, 1),
              "last_epoch": {k: round(float(v[-1]), 4) for k, v in history.history.items()}}
    if out == os.path.join(zoo.root(), args.name):  # record it in the entry's card
        path = os.path.join(out, zoo.CARD)
        with open(path) as handle:
            entry = json.load(handle)
        entry["discriminator"] = (
            f"fitted to the frozen shipped generator by scripts/fit_preset_discriminator.py: {args.epochs} epochs "
            f"of the recipe's data, {report['discriminator_steps']} updates, {report['discriminator_seconds']} s "
            f"(last epoch d_loss {report['last_epoch']['d_loss']}); the training run's discriminator was not kept")
        entry["files"]["discriminator.keras"] = zoo.sha256(os.path.join(out, "discriminator.keras"))
        with open(path, "w") as handle:
            json.dump(entry, handle, indent=1)
    print(json.dumps(report))


if __name__ == "__main__":
    main()
