"""GAN objectives as pure functions, numerically stable from logits.

Every function takes the discriminator's (or critic's) raw outputs and returns
the loss: the batch mean by default, or one value per example with
``reduction="none"`` (what :class:`kerasgan.GAN` uses, so that it can average
over the *global* batch under ``tf.distribute``). Outputs of any shape
``(batch, ...)`` are accepted; the trailing axes are averaged per example, so
patch discriminators work too.

Notation: ``D(x) = sigmoid(l(x))`` where ``l`` is the logit the discriminator
returns, ``G(z)`` a generated sample. ``log D = -softplus(-l)`` and
``log(1 - D) = -softplus(l)`` are the stable forms used throughout.

Example:

>>> import numpy as np
>>> from kerasgan import losses
>>> real, fake = np.zeros((4, 1)), np.zeros((4, 1))   # D = 1/2 everywhere
>>> round(float(losses.minimax_discriminator_loss(real, fake)), 4)   # 2 log 2
1.3863
"""

from __future__ import annotations

import collections
from typing import Any, Callable, Sequence

import tensorflow as tf
from keras import ops

__all__ = [
    "AdversarialLoss",
    "ADVERSARIAL_LOSSES",
    "get_adversarial_loss",
    "minimax_discriminator_loss",
    "minimax_generator_loss",
    "non_saturating_generator_loss",
    "gan_value",
    "least_squares_discriminator_loss",
    "least_squares_generator_loss",
    "wasserstein_critic_loss",
    "wasserstein_generator_loss",
    "hinge_discriminator_loss",
    "hinge_generator_loss",
    "gradient_penalty",
    "r1_penalty",
    "auxiliary_classifier_loss",
    "reconstruction_distance",
    "mode_regularizer",
    "clip_weights",
]

#: Anything convertible to a tensor: a tf.Tensor, a NumPy array, a nested list.
TensorLike = Any

_REDUCTIONS = ("mean", "none")


def _per_example(values):
    """Mean over all axes but the first: one value per example."""
    values = ops.convert_to_tensor(values)
    if values.dtype != "float32":
        values = ops.cast(values, "float32")
    if len(values.shape) == 0:
        raise ValueError(
            "kerasgan.losses: expected discriminator outputs of shape "
            "(batch, ...), got a scalar."
        )
    if len(values.shape) == 1:
        return values
    return ops.mean(ops.reshape(values, (ops.shape(values)[0], -1)), axis=1)


def _reduce(per_example, reduction: str):
    if reduction == "mean":
        return ops.mean(per_example)
    if reduction == "none":
        return per_example
    raise ValueError(
        f"kerasgan.losses: reduction must be one of {_REDUCTIONS}, "
        f"got {reduction!r}."
    )


