"""Train a dataset's classifier behind kerasgan.metrics and write its reference statistics.

    python scripts/train_classifier.py mnist    [--data=../shared/data/mnist_full] [--epochs=6]
    python scripts/train_classifier.py cifar10  [--data=../shared/data/cifar10]    [--epochs=20]

The classifier trains on the training split (with small random translations,
and rotations for digits, horizontal flips for CIFAR-10's objects) and is
scored on the test split. The reference statistics, what every zoo card is
judged against, are of the test split, held out from the classifier and from
every zoo training: the classifier score and label accuracy of the real test
images, the mean and covariance of their penultimate features (FID), 2,000 of
their feature vectors (KID); the noise floor FID(10,000 random training
images vs the test images); interpretable references, the FID of the test
images downsampled to NxN (area) and resized back (bilinear), "real images at
lower resolution" (MNIST: 20x20 and 14x14; CIFAR-10: 16x16); and the
memorisation threshold, the 1st percentile of the test images' pixel
distances to their nearest training image. Writes
kerasgan/assets/DATASET_classifier.keras, DATASET_reference.json and
DATASET_reference_features.npy. One script for every dataset: DATASETS below
says what differs.
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


def mnist_classifier():
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


def cifar10_classifier():
    """A VGG-style net: three stages of two 3x3 conv + batch norm + ReLU, max pooling; 256-d features."""
    inputs = keras.Input((32, 32, 3), name="image")
    x = inputs
    for stage, filters in enumerate((32, 64, 128)):
        for i in range(2):
            x = keras.layers.Conv2D(filters, 3, padding="same", use_bias=False, name=f"conv_{stage}_{i}")(x)
            x = keras.layers.BatchNormalization(name=f"bn_{stage}_{i}")(x)
            x = keras.layers.ReLU()(x)
        x = keras.layers.MaxPooling2D()(x)
        x = keras.layers.Dropout(0.1 * (stage + 1))(x)
    x = keras.layers.Flatten()(x)
    features = keras.layers.Dense(256, activation="relu", name="features")(x)
    x = keras.layers.Dropout(0.4)(features)
    outputs = keras.layers.Dense(10, activation="softmax", name="probabilities")(x)
    return keras.Model(inputs, outputs, name="cifar10_classifier")


def mnist_augment():
    return keras.Sequential([keras.layers.RandomTranslation(0.08, 0.08, fill_value=-1.0, seed=0),
                             keras.layers.RandomRotation(0.04, fill_value=-1.0, seed=0)])


def cifar10_augment():
    return keras.Sequential([keras.layers.RandomFlip("horizontal", seed=0),
                             keras.layers.RandomTranslation(0.1, 0.1, fill_mode="reflect", seed=0)])


#: What differs between datasets: the source under the shared data folder, the classifier, its augmentation and
#: epochs, the lower resolutions of the references, the data description and the files whose sha256 identify it.
DATASETS = {
    "mnist": {
        "source": "idx:{data}", "folder": "mnist_full", "classifier": mnist_classifier, "augment": mnist_augment,
        "epochs": 6, "learning_rate": 1e-3, "cosine_decay": False, "sides": (20, 14), "what": "digits",
        "data": "MNIST test split (t10k-images-idx3-ubyte.gz, 10,000 digits) from ../shared/data/mnist_full",
        "test_file": "t10k-images-idx3-ubyte.gz", "train_file": "train-images-idx3-ubyte.gz",
    },
    "cifar10": {
        "source": "folder:{data}", "folder": "cifar10", "classifier": cifar10_classifier, "augment": cifar10_augment,
        "epochs": 20, "learning_rate": 1e-3, "cosine_decay": True, "sides": (16,), "what": "images",
        "data": "CIFAR-10 test split (10,000 images) of the JPEG copy in ../shared/data/cifar10 (quality 75, 4:2:0; "
                "not the original binary files)",
        "test_file": None, "train_file": None,
    },
}


def array_sha256(images: np.ndarray) -> str:
    """sha256 of images as uint8 bytes (a decoded split, for datasets stored as many files)."""
    import hashlib

    return hashlib.sha256(np.round((np.asarray(images) + 1) * 127.5).astype("uint8").tobytes()).hexdigest()


def lower_resolution(images: np.ndarray, side: int) -> np.ndarray:
    """Real images at lower resolution: area-downsampled to side x side, bilinear back up."""
    import tensorflow as tf

    small = tf.image.resize(images, (side, side), method="area")
    return tf.image.resize(small, images.shape[1:3], method="bilinear").numpy()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dataset", choices=sorted(DATASETS))
    parser.add_argument("--data", default=None, help="the dataset's folder (default: $KERASGAN_DATA/<its folder>)")
    parser.add_argument("--epochs", type=int, default=None)
    parser.add_argument("--out", default=os.path.join(ROOT, "kerasgan", "assets"))
    args = parser.parse_args()
    config = DATASETS[args.dataset]
    shared = os.environ.get("KERASGAN_DATA", os.path.join(ROOT, "..", "shared", "data"))
    args.data = args.data or os.path.join(shared, config["folder"])
    epochs = args.epochs or config["epochs"]
    keras.utils.set_random_seed(0)

    def split(name):
        dataset = kerasgan.data.load(config["source"].format(data=args.data), split=name, batch_size=100_000,
                                     shuffle=False, drop_remainder=False, with_labels=True)
        images, labels = next(iter(dataset))
        return images.numpy(), labels.numpy()

    (train_images, train_labels), (test_images, test_labels) = split("train"), split("test")
    model = config["classifier"]()
    batches = -(-len(train_images) // 128)
    rate = (keras.optimizers.schedules.CosineDecay(config["learning_rate"], decay_steps=epochs * batches)
            if config["cosine_decay"] else config["learning_rate"])
    model.compile(optimizer=keras.optimizers.Adam(rate), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    augment = config["augment"]()
    tf = kerasgan.data.pipeline.tf
    train = (tf.data.Dataset.from_tensor_slices((train_images, train_labels))
             .shuffle(len(train_images), seed=0).batch(128).map(lambda x, y: (augment(x, training=True), y))
             .prefetch(2))
    start = time.time()
    model.fit(train, epochs=epochs, verbose=2)
    seconds = time.time() - start
    _, accuracy = model.evaluate(test_images, test_labels, verbose=0)
    os.makedirs(args.out, exist_ok=True)
    shipped = config["classifier"]()  # the same network, uncompiled: no optimizer state in the file
    shipped.set_weights(model.get_weights())
    shipped.save(os.path.join(args.out, metrics.CLASSIFIER_FILE.format(dataset=args.dataset)))

    evaluator_model = keras.Model(model.input, model.get_layer("features").output)

    def features(images):
        return evaluator_model.predict(images, verbose=0, batch_size=500).astype("float64")

    what = config["what"]
    probs = model.predict(test_images, verbose=0, batch_size=500)
    test_features = features(test_images)
    mu, sigma = metrics.feature_statistics(test_features)
    rng = np.random.default_rng(0)
    train_sample = train_images[rng.choice(len(train_images), min(10_000, len(train_images)), replace=False)]
    train_features = features(train_sample)
    floor = metrics.frechet_distance(*metrics.feature_statistics(train_features), mu, sigma)
    references = {f"real_{side}x{side}": metrics.frechet_distance(
        *metrics.feature_statistics(features(lower_resolution(test_images, side))), mu, sigma)
        for side in config["sides"]}
    nearest = metrics.nearest_distances(test_images, train_images)
    keep = rng.choice(len(test_images), min(2000, len(test_images)), replace=False)
    np.save(os.path.join(args.out, metrics.REFERENCE_FEATURES_FILE.format(dataset=args.dataset)),
            test_features[keep].astype("float16"))

    def identity(file, images):
        return sha256(os.path.join(args.data, file)) if file else array_sha256(images)

    height, width = test_images.shape[1:3]
    reference = {
        "data": config["data"],
        "data_sha256": identity(config["test_file"], test_images),
        "train_data_sha256": identity(config["train_file"], train_images),
        **({} if config["test_file"] else {"data_sha256_definition": "sha256 of the decoded split as uint8 bytes "
                                                                       "(scripts/train_classifier.py array_sha256)"}),
        "classifier_train": f"the {len(train_images):,} training {what}, {epochs} epochs"
                            f"{' (Adam, cosine-decayed learning rate)' if config['cosine_decay'] else ''}, random "
                            f"{'translation and rotation' if args.dataset == 'mnist' else 'flips and translation'}",
        "classifier_test_accuracy": float(accuracy),
        "training_seconds": round(seconds, 1),
        "num_classes": int(probs.shape[1]),
        "real_score": metrics.classifier_score(probs),
        "real_label_accuracy": metrics.label_accuracy(probs, test_labels),
        "fid_floor": floor,
        "fid_floor_definition": f"Frechet distance between {len(train_sample):,} random training {what} and the "
                                f"{len(test_images):,} test {what}",
        "kid_floor": metrics.kernel_distance(train_features, test_features[keep]),
        "fid_references": references,
        "fid_references_definition": f"FID of the test {what} area-downsampled to NxN and resized back to "
                                     f"{height}x{width} (bilinear), against the test {what}",
        "copy_threshold": float(np.percentile(nearest, 1)),
        "copy_threshold_definition": f"1st percentile of the test {what}' pixel (L2, [-1, 1] scale) distances to "
                                     f"their nearest training {what[:-1]}",
        "test_nearest_train_distance_median": float(np.median(nearest)),
        "mu": mu.tolist(),
        "sigma": sigma.tolist(),
    }
    with open(os.path.join(args.out, metrics.REFERENCE_FILE.format(dataset=args.dataset)), "w") as handle:
        json.dump(reference, handle)
    summary = {k: v for k, v in reference.items() if k not in ("mu", "sigma")}
    print(json.dumps(summary, indent=1))


if __name__ == "__main__":
    main()
