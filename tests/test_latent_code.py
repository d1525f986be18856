"""InfoGAN's categorical latent code (``latent_code=K``, Chen et al. 2016) on the unconditional variants."""

import json

import keras
import numpy as np
import pytest
import tensorflow as tf
from PIL import Image

import kerasgan
from kerasgan import cli, zoo
from conftest import cross_entropy, linear_label_networks, softplus


def test_infogan_losses_closed_form():
    """D minimises softplus(-D(x)) + softplus(D(G(z, c))) + λ CE(c, Q(G(z, c))) (no term on real images, whose
    codes do not exist); G minimises softplus(-D(G(z, c))) + λ CE(c, Q(G(z, c))). A generator that ignores z and a
    linear D with a source and a code head make every term computable in numpy, for the codes the step drew."""
    codes, shape, weight = 3, (2, 2, 1), 0.7
    generator, discriminator = linear_label_networks(codes, shape, [(1, "source"), (codes, "code")])
    gan = kerasgan.DCGAN(generator=generator, discriminator=discriminator, latent_dim=2, latent_code=codes,
                         aux_weight=weight, seed=0)
    drawn = np.array([2, 0, 1, 1, 2, 2], "int32")
    gan._codes = lambda batch_size: tf.constant(drawn)  # the codes of this one step, known to numpy
    gan.compile(d_optimizer=keras.optimizers.SGD(0.0), g_optimizer=keras.optimizers.SGD(0.0))
    images = np.random.default_rng(0).uniform(-1, 1, (6,) + shape).astype("float32")
    logs = gan.fit(images, batch_size=6, verbose=0).history
    assert sorted(logs) == ["code_acc", "d_fake", "d_loss", "d_real", "g_loss"]

    fakes = generator.get_layer("per_label").get_weights()[0][drawn]
    (w, b), (v, c) = discriminator.get_layer("source").get_weights(), discriminator.get_layer("code").get_weights()
    real_logit, fake_logit = images.reshape(6, -1) @ w + b, fakes @ w + b
    code_ce = cross_entropy(fakes @ v + c, drawn)
    d_loss = softplus(-real_logit[:, 0]) + softplus(fake_logit[:, 0]) + weight * code_ce
    g_loss = softplus(-fake_logit[:, 0]) + weight * code_ce
    assert logs["d_loss"][0] == pytest.approx(d_loss.mean(), rel=1e-5)
    assert logs["g_loss"][0] == pytest.approx(g_loss.mean(), rel=1e-5)
    assert logs["code_acc"][0] == pytest.approx(np.mean(np.argmax(fakes @ v + c, axis=1) == drawn))


def test_codes_are_uniform_over_k_values_and_fresh_each_draw():
    gan = kerasgan.build("dcgan", (28, 28, 1), latent_code=5, base_filters=4, seed=0)
    draws = np.concatenate([gan._codes(4000).numpy() for _ in range(5)])
    counts = np.bincount(draws, minlength=5)
    assert draws.dtype == np.int32 and draws.min() == 0 and draws.max() == 4
    # 20,000 draws of Cat(5): each count is 4,000 ± 57 (1 sd); 5 sd is 283
    assert np.abs(counts - 4000).max() < 283
    assert not np.array_equal(draws[:4000], draws[4000:8000])


def test_code_head_learns_the_generators_codes_and_each_code_draws_its_own_images(tmp_path):
    """Q is trained on G's images only, and G is rewarded for images Q can read: after a short training on noise
    images the code accuracy is far above chance (1/4) and the code changes the image for a fixed z. The GAN
    saves and loads with its code; ``generate`` cycles the codes like a conditional GAN's labels."""
    gan = kerasgan.build("dcgan", (16, 16, 1), latent_code=4, base_filters=4, latent_dim=8, seed=0)
    gan.compile(d_optimizer=keras.optimizers.Adam(2e-3), g_optimizer=keras.optimizers.Adam(2e-3))
    images = np.random.default_rng(0).uniform(-1, 1, (256, 16, 16, 1)).astype("float32")
    history = gan.fit(images, batch_size=32, epochs=6, verbose=0).history
    assert history["code_acc"][-1] > 0.9  # chance is 0.25
    z = np.repeat(kerasgan.sampling.latent_points(1, 8, seed=0), 4, axis=0)
    per_code = np.asarray(gan.generator([z, np.arange(4, dtype="int32")], training=False))
    assert min(np.abs(per_code[i] - per_code[j]).mean() for i in range(4) for j in range(i)) > 1e-3
    cycled = gan.generate(8, seed=3, ema=False)
    explicit = gan.generate(8, labels=[0, 1, 2, 3, 0, 1, 2, 3], seed=3, ema=False)
    np.testing.assert_array_equal(cycled, explicit)
    with pytest.raises(ValueError, match=r"labels must be in \[0, 4\)"):
        gan.generate(2, labels=[4, 0])
    path = tmp_path / "info.keras"
    gan.save(path)
    restored = keras.models.load_model(path)
    assert restored.latent_code == 4 and restored.get_config()["latent_code"] == 4
    np.testing.assert_allclose(restored.generate(8, seed=3), gan.generate(8, seed=3), atol=1e-6)
    assert kerasgan.checkpoint.fingerprint(gan)["latent_code"] == 4


