"""GANs with an encoder: MRGAN and MDGAN (Che et al. 2017): the terms against hand computations, one step of each
against numpy on linear networks, inversion, saving, resuming, and the refusals."""

import os

import keras
import numpy as np
import pytest
import tensorflow as tf

import kerasgan
from conftest import softplus
from kerasgan import losses
from kerasgan.callbacks import TrainingCheckpoint
from kerasgan.gan.objective import GeneratorBatch, ModeRegularizerTerm, Outputs

X = np.array([[0.5, -0.2, 0.1, 0.9], [-0.7, 0.3, 0.0, 0.2], [0.1, 0.1, -0.4, -0.6], [0.8, -0.9, 0.6, 0.0],
              [0.0, 0.4, -0.1, 0.3], [-0.3, -0.5, 0.7, -0.2], [0.6, 0.2, 0.2, -0.8], [-0.9, 0.0, -0.3, 0.5]],
             "float32")


def test_reconstruction_distance_and_mode_regularizer_closed_forms():
    x = np.array([[[1.0, -1.0]], [[0.5, 0.5]]], "float32")
    r = np.array([[[0.0, -1.0]], [[0.5, -0.5]]], "float32")
    np.testing.assert_allclose(losses.reconstruction_distance(x, r, reduction="none"), [0.5, 0.5], rtol=1e-6)
    assert float(losses.reconstruction_distance(x, x)) == 0.0
    logits = np.array([[2.0], [-1.0], [0.0]], "float32")
    np.testing.assert_allclose(losses.mode_regularizer(logits, reduction="none"), -softplus(-logits[:, 0]), rtol=1e-6)
    assert float(losses.mode_regularizer(np.full((2, 1), 30.0))) == pytest.approx(0.0, abs=1e-9)  # log D -> log 1


def test_the_mode_regularizer_term_adds_eq_3_with_its_signs():
    """``g += λ1 d(x, G∘E(x)) + λ2 log D(G∘E(x))``: both signs plus, as Che et al. 2017 write eq. 3; a larger D on
    the reconstructions *raises* nothing but lowers the term (log D grows toward 0 from below)."""
    real = tf.constant(X[:3])
    shift = tf.constant([[0.1, 0.0, -0.2, 0.3]])
    logits = tf.constant([[1.5], [-0.5], [0.0]])
    term = ModeRegularizerTerm(reconstruction_weight=0.2, mode_weight=0.4)
    batch = GeneratorBatch(None, None, None, real, reconstruct=lambda x: x + shift,
                           discriminate=lambda images: Outputs(logits))
    values, logs = term.generator_loss(batch)
    distance = np.mean(shift.numpy() ** 2)
    expected = 0.2 * distance + 0.4 * -softplus(-logits.numpy()[:, 0])
    np.testing.assert_allclose(values, expected, rtol=1e-6)
    assert float(logs["reconstruction"]) == pytest.approx(distance, rel=1e-6)
    assert float(logs["mode"]) == pytest.approx(np.mean(-softplus(-logits.numpy()[:, 0])), rel=1e-6)
    flipped, _ = ModeRegularizerTerm(reconstruction_weight=0.2, mode_weight=-0.4).generator_loss(batch)
    np.testing.assert_allclose(flipped, 0.2 * distance + 0.4 * softplus(-logits.numpy()[:, 0]), rtol=1e-6)
    assert kerasgan.build("mrgan", (28, 28, 1), base_filters=4, mode_weight=-0.4).mode_weight == -0.4


def linear_networks(n_discriminators=1):
    """Linear G (2 -> 4), E (4 -> 2) and D (4 -> 1) with fixed weights: their losses have numpy closed forms."""
    rng = np.random.default_rng(3)

    def dense(inputs, units, name):
        x = keras.Input((inputs,))
        layer = keras.layers.Dense(units, name=name)
        model = keras.Model(x, layer(x), name=name)
        layer.set_weights([rng.normal(size=(inputs, units)).astype("float32") * 0.5,
                           rng.normal(size=(units,)).astype("float32") * 0.1])
        return model

    return (dense(2, 4, "generator"), dense(4, 2, "encoder"),
            *[dense(4, 1, f"discriminator_{i}") for i in range(n_discriminators)])


