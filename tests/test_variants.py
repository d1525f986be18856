"""Every variant trains through model.fit; the k-step rule; build's checks."""

import keras
import numpy as np
import pytest
import tensorflow as tf

import kerasgan
from conftest import cross_entropy, linear_label_networks, small_options, softplus

CONDITIONAL = ("cgan", "acgan")
EXPECTED_METRICS = {
    "vanilla": {"d_loss", "g_loss", "d_real", "d_fake"},
    "dcgan": {"d_loss", "g_loss", "d_real", "d_fake"},
    "cgan": {"d_loss", "g_loss", "d_real", "d_fake"},
    "acgan": {"d_loss", "g_loss", "d_real", "d_fake", "class_acc", "fake_class_acc"},
    "lsgan": {"d_loss", "g_loss", "d_real", "d_fake"},
    "sngan": {"d_loss", "g_loss", "critic_gap"},
    "wgan": {"d_loss", "g_loss", "critic_gap"},
    "wgan_gp": {"d_loss", "g_loss", "critic_gap", "gradient_penalty"},
    "mrgan": {"d_loss", "g_loss", "d_real", "d_fake", "reconstruction", "mode"},
    "mdgan": {"d_loss", "g_loss", "d_real", "d_fake", "manifold_d_loss", "manifold_loss", "reconstruction"},
}


def test_variants_are_the_ten_declared():
    assert tuple(kerasgan.VARIANTS) == ("vanilla", "dcgan", "cgan", "acgan", "lsgan", "sngan", "wgan", "wgan_gp",
                                        "mrgan", "mdgan")
    assert set(EXPECTED_METRICS) == set(kerasgan.VARIANTS)


@pytest.mark.parametrize("image_shape", [(28, 28, 1), (32, 32, 3)], ids=["28x28x1", "32x32x3"])
@pytest.mark.parametrize("variant", kerasgan.VARIANTS)
def test_every_variant_fits_two_epochs(variant, image_shape):
    rng = np.random.default_rng(0)
    images = rng.uniform(-1, 1, (48,) + image_shape).astype("float32")
    labels = rng.integers(0, 10, 48)
    num_classes = 10 if variant in CONDITIONAL else None
    gan = kerasgan.build(variant, image_shape, num_classes=num_classes, seed=0, **small_options(variant))
    gan.compile()
    data = (images, labels) if num_classes else (images,)
    history = gan.fit(*data, batch_size=16, epochs=2, verbose=0)
    assert set(history.history) == EXPECTED_METRICS[variant]
    for name, values in history.history.items():
        assert len(values) == 2, name
        assert np.all(np.isfinite(values)), (name, values)
    steps = 2 * 48 // 16
    assert int(gan.g_optimizer.iterations) == steps
    assert int(gan.d_optimizer.iterations) == steps * gan.d_steps
    x = gan.generate(5, seed=3)
    assert x.shape == (5,) + image_shape and x.dtype == np.float32
    assert np.all(np.abs(x) <= 1.0)


@pytest.mark.parametrize("d_steps", [1, 3])
def test_k_discriminator_steps_per_generator_step(d_steps):
    gan = kerasgan.build("dcgan", (28, 28, 1), d_steps=d_steps, seed=0, base_filters=4)
    gan.compile()
    images = np.random.default_rng(1).uniform(-1, 1, (40, 28, 28, 1)).astype("float32")
    gan.fit(images, batch_size=8, epochs=1, verbose=0)
    assert int(gan.g_optimizer.iterations) == 5
    assert int(gan.d_optimizer.iterations) == 5 * d_steps


