"""GANs with an encoder: the mode-regularized GANs of Che, Li, Jacob, Bengio and Li, "Mode Regularized Generative
Adversarial Networks" (ICLR 2017, arXiv 1612.02136).

Besides ``G: z -> x`` they learn an encoder ``E: x -> z``, so that every real image ``x`` has a latent whose image
``G(E(x))`` lies near it: no mode of the data is left without generator mass, and the trained pair inverts real
images (:meth:`EncoderGAN.encode`, :meth:`EncoderGAN.reconstruct`, :meth:`EncoderGAN.interpolate_images`).

- :class:`EncoderGAN` (MRGAN, sec. 3.1-3.2, eq. 3): D is the GAN's, trained on ``x`` against ``G(z)``; G and E
  minimise ``T_G = -E_z[log D(G(z))] + E_x[λ1 d(x, G∘E(x)) + λ2 log D(G∘E(x))]`` and
  ``T_E = E_x[λ1 d(x, G∘E(x)) + λ2 log D(G∘E(x))]``. ``T_E`` is the part of ``T_G`` that depends on E, so
  the generator's optimizer updates G's and E's variables from ``T_G`` (the regularizers are the objective term
  :class:`kerasgan.gan.objective.ModeRegularizerTerm`).
- :class:`ManifoldDiffusionGAN` (MDGAN, sec. 3.3): every step first runs the *manifold step*, a discriminator
  ``D1`` telling ``x`` from ``G(E(x))`` (``max log D1(x) + log(1 - D1(G∘E(x)))``) and G and E minimising
  ``λ d(x, G∘E(x)) - log D1(G∘E(x))`` with their own optimizers, then the *diffusion step*, Algorithm 1 of the
  GAN with the reconstructions as D's reals: ``D2`` (the GAN's discriminator) tells ``G(E(x))`` from ``G(z)`` and
  G minimises ``-log D2(G(z))``, so that ``G(z)`` spreads over the reconstructions' manifold as the data does.

``d`` is :func:`kerasgan.losses.reconstruction_distance` (mean squared pixel distance); the adversarial terms are
the GAN's ``adversarial_loss`` (the papers': ``minimax`` D loss, non-saturating G loss). The encoder is built by
:func:`kerasgan.nets.build_encoder` (a mirror of D with ``latent_dim`` outputs), saved and loaded with the GAN
(``.keras`` files, checkpoints). Both are unconditional; MRGAN also takes ``clusters=K``
(:mod:`kerasgan.clustering`, the self-conditioned GAN of Liu et al. 2020): E still maps ``x`` to ``z`` alone, and the
generator reconstructs from ``E(x)`` and the image's own cluster, ``G(E(x), c(x))``, judged by ``D(·, c(x))``.

Example:

>>> import numpy as np, kerasgan
>>> gan = kerasgan.build("mrgan", (28, 28, 1), base_filters=4, latent_dim=8, seed=0)
>>> gan.compile()
>>> x = np.random.default_rng(0).uniform(-1, 1, (16, 28, 28, 1)).astype("float32")
>>> sorted(gan.fit(x, batch_size=8, verbose=0).history)
['d_fake', 'd_loss', 'd_real', 'g_loss', 'mode', 'reconstruction']
>>> gan.encode(x[:3]).shape, gan.reconstruct(x[:3]).shape
((3, 8), (3, 28, 28, 1))
"""

from __future__ import annotations

from typing import Any

import keras
import numpy as np
import tensorflow as tf

from kerasgan import inputs, losses, replicas, sampling
from kerasgan.gan.model import GAN, apply_update
from kerasgan.gan.objective import DiscriminatorBatch, GeneratorBatch, Outputs

__all__ = ["EncoderGAN", "ManifoldDiffusionGAN"]


def _copy_optimizer(optimizer: keras.optimizers.Optimizer, name: str) -> keras.optimizers.Optimizer:
    """A fresh optimizer with ``optimizer``'s configuration (kind, rate or schedule, betas), named ``name``."""
    config = keras.optimizers.serialize(optimizer)
    copy = keras.optimizers.deserialize(config)
    inner = getattr(copy, "inner_optimizer", copy)
    inner.name = name
    return copy


