"""The custom Keras layers of the networks: the discriminators' spectral normalisation (Miyato et al. 2018), the
generators' class-conditional affine transform of a batch norm's output (conditional batch normalisation), and the
encoders' projection onto the sphere where the latent prior's mass lies.

Example:

>>> import keras
>>> from kerasgan.layers import SpectralNormalization
>>> layer = SpectralNormalization(keras.layers.Dense(3))
>>> tuple(layer(keras.ops.ones((2, 4))).shape)
(2, 3)
"""

from __future__ import annotations

import keras
from keras import layers

__all__ = ["SpectralNormalization", "LabelSpectralNormalization", "ClassAffine", "LatentSphere"]


@keras.saving.register_keras_serializable(package="kerasgan")
class SpectralNormalization(layers.SpectralNormalization):
    """A layer computing with its kernel divided by the kernel's largest
    singular value: W_SN = W / σ(W) (Miyato et al. 2018, eq. 8, Algorithm 1).

    σ(W) = vᵀ W u from one power iteration per training call (u ← W v / |W v|
    after v ← Wᵀ u / |Wᵀ u|, the kernel reshaped to (inputs, outputs)), with
    u and v held constant in the gradient, as in the paper's code and
    ``torch.nn.utils.spectral_norm``: the kernel variable keeps the raw W,
    the optimiser steps on W, and the gradient reaches W through W / σ(W).
    Only u is state; inference uses the stored u.

    ``keras.layers.SpectralNormalization`` (Keras 3.15) instead writes
    W / σ(W) back into the kernel on every training call and takes the
    gradient at that normalised kernel: the optimiser always steps on a kernel
    of spectral norm 1, where Adam's steps, about the learning rate per
    weight whatever the weights' size, stay as large relative to the weights
    for all of training, and σ is invisible to the gradient. Trained with it,
    our SNGANs' discriminators lost their grip (MNIST: hinge loss 1.95 of a
    chance 2.0; CIFAR-10: critic gap 2.3 -> 0.3 in 12 epochs, FID stuck near
    530). The power iteration runs in float32 under mixed precision; the
    wrapped layer computes in its own dtype; inputs (integer labels of an
    ``Embedding`` too) reach it unchanged.

    Example:

    >>> import numpy as np
    >>> dense = SpectralNormalization(keras.layers.Dense(3))
    >>> x = np.eye(5, dtype="float32")
    >>> for _ in range(20):  # power iterations, one per training call
    ...     y = dense(x, training=True)
    >>> w = dense.layer.kernel.numpy()
    >>> bool(np.allclose(y, w / np.linalg.norm(w, 2), atol=1e-4))
    True
    """

    def __init__(self, layer, power_iterations: int = 1, **kwargs):
        # float32 and no autocasting: the power iteration reads the float32 kernel, inputs pass uncast (the
        # wrapped layer, with its own dtype policy, casts them and its normalised kernel)
        kwargs.setdefault("dtype", "float32")
        kwargs["autocast"] = False
        super().__init__(layer, power_iterations=power_iterations, **kwargs)

    def build(self, input_shape):
        super().build(input_shape)
        self.input_spec = None  # labels and images alike

    def sigma(self, training: bool = False):
        """σ(W), the power iteration's estimate of the kernel's largest singular value (a (1, 1) tensor); with
        ``training`` one more iteration, whose u is stored."""
        weights = keras.ops.reshape(keras.ops.cast(self.kernel, "float32"), (-1, self.kernel_shape[-1]))
        u = keras.ops.cast(self.vector_u, "float32")
        v = _unit(keras.ops.matmul(u, keras.ops.transpose(weights)))
        if training:
            u = _unit(keras.ops.matmul(v, weights))
            self.vector_u.assign(keras.ops.cast(keras.ops.stop_gradient(u), self.vector_u.dtype))
        u, v = keras.ops.stop_gradient(u), keras.ops.stop_gradient(v)
        return keras.ops.matmul(keras.ops.matmul(v, weights), keras.ops.transpose(u))

    def call(self, inputs, training=False):
        sigma = keras.ops.maximum(keras.ops.reshape(self.sigma(training), ()), 1e-12)  # an all-zero kernel stays 0
        normalised = keras.ops.cast(self.kernel, "float32") / sigma
        with keras.StatelessScope(state_mapping=[(self.kernel, normalised)]):
            return self.layer(inputs)


