"""The objective as terms: which terms a GAN's settings give, and consistency regularization (bCR, Zhao et al. 2021)
as one term: its value against a hand computation, its option everywhere options go."""

import json

import keras
import numpy as np
import pytest
import tensorflow as tf
from PIL import Image

import kerasgan
from kerasgan import augment, options
from kerasgan.gan import objective
from conftest import softplus

SHAPE = (2, 2, 1)


def linear_pair(fake_image):
    """G(z) = ``fake_image`` for every z (a bias, kernel zero) and a linear D: losses numpy can compute."""
    z = keras.Input((2,))
    flat = keras.layers.Dense(4, kernel_initializer="zeros",
                              bias_initializer=keras.initializers.Constant(fake_image.reshape(-1)), name="g")(z)
    generator = keras.Model(z, keras.layers.Reshape(SHAPE)(flat))
    image = keras.Input(SHAPE)
    discriminator = keras.Model(image, keras.layers.Dense(1, name="d")(keras.layers.Flatten()(image)))
    return generator, discriminator


def shifted(images, seed):
    """A transformation numpy can follow: each image rolled one pixel right and halved."""
    return tf.roll(images, 1, axis=2) * 0.5


def test_consistency_term_against_a_hand_computation():
    """With weight λ, D's loss adds λ (‖D(x) - D(T(x))‖² + ‖D(G(z)) - D(T(G(z)))‖²) per example, and the log
    ``consistency`` is the mean of the bracket; G's loss is the plain non-saturating one."""
    rng = np.random.default_rng(0)
    fake_image = rng.uniform(-1, 1, SHAPE).astype("float32")
    images = rng.uniform(-1, 1, (6, *SHAPE)).astype("float32")
    weight = 0.7
    generator, discriminator = linear_pair(fake_image)
    gan = kerasgan.GAN(generator=generator, discriminator=discriminator, latent_dim=2, consistency_weight=weight,
                       seed=0)
    term = gan.objective.terms[-1]
    assert isinstance(term, objective.ConsistencyTerm) and term.weight == weight
    term.transform = shifted
    gan.compile(d_optimizer=keras.optimizers.SGD(0.0), g_optimizer=keras.optimizers.SGD(0.0))
    logs = gan.fit(images, batch_size=6, verbose=0).history
    assert sorted(logs) == ["consistency", "d_fake", "d_loss", "d_real", "g_loss"]

    w, b = discriminator.get_layer("d").get_weights()
    d = lambda x: x.reshape(len(x), -1) @ w[:, 0] + b[0]  # noqa: E731
    fakes = np.repeat(fake_image[None], 6, axis=0)
    transform = lambda x: np.roll(x, 1, axis=2) * 0.5  # noqa: E731
    bracket = (d(images) - d(transform(images))) ** 2 + (d(fakes) - d(transform(fakes))) ** 2
    d_loss = softplus(-d(images)) + softplus(d(fakes)) + weight * bracket
    assert logs["consistency"][0] == pytest.approx(bracket.mean(), rel=1e-5)
    assert logs["d_loss"][0] == pytest.approx(d_loss.mean(), rel=1e-5)
    assert logs["g_loss"][0] == pytest.approx(softplus(-d(fakes)).mean(), rel=1e-5)


def test_consistency_trains_d_towards_equal_outputs_on_transformed_images():
    """Only the consistency term (SGD on D, G frozen): D's outputs on an image and its transformation converge."""
    rng = np.random.default_rng(1)
    generator, discriminator = linear_pair(rng.uniform(-1, 1, SHAPE).astype("float32"))
    gan = kerasgan.GAN(generator=generator, discriminator=discriminator, latent_dim=2, consistency_weight=10.0,
                       adversarial_loss="wasserstein", seed=0)
    gan.objective.terms[-1].transform = shifted
    gan.compile(d_optimizer=keras.optimizers.SGD(0.01), g_optimizer=keras.optimizers.SGD(0.0))
    images = rng.uniform(-1, 1, (64, *SHAPE)).astype("float32")
    history = gan.fit(images, batch_size=64, epochs=30, verbose=0).history["consistency"]
    assert history[-1] < 0.1 * history[0]