def minimax_discriminator_loss(
    real_logits: TensorLike, fake_logits: TensorLike, label_smoothing: float = 0.0, reduction: str = "mean"
) -> tf.Tensor:
    """Discriminator loss of the minimax game (Goodfellow et al. 2014, eq. 1).

    ``L_D = -E_x[log D(x)] - E_z[log(1 - D(G(z)))]``
    ``    = E[softplus(-l(x))] + E[softplus(l(G(z)))]``

    It is ``-V(D, G)``: minimising it maximises the value function. Its
    minimiser for a fixed G is ``D*(x) = p_data(x) / (p_data(x) + p_g(x))``,
    and at the global optimum (``p_g = p_data``) ``D* = 1/2``, ``L_D = log 4``.

    One-sided label smoothing (Salimans et al. 2016, sec. 3.4): real targets
    become ``t = 1 - s/2`` (the Keras and TF-GAN convention for
    ``label_smoothing=s``: ``y (1 - s) + s/2`` applied to the real labels only,
    so ``s = 0.2`` is the paper's target 0.9), fake targets stay 0:
    ``E_x[t softplus(-l(x)) + (1 - t) softplus(l(x))] + E_z[softplus(l(G(z)))]``.

    Args:
        real_logits: discriminator logits on real data, shape ``(batch, ...)``.
        fake_logits: logits on generated data, same batch size.
        label_smoothing: ``s`` in [0, 1); 0 is the plain loss.
        reduction: ``"mean"`` (a scalar) or ``"none"`` (shape ``(batch,)``).

    Example:

    >>> import numpy as np
    >>> l = np.zeros((2, 1))
    >>> round(float(minimax_discriminator_loss(l, l)), 4)  # log 4
    1.3863
    >>> real, fake = [[-5.0], [1.4], [12.5], [2.7]], [[10.0], [4.4], [-5.5], [3.6]]  # TF-GAN's test vectors
    >>> round(float(minimax_discriminator_loss(real, fake, label_smoothing=0.25)), 5)
    6.19637
    """
    if not 0.0 <= label_smoothing < 1.0:
        raise ValueError(f"kerasgan.losses: label_smoothing must be in [0, 1), got {label_smoothing}.")
    real = _per_example(real_logits)
    target = 1.0 - 0.5 * label_smoothing
    real_term = target * ops.softplus(-real) + (1.0 - target) * ops.softplus(real)
    return _reduce(real_term + ops.softplus(_per_example(fake_logits)), reduction)


def minimax_generator_loss(fake_logits: TensorLike, reduction: str = "mean") -> tf.Tensor:
    """Saturating generator loss of the minimax game (Goodfellow et al. 2014).

    ``L_G = E_z[log(1 - D(G(z)))] = -E[softplus(l(G(z)))]``

    This is ``-L_D`` without the ``E_x[log D(x)]`` term, which does not depend
    on G (so its gradients are those of ``-L_D``). It saturates: when D
    confidently rejects fakes (``l -> -inf``) its gradient ``-sigmoid(l)``
    vanishes, which is why the paper recommends the non-saturating loss.

    Example:

    >>> import numpy as np
    >>> round(float(minimax_generator_loss(np.zeros((3, 1)))), 4)  # log 1/2
    -0.6931
    """
    return _reduce(-ops.softplus(_per_example(fake_logits)), reduction)


def non_saturating_generator_loss(fake_logits: TensorLike, reduction: str = "mean") -> tf.Tensor:
    """Non-saturating generator loss (NS-GAN, Goodfellow et al. 2014, sec. 3).

    ``L_G = -E_z[log D(G(z))] = E[softplus(-l(G(z)))]``

    Same fixed point as the minimax loss, but strong gradients early in
    training, when D rejects the fakes.

    Example:

    >>> import numpy as np
    >>> round(float(non_saturating_generator_loss(np.zeros((3, 1)))), 4)
    0.6931
    """
    return _reduce(ops.softplus(-_per_example(fake_logits)), reduction)


def gan_value(real_logits: TensorLike, fake_logits: TensorLike, reduction: str = "mean") -> tf.Tensor:
    """The minimax value ``V(D, G) = E_x[log D(x)] + E_z[log(1 - D(G(z)))]``.

    Equal to ``-minimax_discriminator_loss``. At the equilibrium of the game
    (``p_g = p_data``, ``D = 1/2``) it is ``-log 4`` (Goodfellow et al. 2014,
    Theorem 1).

    Example:

    >>> import numpy as np
    >>> round(float(gan_value(np.zeros((2, 1)), np.zeros((2, 1)))), 4)
    -1.3863
    """
    return _reduce(
        -minimax_discriminator_loss(real_logits, fake_logits, reduction="none"),
        reduction,
    )