def affine(model, x):
    kernel, bias = model.get_weights()
    return x @ kernel + bias


def test_one_mrgan_step_logs_the_regularizers_of_eq_3():
    """One step on 8 examples: ``reconstruction`` is ``d(x, G(E(x)))`` with the networks before the step, ``mode``
    is ``log D(G(E(x)))`` with D after its update (D updates first, Algorithm 1); G and E both learn from ``T_G``."""
    g, e, d = linear_networks()
    before = {net.name: [w.copy() for w in net.get_weights()] for net in (g, e)}
    gan = kerasgan.variants.MRGAN(generator=g, discriminator=d, encoder=e, latent_dim=2, seed=0,
                                  reconstruction_weight=0.2, mode_weight=0.4)
    gan.compile(d_optimizer=keras.optimizers.SGD(0.1), g_optimizer=keras.optimizers.SGD(0.1))
    history = gan.fit(X, batch_size=8, epochs=1, verbose=0, shuffle=False).history
    g0 = keras.Model.from_config(g.get_config()); g0.set_weights(before["generator"])
    e0 = keras.Model.from_config(e.get_config()); e0.set_weights(before["encoder"])
    reconstructions = affine(g0, affine(e0, X))
    assert history["reconstruction"][0] == pytest.approx(np.mean((X - reconstructions) ** 2), rel=1e-5)
    assert history["mode"][0] == pytest.approx(np.mean(-softplus(-affine(d, reconstructions)[:, 0])), rel=1e-5)
    assert not np.allclose(e.get_weights()[0], before["encoder"][0])  # E learned from the generator's loss
    assert {v.path for v in gan._generator_variables()} == {v.path for v in g.weights + e.weights}


def test_one_mdgan_step_is_the_manifold_step_then_the_diffusion_step():
    """The manifold step's logs against numpy: D1's loss ``-log D1(x) - log(1 - D1(G∘E(x)))`` before its update,
    then ``λ d(x, G∘E(x)) - log D1(G∘E(x))`` with D1 updated and G, E as they were; D2 (the diffusion step's) then
    takes the reconstructions as its reals."""
    g, e, d2, d1 = linear_networks(2)
    before = {net.name: [w.copy() for w in net.get_weights()] for net in (g, e, d1)}
    gan = kerasgan.variants.MDGAN(generator=g, discriminator=d2, encoder=e, manifold_discriminator=d1, latent_dim=2,
                                  seed=0, reconstruction_weight=0.5)
    gan.compile(d_optimizer=keras.optimizers.SGD(0.1), g_optimizer=keras.optimizers.SGD(0.1))
    reals = []
    step = gan._discriminator_step
    gan._discriminator_step = lambda real, fake, labels, batch: (reals.append(real), step(real, fake, labels, batch))[1]
    history = gan.fit(X, batch_size=8, epochs=1, verbose=0, shuffle=False).history
    clone = lambda net: keras.Model.from_config(net.get_config())  # noqa: E731
    g0, e0, d10 = clone(g), clone(e), clone(d1)
    for net in (g0, e0, d10):
        net.set_weights(before[net.name])
    r0 = affine(g0, affine(e0, X))
    d_loss = softplus(-affine(d10, X)[:, 0]) + softplus(affine(d10, r0)[:, 0])
    assert history["manifold_d_loss"][0] == pytest.approx(d_loss.mean(), rel=1e-5)
    distance = np.mean((X - r0) ** 2, axis=1)
    assert history["reconstruction"][0] == pytest.approx(distance.mean(), rel=1e-5)
    manifold = 0.5 * distance + softplus(-affine(d1, r0)[:, 0])  # D1 after its update
    assert history["manifold_loss"][0] == pytest.approx(manifold.mean(), rel=1e-5)
    assert len(reals) == 1  # D2's real input is G(E(x)), traced once
    assert [int(o.iterations) for o in (gan.d_optimizer, gan.g_optimizer, gan.manifold_d_optimizer,
                                         gan.manifold_g_optimizer)] == [1, 1, 1, 1]
    assert not np.allclose(e.get_weights()[0], before["encoder"][0])


