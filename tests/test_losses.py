"""Every loss against its closed form on hand-computed inputs."""

import math

import numpy as np
import pytest
import tensorflow as tf

from kerasgan import losses

L_REAL = np.array([[2.0], [-1.0], [0.5]], "float32")
L_FAKE = np.array([[-3.0], [0.0], [1.5]], "float32")


def sig(x):
    return 1.0 / (1.0 + np.exp(-x))


def test_minimax_discriminator_loss_closed_form():
    expected = -np.mean(np.log(sig(L_REAL))) - np.mean(np.log(1 - sig(L_FAKE)))
    assert float(losses.minimax_discriminator_loss(L_REAL, L_FAKE)) == pytest.approx(expected, rel=1e-6)
    per_example = losses.minimax_discriminator_loss(L_REAL, L_FAKE, reduction="none")
    assert per_example.shape == (3,)
    np.testing.assert_allclose(
        per_example, -np.log(sig(L_REAL[:, 0])) - np.log(1 - sig(L_FAKE[:, 0])), rtol=1e-6
    )


def test_minimax_generator_loss_is_minus_d_loss_up_to_the_real_term():
    expected = np.mean(np.log(1 - sig(L_FAKE)))
    assert float(losses.minimax_generator_loss(L_FAKE)) == pytest.approx(expected, rel=1e-6)
    real_term = -np.mean(np.log(sig(L_REAL)))
    assert float(losses.minimax_generator_loss(L_FAKE)) == pytest.approx(
        -float(losses.minimax_discriminator_loss(L_REAL, L_FAKE)) + real_term, rel=1e-6
    )


def test_non_saturating_generator_loss_closed_form():
    expected = -np.mean(np.log(sig(L_FAKE)))
    assert float(losses.non_saturating_generator_loss(L_FAKE)) == pytest.approx(expected, rel=1e-6)


def test_gan_value_at_equilibrium_is_minus_log_4():
    half = np.zeros((5, 1), "float32")  # D = 1/2
    assert float(losses.gan_value(half, half)) == pytest.approx(-math.log(4), rel=1e-6)


def test_least_squares_losses_closed_form():
    real, fake = np.array([[0.2], [1.4]]), np.array([[0.9], [-0.3]])
    a, b, c = -1.0, 1.0, 0.0
    expected_d = 0.5 * np.mean((real - b) ** 2) + 0.5 * np.mean((fake - a) ** 2)
    expected_g = 0.5 * np.mean((fake - c) ** 2)
    assert float(losses.least_squares_discriminator_loss(real, fake, a=a, b=b)) == pytest.approx(expected_d)
    assert float(losses.least_squares_generator_loss(fake, c=c)) == pytest.approx(expected_g)


def test_wasserstein_losses_closed_form():
    real, fake = np.array([[3.0], [1.0]]), np.array([[0.5], [-1.5]])
    assert float(losses.wasserstein_critic_loss(real, fake)) == pytest.approx(-0.5 - 2.0)
    assert float(losses.wasserstein_generator_loss(fake)) == pytest.approx(0.5)


def test_hinge_losses_closed_form():
    real, fake = np.array([[0.5], [2.0]]), np.array([[-2.0], [0.25]])
    # real: relu(1-0.5)=0.5, relu(1-2)=0; fake: relu(1-2)=0, relu(1.25)=1.25
    assert float(losses.hinge_discriminator_loss(real, fake)) == pytest.approx((0.5 + 0 + 0 + 1.25) / 2)
    assert float(losses.hinge_generator_loss(fake)) == pytest.approx(0.875)


def test_gradient_penalty_on_a_linear_critic():
    # f(x) = w . x has gradient w everywhere: GP = (|w| - 1)^2 for any interpolate.
    w = tf.constant([[3.0], [4.0], [0.0]])  # |w| = 5
    critic = lambda x: tf.matmul(x, w)  # noqa: E731
    rng = np.random.default_rng(0)
    real = rng.normal(size=(6, 3)).astype("float32")
    fake = rng.normal(size=(6, 3)).astype("float32")
    alpha = rng.uniform(size=(6,)).astype("float32")
    assert float(losses.gradient_penalty(critic, real, fake, alpha)) == pytest.approx(16.0, rel=1e-5)


