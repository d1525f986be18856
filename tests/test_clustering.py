"""Cluster conditioning (``clusters=K``, :mod:`kerasgan.clustering`): k-means clusters of the data as labels."""

import json

import keras
import numpy as np
import pytest
import tensorflow as tf

import kerasgan
from kerasgan import cli, clustering, zoo


def _blobs(sizes, shape=(4, 4, 1), spread=0.02, seed=0):
    """Images in groups of ``sizes``, group g a constant grey level plus noise, in group order."""
    rng = np.random.default_rng(seed)
    levels = np.linspace(-0.8, 0.8, len(sizes))
    images = np.concatenate([np.full((n, *shape), level) for n, level in zip(sizes, levels)])
    return (images + spread * rng.standard_normal(images.shape)).astype("float32")


def test_kmeans_recovers_separated_groups_and_their_shares_even_from_a_sample_of_data_in_group_order():
    images = _blobs([300, 200, 100])
    truth = np.repeat([0, 1, 2], [300, 200, 100])
    centers, prior = clustering.fit(images, 3, seed=0)
    found = clustering.assign(clustering.features(images), centers).numpy()
    # the same partition as the groups, whatever the cluster numbering
    assert len({(t, f) for t, f in zip(truth, found)}) == 3
    np.testing.assert_allclose(np.sort(prior), [1 / 6, 2 / 6, 3 / 6], atol=1e-6)
    # read in batches, sampling 120 of 600 (reservoir): every group is still found, shares near the truth
    batches = (images[i:i + 50] for i in range(0, 600, 50))
    centers, prior = clustering.fit(batches, 3, seed=1, max_examples=120)
    found = clustering.assign(clustering.features(images), centers).numpy()
    assert len({(t, f) for t, f in zip(truth, found)}) == 3
    # 120 draws: each share within 4 standard deviations (sd <= 0.046)
    np.testing.assert_allclose(np.sort(prior), [1 / 6, 2 / 6, 3 / 6], atol=0.18)
    with pytest.raises(ValueError, match="3 clusters need at least 3 images, got 2"):
        clustering.fit(images[:2], 3)


def test_fit_clusters_in_a_given_feature_space():
    """``featurize`` replaces φ: images that half-resolution pixels cannot tell apart (a fine checkerboard and its
    inverse average to the same grey) split by a feature that sees the pattern (the first pixel)."""
    board = np.indices((4, 4)).sum(axis=0) % 2 * 2 - 1.0  # ±1 checkerboard
    images = np.concatenate([np.repeat(board[None, :, :, None], 40, 0), np.repeat(-board[None, :, :, None], 60, 0)])
    images = images.astype("float32")
    truth = np.repeat([0, 1], [40, 60])
    np.testing.assert_allclose(clustering.features(images).numpy(), 0.0)  # one point for φ

    def first_pixel(batch):
        return batch[:, :1, 0, 0]

    centers, prior = clustering.fit(images, 2, seed=0, featurize=first_pixel)
    assert centers.shape == (2, 1)
    found = clustering.assign(first_pixel(images), centers).numpy()
    assert len({(t, f) for t, f in zip(truth, found)}) == 2
    np.testing.assert_allclose(np.sort(prior), [0.4, 0.6])


def test_features_are_the_image_at_half_resolution():
    images = np.arange(2 * 4 * 4 * 3, dtype="float32").reshape(2, 4, 4, 3)
    rows = clustering.features(images).numpy()
    expected = images.reshape(2, 2, 2, 2, 2, 3).mean(axis=(2, 4)).reshape(2, -1)
    np.testing.assert_allclose(rows, expected)
    assert clustering.feature_size((4, 4, 3)) == rows.shape[1] == 12


def test_prior_labels_follow_the_prior_and_visit_the_clusters_in_turn():
    prior = [0.5, 0.3, 0.2]
    labels = clustering.prior_labels(1000, prior)
    np.testing.assert_array_equal(np.bincount(labels), [500, 300, 200])
    assert np.mean(labels[1:] != labels[:-1]) > 0.5  # consecutive samples mostly differ
    assert clustering.prior_labels(3, [0.0, 1.0]).tolist() == [1, 1, 1]
    with pytest.raises(ValueError, match="vector of non-negative shares"):
        clustering.prior_labels(3, [0.0, 0.0])


