"""The seeds' theory (Goodfellow et al. 2014), checked on 1-D Gaussians.

A generator with a known density (G(z) = mu + sigma z, z ~ N(0, 1), frozen)
and a discriminator trained by the GAN's own train_step with the minimax loss:
Proposition 1 says D -> D* = p_data / (p_data + p_g), and Theorem 1 that at
p_g = p_data, D* = 1/2 and V = -log 4; in general max_D V = -log 4 + 2 JSD.
"""

import math

import keras
import numpy as np
import pytest

import kerasgan
from kerasgan import losses

X = np.array([-1.0, -0.5, 0.0, 0.5, 1.0, 1.5, 2.0], "float32")


def normal_pdf(x, mu, sigma):
    return np.exp(-0.5 * ((x - mu) / sigma) ** 2) / (sigma * math.sqrt(2 * math.pi))


def trained_discriminator(mu_g, sigma_g, steps=3000, batch=256):
    generator = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)], name="fixed_generator")
    generator.layers[0].set_weights([np.array([[sigma_g]], "float32"), np.array([mu_g], "float32")])
    generator.trainable = False  # a fixed G with a known density
    discriminator = keras.Sequential(
        [keras.Input((1,)), keras.layers.Dense(32, activation="tanh"), keras.layers.Dense(32, activation="tanh"),
         keras.layers.Dense(1)],
        name="discriminator",
    )
    gan = kerasgan.GAN(generator, discriminator, latent_dim=1, adversarial_loss="minimax", seed=0)
    schedule = keras.optimizers.schedules.PolynomialDecay(3e-3, steps, 3e-4)
    gan.compile(d_optimizer=keras.optimizers.Adam(schedule), g_optimizer=keras.optimizers.SGD(0.0),
                steps_per_execution=100)
    data = np.random.default_rng(0).normal(0.0, 1.0, (steps * batch, 1)).astype("float32")
    gan.fit(data, batch_size=batch, epochs=1, verbose=0, shuffle=False)
    return gan


def d_of(gan, x):
    return 1.0 / (1.0 + np.exp(-np.asarray(gan.discriminator(x[:, None], training=False))[:, 0]))


def test_discriminator_approaches_the_optimal_d_star():
    mu_g, sigma_g = 1.0, 1.5
    gan = trained_discriminator(mu_g, sigma_g)
    p_data, p_g = normal_pdf(X, 0.0, 1.0), normal_pdf(X, mu_g, sigma_g)
    d_star = p_data / (p_data + p_g)
    np.testing.assert_allclose(d_of(gan, X), d_star, atol=0.04)
    # V(D, G) with the trained D is close to its maximum -log 4 + 2 JSD(p_data || p_g)
    grid = np.linspace(-12, 14, 200001)
    pd, pg = normal_pdf(grid, 0.0, 1.0), normal_pdf(grid, mu_g, sigma_g)
    m = 0.5 * (pd + pg)
    jsd = 0.5 * np.trapezoid(pd * np.log(pd / m), grid) + 0.5 * np.trapezoid(pg * np.log(pg / m), grid)
    rng = np.random.default_rng(1)
    real = rng.normal(0.0, 1.0, (200000, 1)).astype("float32")
    fake = (mu_g + sigma_g * rng.normal(size=(200000, 1))).astype("float32")
    value = float(losses.gan_value(gan.discriminator(real), gan.discriminator(fake)))
    assert value == pytest.approx(-math.log(4) + 2 * jsd, abs=0.02)
    assert value > -math.log(4) + 0.05  # the generator is not at equilibrium
    assert int(gan.d_optimizer.iterations) == 3000 and int(gan.g_optimizer.iterations) == 0  # G frozen


def test_at_p_g_equal_p_data_d_is_one_half_and_v_is_minus_log_4():
    gan = trained_discriminator(0.0, 1.0)
    np.testing.assert_allclose(d_of(gan, X), 0.5, atol=0.04)
    rng = np.random.default_rng(2)
    real = rng.normal(size=(200000, 1)).astype("float32")
    fake = rng.normal(size=(200000, 1)).astype("float32")
    value = float(losses.gan_value(gan.discriminator(real), gan.discriminator(fake)))
    assert value == pytest.approx(-math.log(4), abs=0.01)