def test_gradient_penalty_on_a_quadratic_critic_uses_the_interpolates():
    # f(x) = 1/2 |x|^2 has gradient x: the norm is |alpha x + (1 - alpha) x~|.
    critic = lambda x: 0.5 * tf.reduce_sum(tf.square(x), axis=[1, 2, 3])  # noqa: E731
    real = np.full((2, 2, 2, 1), 2.0, "float32")
    fake = np.zeros((2, 2, 2, 1), "float32")
    alpha = np.array([0.25, 1.0], "float32")  # interpolates: 0.5 and 2.0 in each of 4 pixels
    norms = np.array([0.5 * 2, 2.0 * 2])  # sqrt(4 * v^2) = 2 v
    per_example = losses.gradient_penalty(critic, real, fake, alpha, reduction="none")
    np.testing.assert_allclose(per_example, (norms - 1) ** 2, rtol=1e-5)


def test_gradient_penalty_is_differentiable_wrt_critic_weights():
    w = tf.Variable([[2.0], [0.0]])
    x = np.ones((4, 2), "float32")
    with tf.GradientTape() as tape:
        gp = losses.gradient_penalty(lambda v: tf.matmul(v, w), x, -x, np.full((4,), 0.5, "float32"))
    grad = tape.gradient(gp, w)
    # d/dw (|w| - 1)^2 = 2 (|w| - 1) w / |w| = [2, 0] at w = [2, 0]
    np.testing.assert_allclose(grad.numpy(), [[2.0], [0.0]], rtol=1e-5)


def test_auxiliary_classifier_loss_closed_form():
    logits = np.array([[2.0, 0.0, -1.0], [0.0, 0.0, 0.0]], "float32")
    labels = np.array([0, 2])
    p0 = math.exp(2) / (math.exp(2) + 1 + math.exp(-1))
    expected = (-math.log(p0) + math.log(3)) / 2
    assert float(losses.auxiliary_classifier_loss(labels, logits)) == pytest.approx(expected, rel=1e-6)


def test_clip_weights_clips_in_place():
    v = tf.Variable([[0.5, -0.004], [-2.0, 0.01]])
    losses.clip_weights([v], 0.01)
    np.testing.assert_allclose(v.numpy(), [[0.01, -0.004], [-0.01, 0.01]])
    with pytest.raises(ValueError, match="clip_value must be > 0"):
        losses.clip_weights([v], 0.0)


def test_losses_are_stable_for_extreme_logits():
    big = np.array([[100.0], [-100.0]], "float32")
    for value in (
        losses.minimax_discriminator_loss(big, -big),
        losses.minimax_generator_loss(big),
        losses.non_saturating_generator_loss(-big),
    ):
        assert np.isfinite(float(value))
    # D(x) = sigmoid(100) ~ 1 on real, ~ 0 on fake for the first example: near-zero loss there.
    per_example = losses.minimax_discriminator_loss(big, -big, reduction="none")
    assert float(per_example[0]) == pytest.approx(0.0, abs=1e-6)
    assert float(per_example[1]) == pytest.approx(200.0, rel=1e-6)


def test_patch_outputs_are_averaged_per_example():
    patch = np.zeros((2, 4, 4, 1), "float32")
    assert losses.minimax_discriminator_loss(patch, patch, reduction="none").shape == (2,)


def test_unknown_names_and_reductions_are_refused():
    with pytest.raises(ValueError, match="unknown adversarial loss 'mse'.*least_squares"):
        losses.get_adversarial_loss("mse")
    with pytest.raises(ValueError, match="reduction must be one of"):
        losses.wasserstein_generator_loss(np.zeros((2, 1)), reduction="sum")
    with pytest.raises(ValueError, match="accepts \\['a', 'b', 'c'\\]"):
        losses.split_loss_config("least_squares", {"margin": 1.0})