@keras.saving.register_keras_serializable(package="kerasgan")
class EncoderGAN(GAN):
    """A GAN with an encoder ``E`` trained with the generator (MRGAN, Che et al. 2017, eq. 3): see the module.

    Args:
        generator, discriminator, latent_dim, seed, **kwargs: as :class:`kerasgan.GAN` (``reconstruction_weight``
            λ1 and ``mode_weight`` λ2 among the settings).
        encoder: Keras model mapping images of the generator's shape to ``latent_dim`` latents
            (:func:`kerasgan.nets.build_encoder`).

    The generator's optimizer updates G's and E's variables (``T_E`` is the E-dependent part of ``T_G``).

    Example:

    >>> import kerasgan
    >>> gan = kerasgan.build("mrgan", (28, 28, 1), base_filters=4)
    >>> gan.encoder.output_shape, gan.reconstruction_weight, gan.mode_weight
    ((None, 100), 1.0, -0.4)
    """

    encoder_objective = "mode_regularized"
    extra_network_names = ("encoder",)
    #: whether ``clusters=K`` applies: the reconstruction of a real image takes its cluster, ``G(E(x), c(x))``
    takes_clusters = True

    def __init__(self, generator: keras.Model, discriminator: keras.Model, encoder: keras.Model, latent_dim: int,
                 num_classes: int | None = None, seed: int | None = None, **kwargs: Any):
        super().__init__(generator, discriminator, latent_dim, num_classes, seed, **kwargs)
        if self.num_classes or self.latent_code or (self.clusters and not self.takes_clusters):
            takes = (" (clusters=K applies: each real image reconstructs with its own cluster)" if self.takes_clusters
                     else "")
            raise ValueError(f"kerasgan: {self.variant} is unconditional: its encoder maps an image to z alone; leave "
                             f"num_classes, latent_code{'' if self.takes_clusters else ' and clusters'} out{takes}.")
        if tuple(encoder.input_shape[1:]) != tuple(self.image_shape) or encoder.output_shape[1:] != (self.latent_dim,):
            raise ValueError(f"kerasgan: the encoder must map images {tuple(self.image_shape)} to {self.latent_dim} "
                             f"latents; it maps {tuple(encoder.input_shape[1:])} to {tuple(encoder.output_shape[1:])}.")
        self.encoder = encoder

    def _generator_variables(self) -> list:
        """G's and E's trainable variables: the generator's optimizer trains both from ``T_G``."""
        return self.generator.trainable_variables + self.encoder.trainable_variables

    def get_config(self) -> dict:
        """:meth:`kerasgan.GAN.get_config` and the encoder."""
        return {**super().get_config(), "encoder": keras.saving.serialize_keras_object(self.encoder)}

    @classmethod
    def from_config(cls, config: dict, custom_objects=None) -> "EncoderGAN":
        config = dict(config)
        config["encoder"] = keras.saving.deserialize_keras_object(config["encoder"], custom_objects=custom_objects)
        return super().from_config(config, custom_objects)

    def _reconstruct(self, images, labels=None):
        return self._generate(self.encoder(images, training=True), labels, training=True)

    # ------------------------------------------------------------------ inversion
    def encode(self, images: Any, batch_size: int = 500) -> np.ndarray:
        """``E(images)``: the latents of real images (inference mode), float32 ``(n, latent_dim)``; ``images`` are
        uint8 0..255 or floats in [-1, 1] (:func:`kerasgan.sampling.encode_images`).

        Example:

        >>> import numpy as np, kerasgan
        >>> gan = kerasgan.build("mrgan", (28, 28, 1), base_filters=4, latent_dim=8)
        >>> gan.encode(np.zeros((2, 28, 28), "uint8")).shape
        (2, 8)
        """
        return sampling.encode_images(self.encoder, images, self.image_shape, batch_size)

    def reconstruct(self, images: Any, batch_size: int = 500, ema: bool | None = None) -> np.ndarray:
        """``G(E(images))``: real images through the encoder and back (``ema``: through the EMA generator; None: it
        when there is one), float32 in [-1, 1].

        Example:

        >>> import numpy as np, kerasgan
        >>> gan = kerasgan.build("mdgan", (28, 28, 1), base_filters=4, latent_dim=8)
        >>> gan.reconstruct(np.zeros((2, 28, 28, 1), "float32")).shape
        (2, 28, 28, 1)
        """
        return self._decode(self.encode(images, batch_size), batch_size, ema, self._own_clusters(images))

    def interpolate_images(self, first: Any, second: Any, steps: int = 8, batch_size: int = 500,
                           ema: bool | None = None) -> np.ndarray:
        """The images along the straight latent line between two real images, ``G((1 - t) E(first) + t
        E(second))`` for ``steps`` values of ``t`` from 0 to 1 (:func:`kerasgan.sampling.images_line`; two
        equal-length batches give ``(n, steps, *image_shape)``).

        Example:

        >>> import numpy as np, kerasgan
        >>> gan = kerasgan.build("mrgan", (28, 28, 1), base_filters=4, latent_dim=8)
        >>> gan.interpolate_images(np.zeros((28, 28, 1)), np.ones((28, 28, 1)), steps=5).shape
        (5, 28, 28, 1)
        """
        return sampling.images_line(lambda x: self.encode(x, batch_size),
                                    lambda z, c=None: self._decode(z, batch_size, ema, c), first, second,
                                    self.image_shape, steps, assign=self._own_clusters if self.clusters else None)

    def _own_clusters(self, images) -> np.ndarray | None:
        """The cluster of each real image with ``clusters`` (its label in :meth:`reconstruct`); None without."""
        return self.assign_clusters(images) if self.clusters else None

    def _decode(self, latents, batch_size, ema, labels=None) -> np.ndarray:
        if ema and self.ema_generator is None:
            raise ValueError("kerasgan: this GAN keeps no EMA generator; build it with ema_decay=0.999 (say).")
        use_ema = self.ema_generator is not None if ema is None else ema
        return sampling.decode_latents(self.ema_generator if use_ema else self.generator, latents, labels,
                                       batch_size=batch_size)


