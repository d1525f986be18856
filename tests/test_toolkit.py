"""The modern toolkit: SNGAN, label smoothing, DiffAugment, R1, the EMA generator, fresh real data per critic step."""

import json

import keras
import numpy as np
import pytest
import tensorflow as tf

import kerasgan
from kerasgan import augment, losses

SHAPE = (4, 4, 1)


def tiny_networks(latent_dim=3, record=None):
    """A linear generator and a linear, bias-free critic D(x) = w·x on 4x4x1
    images; with ``record``, D appends every batch it sees (eager runs only)."""
    generator = keras.Sequential([keras.Input((latent_dim,)), keras.layers.Dense(16, activation="tanh"),
                                  keras.layers.Reshape(SHAPE)])
    image = keras.Input(SHAPE)
    x = image
    if record is not None:
        def remember(batch):
            if hasattr(batch, "numpy"):
                record.append(batch.numpy().copy())
            return batch

        x = keras.layers.Lambda(remember, output_shape=SHAPE)(x)
    x = keras.layers.Flatten()(x)
    discriminator = keras.Model(image, keras.layers.Dense(1, use_bias=False)(x))
    return generator, discriminator


def test_sngan_wraps_every_discriminator_layer_in_spectral_normalization():
    for shape in [(28, 28, 1), (32, 32, 3)]:
        gan = kerasgan.build("sngan", shape, base_filters=4)
        weighted = [layer for layer in gan.discriminator.layers if layer.weights]
        assert weighted and all(isinstance(layer, keras.layers.SpectralNormalization) for layer in weighted)
        assert not any(isinstance(layer, keras.layers.BatchNormalization) for layer in gan.discriminator.layers)
        assert (gan.adversarial_loss, gan.d_steps) == ("hinge", 1)
    gan.compile()
    assert (float(gan.d_optimizer.learning_rate), float(gan.d_optimizer.beta_1), float(gan.d_optimizer.beta_2)) == \
        pytest.approx((2e-4, 0.5, 0.999))


def test_sngan_standard_cnn_discriminator_layout_and_cost():
    """convs_per_stage=2: Miyato et al. 2018, Table 3 (3x3 s1, 4x4 s2 per stage, then a 3x3 s1 conv), every
    layer spectrally normalised; the default keeps the DCGAN layout and its layer names (stored weights load)."""
    gan = kerasgan.build("sngan", (32, 32, 3), base_filters=8, kernel_size=4, convs_per_stage=2)
    convs = [layer.layer for layer in gan.discriminator.layers if isinstance(layer, keras.layers.SpectralNormalization)
             and isinstance(layer.layer, keras.layers.Conv2D)]
    assert [(c.filters, c.kernel_size[0], c.strides[0]) for c in convs] == [
        (8, 3, 1), (8, 4, 2), (16, 3, 1), (16, 4, 2), (32, 3, 1), (32, 4, 2), (64, 3, 1)]
    assert gan.discriminator.output_shape == (None, 1)
    shallow = kerasgan.build("sngan", (32, 32, 3), base_filters=8, kernel_size=4)
    assert [layer.name for layer in shallow.discriminator.layers if layer.weights] == [
        "sn_conv_0", "sn_conv_1", "sn_conv_2", "sn_logit"]
    # batch norm on all but the first convolution, as in DCGAN
    bn = kerasgan.build("dcgan", (28, 28, 1), base_filters=4, convs_per_stage=2)
    assert [layer.name for layer in bn.discriminator.layers if isinstance(layer, keras.layers.BatchNormalization)] == [
        "bn_0", "bn_1a", "bn_1", "bn_2"]
    with pytest.raises(ValueError, match=r"convs_per_stage must be 1 \(DCGAN\) or 2 .*got 3"):
        kerasgan.build("sngan", (32, 32, 3), convs_per_stage=3)