def test_each_discriminator_step_draws_its_own_noise():
    gan = kerasgan.build("wgan", (28, 28, 1), d_steps=3, seed=0, base_filters=4)
    gan.compile()
    seen = []
    original = gan._noise

    def recording_noise(batch_size):
        z = original(batch_size)
        seen.append(z)
        return z

    gan._noise = recording_noise
    gan.run_eagerly = True
    images = np.zeros((8, 28, 28, 1), "float32")
    gan.fit(images, batch_size=8, epochs=1, verbose=0)
    assert len(seen) == 3  # one draw per discriminator step; G's update reuses the last one's samples
    z = np.stack([s.numpy() for s in seen])
    for i in range(3):
        for j in range(i + 1, 3):
            assert not np.allclose(z[i], z[j])


def test_paper_settings_of_each_variant():
    wgan = kerasgan.build("wgan", (28, 28, 1))
    wgan.compile()
    assert (wgan.adversarial_loss, wgan.d_steps, wgan.clip_value) == ("wasserstein", 5, 0.01)
    assert type(wgan.d_optimizer).__name__ == "RMSprop"
    assert float(wgan.d_optimizer.learning_rate) == pytest.approx(5e-5)
    gp = kerasgan.build("wgan_gp", (28, 28, 1))
    gp.compile()
    assert (gp.gp_weight, gp.d_steps, gp.clip_value) == (10.0, 5, None)
    assert (float(gp.d_optimizer.beta_1), float(gp.d_optimizer.beta_2)) == (0.5, 0.9)
    assert not any("batch_normalization" in type(l).__name__.lower() for l in gp.discriminator.layers)
    dcgan = kerasgan.build("dcgan", (28, 28, 1))
    dcgan.compile()
    assert float(dcgan.g_optimizer.learning_rate) == pytest.approx(2e-4)
    assert float(dcgan.g_optimizer.beta_1) == 0.5
    vanilla = kerasgan.build("vanilla", (28, 28, 1), adversarial_loss="minimax")
    vanilla.compile()
    assert type(vanilla.d_optimizer).__name__ == "SGD" and float(vanilla.d_optimizer.momentum) == 0.5
    assert vanilla.adversarial_loss == "minimax"
    lsgan = kerasgan.build("lsgan", (28, 28, 1))
    assert lsgan.loss_config == {"a": 0.0, "b": 1.0, "c": 1.0}


def test_weight_clipping_keeps_the_critic_in_the_box():
    gan = kerasgan.build("wgan", (28, 28, 1), seed=0, base_filters=4, clip_value=0.01)
    gan.compile()
    gan.fit(np.ones((16, 28, 28, 1), "float32"), batch_size=8, epochs=1, verbose=0)
    assert gan.critic_variables == gan.discriminator.trainable_variables
    for v in gan.discriminator.trainable_variables:
        assert float(tf.reduce_max(tf.abs(v))) <= 0.01 + 1e-7, v.path


def test_weight_clipping_leaves_an_infogan_code_head_free():
    gan = kerasgan.build("wgan", (28, 28, 1), seed=0, base_filters=4, latent_code=4)
    gan.compile()
    gan.fit(np.ones((16, 28, 28, 1), "float32"), batch_size=8, epochs=1, verbose=0)
    head = gan.discriminator.get_layer("class_logits")
    critic = {id(v) for v in gan.critic_variables}
    assert not critic & {id(v) for v in head.trainable_variables}
    assert len(critic) == len(gan.discriminator.trainable_variables) - 2  # the head's kernel and bias
    for v in gan.critic_variables:
        assert float(tf.reduce_max(tf.abs(v))) <= 0.01 + 1e-7, v.path
    assert float(tf.reduce_max(tf.abs(head.kernel))) > 0.05  # Glorot-initialised, never clipped


