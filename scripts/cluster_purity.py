"""How well ``clusters=K`` separates a dataset's classes: the purity of its k-means clusters in the class labels.

The clusters are those ``kerasgan train --clusters=K`` fits (``kerasgan.clustering.fit``: the images at half
resolution, k-means++ and Lloyd on a uniform sample of 20,000, seed 0); every image of the split is then assigned
to its nearest center, and the purity is the share of images whose cluster's most common label is their own.
Training never reads the labels; this script reads them only to measure.

    python scripts/cluster_purity.py idx:../shared/data/mnist_full --split=train[:55000] --k=20,50,100
    python scripts/cluster_purity.py folder:../shared/data/cifar10 --split=train[:45000] --k=10,100

``--features=discriminator:ENTRY`` clusters in another space instead, for comparison: the last hidden layer of
zoo entry ENTRY's discriminator (flattened, each row scaled to unit length), e.g. a GAN's unsupervised features
(Liu et al. 2020 cluster a discriminator's features):

    python scripts/cluster_purity.py folder:../shared/data/cifar10 --split=train[:45000] --k=10,100 \
        --features=discriminator:dcgan_cifar10
"""

from __future__ import annotations

import argparse
import time

import numpy as np

import kerasgan
from kerasgan import clustering


def discriminator_features(entry: str):
    """φ(x) = the last hidden layer of ``entry``'s discriminator, flattened and scaled to unit length."""
    import keras

    _, discriminator = kerasgan.zoo.load_networks(entry)
    if len(discriminator.inputs) > 1:
        raise SystemExit(f"--features=discriminator:{entry}: its discriminator also takes labels; name an "
                         "unconditional entry (dcgan_cifar10, sngan_cifar10, ...)")
    hidden = keras.Model(discriminator.input, discriminator.get_layer("flatten").input)  # what the logit reads

    def featurize(images: np.ndarray) -> np.ndarray:
        rows = np.asarray(hidden(images, training=False), "float32").reshape(len(images), -1)
        return rows / (np.linalg.norm(rows, axis=1, keepdims=True) + 1e-8)

    return featurize


def purity(labels: np.ndarray, clusters: np.ndarray) -> float:
    """The share of examples whose cluster's majority label is their own.

    Example:

    >>> purity(np.array([0, 0, 1, 1]), np.array([0, 0, 0, 1]))
    0.75
    """
    return float(sum(np.bincount(labels[clusters == c]).max() for c in np.unique(clusters)) / len(labels))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dataset")
    parser.add_argument("--split", default="train")
    parser.add_argument("--k", default="10,100", help="comma-separated numbers of clusters")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--features", default="pixels",
                        help="pixels (what clusters=K trains with) or discriminator:ENTRY (a zoo entry's D)")
    args = parser.parse_args()
    data = kerasgan.data.load(args.dataset, split=args.split, batch_size=5000, shuffle=False, drop_remainder=False,
                              with_labels=True)
    images, labels = (np.concatenate(parts) for parts in zip(*[(x.numpy(), y.numpy()) for x, y in data]))
    print(f"{args.dataset} {args.split}: {len(images):,} images, features {args.features}, "
          f"{kerasgan.distribute.cpu_description()}")
    kind, _, entry = args.features.partition(":")
    if kind not in ("pixels", "discriminator") or (kind == "discriminator") != bool(entry):
        raise SystemExit(f"--features: pixels or discriminator:ENTRY, got {args.features!r}")
    featurize = discriminator_features(entry) if entry else clustering.features
    rows = np.concatenate([np.asarray(featurize(images[i:i + 2000])) for i in range(0, len(images), 2000)])
    for k in (int(value) for value in args.k.split(",")):
        start = time.time()
        centers, prior = clustering.fit(rows, k, seed=args.seed, featurize=np.asarray)  # rows are φ already
        assigned = np.concatenate([clustering.assign(rows[i:i + 5000], centers).numpy()
                                   for i in range(0, len(rows), 5000)])
        print(f"K={k}: purity {purity(labels, assigned):.3f}, smallest cluster {prior.min():.2%} of the sample, "
              f"{time.time() - start:.0f} s")


if __name__ == "__main__":
    main()