def least_squares_discriminator_loss(
    real_outputs: TensorLike, fake_outputs: TensorLike, a: float = 0.0, b: float = 1.0, reduction: str = "mean"
) -> tf.Tensor:
    """LSGAN discriminator loss (Mao et al. 2017, eq. 2).

    ``L_D = 1/2 E_x[(D(x) - b)^2] + 1/2 E_z[(D(G(z)) - a)^2]``

    ``D`` is the raw (linear) discriminator output; ``a`` is the target for
    fakes, ``b`` for real data. With ``a=0, b=1`` the optimal discriminator is
    ``(b p_data + a p_g) / (p_data + p_g)``, 1/2 at equilibrium.

    Example:

    >>> import numpy as np
    >>> real, fake = np.ones((2, 1)), np.ones((2, 1))   # fakes scored as real: only they are off target
    >>> float(least_squares_discriminator_loss(real, fake))
    0.5
    """
    real = _per_example(real_outputs)
    fake = _per_example(fake_outputs)
    per_example = 0.5 * ops.square(real - b) + 0.5 * ops.square(fake - a)
    return _reduce(per_example, reduction)


def least_squares_generator_loss(fake_outputs: TensorLike, c: float = 1.0, reduction: str = "mean") -> tf.Tensor:
    """LSGAN generator loss (Mao et al. 2017, eq. 2).

    ``L_G = 1/2 E_z[(D(G(z)) - c)^2]``, with ``c`` the value G wants D to
    believe for fakes (``c = b = 1`` in the paper's 0-1 coding).

    Example:

    >>> import numpy as np
    >>> float(least_squares_generator_loss(np.zeros((2, 1))))
    0.5
    """
    return _reduce(0.5 * ops.square(_per_example(fake_outputs) - c), reduction)


def wasserstein_critic_loss(real_outputs: TensorLike, fake_outputs: TensorLike, reduction: str = "mean") -> tf.Tensor:
    """WGAN critic loss (Arjovsky et al. 2017, Algorithm 1).

    ``L_D = E_z[f(G(z))] - E_x[f(x)]``

    Minimising it maximises ``E_x f(x) - E_z f(G(z))``, the Kantorovich-
    Rubinstein estimate of the Wasserstein-1 distance when ``f`` is
    1-Lipschitz (weight clipping or the gradient penalty keeps it so).

    Example:

    >>> import numpy as np
    >>> float(wasserstein_critic_loss(np.full((2, 1), 3.0), np.ones((2, 1))))
    -2.0
    """
    return _reduce(_per_example(fake_outputs) - _per_example(real_outputs), reduction)


def wasserstein_generator_loss(fake_outputs: TensorLike, reduction: str = "mean") -> tf.Tensor:
    """WGAN generator loss (Arjovsky et al. 2017): ``L_G = -E_z[f(G(z))]``.

    Example:

    >>> import numpy as np
    >>> float(wasserstein_generator_loss(np.full((2, 1), 2.0)))
    -2.0
    """
    return _reduce(-_per_example(fake_outputs), reduction)


def hinge_discriminator_loss(real_outputs: TensorLike, fake_outputs: TensorLike, reduction: str = "mean") -> tf.Tensor:
    """Hinge discriminator loss (Lim & Ye 2017; Miyato et al. 2018).

    ``L_D = E_x[max(0, 1 - D(x))] + E_z[max(0, 1 + D(G(z)))]``

    Example:

    >>> import numpy as np
    >>> float(hinge_discriminator_loss(np.zeros((2, 1)), np.zeros((2, 1))))
    2.0
    """
    real = _per_example(real_outputs)
    fake = _per_example(fake_outputs)
    return _reduce(ops.relu(1.0 - real) + ops.relu(1.0 + fake), reduction)


def hinge_generator_loss(fake_outputs: TensorLike, reduction: str = "mean") -> tf.Tensor:
    """Hinge generator loss (Lim & Ye 2017): ``L_G = -E_z[D(G(z))]``.

    Example:

    >>> import numpy as np
    >>> float(hinge_generator_loss(np.full((2, 1), 0.5)))
    -0.5

    The same function as :func:`wasserstein_generator_loss`: SNGAN's hinge
    objective changes only the discriminator's loss.
    """
    return wasserstein_generator_loss(fake_outputs, reduction)