def test_the_default_transformation_is_diffaugment():
    gan = kerasgan.build("dcgan", (16, 16, 1), base_filters=4, consistency_weight=10.0, seed=0)
    term = gan.objective.terms[-1]
    assert term.policy == objective.ConsistencyTerm.DEFAULT_POLICY == "translation,cutout"
    images = np.random.default_rng(0).uniform(-1, 1, (4, 16, 16, 1)).astype("float32")
    np.testing.assert_array_equal(term.transform(images, [1, 2]), augment.diff_augment(images, "translation,cutout",
                                                                                       [1, 2]))
    assert kerasgan.build("dcgan", (16, 16, 1), base_filters=4, consistency_weight=1.0,
                          augment="color").objective.terms[-1].policy == "color"


def test_consistency_weight_is_an_option_like_the_others(tmp_path):
    """Declared once: a constructor setting, in get_config and back, a kerasgan train flag, a toolkit-table row; a
    negative weight is refused with what was wrong."""
    gan = kerasgan.build("dcgan", (16, 16, 1), base_filters=4, consistency_weight=2.5)
    assert gan.consistency_weight == 2.5 and gan.get_config()["consistency_weight"] == 2.5
    assert type(gan).from_config(gan.get_config()).consistency_weight == 2.5
    assert "consistency" in gan.objective.metric_names
    assert "`consistency_weight=λ`" in options.toolkit_table()
    with pytest.raises(ValueError, match="consistency_weight must be >= 0, got -1"):
        kerasgan.build("dcgan", (16, 16, 1), base_filters=4, consistency_weight=-1)
    from kerasgan import cli

    folder = tmp_path / "images" / "all"
    folder.mkdir(parents=True)
    for i in range(16):
        Image.fromarray(np.random.default_rng(i).integers(0, 256, (16, 16), dtype="uint8")).save(folder / f"{i}.png")
    workdir = tmp_path / "run"
    assert cli.main(["kerasgan", "train", "--variant=dcgan", f"--dataset=folder:{tmp_path / 'images'}",
                     "--base_filters=4", "--batch_size=8", "--consistency_weight=0.5", f"--workdir={workdir}",
                     "--verbose=0"]) == 0
    assert json.loads((workdir / "config.json").read_text())["consistency_weight"] == 0.5
    assert keras.models.load_model(workdir / "gan.keras").consistency_weight == 0.5


@pytest.mark.parametrize("settings, terms", [
    ({}, ["AdversarialTerm"]),
    ({"gp_weight": 10.0, "r1_weight": 1.0, "consistency_weight": 1.0},
     ["AdversarialTerm", "GradientPenaltyTerm", "R1Term", "ConsistencyTerm"]),
    ({"clip_value": 0.01, "latent_code": 3}, ["AdversarialTerm", "CodeTerm", "WeightClipping"]),
])
def test_settings_choose_the_terms_in_their_order(settings, terms):
    gan = kerasgan.build("dcgan", (16, 16, 1), base_filters=4, **settings)
    assert [type(t).__name__ for t in gan.objective.terms] == terms


def test_a_variant_declares_only_what_it_changes_and_inherits_the_rest():
    class HingeWGANGP(kerasgan.WGANGP):
        variant = "hinge_wgan_gp_example"
        defaults = {"adversarial_loss": "hinge"}

    try:
        gan = kerasgan.build("hinge_wgan_gp_example", (16, 16, 1), base_filters=4)
        assert (gan.adversarial_loss, gan.d_steps, gan.gp_weight) == ("hinge", 5, 10.0)
    finally:
        kerasgan.registry.unregister("hinge_wgan_gp_example")
    with pytest.raises(ValueError, match=r"defaults names \['gp_wieght'\], which are not GAN settings"):
        class Typo(kerasgan.DCGAN):
            defaults = {"gp_wieght": 1.0}
