"""The field's yardstick for the zoo (issue 37): FID, KID and precision/recall on the FID Inception's features.

    python scripts/inception_zoo.py floors [DATASET ...] [--num=10000] [--whole_train]  # real data vs the test split
    python scripts/inception_zoo.py cards [NAME ...] [--redo]     # each entry's metrics.inception, written in its card

Run from the repository (the recipes name their data relative to it), in the background like a training: the FID
Inception takes ~0.12 s an image on a 2-core CPU, so a dataset's test-split reference costs ~20 CPU-minutes once
(cached by ``kerasgan.inception``) and each card ~20 more. ``floors`` writes ``benchmarks/results/inception_floors.json``
(per dataset: the metrics of ``--num`` random training images against the test split, the noise floor of each
metric, and what they cost; with ``--whole_train`` also every training image against the test split, the setting of
the published floors); ``cards`` writes ``metrics.inception`` into each card (what ``kerasgan eval NAME
--features=inception`` prints: 10,000 samples, seed 0), skipping cards that have it unless ``--redo``. Each result
is written as it lands, so an interrupted run goes on where it stopped.
"""

import argparse
import json
import os
import time

import numpy as np

from kerasgan import data, inception, zoo
from kerasgan.distribute import cpu_description
from kerasgan.zoo import report

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FLOORS = os.path.join(ROOT, "benchmarks", "results", "inception_floors.json")
#: dataset -> the local copy the zoo's recipes read (train and test splits)
SOURCES = {"mnist": "idx:../shared/data/mnist_full", "cifar10": "folder:../shared/data/cifar10"}


def _split(source: str, split: str) -> np.ndarray:
    ds = data.load(source, split=split, batch_size=100_000, shuffle=False, drop_remainder=False, with_labels=False)
    return np.concatenate([batch.numpy() for batch in ds])


def floors(num: int, datasets: list[str], whole_train: bool) -> None:
    """Per dataset: ``num`` random training images (seed 0) against the test split, the floor a 10,000-sample
    card is read against; with ``whole_train`` also every training image against the test split, the floor the
    field publishes (e.g. 50,000 CIFAR-10 training images vs its 10,000 test images), from the same cached
    features (the random ``num`` are rows of them)."""
    results = {}
    if os.path.isfile(FLOORS):
        with open(FLOORS) as handle:
            results = json.load(handle)
    for dataset in datasets:
        source = SOURCES[dataset]
        done = results.get(dataset, {})
        if done.get("num_train") == num and (not whole_train or "whole_train" in done):
            continue
        start = time.time()
        test = _split(source, "test")
        evaluator = inception.InceptionEvaluator.for_images(test, f"{len(test):,} test images of {source}")
        train = _split(source, "train")
        rows = np.random.default_rng(0).choice(len(train), num, replace=False)
        if whole_train:  # every training image's features once (cached); the random rows are a subset of them
            features = np.concatenate([  # in slices of 10,000, each cached as it lands: an interruption loses one
                inception.reference_features(train[i:i + 10_000], f"train images {i:,}-{min(i + 10_000, len(train)):,} "
                                             f"of {source}", features=evaluator.features)
                for i in range(0, len(train), 10_000)])
            sample = evaluator.evaluate_features(features[rows])
            whole = {**evaluator.evaluate_features(features), "num_train": int(len(train)),
                     "what": f"all {len(train):,} training images against the test split (the published floors' "
                             "setting)"}
        else:
            sample, whole = evaluator.evaluate(train[rows]), done.get("whole_train")
        results[dataset] = {**sample, "num_train": num, "num_test": int(len(test)),
                            "source": source, "seconds": round(time.time() - start, 1), "machine": cpu_description(),
                            "what": f"{num:,} random training images (seed 0) against the test split: the floor",
                            **({"whole_train": whole} if whole else {})}
        os.makedirs(os.path.dirname(FLOORS), exist_ok=True)
        with open(FLOORS, "w") as handle:
            json.dump(results, handle, indent=1)
        print(dataset, json.dumps(results[dataset]), flush=True)


def cards(names: list[str], redo: bool, num: int, reference_num: int | None) -> None:
    for name in names or zoo.names():
        path = os.path.join(zoo.root(), name, "card.json")
        with open(path) as handle:
            stored = json.load(handle)
        if stored.get("metrics", {}).get("inception") and not redo:
            continue
        start = time.time()
        result = report.evaluate_inception(name, n=num, seed=0, reference_num=reference_num)
        flags = f" --num={num}" + (f" --reference_num={reference_num}" if reference_num else "")
        result.update(seconds=round(time.time() - start, 1), machine=cpu_description(),
                      evaluated_with=f"kerasgan eval {name} --features=inception{flags}")
        stored.setdefault("metrics", {})["inception"] = result
        with open(path, "w") as handle:
            json.dump(stored, handle, indent=1)
            handle.write("\n")
        print(name, json.dumps(result), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("what", choices=["floors", "cards"])
    parser.add_argument("names", nargs="*", help="cards: the entries (default: all that load); floors: the datasets "
                                                 f"(default: {', '.join(SOURCES)})")
    parser.add_argument("--whole_train", action="store_true",
                        help="floors: also every training image against the test split (the published floors' "
                             "setting; CIFAR-10's 50,000 cost ~100 CPU-minutes once)")
    parser.add_argument("--num", type=int, default=10_000)
    parser.add_argument("--reference_num", type=int, default=None, help="cards: the first N test images (a smoke run)")
    parser.add_argument("--redo", action="store_true", help="cards: measure cards that have metrics.inception too")
    args = parser.parse_args()
    os.chdir(ROOT)
    if args.what == "floors":
        unknown = sorted(set(args.names) - set(SOURCES))
        if unknown:
            parser.error(f"floors: no dataset {unknown}; the datasets are {sorted(SOURCES)}")
        floors(args.num, args.names or list(SOURCES), args.whole_train)
    else:
        cards(args.names, args.redo, args.num, args.reference_num)


if __name__ == "__main__":
    main()
