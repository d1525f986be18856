"""How confidently the project's MNIST classifier reads real digits and each zoo entry's samples.

    python scripts/sample_confidence.py [--num=1000] [--truncation=1.5,0.75]

Prints, for N real test digits (held out from the classifier, which trained on
the training split) and for N samples of each pretrained unconditional MNIST
entry: the classifier score, the share of images classified with p > 0.9, the
mean entropy of p(y|x) and the class counts. A low score with balanced classes
means ambiguous samples ("in-between" digits) rather than missing modes.
``--truncation=T,...`` also scores each entry's samples from truncated latents
(every coordinate of z redrawn until |z_i| <= T: the truncation trick of Brock
et al. 2018, which trades diversity for fidelity).
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
    entropy = -np.sum(probs * np.log(np.clip(probs, 1e-12, 1.0)), axis=1).mean()
    print(f"{name:24s} score {metrics.classifier_score(probs):.3f}  p>0.9: {np.mean(probs.max(1) > 0.9):.3f}  "
          f"H(y|x) {entropy:.3f} nats  classes {counts}")


def truncated_latents(n: int, latent_dim: int, threshold: float, seed: int = 0) -> np.ndarray:
    """z ~ N(0, I) with every coordinate redrawn until |z_i| <= threshold."""
    rng = np.random.default_rng(seed)
    z = rng.standard_normal((n, latent_dim)).astype("float32")
    outside = np.abs(z) > threshold
    while outside.any():
        z[outside] = rng.standard_normal(int(outside.sum()))
        outside = np.abs(z) > threshold
    return z


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--num", type=int, default=1000)
    parser.add_argument("--truncation", default="", help="comma-separated thresholds T of truncated latents")
    parser.add_argument("--data", default=os.path.join(os.environ.get("KERASGAN_DATA", os.path.join(ROOT, "..", "shared",
                                                                                                    "data")), "mnist"))
    args = parser.parse_args()
    evaluator = metrics.MnistEvaluator()
    ds = kerasgan.data.load(f"idx:{args.data}", split="test", batch_size=10_000, shuffle=False, with_labels=False)
    real = next(iter(ds)).numpy()
    report("real test digits", evaluator, real[: args.num])
    for name in kerasgan.zoo.names():
        generator = kerasgan.zoo.load(name)
        if not generator.num_classes and generator.card["dataset"] == "mnist":
            report(name, evaluator, generator.generate(args.num, seed=0))
            for threshold in [float(t) for t in args.truncation.split(",") if t]:
                z = truncated_latents(args.num, generator.latent_dim, threshold)
                report(f"  |z_i| <= {threshold:g}", evaluator, generator.decode(z))


if __name__ == "__main__":
    main()