def _unit(x):
    return x / keras.ops.maximum(keras.ops.sqrt(keras.ops.sum(keras.ops.square(x))), 1e-12)


@keras.saving.register_keras_serializable(package="kerasgan")
class LabelSpectralNormalization(layers.SpectralNormalization):
    """``keras.layers.SpectralNormalization`` of an ``Embedding`` of integer
    labels, kept so that networks saved with it load; new networks use
    :class:`SpectralNormalization`, which takes integer inputs as they are."""

    def call(self, inputs, training=False):
        return super().call(keras.ops.cast(inputs, "float32"), training=training)


@keras.saving.register_keras_serializable(package="kerasgan")
class ClassAffine(layers.Layer):
    """A per-class scale and shift of normalised features: ``x · (1 + γ_y) + β_y``
    for label ``y``, γ and β learned ``(num_classes, channels)`` tables that
    start at zero. After a batch normalisation without its own scale and shift
    this is conditional batch normalisation (de Vries et al. 2017; Miyato &
    Koyama 2018, the generator of their projection cGAN): the label sets the
    statistics of every generator stage, not only the input code.

    Called on ``[x, label]``: ``x`` of shape ``(batch, ..., channels)``,
    ``label`` integer ``(batch,)``.

    Example:

    >>> import numpy as np
    >>> affine = ClassAffine(num_classes=3)
    >>> x = np.ones((2, 4, 4, 5), "float32")
    >>> _ = affine([x, np.array([0, 2])])
    >>> _ = affine.gamma.assign(np.array([[0.0], [0.0], [1.0]], "float32").repeat(5, axis=1))  # γ_2 = 1
    >>> y = affine([x, np.array([0, 2])]).numpy()
    >>> y.shape, float(y[0, 0, 0, 0]), float(y[1, 0, 0, 0])  # class 0 unchanged, class 2 doubled
    ((2, 4, 4, 5), 1.0, 2.0)
    """

    def __init__(self, num_classes: int, **kwargs):
        super().__init__(**kwargs)
        self.num_classes = int(num_classes)

    def build(self, input_shape):
        channels = input_shape[0][-1]
        self.gamma = self.add_weight(shape=(self.num_classes, channels), initializer="zeros", name="gamma")
        self.beta = self.add_weight(shape=(self.num_classes, channels), initializer="zeros", name="beta")

    def call(self, inputs):
        x, label = inputs
        shape = (-1,) + (1,) * (len(x.shape) - 2) + (x.shape[-1],)
        label = keras.ops.cast(label, "int32")
        gamma = keras.ops.reshape(keras.ops.take(self.gamma, label, axis=0), shape)
        beta = keras.ops.reshape(keras.ops.take(self.beta, label, axis=0), shape)
        return x * (1 + keras.ops.cast(gamma, x.dtype)) + keras.ops.cast(beta, x.dtype)

    def compute_output_shape(self, input_shape):
        return input_shape[0]

    def get_config(self):
        return {**super().get_config(), "num_classes": self.num_classes}


@keras.saving.register_keras_serializable(package="kerasgan")
class LatentSphere(layers.Layer):
    """``z = √d · u / ||u||``: the projection of ``d``-dimensional encoder outputs onto the sphere of radius ``√d``,
    where ``N(0, I_d)`` concentrates (its norm is ``√d ± 0.7`` for any large ``d``). An encoder ending in it maps
    real images to latents of the kind the generator is sampled at, so the reconstructions ``G(E(x))`` that the
    mode-regularized GANs train teach G the region it generates from. Without it, the first ``mrgan_mnist``
    training's encoder drifted to norms near 52 (d = 100, std 5.3 per coordinate): its reconstructions scored FID
    9.4 while ``G(z)`` at prior latents scored 181.

    Example:

    >>> import numpy as np
    >>> z = LatentSphere()(np.array([[3.0, 4.0, 0.0, 0.0]], "float32")).numpy()
    >>> z.tolist(), float(np.linalg.norm(z))
    ([[1.2000000476837158, 1.600000023841858, 0.0, 0.0]], 2.0)
    """

    def call(self, inputs):
        dim = keras.ops.cast(keras.ops.shape(inputs)[-1], inputs.dtype)
        norm = keras.ops.sqrt(keras.ops.sum(keras.ops.square(inputs), axis=-1, keepdims=True) + 1e-12)
        return inputs * (keras.ops.sqrt(dim) / norm)
