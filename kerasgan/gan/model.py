"""The GAN model: a generator and a discriminator trained by ``model.fit``.

:class:`GAN` is a ``keras.Model`` whose ``train_step`` plays the adversarial game of Goodfellow et al. 2014,
Algorithm 1: ``d_steps`` (k) discriminator updates, each with fresh noise and its own real minibatch, then one
generator update, gradients by ``tf.GradientTape``. What the losses are is the GAN's :class:`~kerasgan.gan.objective.Objective`,
a list of terms built from its settings (:mod:`kerasgan.options`); the variants in :mod:`kerasgan.variants` are
short declarations of settings on this one class, and declaring a subclass with ``variant = "name"`` registers it
(:mod:`kerasgan.registry`).

Distribution: losses are averaged over the *global* batch (sum over the replica's examples divided by ``local
batch × replicas``), gradients are summed across replicas by the optimizers, metrics record each replica's unscaled
mean (so the logged value is the true global mean), and each replica's noise is folded with its replica id
(:mod:`kerasgan.replicas`).
"""

from __future__ import annotations

import inspect
from typing import Any

import keras
import numpy as np
import tensorflow as tf

from kerasgan import augment as augment_lib
from kerasgan import inputs, options, registry, replicas, sampling
from kerasgan.gan import ema
from kerasgan.gan.clusters import ClusterConditioning
from kerasgan.gan.conditioning import labels_for, read_networks
from kerasgan.gan.objective import DiscriminatorBatch, GeneratorBatch, Objective, Outputs, critic_variables
from kerasgan.zoo import presets

__all__ = ["GAN"]


