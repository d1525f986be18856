"""Re-measure the cards of pretrained zoo entries with the evaluator shipped now (after it changes).

    python scripts/remeasure_zoo.py [NAME ...]

For each entry (default: every pretrained one) the card's ``metrics`` become
``kerasgan.zoo.evaluate(NAME)`` (what ``kerasgan eval NAME`` prints: 10,000
samples, seed 0, against the dataset's test split, and the copy rate against
the images the recipe trained on), and its ``quality_bar`` is recomputed with
the zoo's bars (``kerasgan.zoo.bars``). The weights are not touched, so the
files' sha256 stay as they are.
"""

import argparse
import os

from kerasgan import zoo
from kerasgan.zoo.report import remeasure

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*")
    args = parser.parse_args()
    os.chdir(ROOT)  # recipes name their data relative to the repository
    for name in args.names or zoo.names():
        card = remeasure(name)
        print(name, {k: round(v, 4) for k, v in card["metrics"].items() if isinstance(v, float)},
              card["quality_bar"]["met"])


if __name__ == "__main__":
    main()
