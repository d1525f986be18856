"""Train the MNIST classifier behind kerasgan.metrics and write its reference statistics.

    python scripts/train_mnist_classifier.py [--data=../shared/data/mnist]

Only the MNIST test split (10,000 digits) is available here: the classifier
trains on test[:9000] and is checked on test[9000:]. The reference statistics
are computed on all 10,000 real digits: the classifier score of real data, the
mean and covariance of the 128-d penultimate features, the Fréchet distance
between the two disjoint halves test[:5000] and test[5000:] (the noise floor
of the metric at 5,000 vs 5,000 samples) and the KID between them; 2,000 real
feature vectors are kept for KID. Writes kerasgan/assets/mnist_classifier.keras,
mnist_reference.json and mnist_reference_features.npy.
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



def main():
    default = os.path.join(os.environ.get("KERASGAN_DATA", os.path.join(ROOT, "..", "shared", "data")), "mnist")
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=default)
    parser.add_argument("--epochs", type=int, default=15)
    parser.add_argument("--out", default=os.path.join(ROOT, "kerasgan", "assets"))
    args = parser.parse_args()
    keras.utils.set_random_seed(0)
    batches = kerasgan.data.load(f"idx:{args.data}", batch_size=10_000, shuffle=False)
    images, labels = (t.numpy() for t in next(iter(batches)))
    model = classifier()
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    augment = keras.Sequential([keras.layers.RandomTranslation(0.08, 0.08, fill_value=-1.0, seed=0),
                                keras.layers.RandomRotation(0.04, fill_value=-1.0, seed=0)])
    train = (kerasgan.data.tf.data.Dataset.from_tensor_slices((images[:9000], labels[:9000]))
             .shuffle(9000, seed=0).batch(128).map(lambda x, y: (augment(x, training=True), y)))
    start = time.time()
    model.fit(train, epochs=args.epochs, validation_data=(images[9000:], labels[9000:]), verbose=2)
    _, accuracy = model.evaluate(images[9000:], labels[9000:], verbose=0)
    os.makedirs(args.out, exist_ok=True)
    path = os.path.join(args.out, metrics.CLASSIFIER_FILE)
    shipped = classifier()  # the same network, uncompiled: no optimizer state in the file
    shipped.set_weights(model.get_weights())
    shipped.save(path)

    evaluator_model = keras.Model(model.input, model.get_layer("features").output)
    probs = model.predict(images, verbose=0, batch_size=500)
    feats = evaluator_model.predict(images, verbose=0, batch_size=500).astype("float64")
    mu, sigma = metrics.feature_statistics(feats)
    floor = metrics.frechet_distance(*metrics.feature_statistics(feats[:5000]), *metrics.feature_statistics(feats[5000:]))
    rng = np.random.default_rng(0)
    keep = rng.choice(10_000, 2000, replace=False)
    np.save(os.path.join(args.out, metrics.REFERENCE_FEATURES_FILE), feats[keep].astype("float16"))
    reference = {
        "data": "MNIST test split (t10k-images-idx3-ubyte.gz, 10,000 digits) from ../shared/data/mnist",
        "data_sha256": sha256(os.path.join(args.data, "t10k-images-idx3-ubyte.gz")),
        "classifier_train": "test[:9000] with random translation and rotation",
        "classifier_accuracy_test_9000_10000": float(accuracy),
        "training_seconds": round(time.time() - start, 1),
        "num_classes": 10,
        "real_score": metrics.classifier_score(probs),
        "real_label_accuracy": metrics.label_accuracy(probs, labels),
        "fid_floor": floor,
        "fid_floor_definition": "Frechet distance between the features of test[:5000] and test[5000:]",
        "kid_floor": metrics.kernel_distance(feats[:5000], feats[5000:]),
        "mu": mu.tolist(),
        "sigma": sigma.tolist(),
    }
    with open(os.path.join(args.out, metrics.REFERENCE_FILE), "w") as handle:
        json.dump(reference, handle)
    summary = {k: v for k, v in reference.items() if k not in ("mu", "sigma")}
    print(json.dumps(summary, indent=1))


if __name__ == "__main__":
    main()