def gradient_penalty(
    critic: Callable,
    real: TensorLike,
    fake: TensorLike,
    alpha: TensorLike,
    target: float = 1.0,
    reduction: str = "mean",
) -> tf.Tensor:
    """WGAN-GP gradient penalty (Gulrajani et al. 2017, Algorithm 1).

    ``GP = E_x̂[(||∇_x̂ f(x̂)||_2 - 1)^2]`` with ``x̂ = α x + (1 - α) G(z)``,
    ``α ~ U[0, 1]`` drawn once **per sample** (pass it in: shape ``(batch,)``
    or broadcastable to the images, e.g. ``(batch, 1, 1, 1)``). The loss to
    add to the critic's is ``λ · GP`` with ``λ = 10`` in the paper.

    The function is differentiable, so the critic's gradient of ``λ · GP``
    (a second derivative) is taken by the caller's outer ``GradientTape``.

    Args:
        critic: callable mapping a batch of samples to critic outputs.
        real: a batch of real samples.
        fake: a batch of generated samples, the shape of ``real``.
        alpha: interpolation weights in [0, 1], one per sample.
        target: the gradient norm aimed at (1 in the paper).
        reduction: ``"mean"`` or ``"none"``.

    Example:

    >>> import numpy as np, tensorflow as tf
    >>> critic = lambda x: 3.0 * tf.reduce_sum(x, axis=1)   # |∇f| = 3·sqrt(2)
    >>> x = np.ones((4, 2), "float32")
    >>> gp = gradient_penalty(critic, x, -x, np.full((4,), 0.5, "float32"))
    >>> round(float(gp), 4)   # (3·sqrt(2) - 1)^2
    10.5147
    """
    real = tf.convert_to_tensor(real)
    fake = tf.cast(tf.convert_to_tensor(fake), real.dtype)
    alpha = tf.cast(tf.convert_to_tensor(alpha), real.dtype)
    if alpha.shape.rank == 1 and real.shape.rank > 1:
        alpha = tf.reshape(alpha, [-1] + [1] * (real.shape.rank - 1))
    interpolates = alpha * real + (1.0 - alpha) * fake
    with tf.GradientTape() as tape:
        tape.watch(interpolates)
        outputs = critic(interpolates)
        total = tf.reduce_sum(tf.cast(outputs, tf.float32))
    grads = tape.gradient(total, interpolates)
    grads = tf.reshape(tf.cast(grads, tf.float32), [tf.shape(grads)[0], -1])
    # The epsilon keeps the norm differentiable at 0.
    norms = tf.sqrt(tf.reduce_sum(tf.square(grads), axis=1) + 1e-12)
    return _reduce(tf.square(norms - target), reduction)


def r1_penalty(
    discriminator: Callable, real: TensorLike, reduction: str = "mean", return_outputs: bool = False
) -> tf.Tensor | tuple[tf.Tensor, Any]:
    """R1 regulariser (Mescheder et al. 2018, eq. 9): ``||∇_x D(x)||²`` on real data.

    The term to add to the discriminator's loss is ``γ/2 · E_x[||∇_x D(x)||²]``
    (``γ = r1_weight`` of :class:`kerasgan.GAN`); it pushes D's gradient to
    zero on the data, where the alternating game then converges locally. ``D``
    is the raw output (logit or critic value); outputs with several values per
    example are summed per example. A discriminator returning a tuple or list
    (an AC-GAN's ``[logit, class_logits]``) is penalised on its first output,
    the adversarial one. Differentiable, like :func:`gradient_penalty`: the
    caller's outer tape takes the second derivative. With ``return_outputs``
    it returns ``(penalty, D's outputs on real)``, so that the caller's loss can
    use this one pass of D (a second training-mode pass would advance D's
    batch-norm statistics).

    Example:

    >>> import numpy as np, tensorflow as tf
    >>> w = tf.constant([[3.0], [4.0]])
    >>> linear = lambda x: tf.matmul(x, w)          # D(x) = w·x: ∇ = w, ||w||² = 25
    >>> r1_penalty(linear, np.ones((3, 2), "float32"), reduction="none").numpy().tolist()
    [25.0, 25.0, 25.0]
    """
    real = tf.convert_to_tensor(real)
    with tf.GradientTape() as tape:
        tape.watch(real)
        outputs = discriminator(real)
        adversarial = outputs[0] if isinstance(outputs, (tuple, list)) else outputs
        total = tf.reduce_sum(tf.cast(adversarial, tf.float32))
    grads = tf.cast(tape.gradient(total, real), tf.float32)
    penalty = _reduce(tf.reduce_sum(tf.reshape(tf.square(grads), [tf.shape(grads)[0], -1]), axis=1), reduction)
    return (penalty, outputs) if return_outputs else penalty