def test_latent_code_errors_say_what_to_do():
    with pytest.raises(ValueError, match="acgan is class-conditional and takes labels"):
        kerasgan.build("acgan", (28, 28, 1), num_classes=10, latent_code=3, base_filters=4)
    with pytest.raises(ValueError, match="number of code values K >= 2, got 1"):
        kerasgan.build("dcgan", (28, 28, 1), latent_code=1, base_filters=4)
    plain = kerasgan.build("dcgan", (28, 28, 1), base_filters=4)
    with pytest.raises(ValueError, match=r"needs a generator taking \[z, code\].*kerasgan.build\(variant, "
                                         r"image_shape, latent_code=10\)"):
        kerasgan.DCGAN(generator=plain.generator, discriminator=plain.discriminator, latent_dim=100, latent_code=10)
    info = kerasgan.build("dcgan", (28, 28, 1), latent_code=6, base_filters=4)
    with pytest.raises(ValueError, match="of 7 logits"):  # the code head has 6
        kerasgan.DCGAN(generator=info.generator, discriminator=info.discriminator, latent_dim=100, latent_code=7)
    with pytest.raises(ValueError, match="num_classes=6 was given"):
        kerasgan.DCGAN(generator=info.generator, discriminator=info.discriminator, latent_dim=100, latent_code=6,
                       num_classes=6)
    with pytest.raises(ValueError, match="classify_fakes=False applies to a discriminator with an AC-GAN class head"):
        kerasgan.build("dcgan", (28, 28, 1), latent_code=6, base_filters=4, classify_fakes=False)


def test_cli_latent_code_trains_an_infogan_that_the_zoo_loader_samples(shared_data, tmp_path):
    """``kerasgan train --latent_code=4`` on unlabelled use of MNIST: the recipe records it, the saved GAN has it,
    the samples grid has one column per code, and a zoo card with that recipe samples the generator as
    ``GAN.generate`` does (codes cycled)."""
    workdir = tmp_path / "run"
    assert cli.main(["kerasgan", "train", "--variant=lsgan", f"--dataset=idx:{shared_data / 'mnist'}",
                     "--split=test[:64]", "--batch_size=16", "--steps_per_epoch=2", "--base_filters=4",
                     "--latent_code=4", "--num_samples=8", f"--workdir={workdir}", "--verbose=0"]) == 0
    assert json.loads((workdir / "config.json").read_text())["latent_code"] == 4
    gan = keras.models.load_model(workdir / "gan.keras")
    assert type(gan).__name__ == "LSGAN" and gan.latent_code == 4 and gan.num_classes is None
    with Image.open(workdir / "samples" / "epoch_001.png") as written:
        grid = np.asarray(written)
    expected = kerasgan.images.save_grid(gan.generate(8, seed=0), tmp_path / "expected.png", nrow=4, scale=2)
    with Image.open(expected) as made:  # rows of 4: each column one code (codes cycle 0, 1, 2, 3)
        np.testing.assert_array_equal(grid, np.asarray(made))
    card = {"latent_dim": gan.latent_dim, "num_classes": None, "image_shape": [28, 28, 1], "variant": "lsgan",
            "dataset": "mnist", "recipe": {"variant": "lsgan", "latent_code": 4}}
    loaded = zoo.ZooGenerator("info", keras.models.load_model(workdir / "generator.keras"), card)
    assert loaded.latent_code == 4
    np.testing.assert_allclose(loaded.generate(6, seed=2), gan.generate(6, seed=2, ema=False), atol=1e-6)
    assert loaded.interpolate(rows=2, steps=3).shape == (6, 28, 28, 1)
    with pytest.raises(ValueError, match=r"labels must be in \[0, 4\)"):
        loaded.generate(1, labels=9)