@pytest.mark.parametrize("variant", ["mrgan", "mdgan"])
def test_save_load_and_resume_are_bit_exact(variant, tmp_path):
    """A ``.keras`` file keeps the encoder (and MDGAN's D1) and every optimizer's state: the loaded GAN trains on to
    the same weights as the one that never stopped; so does a run resumed from its TrainingCheckpoint."""
    images = np.random.default_rng(0).uniform(-1, 1, (32, 16, 16, 1)).astype("float32")

    def fresh(seed=0):
        keras.utils.set_random_seed(0)
        gan = kerasgan.build(variant, (16, 16, 1), base_filters=4, latent_dim=8, seed=seed)
        gan.compile()
        return gan

    def state(gan):
        return [v.numpy() for v in gan.weights] + [v.numpy() for v in gan.d_optimizer.variables + gan.g_optimizer.variables]

    whole = fresh()
    whole.fit(images, batch_size=8, epochs=2, verbose=0, shuffle=False)
    first = fresh()
    first.fit(images, batch_size=8, epochs=1, verbose=0, shuffle=False)
    path = os.path.join(tmp_path, "gan.keras")
    first.save(path)
    loaded = kerasgan.saving.load_model(path)
    assert type(loaded).__name__ == variant.upper()
    np.testing.assert_array_equal(loaded.encode(images[:4]), first.encode(images[:4]))
    loaded.fit(images, batch_size=8, epochs=1, verbose=0, shuffle=False)
    for a, b in zip(state(whole), state(loaded), strict=True):
        np.testing.assert_array_equal(a, b)

    folder = tmp_path / "checkpoint"
    killed = fresh()
    killed.fit(images, batch_size=8, epochs=1, verbose=0, shuffle=False, callbacks=[TrainingCheckpoint(folder)])
    resumed = fresh(seed=1)  # another seed: everything comes from the checkpoint
    resumed.fit(images, batch_size=8, epochs=2, verbose=0, shuffle=False, callbacks=[TrainingCheckpoint(folder)])
    for a, b in zip(state(whole), state(resumed), strict=True):
        np.testing.assert_array_equal(a, b)
    if variant == "mdgan":
        assert int(resumed.manifold_g_optimizer.iterations) == 8
        np.testing.assert_array_equal(resumed.manifold_discriminator.get_weights()[0],
                                      whole.manifold_discriminator.get_weights()[0])


def test_inversion_shapes_scaling_and_interpolation_ends():
    gan = kerasgan.build("mrgan", (28, 28, 1), base_filters=4, latent_dim=8, seed=0)
    digits = np.random.default_rng(0).integers(0, 256, (3, 28, 28)).astype("uint8")
    z = gan.encode(digits)
    np.testing.assert_allclose(z, gan.encode(digits.astype("float32")[..., None] / 127.5 - 1.0), atol=1e-5)
    line = gan.interpolate_images(digits[0], digits[1], steps=5)
    assert line.shape == (5, 28, 28, 1)
    np.testing.assert_allclose(line[0], gan.reconstruct(digits[:1])[0], atol=1e-5)
    np.testing.assert_allclose(line[-1], gan.reconstruct(digits[1:2])[0], atol=1e-5)
    assert gan.interpolate_images(digits[:2], digits[1:], steps=3).shape == (2, 3, 28, 28, 1)
    with pytest.raises(ValueError, match="steps >= 2"):
        gan.interpolate_images(digits[0], digits[1], steps=1)


def test_the_encoder_ends_on_the_latent_sphere_unless_latent_sphere_is_false(tmp_path):
    images = np.random.default_rng(1).uniform(-1, 1, (5, 8, 8, 1)).astype("float32")
    on_sphere = kerasgan.build("mrgan", (8, 8, 1), base_filters=4, latent_dim=16, seed=0)
    np.testing.assert_allclose(np.linalg.norm(on_sphere.encode(images), axis=1), 4.0, rtol=1e-5)  # √16
    free = kerasgan.build("mdgan", (8, 8, 1), base_filters=4, latent_dim=16, seed=0, latent_sphere=False)
    assert free.encoder.layers[-1].name == "latent"
    norms = np.linalg.norm(free.encode(images), axis=1)
    assert not np.allclose(norms, 4.0, rtol=1e-2)
    path = str(tmp_path / "free.keras")
    free.save(path)  # the free head survives a round trip: the loaded encoder maps images to the same latents
    np.testing.assert_allclose(keras.saving.load_model(path).encode(images), free.encode(images), atol=1e-6)
    # the toys' settings leave it free: a 2-D prior does not concentrate on a circle
    toy = kerasgan.build("mrgan", image_shape=(2,), seed=0, **kerasgan.toy.GAN_SETTINGS)
    assert toy.encoder.layers[-1].name == "latent"
    with pytest.raises(ValueError, match="unknown network option 'e_latent_sphere'"):
        kerasgan.build("mrgan", (8, 8, 1), base_filters=4, e_latent_sphere=False)