def test_fit_accepts_tfds_style_batches_and_scales_uint8():
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, (32, 28, 28, 1)).astype("uint8")
    labels = rng.integers(0, 10, 32).astype("int64")
    gan = kerasgan.build("cgan", (28, 28, 1), num_classes=10, seed=0, base_filters=4)
    gan.compile()
    dicts = tf.data.Dataset.from_tensor_slices({"image": images, "label": labels}).batch(16)
    tuples = tf.data.Dataset.from_tensor_slices((images, labels)).batch(16)
    for ds in (dicts, tuples):
        history = gan.fit(ds, epochs=1, verbose=0)
        assert np.isfinite(history.history["d_loss"][0])
    scaled, got_labels = gan._unpack({"image": tf.constant(images), "label": tf.constant(labels)})
    assert scaled.dtype == tf.float32
    np.testing.assert_allclose(scaled.numpy(), images / 127.5 - 1.0, atol=1e-6)
    assert float(tf.reduce_min(scaled)) >= -1.0 and float(tf.reduce_max(scaled)) <= 1.0
    assert got_labels.dtype == tf.int32
    # Images alone (an unconditional GAN), grayscale without the channel axis.
    dcgan = kerasgan.build("dcgan", (28, 28, 1), seed=0, base_filters=4)
    dcgan.compile()
    ds = tf.data.Dataset.from_tensor_slices(images[..., 0]).batch(16)
    assert np.isfinite(dcgan.fit(ds, epochs=1, verbose=0).history["g_loss"][0])


def test_generate_is_deterministic_for_a_seed_and_follows_labels():
    gan = kerasgan.build("acgan", (28, 28, 1), num_classes=10, seed=0, base_filters=4)
    a, b = gan.generate(6, seed=7), gan.generate(6, seed=7)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, gan.generate(6, seed=8))
    # labels=None cycles through classes; the same z with other labels gives other images
    np.testing.assert_array_equal(gan.generate(3, seed=7), gan.generate(3, labels=[0, 1, 2], seed=7))
    assert not np.array_equal(gan.generate(3, labels=5, seed=7), gan.generate(3, labels=[0, 1, 2], seed=7))
    # batching does not change the samples
    np.testing.assert_allclose(gan.generate(7, seed=1, batch_size=3), gan.generate(7, seed=1), atol=1e-6)


def test_generate_rejects_bad_requests():
    gan = kerasgan.build("cgan", (28, 28, 1), num_classes=10, base_filters=4)
    with pytest.raises(ValueError, match="n > 0"):
        gan.generate(0)
    with pytest.raises(ValueError, match=r"labels must be in \[0, 10\)"):
        gan.generate(2, labels=[3, 10])
    with pytest.raises(ValueError, match="one int or 2 integer class ids"):
        gan.generate(2, labels=[1, 2, 3])
    dcgan = kerasgan.build("dcgan", (28, 28, 1), base_filters=4)
    with pytest.raises(ValueError, match="unconditional"):
        dcgan.generate(2, labels=[1, 2])


def test_build_rejects_bad_requests():
    with pytest.raises(ValueError, match="unknown variant 'bigan'.*wgan_gp"):
        kerasgan.build("bigan")
    with pytest.raises(ValueError, match="cgan is class-conditional; pass num_classes"):
        kerasgan.build("cgan", (28, 28, 1))
    with pytest.raises(ValueError, match="dcgan is unconditional"):
        kerasgan.build("dcgan", (28, 28, 1), num_classes=10)
    with pytest.raises(ValueError, match="unknown network option 'filters'.*base_filters"):
        kerasgan.build("dcgan", (28, 28, 1), filters=8)
    with pytest.raises(ValueError, match="divisible by 2"):
        kerasgan.build("dcgan", (7, 7, 1))
    with pytest.raises(ValueError, match="d_steps must be >= 1"):
        kerasgan.build("dcgan", (28, 28, 1), d_steps=0)