@keras.saving.register_keras_serializable(package="kerasgan")
class GAN(ClusterConditioning, keras.Model):
    """A generative adversarial network trained with ``compile``/``fit``.

    Args:
        generator: Keras model mapping ``z`` (or ``[z, label]``) to samples.
        discriminator: Keras model mapping samples (or ``[x, label]``) to logits / critic values (or ``[logit,
            class_logits]`` of an AC-GAN, ``[logit, class_logits, twin_class_logits]`` of a TAC-GAN).
        latent_dim: size of ``z ~ N(0, I)``.
        num_classes: number of labels of a class-conditional GAN.
        seed: seed of the model's ``keras.random.SeedGenerator``.
        **kwargs: the GAN settings declared in :data:`kerasgan.options.GAN_OPTIONS` (``adversarial_loss``,
            ``d_steps``, ``gp_weight``, ``r1_weight``, ``ema_decay``, ...; listed below; left out or ``None``,
            a setting takes the variant's default, :attr:`defaults` merged along the class hierarchy), and
            ``keras.Model`` arguments (``name``, ...).

    Example:

    >>> import keras, numpy as np, kerasgan
    >>> g = keras.Sequential([keras.Input((8,)), keras.layers.Dense(2)])
    >>> d = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    >>> gan = kerasgan.GAN(generator=g, discriminator=d, latent_dim=8, seed=0)
    >>> gan.compile(d_optimizer="adam", g_optimizer="adam")
    >>> history = gan.fit(np.random.randn(64, 2).astype("float32"), batch_size=32, verbose=0)
    >>> sorted(history.history)
    ['d_fake', 'd_loss', 'd_real', 'g_loss']
    >>> gan.generate(4, seed=1).shape
    (4, 2)
    """

    #: Name of the variant (``kerasgan.build`` name); ``"custom"`` here.
    variant = "custom"
    #: The settings this class changes from the declared defaults; a subclass's add to its parent's.
    defaults: dict = {}
    #: How an encoder is trained (:mod:`kerasgan.gan.encoder`): None (no encoder), ``"mode_regularized"`` (MRGAN's
    #: regularizers in G's and E's loss) or ``"manifold"`` (MDGAN's manifold step).
    encoder_objective: str | None = None
    #: Logs of a variant's :meth:`_preliminary_updates`, tracked beside the objective's.
    step_metrics: tuple[str, ...] = ()
    #: The constructor's networks besides G and D (attributes of the GAN), shipped as ``NAME.keras`` in a zoo entry.
    extra_network_names: tuple[str, ...] = ()

    def __init_subclass__(cls, **kwargs):
        """Declaring a subclass with its own ``variant = "name"`` registers it."""
        super().__init_subclass__(**kwargs)
        options.variant_defaults(cls)  # a defaults dict naming an unknown setting fails at the class statement
        if "variant" in cls.__dict__:
            registry.register(cls)

    @classmethod
    def from_preset(cls, name: str, **overrides) -> "GAN":
        """The GAN of zoo preset ``name``, its pretrained generator and discriminator, ready for ``compile()`` and
        ``fit`` on your own data (fine-tuning): see :func:`kerasgan.zoo.presets.load_preset`.

        Example:

        >>> import numpy as np, kerasgan
        >>> gan = kerasgan.GAN.from_preset("dcgan_mnist", seed=0)
        >>> type(gan).__name__, gan.image_shape
        ('DCGAN', (28, 28, 1))
        >>> bool(np.allclose(gan.generate(2, seed=0), kerasgan.zoo.load("dcgan_mnist").generate(2, seed=0)))
        True
        """
        return presets.load_preset(cls, name, **overrides)

    @classmethod
    def default_optimizers(cls) -> tuple[keras.optimizers.Optimizer, keras.optimizers.Optimizer]:
        """Fresh ``(d_optimizer, g_optimizer)`` used when ``compile`` gets none: Adam(2e-4, β1 = 0.5) for both, the
        DCGAN setting (Radford et al. 2015)."""
        return (keras.optimizers.Adam(2e-4, beta_1=0.5, name="d_adam"),
                keras.optimizers.Adam(2e-4, beta_1=0.5, name="g_adam"))

    def __init__(self, generator: keras.Model, discriminator: keras.Model, latent_dim: int,
                 num_classes: int | None = None, seed: int | None = None, **kwargs: Any):
        given = {name: kwargs.pop(name) for name in list(kwargs) if name in options.GAN_OPTIONS}
        super().__init__(**kwargs)
        self.settings = options.resolve_settings(type(self), given)
        for name, value in self.settings.items():  # gan.d_steps, gan.ema_decay, ...
            setattr(self, name, value)
        self.latent_dim = int(latent_dim)
        self.num_classes = int(num_classes) if num_classes else None
        self.seed = seed
        self.generator = generator
        self.discriminator = discriminator
        self.networks = read_networks(generator, discriminator, self.latent_dim, self.num_classes,
                                      self.latent_code, self.clusters)
        for name, value in vars(self.networks).items():  # gan.image_shape, gan.auxiliary_classifier, ...
            setattr(self, name, value)
        for name in ("augment", "consistency_weight"):  # DiffAugment transforms images
            if getattr(self, name) and len(self.image_shape) != 3:
                raise ValueError(f"kerasgan: {name}= needs images (H, W, C); these samples have shape "
                                 f"{self.image_shape}.")
        if (not self.auxiliary_classifier or self.latent_code) and given.get("classify_fakes") is False:
            raise ValueError("kerasgan: classify_fakes=False applies to a discriminator with an AC-GAN class head "
                             "(variant acgan); these networks have none. Leave classify_fakes out.")
        for name in ("reconstruction_weight", "mode_weight"):
            if given.get(name) and self.encoder_objective is None:
                raise ValueError(f"kerasgan: {name} weighs a regularizer of a GAN with an encoder (Che et al. 2017); "
                                 f"{self.variant} has none. Use variant mrgan or mdgan, or leave {name} out.")
        self.objective = Objective(self.settings, self.auxiliary_classifier, self.twin_classifier,
                                   regularized_encoder=self.encoder_objective == "mode_regularized")
        self.ema_generator = ema.clone(generator) if self.ema_decay is not None else None
        self.seed_generator = keras.random.SeedGenerator(seed, name="gan_seed_generator")
        self._add_cluster_weights()
        self._labels = labels_for(self.latent_code, self.cluster_centers if self.clusters else None)
        self._trackers = {name: keras.metrics.Mean(name=name)
                          for name in dict.fromkeys(self.objective.metric_names + list(self.step_metrics))}
        self.d_optimizer = None
        self.g_optimizer = None
        self.built = True

    @property
    def label_values(self) -> int | None:
        """How many values the generator's label input takes: ``num_classes``, K of InfoGAN's ``latent_code`` or
        of ``clusters``; None for a generator of ``z`` alone.

        Example:

        >>> import kerasgan
        >>> kerasgan.build("dcgan", (28, 28, 1), latent_code=4, base_filters=4).label_values
        4
        """
        return (self.num_classes or self.latent_code or self.clusters) if self.conditional_generator else None

    @property
    def critic_variables(self) -> list:
        """D's trainable variables that shape the adversarial output ``f`` (the ones WGAN's clipping bounds): all
        but those of the class/code heads of an auxiliary discriminator.

        Example:

        >>> import kerasgan
        >>> info = kerasgan.build("wgan", (28, 28, 1), latent_code=4, base_filters=4)
        >>> len(info.discriminator.trainable_variables) - len(info.critic_variables)
        2
        """
        return critic_variables(self.discriminator, self.auxiliary_classifier)

    @property
    def metrics(self) -> list[keras.metrics.Metric]:
        """The loss trackers; Keras resets them at the start of every epoch."""
        return list(self._trackers.values())

    # ------------------------------------------------------------------ compile and serialization
    def compile(self, d_optimizer: keras.optimizers.Optimizer | str | None = None,
                g_optimizer: keras.optimizers.Optimizer | str | None = None, **kwargs) -> None:
        """Configure training: one optimizer per network (the variant's paper optimizers if None).

        Both optimizers are built here, on the networks' trainable variables, so that ``fit`` works under
        ``tf.distribute`` strategies and a saved GAN restores both optimizers' state. Under the ``mixed_float16``
        policy both are wrapped in ``LossScaleOptimizer``. Other keyword arguments (``jit_compile``,
        ``steps_per_execution``, ``run_eagerly``) go to ``keras.Model.compile``.

        Example:

        >>> import keras, kerasgan
        >>> gan = kerasgan.build("dcgan", image_shape=(28, 28, 1))
        >>> gan.compile(d_optimizer=keras.optimizers.Adam(1e-4))
        >>> type(gan.g_optimizer).__name__, gan.d_optimizer.learning_rate.numpy().item()
        ('Adam', 9.999999747378752e-05)
        """
        for key in ("optimizer", "loss", "metrics"):
            if kwargs.get(key) is not None:
                raise ValueError(f"kerasgan: GAN.compile takes no {key}=: the objective is the GAN's "
                                 "adversarial_loss; pass d_optimizer= and g_optimizer= for the two networks.")
            kwargs.pop(key, None)
        d_default, g_default = self.default_optimizers()
        d_optimizer = keras.optimizers.get(d_optimizer) or d_default
        g_optimizer = keras.optimizers.get(g_optimizer) or g_default
        if d_optimizer is g_optimizer:
            raise ValueError("kerasgan: d_optimizer and g_optimizer must be two optimizer objects "
                             "(each keeps the state of one network's variables).")
        if self.dtype_policy.name == "mixed_float16" or self.generator.dtype_policy.name == "mixed_float16":
            wrap = keras.optimizers.LossScaleOptimizer
            d_optimizer = d_optimizer if isinstance(d_optimizer, wrap) else wrap(d_optimizer)
            g_optimizer = g_optimizer if isinstance(g_optimizer, wrap) else wrap(g_optimizer)
        super().compile(optimizer=None, **kwargs)
        self.d_optimizer, self.g_optimizer = d_optimizer, g_optimizer
        self.d_optimizer.build(self.discriminator.trainable_variables)
        self.g_optimizer.build(self._generator_variables())

    def get_compile_config(self) -> dict:
        """Both optimizers (serialized), for ``.keras`` files."""
        if self.d_optimizer is None:
            return {}
        return {"d_optimizer": keras.saving.serialize_keras_object(self.d_optimizer),
                "g_optimizer": keras.saving.serialize_keras_object(self.g_optimizer)}

    def compile_from_config(self, config: dict) -> None:
        """Re-compile from :meth:`get_compile_config` (used when loading)."""
        if config:
            self.compile(d_optimizer=keras.saving.deserialize_keras_object(config["d_optimizer"]),
                         g_optimizer=keras.saving.deserialize_keras_object(config["g_optimizer"]))

    def get_config(self) -> dict:
        """The networks, sizes and every GAN setting (:data:`kerasgan.options.GAN_OPTIONS`)."""
        return {"name": self.name, "trainable": self.trainable,
                "generator": keras.saving.serialize_keras_object(self.generator),
                "discriminator": keras.saving.serialize_keras_object(self.discriminator),
                "latent_dim": self.latent_dim, "num_classes": self.num_classes,
                **{name: getattr(self, name) for name in options.GAN_OPTIONS}, "seed": self.seed}

    @classmethod
    def from_config(cls, config: dict, custom_objects=None) -> "GAN":
        config = dict(config)
        for key in ("generator", "discriminator"):
            config[key] = keras.saving.deserialize_keras_object(config[key], custom_objects=custom_objects)
        return cls(**config)

    def save_own_variables(self, store) -> None:
        """Save the seed generator's state too (Keras does not), so a reloaded GAN continues training with the noise
        stream it would have drawn, and the clusters of ``clusters``, by name."""
        store["seed_generator_state"] = self.seed_generator.state.numpy()
        self._save_clusters(store)

    def load_own_variables(self, store) -> None:
        if "seed_generator_state" in store.keys():
            self.seed_generator.state.assign(np.asarray(store["seed_generator_state"]))
        self._load_clusters(store)  # the GAN owns no other variables: the networks' are loaded with them

    # ------------------------------------------------------------------ data and randomness
    def call(self, inputs, training: bool = False):
        """``gan(z)`` (or ``gan([z, labels])``) is the generator's output."""
        return self.generator(inputs, training=training)

    def _unpack(self, data):
        """Images (scaled to [-1, 1]) and int32 labels (or None) from a batch."""
        return inputs.unpack_batch(data, self.image_shape, self.num_classes)

    def fit(self, x=None, *args, **kwargs):
        """``keras.Model.fit``; invalid labels found while running raise ``ValueError``. A ``tf.data.Dataset`` is
        taken in its own order (shuffle it in the pipeline), without Keras' warning that ``shuffle=True`` is ignored."""
        inputs.check_data(x, self.image_shape, self.num_classes)
        self._check_clusters_fitted()
        inputs.check_fit_data(x)
        if isinstance(x, tf.data.Dataset):
            kwargs.setdefault("shuffle", False)
        try:
            return super().fit(x, *args, **kwargs)
        except tf.errors.InvalidArgumentError as error:
            translated = inputs.input_error(error)
            if translated is None:
                raise
            raise translated from None

    def _seed(self):
        """A fresh stateless seed, different on every replica."""
        return replicas.replica_seed(self.seed_generator.next())

    def _noise(self, batch_size):
        """``z ~ N(0, I)`` of shape ``(batch_size, latent_dim)``."""
        return tf.random.stateless_normal((batch_size, self.latent_dim), seed=self._seed())

    def _codes(self, batch_size):
        """InfoGAN's ``c ~ Cat(K)``, uniform over ``[0, latent_code)``, int32."""
        return tf.random.stateless_uniform((batch_size,), seed=self._seed(), minval=0, maxval=self.latent_code,
                                           dtype=tf.int32)

    def _uniform(self, batch_size):
        """``α ~ U[0, 1]``, one per example (the gradient penalty's)."""
        return tf.random.stateless_uniform((batch_size,), seed=self._seed())

    def _generate(self, z, labels, training):
        return self.generator([z, labels] if self.conditional_generator else z, training=training)

    def _discriminate(self, images, labels) -> Outputs:
        outputs = self.discriminator([images, labels] if self.conditional_discriminator else images, training=True)
        return Outputs(*outputs) if self.auxiliary_classifier else Outputs(outputs)

    def _augment(self, images):
        """DiffAugment ``T(images)`` with a fresh per-replica seed, or ``images`` without ``augment``."""
        return augment_lib.diff_augment(images, self.augment, self._seed()) if self.augment else images

    # ------------------------------------------------------------------ training step
    def _discriminator_step(self, real, fake, labels, global_batch) -> dict:
        """One update of D on real and generated images (both augmented first with ``augment``); its logs."""
        real, fake = self._augment(real), self._augment(fake)
        discriminate = lambda x: self._discriminate(x, labels)  # noqa: E731
        with tf.GradientTape() as tape:
            real_out, extras = self.objective.real_pass(discriminate, real)
            batch = DiscriminatorBatch(real, fake, labels, real_out, discriminate(fake), discriminate, self._seed,
                                       self._uniform, extras)
            per_example, logs = self.objective.discriminator_loss(batch)
            logs["d_loss"] = tf.reduce_mean(per_example)
            loss = self.d_optimizer.scale_loss(replicas.global_mean(per_example, global_batch))
        apply_update(self.d_optimizer, tape, loss, self.discriminator.trainable_variables)
        self.objective.after_discriminator_update(self.discriminator)
        return logs

    def _reconstruct(self, images, labels=None):
        """``G(E(images))`` (``G(E(x), c(x))`` with the images' ``labels``, their clusters) in training mode, for the
        generator's objective terms; only a GAN with an encoder has one (:mod:`kerasgan.gan.encoder`)."""
        raise ValueError(f"kerasgan: {self.variant} has no encoder.")

    def _generator_loss(self, fake, labels, global_batch, real=None) -> tuple[Any, dict]:
        """G's loss on its samples ``fake`` (recorded by the caller's tape) and its logs; ``real``: the step's real
        minibatch, for the terms that read it."""
        fake_out = self._discriminate(self._augment(fake), labels)
        discriminate = lambda x: self._discriminate(self._augment(x), labels)  # noqa: E731
        reconstruct = lambda x: self._reconstruct(x, labels)  # noqa: E731  (fakes take their minibatch's labels)
        per_example, logs = self.objective.generator_loss(GeneratorBatch(fake, labels, fake_out, real, reconstruct,
                                                                         discriminate))
        logs["g_loss"] = tf.reduce_mean(per_example)
        return self.g_optimizer.scale_loss(replicas.global_mean(per_example, global_batch)), logs

    def train_step(self, data):
        """One round of Algorithm 1: ``d_steps`` D updates, each on its own real minibatch with fresh noise, then
        one G update. G's update takes its gradient through the *updated* D on the last D update's samples (as the
        PyTorch DCGAN example does). Fakes take their minibatch's labels (InfoGAN: fresh codes)."""
        if self.d_optimizer is None:
            raise ValueError("kerasgan: call gan.compile() before gan.fit().")
        images, labels = self._unpack(data)
        preliminary = self._preliminary_updates(images)
        labels = self._labels.real(images, labels)
        *earlier, (images, labels) = inputs.real_minibatches(images, labels, self.d_steps)
        for real, real_labels in earlier:
            size = tf.shape(real)[0]
            fake_labels = self._labels.fake(real_labels, size, self._codes)
            self._discriminator_step(real, self._generate(self._noise(size), fake_labels, True), fake_labels,
                                     replicas.global_batch_size(size))
        size = tf.shape(images)[0]
        global_batch = replicas.global_batch_size(size)  # all-reduced once, for D's last update and G's
        labels = self._labels.fake(labels, size, self._codes)
        with tf.GradientTape() as g_tape:
            fake = self._generate(self._noise(size), labels, training=True)
            with g_tape.stop_recording():
                logs = self._discriminator_step(images, tf.stop_gradient(fake), labels, global_batch)
            g_loss, g_logs = self._generator_loss(fake, labels, global_batch, images)
        self._apply_generator_update(g_tape, g_loss)
        ema.update(self.ema_generator, self.generator, self.ema_decay)
        logs.update(g_logs, **preliminary)
        for name, tracker in self._trackers.items():
            tracker.update_state(logs[name], sample_weight=tf.cast(size, tf.float32))
        results = {name: tracker.result() for name, tracker in self._trackers.items()}
        if replicas.in_multi_worker_mode():  # Keras reduces multi-worker logs along a batch axis
            results = {name: tf.reshape(value, [1]) for name, value in results.items()}
        return results

    def _generator_variables(self) -> list:
        """What the generator's optimizer trains: G's trainable variables (and E's, for MRGAN)."""
        return self.generator.trainable_variables

    def _preliminary_updates(self, images) -> dict:
        """Updates a variant makes before Algorithm 1's in each step (MDGAN's manifold step), and their logs."""
        return {}

    def _apply_generator_update(self, tape, loss) -> None:
        """G's update from its loss (MRGAN's encoder learns from it too: :meth:`_generator_variables`)."""
        apply_update(self.g_optimizer, tape, loss, self._generator_variables())

    # ------------------------------------------------------------------ sampling
    def encode(self, images: Any, batch_size: int = 500) -> np.ndarray:
        """The latents of ``images`` under the GAN's encoder; only the GANs with an encoder have one (variants
        ``mrgan``, ``mdgan``: :class:`kerasgan.gan.encoder.EncoderGAN`).

        Example:

        >>> import numpy as np, kerasgan
        >>> try:
        ...     kerasgan.build("dcgan", (28, 28, 1), base_filters=4).encode(np.zeros((1, 28, 28, 1)))
        ... except ValueError as error:
        ...     print(error)
        kerasgan: dcgan has no encoder: it maps latents to images only. The variants mrgan and mdgan (Che et al. 2017) learn one.
        """
        raise ValueError(f"kerasgan: {self.variant} has no encoder: it maps latents to images only. The variants "
                         "mrgan and mdgan (Che et al. 2017) learn one.")

    def reconstruct(self, images: Any, batch_size: int = 500, ema: bool | None = None) -> np.ndarray:
        """``G(E(images))``: see :meth:`encode`; a GAN without an encoder says so."""
        return self.encode(images, batch_size)

    def generate(self, n: int, labels: Any = None, seed: int | None = None, batch_size: int = 500,
                 ema: bool | None = None) -> np.ndarray:
        """Sample ``n`` images from the generator (inference mode): float32, shape ``(n, *image_shape)``, in [-1, 1]
        for the ``tanh`` image generators.

        ``labels``: class ids of a conditional GAN (an int for all, or ``n`` ids; ``None`` cycles 0, 1, ...,
        num_classes - 1), code values with ``latent_code`` (the same way), cluster ids with ``clusters`` (``None``:
        a deterministic draw from ``p_data(k)``); not allowed for an unconditional GAN. The same ``seed`` gives the
        same samples (``None``: random). ``ema``: sample the EMA generator (``None``: it when there is one).

        Example:

        >>> import kerasgan
        >>> gan = kerasgan.build("cgan", image_shape=(28, 28, 1), num_classes=10)
        >>> x = gan.generate(3, labels=[7, 7, 1], seed=0)
        >>> x.shape, x.dtype.name, bool((abs(x) <= 1).all())
        ((3, 28, 28, 1), 'float32', True)
        """
        if ema and self.ema_generator is None:
            raise ValueError("kerasgan: this GAN keeps no EMA generator; build it with ema_decay=0.999 (say).")
        use_ema = self.ema_generator is not None if ema is None else ema
        network = self.ema_generator if use_ema else self.generator
        return sampling.generate_samples(network, n, self.latent_dim, self.label_values, labels, seed, batch_size,
                                         prior=self._sampling_prior())