def _label_networks(shape, k):
    """G(z, c) = Dense(z) + row c of an embedding; D(x, c) = e_c (a learned scalar per cluster) + 0·x."""
    size = int(np.prod(shape))
    z, label = keras.Input((2,)), keras.Input((), dtype="int32")
    mixed = keras.layers.Add()([keras.layers.Dense(size)(z), keras.layers.Embedding(k, size)(label)])
    generator = keras.Model([z, label], keras.layers.Reshape(shape)(mixed))
    image, d_label = keras.Input(shape), keras.Input((), dtype="int32")
    per_cluster = keras.layers.Embedding(k, 1, embeddings_initializer="uniform", name="per_cluster")(d_label)
    ignored = keras.layers.Dense(1, kernel_initializer="zeros", use_bias=False, trainable=False)(
        keras.layers.Flatten()(image))
    discriminator = keras.Model([image, d_label], keras.layers.Add()([per_cluster, ignored]))
    return generator, discriminator


def test_the_discriminator_sees_each_real_image_with_its_cluster():
    """d_real is the mean of sigmoid(e_c(x)) over the batch: computable in numpy from the fitted clusters, and
    different from any single cluster's value, so the step must use each image's own cluster."""
    shape = (2, 2, 1)
    generator, discriminator = _label_networks(shape, 2)
    gan = kerasgan.DCGAN(generator=generator, discriminator=discriminator, latent_dim=2, clusters=2, seed=0)
    gan.compile(d_optimizer=keras.optimizers.SGD(0.0), g_optimizer=keras.optimizers.SGD(0.0))
    images = _blobs([4, 2], shape=shape)
    with pytest.raises(ValueError, match=r"clusters=2 k-means clusters .* call gan.fit_clusters\(training images\)"):
        gan.fit(images, batch_size=6, verbose=0)
    with pytest.raises(ValueError, match=r"not fitted; call gan.fit_clusters"):
        gan.generate(2)
    prior = gan.fit_clusters(images)
    centers = gan.cluster_centers.numpy()
    clusters = np.argmin((images.mean(axis=(1, 2, 3))[:, None] - centers.T) ** 2, axis=1)  # φ: the 1x1 mean
    assert sorted(np.bincount(clusters).tolist()) == [2, 4]
    np.testing.assert_allclose(prior, np.bincount(clusters) / 6)
    logs = gan.fit(images, batch_size=6, verbose=0, shuffle=False).history
    e = discriminator.get_layer("per_cluster").get_weights()[0][:, 0]
    assert abs(e[0] - e[1]) > 1e-3
    sigmoid = 1 / (1 + np.exp(-e))
    assert logs["d_real"][0] == pytest.approx(sigmoid[clusters].mean(), rel=1e-5)
    assert logs["d_fake"][0] == pytest.approx(sigmoid[clusters].mean(), rel=1e-5)  # fakes take the batch's ids


def test_a_cluster_gan_trains_saves_and_samples_its_clusters_in_their_shares(tmp_path):
    gan = kerasgan.build("dcgan", (16, 16, 1), clusters=3, base_filters=4, latent_dim=8, seed=0, projection=True)
    images = _blobs([64, 32, 32], shape=(16, 16, 1))
    dataset = tf.data.Dataset.from_tensor_slices((images, np.zeros(128, "int32"))).batch(32)  # labels are ignored
    prior = gan.fit_clusters(dataset)
    np.testing.assert_allclose(np.sort(prior), [0.25, 0.25, 0.5])
    gan.compile()
    gan.fit(images, batch_size=32, epochs=1, verbose=0)
    assert gan.label_values == 3 and gan.get_config()["clusters"] == 3
    assert kerasgan.checkpoint.fingerprint(gan)["clusters"] == 3
    drawn = kerasgan.sampling.sample_labels(8, None, 3, prior)
    np.testing.assert_array_equal(gan.generate(8, seed=1), gan.generate(8, labels=drawn, seed=1))
    path = tmp_path / "clustered.keras"
    gan.save(path)
    restored = keras.models.load_model(path)
    assert restored.clusters == 3 and restored.clusters_fitted
    np.testing.assert_array_equal(restored.cluster_centers.numpy(), gan.cluster_centers.numpy())
    np.testing.assert_array_equal(restored.cluster_prior.numpy(), prior)
    np.testing.assert_allclose(restored.generate(8, seed=1), gan.generate(8, seed=1), atol=1e-6)


