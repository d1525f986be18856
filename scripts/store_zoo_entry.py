"""Store a shipped zoo entry's networks in float16 and re-measure its card (minutes on a CPU).

    python scripts/store_zoo_entry.py dcgan_mnist --stored_dtype=float16

For the zoo's size budget: rewrites zoo/NAME/generator.keras and
discriminator.keras with float16 weights (half the bytes; ``kerasgan.zoo``
loads them back as float32), records in the card how far the stored
generator's samples are from the float32 one's (``stored_dtype_check``, the
same check ``scripts/build_zoo_entry.py --stored_dtype`` writes, plus the
card's float32 numbers for comparison), and re-measures the card's numbers
from the stored files with ``kerasgan.zoo.evaluate`` (``kerasgan eval NAME``:
10,000 samples against the test split, and the copy rate). The training, its
selection and ``samples.png`` (drawn by the float32 weights) stay as they were.
"""

import argparse
import importlib.util
import json
import os

import kerasgan
from kerasgan import zoo

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _build_script():
    """scripts/build_zoo_entry.py as a module: the one home of the stored-dtype check and the quality bars."""
    spec = importlib.util.spec_from_file_location("build_zoo_entry", os.path.join(ROOT, "scripts",
                                                                                 "build_zoo_entry.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def store(name: str, dtype: str = "float16", n: int = 10_000) -> dict:
    """Rewrite entry ``name``'s networks with ``dtype`` weights and its card with the stored-dtype check and the
    numbers re-measured on ``n`` samples (the card's are 10,000); returns the new card. Data paths in the recipe are
    read relative to the current folder."""
    build = _build_script()
    card = zoo.card(name)
    card.pop("variant")  # derived by zoo.card, not stored
    if card.get("stored_dtype") == dtype:
        raise SystemExit(f"{name} is already stored in {dtype}; nothing to do.")
    folder = os.path.join(zoo.root(), name)
    generator, discriminator = zoo.load_networks(name)  # checked against the card's sha256
    for model, filename in ((generator, "generator.keras"), (discriminator, "discriminator.keras")):
        kerasgan.save_atomic(model, os.path.join(folder, filename), dtype=dtype)
    label_values = card.get("num_classes") or card["recipe"].get("latent_code")
    check = build.stored_difference(generator, os.path.join(folder, "generator.keras"), card["latent_dim"],
                                    label_values)
    keep = ("score_ratio", "fid", "label_accuracy", "copy_rate")
    check["float32_metrics"] = {k: card["metrics"][k] for k in keep if k in card["metrics"]}
    card["files"] = {f: zoo.sha256(os.path.join(folder, f)) for f in card["files"]}
    card["stored_dtype"] = dtype
    card["stored_dtype_check"] = check
    path = os.path.join(folder, "card.json")
    with open(path, "w") as handle:  # the new files' digests first: evaluate() checks them
        json.dump(card, handle, indent=1)
        handle.write("\n")
    final = zoo.evaluate(name, n=n, seed=0)
    card["metrics"] = {**final, "evaluated_with": card["metrics"]["evaluated_with"]}
    reference = kerasgan.metrics.Evaluator(card["dataset"]).reference
    card["quality_bar"] = build.quality_bar(card["recipe"]["variant"], final, reference, dataset=card["dataset"])
    with open(path, "w") as handle:
        json.dump(card, handle, indent=1)
        handle.write("\n")
    return card


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("name", choices=zoo.names(pretrained_only=True))
    parser.add_argument("--stored_dtype", default="float16", choices=["float16"])
    args = parser.parse_args()
    os.chdir(ROOT)  # recipes name their data relative to the repository
    card = store(args.name, args.stored_dtype)
    print(json.dumps({k: card[k] for k in ("name", "stored_dtype_check", "metrics", "quality_bar")}, indent=1))


if __name__ == "__main__":
    main()
