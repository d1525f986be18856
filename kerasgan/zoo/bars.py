"""The zoo's quality bars: what an entry must reach on the test split, by dataset and variant, and whether a card's
numbers meet it (``scripts/build_zoo_entry.py`` writes them into the cards; ``tests/test_zoo.py`` checks every card
against them).

Example:

>>> from kerasgan.zoo import bars
>>> reference = {"fid_references": {"real_20x20": 50.0}}
>>> bar = bars.quality_bar("dcgan", {"score_ratio": 0.97, "fid": 20.0, "copy_rate": 0.0}, reference)
>>> bar["met"], bar["score_ratio_min"], bar["fid_max"]
(True, 0.96, 50.0)
"""

from __future__ import annotations

from kerasgan import variants

__all__ = ["QUALITY_BARS", "COPY_RATE_MAX", "HEADLINE_METRICS", "EVAL_SAMPLES", "bar_numbers", "bar_minima",
           "quality_bar", "first_met"]

#: Samples of an in-training evaluation (selection, and the test-split estimate behind a card's ``bar_first_met``).
EVAL_SAMPLES = 2000
#: The project's quality bars, against the test split on the shipped evaluator: dataset -> variants -> (min score
#: ratio, min label accuracy (absolute, or as a ratio of the evaluator's accuracy on real test images), max FID as
#: (reference name, factor)); and the copy-rate cap. MNIST: issue 13; CIFAR-10: issue 15.
#: Variant groups come from the registry, the one list of variants.
CONDITIONAL = tuple(v for v in variants.VARIANTS if variants.get_variant(v).conditioning)
UNCONDITIONAL = tuple(v for v in variants.VARIANTS if v not in CONDITIONAL)
QUALITY_BARS = {
    "mnist": {
        ("dcgan", "lsgan", "wgan_gp", "sngan", "mrgan", "mdgan"): {"score_ratio_min": 0.96,
                                                                   "fid_max": ("real_20x20", 1.0)},
        ("vanilla", "wgan"): {"score_ratio_min": 0.90, "fid_max": ("real_14x14", 1.0)},
        ("cgan", "acgan"): {"label_accuracy_min": 0.98, "fid_max": ("real_20x20", 0.5)},
    },
    "cifar10": {
        CONDITIONAL: {"score_ratio_min": 0.70, "label_accuracy_ratio_min": 0.75, "fid_max": ("real_16x16", 1.0)},
        UNCONDITIONAL: {"score_ratio_min": 0.70, "fid_max": ("real_16x16", 1.0)},
    },
}
COPY_RATE_MAX = 0.02
#: The metrics a card keeps of an earlier version of itself (an attempt, or its float32 numbers before float16).
HEADLINE_METRICS = ("score_ratio", "fid", "label_accuracy", "copy_rate")


def bar_numbers(variant: str, reference: dict, dataset: str = "mnist") -> dict:
    """The bar of ``variant`` on ``dataset`` with its numbers filled in from the evaluator's ``reference``."""
    bar = next(dict(b) for names, b in QUALITY_BARS[dataset].items() if variant in names)
    name, factor = bar.pop("fid_max")
    bar["fid_max"] = factor * reference["fid_references"][name]
    what = "digits" if dataset == "mnist" else "images"
    bar["fid_max_definition"] = f"{factor} x the FID of real test {what} at {name.removeprefix('real_')}"
    bar["copy_rate_max"] = COPY_RATE_MAX
    if "label_accuracy_ratio_min" in bar:
        bar["label_accuracy_min"] = bar["label_accuracy_ratio_min"] * reference["real_label_accuracy"]
    return bar


def bar_minima(bar: dict) -> dict:
    """A bar's (:func:`bar_numbers`) minima that a held-out slice of train can also measure (score ratio, label
    accuracy), as ``EvaluateCallback(require=...)`` takes them: selection prefers the checkpoints that reach them."""
    return {metric: bar[f"{metric}_min"] for metric in ("score_ratio", "label_accuracy") if f"{metric}_min" in bar}


def quality_bar(variant: str, metrics: dict, reference: dict, held_out: bool = True, dataset: str = "mnist") -> dict:
    """The bar of ``variant`` on ``dataset`` (:func:`bar_numbers`) and whether ``metrics`` meet it: never when
    the entry trained on the test split it is judged on (``held_out=False``)."""
    bar = bar_numbers(variant, reference, dataset)
    checks = [metrics["fid"] <= bar["fid_max"], metrics.get("copy_rate", 1.0) <= COPY_RATE_MAX]
    checks += [metrics[metric] >= minimum for metric, minimum in bar_minima(bar).items()]
    if not held_out:
        bar["not_held_out"] = "trained on the test split it is judged on: the numbers cannot meet a held-out bar"
    return {**bar, "met": bool(all(checks) and held_out)}


def first_met(history: list, variant: str, reference: dict, dataset: str = "mnist",
              num_samples: int = EVAL_SAMPLES) -> dict | None:
    """The first in-training evaluation whose test-split numbers (``num_samples`` samples, no copy check) met
    the bar: an estimate on fewer samples than the card's figures, so the card's own ``met`` can still differ."""
    for entry in history:
        report = entry.get("report")
        if report and quality_bar(variant, {**report, "copy_rate": 0.0}, reference, dataset=dataset)["met"]:
            return {"epoch": entry["epoch"], "source": entry["source"], "train_seconds": entry["train_seconds"],
                    "num_samples": num_samples, "copy_rate": "not checked during training"}
    return None
