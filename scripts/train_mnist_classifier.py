"""Train the MNIST classifier behind kerasgan.metrics and write its reference statistics.

    python scripts/train_mnist_classifier.py [--data=../shared/data/mnist_full]

The classifier trains on the 60,000 training digits (with small random
translations and rotations) and is scored on the 10,000 test digits. The
reference statistics, what every zoo card is judged against, are of the test
split, held out from the classifier and from every zoo training: the
classifier score and label accuracy of the real test digits, the mean and
covariance of their 128-d penultimate features (FID), 2,000 of their feature
vectors (KID); the noise floor FID(10,000 random training digits vs the test
digits); two interpretable references, the FID of the test digits downsampled
to 20x20 and to 14x14 (area) and resized back to 28x28 (bilinear), "real
digits at lower resolution"; and the memorisation threshold, the 1st
percentile of the test digits' pixel distances to their nearest training
digit. Writes kerasgan/assets/mnist_classifier.keras, mnist_reference.json and
mnist_reference_features.npy.
"""

import argparse
import json
import os
import time

import keras
import numpy as np

import kerasgan
from kerasgan.zoo import sha256
from kerasgan import metrics

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def classifier():
    inputs = keras.Input((28, 28, 1), name="image")
    x = keras.layers.Conv2D(32, 3, activation="relu", padding="same")(inputs)
    x = keras.layers.MaxPooling2D()(x)
    x = keras.layers.Conv2D(64, 3, activation="relu", padding="same")(x)
    x = keras.layers.MaxPooling2D()(x)
    x = keras.layers.Flatten()(x)
    x = keras.layers.Dropout(0.3)(x)
    features = keras.layers.Dense(128, activation="relu", name="features")(x)
    x = keras.layers.Dropout(0.3)(features)
    outputs = keras.layers.Dense(10, activation="softmax", name="probabilities")(x)
    return keras.Model(inputs, outputs, name="mnist_classifier")



def lower_resolution(images: np.ndarray, side: int) -> np.ndarray:
    """Real images at lower resolution: area-downsampled to side x side, bilinear back up."""
    import tensorflow as tf

    small = tf.image.resize(images, (side, side), method="area")
    return tf.image.resize(small, images.shape[1:3], method="bilinear").numpy()


def main():
    default = os.path.join(os.environ.get("KERASGAN_DATA", os.path.join(ROOT, "..", "shared", "data")), "mnist_full")
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=default)
    parser.add_argument("--epochs", type=int, default=6)
    parser.add_argument("--out", default=os.path.join(ROOT, "kerasgan", "assets"))
    args = parser.parse_args()
    keras.utils.set_random_seed(0)

    def split(name):
        batch = next(iter(kerasgan.data.load(f"idx:{args.data}", split=name, batch_size=60_000 if name == "train"
                                             else 10_000, shuffle=False)))
        return batch[0].numpy(), batch[1].numpy()

    (train_images, train_labels), (test_images, test_labels) = split("train"), split("test")
    model = classifier()
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    augment = keras.Sequential([keras.layers.RandomTranslation(0.08, 0.08, fill_value=-1.0, seed=0),
                                keras.layers.RandomRotation(0.04, fill_value=-1.0, seed=0)])
    tf = kerasgan.data.pipeline.tf
    train = (tf.data.Dataset.from_tensor_slices((train_images, train_labels))
             .shuffle(60_000, seed=0).batch(128).map(lambda x, y: (augment(x, training=True), y)).prefetch(2))
    start = time.time()
    model.fit(train, epochs=args.epochs, verbose=2)
    seconds = time.time() - start
    _, accuracy = model.evaluate(test_images, test_labels, verbose=0)
    os.makedirs(args.out, exist_ok=True)
    shipped = classifier()  # the same network, uncompiled: no optimizer state in the file
    shipped.set_weights(model.get_weights())
    shipped.save(os.path.join(args.out, metrics.CLASSIFIER_FILE.format(dataset="mnist")))

    evaluator_model = keras.Model(model.input, model.get_layer("features").output)

    def features(images):
        return evaluator_model.predict(images, verbose=0, batch_size=500).astype("float64")

    probs = model.predict(test_images, verbose=0, batch_size=500)
    test_features = features(test_images)
    mu, sigma = metrics.feature_statistics(test_features)
    rng = np.random.default_rng(0)
    train_sample = train_images[rng.choice(60_000, 10_000, replace=False)]
    train_features = features(train_sample)
    floor = metrics.frechet_distance(*metrics.feature_statistics(train_features), mu, sigma)
    references = {f"real_{side}x{side}": metrics.frechet_distance(
        *metrics.feature_statistics(features(lower_resolution(test_images, side))), mu, sigma) for side in (20, 14)}
    nearest = metrics.nearest_distances(test_images, train_images)
    keep = rng.choice(10_000, 2000, replace=False)
    np.save(os.path.join(args.out, metrics.REFERENCE_FEATURES_FILE.format(dataset="mnist")),
            test_features[keep].astype("float16"))
    reference = {
        "data": "MNIST test split (t10k-images-idx3-ubyte.gz, 10,000 digits) from ../shared/data/mnist_full",
        "data_sha256": sha256(os.path.join(args.data, "t10k-images-idx3-ubyte.gz")),
        "train_data_sha256": sha256(os.path.join(args.data, "train-images-idx3-ubyte.gz")),
        "classifier_train": f"the 60,000 training digits, {args.epochs} epochs, random translation and rotation",
        "classifier_test_accuracy": float(accuracy),
        "training_seconds": round(seconds, 1),
        "num_classes": 10,
        "real_score": metrics.classifier_score(probs),
        "real_label_accuracy": metrics.label_accuracy(probs, test_labels),
        "fid_floor": floor,
        "fid_floor_definition": "Frechet distance between 10,000 random training digits and the 10,000 test digits",
        "kid_floor": metrics.kernel_distance(train_features, test_features[keep]),
        "fid_references": references,
        "fid_references_definition": "FID of the test digits area-downsampled to NxN and resized back to 28x28 "
                                     "(bilinear), against the test digits",
        "copy_threshold": float(np.percentile(nearest, 1)),
        "copy_threshold_definition": "1st percentile of the test digits' pixel (L2, [-1, 1] scale) distances to "
                                     "their nearest training digit",
        "test_nearest_train_distance_median": float(np.median(nearest)),
        "mu": mu.tolist(),
        "sigma": sigma.tolist(),
    }
    with open(os.path.join(args.out, metrics.REFERENCE_FILE.format(dataset="mnist")), "w") as handle:
        json.dump(reference, handle)
    summary = {k: v for k, v in reference.items() if k not in ("mu", "sigma")}
    print(json.dumps(summary, indent=1))


if __name__ == "__main__":
    main()
