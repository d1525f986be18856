"""How confidently the project's MNIST classifier reads real digits and each zoo entry's samples.

    python scripts/sample_confidence.py [--num=1000]

Prints, for real digits (seen by the classifier: test[:N]; held out: test[9000:])
and for N samples of each pretrained unconditional entry: the classifier score,
the share of images classified with p > 0.9, and the class counts. A low score
with balanced classes means ambiguous samples rather than missing modes.
"""

import argparse
import os

import numpy as np

import kerasgan
from kerasgan import metrics

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def report(name, evaluator, images):
    probs, _ = evaluator.predict(images)
    counts = np.bincount(probs.argmax(1), minlength=10).tolist()
    print(f"{name:24s} score {metrics.classifier_score(probs):.3f}  p>0.9: {np.mean(probs.max(1) > 0.9):.3f}  "
          f"classes {counts}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--num", type=int, default=1000)
    parser.add_argument("--data", default=os.path.join(os.environ.get("KERASGAN_DATA", os.path.join(ROOT, "..", "shared",
                                                                                                    "data")), "mnist"))
    args = parser.parse_args()
    evaluator = metrics.MnistEvaluator()
    ds = kerasgan.data.load(f"idx:{args.data}", split="test", batch_size=10_000, shuffle=False, with_labels=False)
    real = next(iter(ds)).numpy()
    report("real, seen test[:N]", evaluator, real[: args.num])
    report("real, held-out test[9000:]", evaluator, real[9000:])
    for name in kerasgan.zoo.names(pretrained_only=True):
        generator = kerasgan.zoo.load(name)
        if not generator.num_classes:
            report(name, evaluator, generator.generate(args.num, seed=0))


if __name__ == "__main__":
    main()