def test_spectrally_normalised_label_embedding_is_float_and_learns(tmp_path):
    """Keras' SpectralNormalization casts outputs to the input dtype: on int labels the embedding would be
    truncated to integers with no gradient. A conditional spectral D keeps a float, trained label plane."""
    gan = kerasgan.build("cgan", (28, 28, 1), num_classes=10, seed=0, base_filters=4, d_norm="spectral")
    wrapper = gan.discriminator.get_layer("sn_label_embedding")
    labels = tf.range(4)
    plane = wrapper(labels, training=False)
    assert plane.dtype == "float32" and np.abs(np.asarray(plane) - np.round(np.asarray(plane))).max() > 1e-3
    with tf.GradientTape() as tape:
        out = tf.reduce_sum(gan.discriminator([tf.zeros((4, 28, 28, 1)), labels], training=True))
    gradient = tape.gradient(out, wrapper.layer.embeddings)
    assert gradient is not None and float(tf.reduce_sum(tf.abs(tf.convert_to_tensor(gradient)))) > 0
    gan.save(tmp_path / "cgan.keras")
    restored = keras.models.load_model(tmp_path / "cgan.keras")
    assert type(restored.discriminator.get_layer("sn_label_embedding")) is type(wrapper)


def assert_saved_gan_computes_the_same(gan, path, compute):
    """``gan`` saved to ``path`` and loaded back gives the same ``compute(gan)``."""
    gan.save(path)
    restored = keras.models.load_model(path)
    np.testing.assert_allclose(np.asarray(compute(restored)), np.asarray(compute(gan)), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("network", ["dcgan", "mlp"])
def test_projection_discriminator_adds_the_label_embeddings_inner_product(network, tmp_path):
    """projection=True: f(x, y) = ψ(φ(x)) + V_y·φ(x) (Miyato & Koyama 2018, eq. 3), checked against numpy on the
    features φ(x); no label plane; the cgan with it trains, saves and loads; other variants refuse it."""
    shape = (16, 16, 3) if network == "dcgan" else (6, 6, 1)
    width = {"base_filters": 4} if network == "dcgan" else {"hidden_units": (8,)}
    gan = kerasgan.build("cgan", shape, num_classes=5, seed=0, network=network, projection=True, **width)
    d = gan.discriminator
    assert "label_embedding" not in [layer.name for layer in d.layers]
    rng = np.random.default_rng(0)
    images = rng.uniform(-1, 1, (6,) + shape).astype("float32")
    labels = np.array([0, 1, 2, 3, 4, 2], "int32")
    features_model = keras.Model(d.inputs, d.get_layer("logit").input)
    features = np.asarray(features_model([images, labels]))
    weights, bias = (np.asarray(w) for w in d.get_layer("logit").weights)
    table = np.asarray(d.get_layer("label_projection").embeddings)
    table = table + rng.normal(0, 0.1, table.shape).astype("float32")  # not the initial small values
    d.get_layer("label_projection").embeddings.assign(table)
    expected = features @ weights + bias + np.sum(table[labels] * features, axis=1, keepdims=True)
    np.testing.assert_allclose(np.asarray(d([images, labels])), expected, rtol=1e-4, atol=1e-4)
    swapped = np.asarray(d([images, (labels + 1) % 5]))
    assert np.abs(swapped - expected).max() > 1e-2  # the label changes the logit
    gan.compile()
    gan.fit(tf.data.Dataset.from_tensor_slices((images, labels)).batch(3), epochs=1, verbose=0)
    assert not np.allclose(np.asarray(d.get_layer("label_projection").embeddings), table)  # V is trained
    assert_saved_gan_computes_the_same(gan, tmp_path / "projection.keras", lambda g: g.discriminator([images, labels]))
    with pytest.raises(ValueError, match=r"projection=True conditions the discriminator of a cGAN .*"
                                         r"got conditioning='auxiliary'"):
        kerasgan.build("acgan", shape, num_classes=5, network=network, projection=True)


@pytest.mark.parametrize("variant", ["cgan", "acgan"])
def test_conditional_norm_gives_each_class_its_batch_norm_scale_and_shift(variant, tmp_path):
    """conditional_norm=True: every batch norm of G is BN(x)·(1 + γ_y) + β_y (de Vries et al. 2017; Miyato & Koyama
    2018), checked against numpy on the normalised features; the tables start at zero, are trained, and survive
    saving; an unconditional or unnormalised generator refuses the option with what to do."""
    gan = kerasgan.build(variant, (16, 16, 3), num_classes=4, seed=0, base_filters=4, conditional_norm=True)
    g = gan.generator
    affines = [layer for layer in g.layers if isinstance(layer, kerasgan.nets.ClassAffine)]
    batch_norms = [layer for layer in g.layers if isinstance(layer, keras.layers.BatchNormalization)]
    assert len(affines) == len(batch_norms) == 3 and not any(bn.center or bn.scale for bn in batch_norms)
    assert all(not np.any(np.asarray(w)) for a in affines for w in (a.gamma, a.beta))  # plain BN at the start
    rng = np.random.default_rng(0)
    z = rng.normal(size=(6, gan.latent_dim)).astype("float32")
    labels = np.array([0, 1, 2, 3, 1, 0], "int32")
    affine = affines[-1]
    gamma = rng.normal(0, 0.5, tuple(affine.gamma.shape)).astype("float32")
    beta = rng.normal(0, 0.5, tuple(affine.beta.shape)).astype("float32")
    affine.gamma.assign(gamma)
    affine.beta.assign(beta)
    normalised = np.asarray(keras.Model(g.inputs, batch_norms[-1].output)([z, labels]))
    expected = normalised * (1 + gamma[labels][:, None, None]) + beta[labels][:, None, None]
    np.testing.assert_allclose(np.asarray(keras.Model(g.inputs, affine.output)([z, labels])), expected,
                               rtol=1e-5, atol=1e-5)
    assert np.abs(np.asarray(g([z, (labels + 1) % 4])) - np.asarray(g([z, labels]))).max() > 1e-3
    images = rng.uniform(-1, 1, (6, 16, 16, 3)).astype("float32")
    gan.compile()
    gan.fit(tf.data.Dataset.from_tensor_slices((images, labels)).batch(3), epochs=1, verbose=0)
    assert not np.allclose(np.asarray(affines[0].beta), 0)  # the first stage's tables are trained too
    assert_saved_gan_computes_the_same(gan, tmp_path / "cbn.keras", lambda g: g.generator([z, labels]))
    with pytest.raises(ValueError, match=r"conditional_norm .* needs a class-conditional generator \(cgan, acgan\) "
                                         r"with norm='batch', got num_classes=None, norm='batch'"):
        kerasgan.build("dcgan", (16, 16, 3), base_filters=4, conditional_norm=True)
    with pytest.raises(ValueError, match=r"got num_classes=4, norm=None"):
        kerasgan.build(variant, (16, 16, 3), num_classes=4, base_filters=4, conditional_norm=True, g_norm=None)


def test_sngan_power_iteration_vectors_train_and_survive_saving(tmp_path):
    gan = kerasgan.build("sngan", (28, 28, 1), seed=0, base_filters=4)
    gan.compile()
    u_before = [v.numpy().copy() for v in gan.discriminator.non_trainable_variables if "vector_u" in v.path]
    gan.fit(np.random.default_rng(0).uniform(-1, 1, (32, 28, 28, 1)).astype("float32"), batch_size=16, verbose=0)
    u_after = [v.numpy() for v in gan.discriminator.non_trainable_variables if "vector_u" in v.path]
    assert len(u_after) == 3 and all(not np.allclose(a, b) for a, b in zip(u_before, u_after))
    gan.save(tmp_path / "sngan.keras")
    restored = keras.models.load_model(tmp_path / "sngan.keras")
    assert type(restored.discriminator.get_layer("sn_conv_1")) is kerasgan.nets.SpectralNormalization
    for a, b in zip(gan.discriminator.variables, restored.discriminator.variables, strict=True):
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    images = np.random.default_rng(1).uniform(-1, 1, (4, 28, 28, 1)).astype("float32")
    np.testing.assert_allclose(restored.discriminator(images), gan.discriminator(images), rtol=1e-5, atol=1e-6)


def test_spectral_normalization_is_a_reparametrisation():
    """Miyato et al. 2018, eq. 8: the layer computes with W / σ(W), σ from the power iteration, while the kernel
    variable keeps the raw W (Keras' own wrapper overwrites it); the gradient reaches W through W / σ(W) with
    u, v held constant; under mixed precision the iteration stays float32."""
    rng = np.random.default_rng(0)
    dense = kerasgan.nets.SpectralNormalization(keras.layers.Dense(4, use_bias=False))
    x = tf.constant(rng.normal(size=(6, 5)), tf.float32)
    dense(x)  # build
    w = rng.normal(size=(5, 4)).astype("float32") * 3.0
    dense.layer.kernel.assign(w)
    for _ in range(30):  # power iterations converge to the top singular vectors
        dense(x, training=True)
    np.testing.assert_array_equal(dense.layer.kernel.numpy(), w)  # the raw W is kept
    sigma = np.linalg.norm(w, 2)
    assert float(np.squeeze(dense.sigma())) == pytest.approx(sigma, rel=1e-4)
    np.testing.assert_allclose(dense(x), x.numpy() @ (w / sigma), rtol=1e-4, atol=1e-5)
    # gradient: d/dW sum(x W / (v^T W u)) with u, v constant = X^T 1 / σ - (sum(x W) / σ^2) v u^T
    u = dense.vector_u.numpy()  # (1, 4)
    v = u @ w.T / np.linalg.norm(u @ w.T)  # (1, 5)
    with tf.GradientTape() as tape:
        out = tf.reduce_sum(dense(x))
    gradient = tape.gradient(out, dense.layer.kernel).numpy()
    ones = np.ones((6, 4), "float32")
    expected = x.numpy().T @ ones / sigma - float(np.sum(x.numpy() @ w)) / sigma**2 * (v.T @ u)
    np.testing.assert_allclose(gradient, expected, rtol=1e-3, atol=1e-4)
    # mixed precision: float32 state and iteration, the wrapped layer computes in bfloat16
    previous = keras.config.dtype_policy()
    keras.config.set_dtype_policy("mixed_bfloat16")
    try:
        conv = kerasgan.nets.SpectralNormalization(keras.layers.Conv2D(3, 3))
        out = conv(tf.ones((1, 5, 5, 2)), training=True)
    finally:
        keras.config.set_dtype_policy(previous)
    assert (out.dtype, conv.vector_u.dtype, conv.layer.kernel.dtype) == ("bfloat16", "float32", "float32")


def test_one_sided_label_smoothing_on_tf_gan_vectors():
    real = np.array([[-5.0], [1.4], [12.5], [2.7]])
    fake = np.array([[10.0], [4.4], [-5.5], [3.6]])
    assert float(losses.minimax_discriminator_loss(real, fake, label_smoothing=0.25)) == pytest.approx(6.19637, abs=1e-5)
    assert float(losses.minimax_discriminator_loss(real, fake)) == pytest.approx(5.83387, abs=1e-5)
    # one-sided: fakes keep target 0, so smoothing with all-fake logits changes nothing on them
    only_fake = losses.minimax_discriminator_loss(np.full((4, 1), 50.0), fake, label_smoothing=0.5, reduction="none")
    plain = losses.minimax_discriminator_loss(np.full((4, 1), 50.0), fake, reduction="none")
    np.testing.assert_allclose(only_fake.numpy() - plain.numpy(), 0.25 * 50.0, rtol=1e-5)  # (1 - t) · l on reals
    gan = kerasgan.build("dcgan", (28, 28, 1), label_smoothing=0.25, base_filters=4)
    assert gan.label_smoothing == 0.25 and gan.get_config()["label_smoothing"] == 0.25
    with pytest.raises(ValueError, match="label_smoothing applies to the logit losses"):
        kerasgan.build("wgan_gp", (28, 28, 1), label_smoothing=0.1, base_filters=4)


def test_r1_of_a_linear_critic_is_half_gamma_times_squared_weight_norm():
    generator, discriminator = tiny_networks()
    w = discriminator.layers[-1].kernel.numpy()
    x = np.random.default_rng(0).uniform(-1, 1, (8,) + SHAPE).astype("float32")
    penalty = losses.r1_penalty(discriminator, x, reduction="none").numpy()
    np.testing.assert_allclose(penalty, np.sum(w ** 2), rtol=1e-5)
    gamma = 10.0
    gan = kerasgan.GAN(generator=generator, discriminator=discriminator, latent_dim=3, r1_weight=gamma,
                       adversarial_loss="wasserstein", seed=0)
    plain = kerasgan.GAN(generator=generator, discriminator=keras.models.clone_model(discriminator), latent_dim=3,
                         adversarial_loss="wasserstein", seed=0)
    plain.discriminator.set_weights(discriminator.get_weights())
    for model in (gan, plain):
        model.compile(d_optimizer=keras.optimizers.SGD(0.0), g_optimizer=keras.optimizers.SGD(0.0))
    with_r1 = gan.fit(x, batch_size=8, verbose=0).history
    without = plain.fit(x, batch_size=8, verbose=0).history
    assert with_r1["r1_penalty"][0] == pytest.approx(np.sum(w ** 2), rel=1e-5)
    assert with_r1["d_loss"][0] - without["d_loss"][0] == pytest.approx(gamma / 2 * np.sum(w ** 2), rel=1e-4)


@pytest.mark.parametrize("policy", list(augment.POLICIES))
def test_diff_augment_passes_gradients_to_the_generator(policy):
    gan = kerasgan.build("dcgan", (16, 16, 3), augment=policy, seed=0, base_filters=4)
    gan.compile()
    z = tf.random.normal((4, gan.latent_dim), seed=1)
    with tf.GradientTape() as tape:
        fake = gan.generator(z, training=True)
        augmented = augment.diff_augment(fake, policy, seed=[1, 2])
        loss = tf.reduce_sum(gan.discriminator(augmented, training=True))
    grads = tape.gradient(loss, gan.generator.trainable_variables)
    assert all(g is not None for g in grads) and sum(float(tf.reduce_sum(tf.abs(g))) for g in grads) > 0
    assert not np.allclose(augmented.numpy(), fake.numpy())  # it did transform


def test_diff_augment_is_seeded_and_per_example():
    x = np.random.default_rng(0).uniform(-1, 1, (6, 8, 8, 3)).astype("float32")
    policy = "color,translation,cutout"
    a, b = augment.diff_augment(x, policy, [5, 6]), augment.diff_augment(x, policy, [5, 6])
    np.testing.assert_array_equal(a.numpy(), b.numpy())
    assert not np.allclose(a.numpy(), augment.diff_augment(x, policy, [5, 7]).numpy())
    same = np.repeat(x[:1], 6, axis=0)
    out = augment.diff_augment(same, "cutout", [1, 1]).numpy()
    assert len({out[i].tobytes() for i in range(6)}) > 1  # each example its own draw
    with pytest.raises(ValueError, match="unknown augmentation policy \\['flip'\\]"):
        augment.parse_policy("color,flip")


def test_diff_augment_transforms_real_and_fake_alike_in_both_updates():
    seen = []
    generator, discriminator = tiny_networks(record=seen)
    gan = kerasgan.GAN(generator=generator, discriminator=discriminator, latent_dim=3, augment="cutout", seed=0)
    gan.compile()
    gan.run_eagerly = True
    real = np.ones((4,) + SHAPE, "float32")
    gan.fit(real, batch_size=4, epochs=1, verbose=0)
    # D step: real, fake; G step: fake. Cutout zeroes a 2x2 square (partly outside at the border) in each.
    assert len(seen) == 3
    for batch in seen:
        assert (batch == 0).any(axis=(1, 2, 3)).mean() >= 0.5
    assert set(np.unique(seen[0])) <= {0.0, 1.0}  # the real ones, cut


def test_ema_generator_follows_the_recurrence_and_is_saved(tmp_path):
    decay = 0.8
    gan = kerasgan.build("dcgan", (28, 28, 1), ema_decay=decay, seed=0, base_filters=4)
    gan.compile()
    expected = [v.numpy().astype("float64") for v in gan.generator.variables]

    class Follow(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            for i, v in enumerate(gan.generator.variables):
                expected[i] = decay * expected[i] + (1 - decay) * v.numpy()

    images = np.random.default_rng(0).uniform(-1, 1, (40, 28, 28, 1)).astype("float32")
    gan.fit(images, batch_size=8, epochs=1, verbose=0, callbacks=[Follow()])
    for ema, value in zip(gan.ema_generator.variables, expected, strict=True):
        np.testing.assert_allclose(ema.numpy(), value, rtol=1e-4, atol=1e-6)
    assert not np.allclose(gan.generate(4, seed=0), gan.generate(4, seed=0, ema=False))
    np.testing.assert_array_equal(gan.generate(4, seed=0), gan.generate(4, seed=0, ema=True))
    gan.save(tmp_path / "gan.keras")
    restored = keras.models.load_model(tmp_path / "gan.keras")
    assert restored.ema_decay == decay
    np.testing.assert_array_equal(restored.generate(4, seed=0), gan.generate(4, seed=0))
    with pytest.raises(ValueError, match="keeps no EMA generator"):
        kerasgan.build("dcgan", (28, 28, 1), base_filters=4).generate(2, ema=True)


def test_ema_generator_is_in_training_checkpoints_and_the_evaluate_callback_uses_it(tmp_path):
    class Evaluator:
        def evaluate(self, images, labels=None):
            return {"fid": float(np.abs(images).mean())}

    class Reporter:
        def evaluate(self, images, labels=None):
            return {"fid": -1.0}  # would win every selection if it were used to choose

    callback = kerasgan.callbacks.EvaluateCallback(Evaluator(), every=1, num=8, restore_best=False,
                                                   report_evaluator=Reporter())
    result = kerasgan.train("dcgan", "toy:ring8", str(tmp_path), epochs=1, steps_per_epoch=3, verbose=0,
                            network="mlp", ema_decay=0.9, callbacks=[callback])
    gan = result["gan"]
    assert [h["source"] for h in callback.history] == ["raw", "ema"] and callback.ema_weights is None
    assert [h["report"]["fid"] for h in callback.history] == [-1.0, -1.0]
    assert callback.best == min(h["fid"] for h in callback.history)
    assert callback.history[1]["fid"] == pytest.approx(float(np.abs(gan.generate(8, seed=1234)).mean()))
    restored = type(gan).from_config(gan.get_config())
    kerasgan.checkpoint.restore(tmp_path / "checkpoint", restored)
    for a, b in zip(restored.ema_generator.variables, gan.ema_generator.variables, strict=True):
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    assert (tmp_path / "ema_generator.keras").is_file()
    config = json.loads((tmp_path / "config.json").read_text())
    assert config["ema_decay"] == 0.9 and config["variant"] == "dcgan"


def _real_batches_seen(data, d_steps, fit_kwargs):
    seen = []
    generator, discriminator = tiny_networks(record=seen)
    gan = kerasgan.GAN(generator=generator, discriminator=discriminator, latent_dim=3, d_steps=d_steps,
                       adversarial_loss="wasserstein", seed=0)
    gan.compile()
    gan.run_eagerly = True
    gan.fit(data, epochs=1, verbose=0, **fit_kwargs)
    # D is called on real, then fake, per update, then once more by G's loss
    return [seen[2 * i] for i in range(d_steps)]


IDS = np.arange(12, dtype="float32") / 12  # image i is filled with i / 12


def _ids(batch):
    return sorted(np.round(batch[:, 0, 0, 0] * 12).astype(int).tolist())


@pytest.mark.parametrize("pipeline", ["dataset", "arrays"])
def test_each_critic_step_sees_its_own_real_minibatch(pipeline):
    images = np.broadcast_to(IDS[:, None, None, None], (12,) + SHAPE).copy()
    if pipeline == "dataset":  # static batch: data.load-style k·m batches
        data, kwargs = tf.data.Dataset.from_tensor_slices(images).batch(12, drop_remainder=True), {}
    else:  # numpy through Keras' adapter: dynamic batch shape
        data, kwargs = images, {"batch_size": 12, "shuffle": False}
    batches = _real_batches_seen(data, 3, kwargs)
    assert [len(b) for b in batches] == [4, 4, 4]
    ids = [_ids(b) for b in batches]
    assert sorted(sum(ids, [])) == list(range(12))  # disjoint, together the whole batch


def test_a_batch_that_k_does_not_divide_is_reused_by_every_critic_step():
    images = np.broadcast_to(IDS[:10, None, None, None], (10,) + SHAPE).copy()
    data = tf.data.Dataset.from_tensor_slices(images).batch(10, drop_remainder=True)
    batches = _real_batches_seen(data, 3, {})
    assert [_ids(b) for b in batches] == [list(range(10))] * 3


def test_data_load_batches_d_steps_minibatches():
    ds = kerasgan.data.load("toy:ring8", batch_size=16, d_steps=5, num_examples=400)
    assert next(iter(ds))[0].shape == (80, 2)
    with pytest.raises(ValueError, match="d_steps must be a positive int"):
        kerasgan.data.load("toy:ring8", batch_size=16, d_steps=0)


def test_cli_flags_reach_the_gan_and_the_run_config(shared_data, tmp_path):
    from kerasgan import cli

    workdir = tmp_path / "run"
    status = cli.main(["kerasgan", "train", "--variant=dcgan", f"--dataset=idx:{shared_data / 'mnist'}",
                       "--split=test[:256]", "--batch_size=16", "--steps_per_epoch=2", "--base_filters=4",
                       "--augment=color,cutout", "--r1_weight=1", "--label_smoothing=0.2", "--ema_decay=0.99",
                       "--d_steps=2", "--num_samples=4", f"--workdir={workdir}", "--verbose=0"])
    assert status == 0
    config = json.loads((workdir / "config.json").read_text())
    for key, value in {"augment": "color,cutout", "r1_weight": 1.0, "label_smoothing": 0.2, "ema_decay": 0.99,
                       "d_steps": 2, "base_filters": 4, "batch_size": 16}.items():
        assert config[key] == value, key
    gan = keras.models.load_model(workdir / "gan.keras")
    assert (gan.augment, gan.r1_weight, gan.label_smoothing, gan.ema_decay, gan.d_steps) == \
        ("color,cutout", 1.0, 0.2, 0.99, 2)
    assert int(gan.d_optimizer.iterations) == 4 and int(gan.g_optimizer.iterations) == 2
    assert (workdir / "ema_generator.keras").is_file()


def train_tiny_cgan(shared_data, tmp_path, flag: str):
    """One step of a 4-filter cgan on 64 MNIST digits with ``--flag``; its workdir, after checking the flag's record."""
    from kerasgan import cli

    workdir = tmp_path / "run"
    assert cli.main(["kerasgan", "train", "--variant=cgan", f"--dataset=idx:{shared_data / 'mnist'}",
                     "--split=test[:64]", "--batch_size=16", "--steps_per_epoch=1", "--base_filters=4",
                     f"--{flag}", "--num_samples=4", f"--workdir={workdir}", "--verbose=0"]) == 0
    assert json.loads((workdir / "config.json").read_text())[flag] is True
    return workdir


def test_cli_projection_flag_builds_a_projection_discriminator(shared_data, tmp_path):
    workdir = train_tiny_cgan(shared_data, tmp_path, "projection")
    names = [layer.name for layer in keras.models.load_model(workdir / "discriminator.keras").layers]
    assert "label_projection" in names and "label_embedding" not in names


def test_cli_conditional_norm_flag_builds_class_affine_batch_norms(shared_data, tmp_path):
    workdir = train_tiny_cgan(shared_data, tmp_path, "conditional_norm")
    generator = keras.models.load_model(workdir / "generator.keras")
    assert sum(isinstance(layer, kerasgan.nets.ClassAffine) for layer in generator.layers) == 3


def test_cli_acgan_class_loss_flags_reach_the_gan(shared_data, tmp_path):
    from kerasgan import cli

    workdir = tmp_path / "run"
    assert cli.main(["kerasgan", "train", "--variant=acgan", f"--dataset=idx:{shared_data / 'mnist'}",
                     "--split=test[:64]", "--batch_size=16", "--steps_per_epoch=1", "--base_filters=4",
                     "--aux_weight=0.5", "--noclassify_fakes", "--twin_classifier", "--num_samples=4",
                     f"--workdir={workdir}", "--verbose=0"]) == 0
    config = json.loads((workdir / "config.json").read_text())
    assert (config["aux_weight"], config["classify_fakes"], config["twin_classifier"]) == (0.5, False, True)
    gan = keras.models.load_model(workdir / "gan.keras")
    assert (gan.aux_weight, gan.classify_fakes, gan.twin_classifier) == (0.5, False, True)
    assert [output.shape[-1] for output in gan.discriminator.outputs] == [1, 10, 10]


def test_linear_learning_rate_decay_counts_each_optimizers_own_steps_and_resumes(tmp_path):
    """``lr_decay="linear", total_steps=N``: both rates fall linearly to 0 at N generator steps (D's schedule counts
    its d_steps updates a step); the schedule is saved with the GAN, so a resumed run goes on with it; a schedule
    without its length is refused."""
    common = dict(variant="wgan_gp", dataset="toy:ring8", steps_per_epoch=3, batch_size=16, verbose=0, seed=0,
                  lr_decay="linear", total_steps=12)
    result = kerasgan.train(workdir=str(tmp_path), epochs=1, **common)
    gan = result["gan"]
    assert int(gan.g_optimizer.iterations) == 3 and int(gan.d_optimizer.iterations) == 15
    base = 1e-4  # WGAN-GP's Adam (Gulrajani et al. 2017)
    assert float(gan.g_optimizer.learning_rate) == pytest.approx(base * (1 - 3 / 12), rel=1e-5)
    assert float(gan.d_optimizer.learning_rate) == pytest.approx(base * (1 - 15 / 60), rel=1e-5)
    resumed = kerasgan.train(workdir=str(tmp_path), epochs=2, **common)["gan"]
    assert float(resumed.g_optimizer.learning_rate) == pytest.approx(base * (1 - 6 / 12), rel=1e-5)
    continued = kerasgan.train(workdir=str(tmp_path / "continued"), epochs=1, initial_steps=9, **common)["gan"]
    assert int(continued.g_optimizer.iterations) == 12 and float(continued.g_optimizer.learning_rate) == 0.0
    with pytest.raises(ValueError, match="lr_decay and total_steps go together"):
        kerasgan.train(workdir=str(tmp_path / "bad"), epochs=1, **{**common, "total_steps": None})


def test_sngans_standard_cnn_is_the_papers_table_layer_by_layer():
    """Miyato et al. 2018, Table 3 (CIFAR-10): D of 3x3/1 and 4x4/2 convolutions, 64 to 512, leaky ReLU 0.1, then
    a dense logit; G from z (128) through a dense 4x4x512, three 4x4/2 ConvT (256, 128, 64) and a 3x3 conv to RGB."""
    gan = kerasgan.build("sngan", (32, 32, 3), kernel_size=4, max_filters=512, convs_per_stage=2, leaky_slope=0.1,
                         output_conv=True, latent_dim=128)
    d = [(layer.layer.kernel.shape[0], layer.layer.strides[0], tuple(layer.output.shape[1:]))
         for layer in gan.discriminator.layers if layer.name.startswith("sn_conv")]
    assert d == [(3, 1, (32, 32, 64)), (4, 2, (16, 16, 64)), (3, 1, (16, 16, 128)), (4, 2, (8, 8, 128)),
                 (3, 1, (8, 8, 256)), (4, 2, (4, 4, 256)), (3, 1, (4, 4, 512))]
    assert {layer.negative_slope for layer in gan.discriminator.layers if layer.name.startswith("lrelu")} == {0.1}
    assert gan.discriminator.get_layer("sn_logit").output.shape[1:] == (1,)
    convs = (keras.layers.Conv2D, keras.layers.Conv2DTranspose)
    g = [(layer.kernel.shape[0], layer.strides[0], tuple(layer.output.shape[1:]))
         for layer in gan.generator.layers if isinstance(layer, convs)]
    assert g == [(4, 2, (8, 8, 256)), (4, 2, (16, 16, 128)), (4, 2, (32, 32, 64)), (3, 1, (32, 32, 3))]
    assert gan.generator.get_layer("project").output.shape[1:] == (4 * 4 * 512,) and gan.latent_dim == 128