def test_refusals_say_what_to_do():
    with pytest.raises(ValueError, match="dcgan has no encoder: it maps latents to images only"):
        kerasgan.build("dcgan", (28, 28, 1), base_filters=4).reconstruct(np.zeros((1, 28, 28, 1)))
    with pytest.raises(ValueError, match="reconstruction_weight weighs a regularizer of a GAN with an encoder"):
        kerasgan.build("dcgan", (28, 28, 1), base_filters=4, reconstruction_weight=1.0)
    with pytest.raises(ValueError, match="mode_weight is MRGAN's mode regularizer"):
        kerasgan.build("mdgan", (28, 28, 1), base_filters=4, mode_weight=0.4)
    with pytest.raises(ValueError, match="log D.*of a logit discriminator.*hinge"):
        kerasgan.build("mrgan", (28, 28, 1), base_filters=4, adversarial_loss="hinge")
    with pytest.raises(ValueError, match=r"mrgan is unconditional: its encoder maps an image to z alone; leave "
                                         r"num_classes, latent_code out \(clusters=K applies"):
        kerasgan.build("mrgan", (28, 28, 1), base_filters=4, latent_code=4)
    with pytest.raises(ValueError, match="mdgan is unconditional.*leave num_classes, latent_code and clusters out[.]$"):
        kerasgan.build("mdgan", (28, 28, 1), base_filters=4, clusters=3)
    g, _, d = linear_networks()
    wrong = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3)])
    with pytest.raises(ValueError, match=r"the encoder must map images \(4,\) to 2 latents; it maps \(4,\) to \(3,\)"):
        kerasgan.variants.MRGAN(generator=g, discriminator=d, encoder=wrong, latent_dim=2)


def test_a_zoo_entry_with_an_encoder_ships_it_and_inverts_images(shared_data, tmp_path, monkeypatch):
    """``build_zoo_entry.py`` on a tiny mrgan card ships encoder.keras (with its sha256), the card's metrics hold
    the reconstruction error on the test digits, ``zoo.load(NAME)`` encodes, reconstructs and interpolates real
    images, and ``kerasgan sample NAME --reconstruct=...`` writes originals and reconstructions; an entry without
    an encoder says so."""
    import shutil
    import subprocess
    import sys

    from test_zoo import ROOT, _build, _tiny_zoo

    from kerasgan import zoo

    zoo_dir, mnist = _tiny_zoo(shared_data, tmp_path, monkeypatch, name="tiny_mrgan", variant="mrgan")
    _build(monkeypatch, "tiny_mrgan", "--eval_every=1", f"--workdir={tmp_path / 'run'}")
    built = zoo.card("tiny_mrgan")
    assert built["files"][zoo.ENCODER] == zoo.sha256(str(zoo_dir / "tiny_mrgan" / zoo.ENCODER))
    error = built["metrics"]["reconstruction"]
    assert error["num_images"] == 10_000 and 0 < error["pixel_mse"] <= 4 and error["feature_distance"] > 0

    entry = zoo.load("tiny_mrgan")
    digits = np.random.default_rng(0).integers(0, 256, (5, 28, 28)).astype("uint8")
    assert entry.encode(digits).shape == (5, 8)
    np.testing.assert_allclose(entry.reconstruct(digits), entry.decode(entry.encode(digits)), atol=1e-6)
    line = entry.interpolate_images(digits[0], digits[1], steps=4)
    assert line.shape == (4, 28, 28, 1)
    np.testing.assert_allclose(line[0], entry.reconstruct(digits[:1])[0], atol=1e-5)
    preset = kerasgan.GAN.from_preset("tiny_mrgan", seed=0)  # fine-tunes with the shipped encoder
    np.testing.assert_allclose(preset.encode(digits), entry.encode(digits), atol=1e-6)
    preset.compile()
    preset.fit(digits, batch_size=5, epochs=1, verbose=0)
    shutil.copytree(os.path.join(ROOT, "zoo", "dcgan_mnist"), zoo_dir / "dcgan_mnist")
    with pytest.raises(ValueError, match=r"ships no encoder.keras; encoding real images needs an entry of a GAN with "
                                         r"an encoder \(variants mrgan, mdgan\) \(entries with one: \['tiny_mrgan'\]\)"):
        zoo.load("dcgan_mnist").encode(digits)

    out = tmp_path / "reconstructions.png"
    env = dict(os.environ, PYTHONPATH=str(ROOT), KERASGAN_ZOO=str(zoo_dir))
    run = subprocess.run([sys.executable, "-m", "kerasgan", "sample", "tiny_mrgan", f"--reconstruct={mnist}@test",
                          "--num=6", "--nrow=3", f"--out={out}"], env=env, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-2000:]
    assert "6 reconstructions of" in run.stdout and out.exists()
    from PIL import Image

    reference = kerasgan.images.save_grid(np.zeros((12, 28, 28, 1)), str(tmp_path / "twelve.png"), nrow=3, scale=2)
    with Image.open(out) as grid, Image.open(reference) as twelve:  # 3 a row; originals, reconstructions: 4 rows
        assert grid.size == twelve.size


