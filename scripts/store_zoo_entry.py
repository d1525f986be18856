"""Store a shipped zoo entry's networks in float16 and re-measure its card (minutes on a CPU).

    python scripts/store_zoo_entry.py dcgan_mnist --stored_dtype=float16

For the zoo's size budget: rewrites zoo/NAME/generator.keras and
discriminator.keras with float16 weights (half the bytes; ``kerasgan.zoo``
loads them back as float32), records in the card how far the stored
generator's samples are from the float32 one's (``stored_dtype_check``, the
same check ``scripts/build_zoo_entry.py --stored_dtype`` writes, plus the
card's float32 numbers for comparison), and re-measures the card's numbers
from the stored files as ``scripts/remeasure_zoo.py`` does (``kerasgan eval
NAME``: 10,000 samples against the test split, and the copy rate). The training, its
selection and ``samples.png`` (drawn by the float32 weights) stay as they were.
"""

import argparse
import json
import os

import kerasgan
from kerasgan import zoo

from kerasgan.saving import stored_difference
from kerasgan.zoo.bars import HEADLINE_METRICS
from kerasgan.zoo.report import remeasure

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def store(name: str, dtype: str = "float16", n: int = 10_000) -> dict:
    """Rewrite entry ``name``'s networks with ``dtype`` weights and its card with the stored-dtype check and the
    numbers re-measured on ``n`` samples (the card's are 10,000; ``remeasure_zoo.remeasure``); returns the new card.
    Data paths in the recipe are read relative to the current folder."""
    card = zoo.card(name)
    card.pop("variant")  # derived by zoo.card, not stored
    if card.get("stored_dtype") == dtype:
        raise SystemExit(f"{name} is already stored in {dtype}; nothing to do.")
    folder = os.path.join(zoo.root(), name)
    generator, discriminator = zoo.load_networks(name)  # checked against the card's sha256
    for model, filename in ((generator, "generator.keras"), (discriminator, "discriminator.keras")):
        kerasgan.save_atomic(model, os.path.join(folder, filename), dtype=dtype)
    check = stored_difference(generator, os.path.join(folder, "generator.keras"), card["latent_dim"],
                              zoo.ZooGenerator(name, generator, card).label_values)
    check["float32_metrics"] = {k: card["metrics"][k] for k in HEADLINE_METRICS if k in card["metrics"]}
    card["files"] = {f: zoo.sha256(os.path.join(folder, f)) for f in card["files"]}
    card["stored_dtype"] = dtype
    card["stored_dtype_check"] = check
    with open(os.path.join(folder, zoo.CARD), "w") as handle:  # the new files' digests, before evaluate() checks them
        json.dump(card, handle, indent=1)
        handle.write("\n")
    return remeasure(name, n=n)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("name", choices=zoo.names())
    parser.add_argument("--stored_dtype", default="float16", choices=["float16"])
    args = parser.parse_args()
    os.chdir(ROOT)  # recipes name their data relative to the repository
    card = store(args.name, args.stored_dtype)
    print(json.dumps({k: card[k] for k in ("name", "stored_dtype_check", "metrics", "quality_bar")}, indent=1))


if __name__ == "__main__":
    main()