def test_conv_network_options_shape_the_networks():
    """kernel_size, max_filters and upsample (resize + conv instead of transposed convolutions)."""
    g, d = kerasgan.nets.build_networks("dcgan", (32, 32, 3), base_filters=8, max_filters=16, kernel_size=4,
                                        upsample="nearest")
    assert g.output_shape == (None, 32, 32, 3) and d.output_shape == (None, 1)
    assert not [layer for layer in g.layers if isinstance(layer, keras.layers.Conv2DTranspose)]
    resizes = [layer for layer in g.layers if isinstance(layer, keras.layers.UpSampling2D)]
    assert len(resizes) == 3 and {layer.interpolation for layer in resizes} == {"nearest"}
    convs = [layer for layer in g.layers + d.layers if isinstance(layer, keras.layers.Conv2D)]
    assert {tuple(layer.kernel.shape[:2]) for layer in convs} == {(4, 4)}
    assert max(layer.filters for layer in convs) == 16  # 8·2^3 = 64 capped at 16
    transposed = kerasgan.nets.dcgan_generator((32, 32, 3), base_filters=8, kernel_size=4)
    assert sum(isinstance(layer, keras.layers.Conv2DTranspose) for layer in transposed.layers) == 4
    with pytest.raises(ValueError, match="upsample must be one of .*'nearest'.*got 'cubic'"):
        kerasgan.build("dcgan", (32, 32, 3), upsample="cubic")
    # a g_/d_ prefixed option sets one network and wins over the shared one, in either order
    for options in ({"d_base_filters": 8, "base_filters": 16}, {"base_filters": 16, "d_base_filters": 8}):
        g, d = kerasgan.nets.build_networks("dcgan", (32, 32, 3), **options)
        assert d.get_layer("conv_0").filters == 8 and g.get_layer("convt_2").filters == 16


def test_compile_refuses_a_single_optimizer_and_builds_both():
    gan = kerasgan.build("dcgan", (28, 28, 1), base_filters=4)
    with pytest.raises(ValueError, match="d_optimizer= and g_optimizer="):
        gan.compile(optimizer="adam")
    gan.compile(d_optimizer="adam", g_optimizer="rmsprop")
    assert gan.d_optimizer.built and gan.g_optimizer.built
    # slots exist for every variable of the network each optimizer trains
    n_d = len(gan.discriminator.trainable_variables)
    assert len(gan.d_optimizer.variables) == 2 + 2 * n_d  # iterations, lr, m and v per variable


def test_users_own_networks_keras_io_style():
    import keras

    g = keras.Sequential([keras.Input((16,)), keras.layers.Dense(4 * 4), keras.layers.Reshape((4, 4, 1))])
    d = keras.Sequential([keras.Input((4, 4, 1)), keras.layers.Flatten(), keras.layers.Dense(1)])
    gan = kerasgan.GAN(generator=g, discriminator=d, latent_dim=16, adversarial_loss="hinge", seed=0)
    gan.compile(d_optimizer=keras.optimizers.Adam(1e-3), g_optimizer=keras.optimizers.Adam(1e-3))
    history = gan.fit(np.zeros((32, 4, 4, 1), "float32"), batch_size=8, verbose=0)
    assert set(history.history) == {"d_loss", "g_loss", "critic_gap"}
    with pytest.raises(ValueError, match="latent_dim=8"):
        kerasgan.GAN(generator=g, discriminator=d, latent_dim=8)
    d_wrong = keras.Sequential([keras.Input((5, 5, 1)), keras.layers.Flatten(), keras.layers.Dense(1)])
    with pytest.raises(ValueError, match=r"makes samples of shape \(4, 4, 1\).*takes \(5, 5, 1\)"):
        kerasgan.GAN(generator=g, discriminator=d_wrong, latent_dim=16)


def test_metrics_are_reset_every_epoch():
    gan = kerasgan.build("dcgan", (28, 28, 1), seed=0, base_filters=4)
    gan.compile()
    images = np.random.default_rng(0).uniform(-1, 1, (48, 28, 28, 1)).astype("float32")
    history = gan.fit(images, batch_size=16, epochs=2, verbose=0)
    # each epoch's value is that epoch's mean over its 48 examples, not a running mean over both
    assert float(gan._trackers["d_loss"].count) == 48.0
    assert history.history["d_loss"][1] == pytest.approx(float(gan._trackers["d_loss"].result()))
    assert [m.name for m in gan.metrics] == ["d_loss", "g_loss", "d_real", "d_fake"]