def test_a_cluster_conditioned_mrgan_entry_ships_its_centers_and_reconstructs_each_image_with_its_cluster(
        shared_data, tmp_path, monkeypatch):
    """MRGAN with ``clusters=K`` reconstructs ``G(E(x), c(x))``: its entry ships the k-means centers
    (``clusters.npy``, in the card's files), so ``zoo.load(NAME).reconstruct`` decodes each real image with its own
    cluster, the latent line walks the first image's cluster then the second's, and the preset comes with its
    centers fitted (it reconstructs as the entry does)."""
    from test_zoo import _build, _tiny_zoo

    from kerasgan import zoo
    from kerasgan.data.idx import read_idx

    zoo_dir, _ = _tiny_zoo(shared_data, tmp_path, monkeypatch, name="tiny_mrgan_k", variant="mrgan", clusters=3)
    _build(monkeypatch, "tiny_mrgan_k", "--eval_every=1", f"--workdir={tmp_path / 'run'}")
    built = zoo.card("tiny_mrgan_k")
    assert built["files"][zoo.storage.CLUSTERS] == zoo.sha256(str(zoo_dir / "tiny_mrgan_k" / zoo.storage.CLUSTERS))
    assert zoo.storage.cluster_centers("tiny_mrgan_k").shape == (3, 196)
    assert built["metrics"]["reconstruction"]["num_images"] == 10_000

    entry = zoo.load("tiny_mrgan_k")
    digits = read_idx(str(shared_data / "mnist" / "t10k-images-idx3-ubyte.gz"))[:40]  # uint8 (40, 28, 28)
    ids = entry.assign_clusters(digits)
    assert ids.shape == (40,) and len(set(ids.tolist())) > 1  # the test digits fall in more than one cluster
    np.testing.assert_allclose(entry.reconstruct(digits), entry.decode(entry.encode(digits), ids), atol=1e-6)
    a, b = (int(np.argmax(ids == ids[0])), int(np.argmax(ids != ids[0])))  # two digits of different clusters
    line = entry.interpolate_images(digits[a], digits[b], steps=4)
    np.testing.assert_allclose(line[0], entry.reconstruct(digits[a:a + 1])[0], atol=1e-5)
    np.testing.assert_allclose(line[-1], entry.reconstruct(digits[b:b + 1])[0], atol=1e-5)
    preset = kerasgan.GAN.from_preset("tiny_mrgan_k", seed=0)
    assert preset.clusters_fitted
    np.testing.assert_array_equal(preset.assign_clusters(digits), ids)
    np.testing.assert_allclose(preset.reconstruct(digits, ema=False), entry.reconstruct(digits), atol=1e-5)