def auxiliary_classifier_loss(labels: TensorLike, class_logits: TensorLike, reduction: str = "mean") -> tf.Tensor:
    """AC-GAN auxiliary class loss (Odena et al. 2017, eq. 2).

    ``L_C = -E[log P(C = c | X)]``: sparse softmax cross-entropy of the
    discriminator's class head against the true (for real data) or the
    conditioning (for generated data) class. Both D and G minimise it.

    Example:

    >>> import numpy as np
    >>> logits = np.zeros((2, 4), "float32")   # uniform over 4 classes
    >>> round(float(auxiliary_classifier_loss(np.array([0, 3]), logits)), 4)
    1.3863
    """
    labels = ops.cast(ops.reshape(ops.convert_to_tensor(labels), (-1,)), "int32")
    class_logits = ops.cast(ops.convert_to_tensor(class_logits), "float32")
    per_example = ops.sparse_categorical_crossentropy(labels, class_logits, from_logits=True)
    return _reduce(per_example, reduction)


def reconstruction_distance(images: TensorLike, reconstructions: TensorLike, reduction: str = "mean") -> tf.Tensor:
    """The geometric metric ``d(x, G(E(x)))`` of the mode-regularized GANs (Che et al. 2017, sec. 3.1, eq. 3 and
    the manifold step of sec. 3.3): the pixel-wise squared L2 distance, here the mean over pixels (and channels) of
    ``(x - G(E(x)))²`` per example, so that its scale does not grow with the image size (on the [-1, 1] scale: 0
    for a perfect reconstruction, 4 at most).

    Example:

    >>> import numpy as np
    >>> x = np.zeros((2, 2, 2, 1), "float32"); r = x.copy(); r[1] = 1.0   # the second differs by 1 everywhere
    >>> [round(float(v), 4) for v in reconstruction_distance(x, r, reduction="none")]
    [0.0, 1.0]
    """
    images = ops.cast(ops.convert_to_tensor(images), "float32")
    reconstructions = ops.cast(ops.convert_to_tensor(reconstructions), "float32")
    return _reduce(_per_example(ops.square(images - reconstructions)), reduction)


def mode_regularizer(reconstruction_logits: TensorLike, reduction: str = "mean") -> tf.Tensor:
    """The mode regularizer ``log D(G(E(x)))`` of MRGAN (Che et al. 2017, sec. 3.2, eq. 3), from D's logits on the
    reconstructions: ``-softplus(-l(G(E(x))))``. Eq. 3 *adds* ``λ2 log D(G∘E(x))`` to the losses that G and E
    minimise, ``T_G = -E_z[log D(G(z))] + E_x[λ1 d(x, G∘E(x)) + λ2 log D(G∘E(x))]`` and
    ``T_E = E_x[λ1 d(x, G∘E(x)) + λ2 log D(G∘E(x))]``, with that sign; in logit space its gradient is bounded by
    ``λ2`` per example.

    Example:

    >>> import numpy as np
    >>> round(float(mode_regularizer(np.zeros((3, 1)))), 4)   # D = 1/2: log 1/2
    -0.6931
    """
    return _reduce(-ops.softplus(-_per_example(reconstruction_logits)), reduction)