@pytest.mark.parametrize("classify_fakes, twin", [(True, False), (False, False), (True, True), (False, True)])
def test_acgan_losses_closed_form_with_and_without_classifying_fakes(classify_fakes, twin):
    """Odena et al. 2017 with the non-saturating source loss: D minimises
    softplus(-D(x)) + softplus(D(G(z, c))) + λ[CE(c, C(x)) + CE(c, C(G(z, c)))]
    (the fake term only with classify_fakes), G minimises
    softplus(-D(G(z, c))) + λ CE(c, C(G(z, c))). With a twin head C_mi
    (TAC-GAN, Gong et al. 2019) D adds λ CE(c, C_mi(G(z, c))) and G subtracts
    it. A generator that ignores z and a linear D with two or three heads make
    every term computable in numpy."""
    classes, shape, weight = 3, (2, 2, 1), 0.7
    generator, discriminator = linear_label_networks(
        classes, shape, [(1, "source"), (classes, "classes")] + [(classes, "twin")] * twin)
    gan = kerasgan.ACGAN(generator=generator, discriminator=discriminator, latent_dim=2, num_classes=classes,
                         aux_weight=weight, classify_fakes=classify_fakes, seed=0)
    assert gan.get_config()["classify_fakes"] is classify_fakes
    assert gan.twin_classifier is twin
    gan.compile(d_optimizer=keras.optimizers.SGD(0.0), g_optimizer=keras.optimizers.SGD(0.0))
    rng = np.random.default_rng(0)
    images = rng.uniform(-1, 1, (6,) + shape).astype("float32")
    labels = np.array([0, 1, 2, 2, 1, 0], "int32")
    logs = gan.fit(images, labels, batch_size=6, verbose=0).history

    fakes = generator.get_layer("per_label").get_weights()[0][labels]
    (w, b), (v, c) = discriminator.get_layer("source").get_weights(), discriminator.get_layer("classes").get_weights()
    real_logit, fake_logit = images.reshape(6, -1) @ w + b, fakes @ w + b
    real_ce, fake_ce = cross_entropy(images.reshape(6, -1) @ v + c, labels), cross_entropy(fakes @ v + c, labels)
    twin_ce = 0.0
    if twin:
        t, u = discriminator.get_layer("twin").get_weights()
        twin_ce = cross_entropy(fakes @ t + u, labels)
        assert logs["twin_class_acc"][0] == pytest.approx(np.mean(np.argmax(fakes @ t + u, axis=1) == labels))
    class_loss = real_ce + (fake_ce if classify_fakes else 0.0) + twin_ce
    d_loss = softplus(-real_logit[:, 0]) + softplus(fake_logit[:, 0]) + weight * class_loss
    g_loss = softplus(-fake_logit[:, 0]) + weight * (fake_ce - twin_ce)
    assert logs["d_loss"][0] == pytest.approx(d_loss.mean(), rel=1e-5)
    assert logs["g_loss"][0] == pytest.approx(g_loss.mean(), rel=1e-5)


def test_twin_classifier_is_refused_without_an_acgan_class_head():
    with pytest.raises(ValueError, match="twin_classifier=True adds a second class head beside an AC-GAN"):
        kerasgan.build("cgan", (28, 28, 1), num_classes=10, base_filters=4, twin_classifier=True)
    gan = kerasgan.build("acgan", (28, 28, 1), num_classes=10, base_filters=4, twin_classifier=True)
    assert [output.shape[-1] for output in gan.discriminator.outputs] == [1, 10, 10]
    assert "twin_class_acc" in [metric.name for metric in gan.metrics]


def test_classify_fakes_is_refused_without_a_class_head():
    with pytest.raises(ValueError, match="classify_fakes=False applies to a discriminator with an AC-GAN class head"):
        kerasgan.build("cgan", (28, 28, 1), num_classes=10, base_filters=4, classify_fakes=False)
    assert kerasgan.build("cgan", (28, 28, 1), num_classes=10, base_filters=4).classify_fakes is True