def apply_update(optimizer, tape, loss, variables) -> None:
    """One optimizer update; a frozen network (no trainable variables) stays as it is."""
    if variables:
        optimizer.apply_gradients(zip(tape.gradient(loss, variables), variables))


def _settings_docs() -> str:
    lines = ["", "    Settings (:data:`kerasgan.options.GAN_OPTIONS`, default in brackets):", ""]
    for option in options.GAN_OPTIONS.values():
        lines.append(f"    - ``{option.name}`` [{option.default!r}]: {option.help}")
    return "\n".join(lines) + "\n"


def _signature() -> inspect.Signature:
    """``GAN(generator, discriminator, latent_dim, num_classes=None, seed=None, *, <each setting>=None, **kwargs)``,
    what ``help()`` and editors show for the constructor's ``**kwargs``."""
    parameters = list(inspect.signature(GAN.__init__).parameters.values())
    kwargs = parameters.pop()
    parameters += [inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=None,
                                     annotation=f"{option.type.__name__} | None")
                   for name, option in options.GAN_OPTIONS.items()]
    return inspect.Signature(parameters + [kwargs])


GAN.__doc__ += _settings_docs()
GAN.__init__.__signature__ = _signature()
GAN.defaults = dict(options.variant_defaults(GAN))  # the declared defaults, for reading