def clip_weights(variables: Sequence, clip_value: float) -> None:
    """WGAN weight clipping (Arjovsky et al. 2017, Algorithm 1, line 7).

    ``w <- clip(w, -c, c)`` for every variable, in place, with ``c = 0.01`` in
    the paper: a crude way to keep the critic K-Lipschitz. Not a loss but the
    WGAN's constraint, kept here beside the losses it goes with.

    Example:

    >>> import keras
    >>> v = keras.Variable([0.5, -0.002, -3.0])
    >>> clip_weights([v], 0.01)
    >>> [round(float(x), 3) for x in v.numpy()]
    [0.01, -0.002, -0.01]
    """
    if clip_value <= 0:
        raise ValueError(f"kerasgan.losses.clip_weights: clip_value must be > 0, got {clip_value}.")
    for variable in variables:
        variable.assign(ops.clip(variable, -clip_value, clip_value))


AdversarialLoss = collections.namedtuple(
    "AdversarialLoss", ["discriminator", "generator", "output", "parameters"]
)
AdversarialLoss.__doc__ = """A pair of discriminator and generator losses.

``output`` says how the discriminator's output is read: ``"logit"`` (a
probability through a sigmoid; metrics report ``d_real``/``d_fake`` as
probabilities), ``"score"`` (a raw regression target, LSGAN) or ``"critic"``
(an unbounded critic; metrics report the critic gap). ``parameters`` lists the
keyword arguments the pair accepts (``loss_config`` of :class:`kerasgan.GAN`).
"""

ADVERSARIAL_LOSSES = {
    "minimax": AdversarialLoss(
        minimax_discriminator_loss, minimax_generator_loss, "logit", ("label_smoothing",)
    ),
    "non_saturating": AdversarialLoss(
        minimax_discriminator_loss, non_saturating_generator_loss, "logit", ("label_smoothing",)
    ),
    "least_squares": AdversarialLoss(
        least_squares_discriminator_loss,
        least_squares_generator_loss,
        "score",
        ("a", "b", "c"),
    ),
    "wasserstein": AdversarialLoss(
        wasserstein_critic_loss, wasserstein_generator_loss, "critic", ()
    ),
    "hinge": AdversarialLoss(
        hinge_discriminator_loss, hinge_generator_loss, "critic", ()
    ),
}


def get_adversarial_loss(name: str) -> AdversarialLoss:
    """Look up a discriminator/generator loss pair by name.

    Names: ``minimax``, ``non_saturating``, ``least_squares``,
    ``wasserstein``, ``hinge``.

    Example:

    >>> pair = get_adversarial_loss("non_saturating")
    >>> pair.output
    'logit'
    """
    try:
        return ADVERSARIAL_LOSSES[name]
    except (KeyError, TypeError):
        raise ValueError(
            f"kerasgan: unknown adversarial loss {name!r}; choose one of "
            f"{sorted(ADVERSARIAL_LOSSES)}."
        ) from None


def split_loss_config(name: str, loss_config: dict | None) -> tuple[dict, dict]:
    """Split ``loss_config`` into the keyword arguments of D's and G's loss."""
    loss_config = dict(loss_config or {})
    pair = get_adversarial_loss(name)
    unknown = set(loss_config) - set(pair.parameters)
    if unknown:
        raise ValueError(
            f"kerasgan: loss_config {sorted(unknown)} not understood by the "
            f"{name!r} loss; it accepts {list(pair.parameters) or 'no parameters'}."
        )
    d_kwargs = {k: v for k, v in loss_config.items() if k in ("a", "b", "label_smoothing")}
    g_kwargs = {k: v for k, v in loss_config.items() if k == "c"}
    return d_kwargs, g_kwargs