def test_cluster_errors_say_what_to_do():
    with pytest.raises(ValueError, match="cgan is class-conditional and takes labels.*leave clusters out"):
        kerasgan.build("cgan", (28, 28, 1), num_classes=10, clusters=3, base_filters=4)
    with pytest.raises(ValueError, match="clusters is the number of clusters K >= 2, got 1"):
        kerasgan.build("dcgan", (28, 28, 1), clusters=1, base_filters=4)
    with pytest.raises(ValueError, match="latent_code and clusters both condition G"):
        kerasgan.build("dcgan", (28, 28, 1), clusters=3, latent_code=3, base_filters=4)
    plain = kerasgan.build("dcgan", (28, 28, 1), base_filters=4)
    with pytest.raises(ValueError, match=r"needs a generator taking \[z, cluster\].*clusters=4\) builds them"):
        kerasgan.DCGAN(generator=plain.generator, discriminator=plain.discriminator, latent_dim=100, clusters=4)
    with pytest.raises(ValueError, match="fit_clusters applies to a GAN built with clusters=K"):
        plain.fit_clusters(np.zeros((4, 28, 28, 1), "float32"))


def test_cli_clusters_fits_them_on_the_split_keeps_them_on_resume_and_the_zoo_loader_samples_them(
        shared_data, tmp_path):
    """``kerasgan train --clusters=5``: the clusters are the k-means of the training split (read in its own
    order), saved with the GAN; a resumed run keeps them; a card with their prior samples as ``GAN.generate``."""
    workdir = tmp_path / "run"
    args = ["kerasgan", "train", "--variant=lsgan", f"--dataset=idx:{shared_data / 'mnist'}", "--split=test[:64]",
            "--batch_size=16", "--steps_per_epoch=2", "--base_filters=4", "--clusters=5", "--num_samples=10",
            f"--workdir={workdir}", "--verbose=0"]
    assert cli.main(args) == 0
    assert json.loads((workdir / "config.json").read_text())["clusters"] == 5
    gan = keras.models.load_model(workdir / "gan.keras")
    data = kerasgan.data.load(f"idx:{shared_data / 'mnist'}", split="test[:64]", batch_size=64, shuffle=False,
                              with_labels=False)
    centers, prior = clustering.fit(np.concatenate([b.numpy() for b in data]), 5,  # data.load scales to [-1, 1]
                                    seed=0)
    np.testing.assert_allclose(gan.cluster_centers.numpy(), centers, atol=1e-6)
    np.testing.assert_allclose(gan.cluster_prior.numpy(), prior)
    assert cli.main(args[:-2] + ["--epochs=2", f"--workdir={workdir}", "--verbose=0"]) == 0
    resumed = keras.models.load_model(workdir / "gan.keras")
    assert int(resumed.g_optimizer.iterations.numpy()) == 4
    np.testing.assert_array_equal(resumed.cluster_centers.numpy(), gan.cluster_centers.numpy())
    card = {"latent_dim": gan.latent_dim, "num_classes": None, "image_shape": [28, 28, 1], "variant": "lsgan",
            "dataset": "mnist", "recipe": {"variant": "lsgan", "clusters": 5},
            "cluster_prior": prior.tolist()}
    loaded = zoo.ZooGenerator("clustered", keras.models.load_model(workdir / "generator.keras"), card)
    assert loaded.label_values == 5
    np.testing.assert_allclose(loaded.generate(6, seed=2), resumed.generate(6, seed=2, ema=False), atol=1e-6)
    z = loaded.latents(6, seed=2)
    np.testing.assert_array_equal(loaded.decode(z), loaded.generate(6, seed=2))