@keras.saving.register_keras_serializable(package="kerasgan")
class ManifoldDiffusionGAN(EncoderGAN):
    """MDGAN (Che et al. 2017, sec. 3.3): a manifold step (``D1`` on ``x`` against ``G(E(x))``; G and E minimise
    ``λ d(x, G∘E(x)) - log D1(G∘E(x))``) then a diffusion step (the GAN's Algorithm 1 with ``G(E(x))`` as D's
    reals) every training step: see the module.

    Args:
        manifold_discriminator: ``D1``, a discriminator of the generator's images (the GAN's ``discriminator`` is
            the diffusion step's ``D2``).
        Others: as :class:`EncoderGAN` (``reconstruction_weight`` is λ).

    ``compile`` makes the manifold step's optimizers (``manifold_d_optimizer`` for D1, ``manifold_g_optimizer`` for
    G and E) as fresh copies of ``d_optimizer`` and ``g_optimizer`` unless given; each step updates D1, then G and E,
    then D2 (``d_steps`` times), then G. Logs ``manifold_d_loss``, ``manifold_loss`` (G and E's) and
    ``reconstruction``.

    Example:

    >>> import kerasgan
    >>> gan = kerasgan.build("mdgan", (28, 28, 1), base_filters=4)
    >>> gan.manifold_discriminator.output_shape, gan.objective.metric_names[:2]
    ((None, 1), ['d_loss', 'g_loss'])
    """

    encoder_objective = "manifold"
    extra_network_names = ("encoder", "manifold_discriminator")
    takes_clusters = False  # D1 and the manifold step are unconditional
    step_metrics = ("manifold_d_loss", "manifold_loss", "reconstruction")

    def __init__(self, generator: keras.Model, discriminator: keras.Model, encoder: keras.Model,
                 manifold_discriminator: keras.Model, latent_dim: int, num_classes: int | None = None,
                 seed: int | None = None, **kwargs: Any):
        super().__init__(generator, discriminator, encoder, latent_dim, num_classes, seed, **kwargs)
        if self.mode_weight:
            raise ValueError("kerasgan: mode_weight is MRGAN's mode regularizer; MDGAN's manifold step weighs "
                             "d(x, G(E(x))) by reconstruction_weight. Leave mode_weight out.")
        self.manifold_discriminator = manifold_discriminator
        self.manifold_term = self.objective.adversarial  # the GAN's adversarial loss pair, for D1 and G∘E
        self.manifold_d_optimizer = None
        self.manifold_g_optimizer = None

    def _generator_variables(self) -> list:
        """The diffusion step's generator update trains G alone (E learns in the manifold step)."""
        return self.generator.trainable_variables

    def compile(self, d_optimizer=None, g_optimizer=None, manifold_d_optimizer=None, manifold_g_optimizer=None,
                **kwargs) -> None:
        """:meth:`kerasgan.GAN.compile`, and the manifold step's two optimizers (copies of ``d_optimizer`` and
        ``g_optimizer`` by default), built here as the others are."""
        super().compile(d_optimizer, g_optimizer, **kwargs)
        self.manifold_d_optimizer = (keras.optimizers.get(manifold_d_optimizer) if manifold_d_optimizer is not None
                                     else _copy_optimizer(self.d_optimizer, "manifold_d_optimizer"))
        self.manifold_g_optimizer = (keras.optimizers.get(manifold_g_optimizer) if manifold_g_optimizer is not None
                                     else _copy_optimizer(self.g_optimizer, "manifold_g_optimizer"))
        if any(o is p for o in (self.manifold_d_optimizer, self.manifold_g_optimizer)
               for p in (self.d_optimizer, self.g_optimizer)) or self.manifold_d_optimizer is self.manifold_g_optimizer:
            raise ValueError("kerasgan: MDGAN's four optimizers must be four objects (each keeps one update's state).")
        self.manifold_d_optimizer.build(self.manifold_discriminator.trainable_variables)
        self.manifold_g_optimizer.build(self.generator.trainable_variables + self.encoder.trainable_variables)

    def get_compile_config(self) -> dict:
        config = super().get_compile_config()
        if config:
            config.update({name: keras.saving.serialize_keras_object(getattr(self, name))
                           for name in ("manifold_d_optimizer", "manifold_g_optimizer")})
        return config

    def compile_from_config(self, config: dict) -> None:
        if config:
            self.compile(**{name: keras.saving.deserialize_keras_object(value) for name, value in config.items()})

    def get_config(self) -> dict:
        return {**super().get_config(),
                "manifold_discriminator": keras.saving.serialize_keras_object(self.manifold_discriminator)}

    @classmethod
    def from_config(cls, config: dict, custom_objects=None) -> "ManifoldDiffusionGAN":
        config = dict(config)
        config["manifold_discriminator"] = keras.saving.deserialize_keras_object(config["manifold_discriminator"],
                                                                                 custom_objects=custom_objects)
        return super().from_config(config, custom_objects)

    def _preliminary_updates(self, images) -> dict:
        """The manifold step on the step's last real minibatch: D1's update, then G's and E's."""
        real = inputs.real_minibatches(images, None, self.d_steps)[-1][0]
        global_batch = replicas.global_batch_size(tf.shape(real)[0])
        discriminate = lambda x: self._augmented(self.manifold_discriminator, x)  # noqa: E731
        reconstructions = tf.stop_gradient(self._reconstruct(real))
        with tf.GradientTape() as tape:
            batch = DiscriminatorBatch(real, reconstructions, None, discriminate(real), discriminate(reconstructions),
                                       discriminate, self._seed, self._uniform, {})
            per_example, _ = self.manifold_term.discriminator_loss(batch)
            loss = self.manifold_d_optimizer.scale_loss(replicas.global_mean(per_example, global_batch))
        apply_update(self.manifold_d_optimizer, tape, loss, self.manifold_discriminator.trainable_variables)
        logs = {"manifold_d_loss": tf.reduce_mean(per_example)}
        variables = self.generator.trainable_variables + self.encoder.trainable_variables
        with tf.GradientTape() as tape:
            reconstructions = self._reconstruct(real)
            distance = losses.reconstruction_distance(real, reconstructions, reduction="none")
            adversarial, _ = self.manifold_term.generator_loss(GeneratorBatch(reconstructions, None,
                                                                              discriminate(reconstructions)))
            per_example = self.reconstruction_weight * distance + adversarial
            loss = self.manifold_g_optimizer.scale_loss(replicas.global_mean(per_example, global_batch))
        apply_update(self.manifold_g_optimizer, tape, loss, variables)
        logs.update(manifold_loss=tf.reduce_mean(per_example), reconstruction=tf.reduce_mean(distance))
        return logs

    def _augmented(self, network, images) -> Outputs:
        """``network`` on ``images`` as D sees them (DiffAugment with ``augment``), training mode."""
        return Outputs(network(self._augment(images), training=True))

    def _discriminator_step(self, real, fake, labels, global_batch) -> dict:
        """The diffusion step's D2 update: the reconstructions ``G(E(x))`` are its reals."""
        return super()._discriminator_step(tf.stop_gradient(self._reconstruct(real)), fake, labels, global_batch)
