"""The GAN base model: a generator and a discriminator trained by ``model.fit``.

:class:`GAN` is a ``keras.Model`` whose ``train_step`` plays the adversarial
game of Goodfellow et al. 2014, Algorithm 1: ``d_steps`` (k) discriminator
updates, each with fresh noise, then one generator update, gradients by
``tf.GradientTape``. The objective is a named pair from
:mod:`kerasgan.losses` (minimax, non-saturating, least squares, Wasserstein,
hinge) plus optional WGAN weight clipping, the WGAN-GP gradient penalty and
the AC-GAN auxiliary class loss, or InfoGAN's categorical latent code. The
variants in :mod:`kerasgan.variants` are short declarations of these settings on this one class: declaring a
subclass with ``variant = "name"`` registers it (:mod:`kerasgan.registry`).

Conditioning is read off the networks: a generator with inputs ``[z, label]``
is class-conditional; a discriminator with inputs ``[x, label]`` is a cGAN
discriminator; one with outputs ``[logit, class_logits]`` has an AC-GAN
auxiliary classifier, and one with ``[logit, class_logits, twin_class_logits]``
also TAC-GAN's twin classifier. With ``latent_code=K`` (InfoGAN) the label
input and the class head carry a sampled code instead of data labels; with
``clusters=K`` the label inputs carry the k-means cluster of each real image
(:mod:`kerasgan.clustering`).

Distribution: losses are averaged over the *global* batch (sum over the
replica's examples divided by ``local batch × replicas``), gradients are
summed across replicas by the optimizers, metrics record each replica's
unscaled mean (so the logged value is the true global mean), and each
replica's noise is folded with its replica id so replicas draw different z
(:mod:`kerasgan.replicas`). Input unpacking and checks are in
:mod:`kerasgan.inputs`, sampling in :mod:`kerasgan.sampling`.
"""

from __future__ import annotations

from typing import Any

import keras
import numpy as np
import tensorflow as tf

from kerasgan import augment as augment_lib
from kerasgan import clustering, inputs, registry, replicas, sampling
from kerasgan import losses as losses_lib

__all__ = ["GAN"]



@keras.saving.register_keras_serializable(package="kerasgan")
class GAN(keras.Model):
    """A generative adversarial network trained with ``compile``/``fit``.

    Args:
        generator: Keras model mapping ``z`` (or ``[z, label]``) to samples.
        discriminator: Keras model mapping samples (or ``[x, label]``) to
            logits / critic values (or ``[logit, class_logits]``).
        latent_dim: size of ``z ~ N(0, I)``.
        num_classes: number of labels of a class-conditional GAN.
        adversarial_loss: ``"minimax"``, ``"non_saturating"``,
            ``"least_squares"``, ``"wasserstein"`` or ``"hinge"``.
        loss_config: keyword arguments of that loss (LSGAN ``a``, ``b``, ``c``).
        d_steps: discriminator updates per generator update (k).
        clip_value: WGAN weight clipping of the critic ``f`` (0 or None: off).
            An auxiliary discriminator's class or code heads (the layers of
            its outputs after the first) are not part of ``f``, not clipped:
            the Lipschitz constraint is on ``f`` alone, and clipped heads
            could not grow logits to learn classes or InfoGAN codes.
        gp_weight: WGAN-GP gradient-penalty weight λ (0: off).
        aux_weight: weight ``λ`` of the AC-GAN auxiliary class loss, in D's
            and in G's objective; with ``latent_code``, InfoGAN's ``λ``.
        classify_fakes: AC-GAN: D's class head also learns the conditioning
            label of generated images (Odena et al. 2017: D maximises
            ``L_S + λ L_C`` with ``L_C`` over real *and* fake images). With
            ``False`` it learns from real images only, so ``C ≈ p_data(c | x)``
            and G is not rewarded for the easy-to-classify prototypes that a
            classifier fitted to its own samples accepts (the conditional-entropy
            term behind AC-GAN's intra-class collapse, Shu et al. 2017;
            Gong et al. 2019). G's loss is the same either way.

        label_smoothing: one-sided label smoothing ``s`` of the logit losses
            (Salimans et al. 2016): real targets ``1 - s/2``, fakes 0 (see
            :func:`kerasgan.losses.minimax_discriminator_loss`).
        augment: DiffAugment policy (Zhao et al. 2020), any of
            ``"color,translation,cutout"``: applied to real and generated
            images before every discriminator call, in D's and G's updates
            (:mod:`kerasgan.augment`).
        r1_weight: ``γ`` of the R1 penalty ``γ/2 E||∇D(x_real)||²`` added to
            D's loss (Mescheder et al. 2018; 0: off).
        latent_code: ``K``, the size of a categorical latent code
            ``c ~ Cat(K)`` (uniform) of an *unconditional* GAN: InfoGAN
            (Chen et al. 2016). G takes ``[z, c]``; D's class head ``Q(c | x)``
            learns the codes of generated images only, and D and G both add
            ``λ L_I``, ``L_I = E_{c, z}[-log Q(c | G(z, c))]``, the variational
            lower bound of the mutual information ``I(c; G(z, c))`` (up to the
            constant ``H(c) = log K``): ``min_{G,Q} max_D V(D, G) + λ L_I``.
            The code gives G ``K`` components to place on the ``K`` pieces of a
            disconnected data manifold (MNIST's digits) instead of the
            in-between images one continuous map must make (Khayatkhoei et al.
            2018). No data labels are used. ``kerasgan.build(..., latent_code=K)``
            makes the networks: an AC-GAN pair with ``K`` classes.
        clusters: ``K``, cluster conditioning of an *unconditional* GAN
            (:mod:`kerasgan.clustering`; after the self-conditioned GAN of Liu
            et al. 2020): the real images' k-means clusters ``c(x)`` (fitted by
            :meth:`fit_clusters` before ``fit``, fixed during training) are
            their labels, and the GAN is trained as a cGAN on them:
            ``E_x[log D(x, c(x))] + E_{z, c ~ p_data(c)}[log(1 - D(G(z, c), c))]``
            (fakes take their minibatch's cluster ids). ``generate`` draws
            ``c`` from the clusters' share of the data, so ``p_g`` is the
            mixture ``Σ_k p_data(k) p_g(x | k)``. No data labels are read.
            ``kerasgan.build(..., clusters=K)`` makes the networks: a cGAN pair
            with ``K`` classes (``projection``, ``conditional_norm`` apply).
        ema_decay: keep ``ema_generator``, an exponential moving average of
            the generator's weights, updated after every generator step
            (Karras et al. 2018; Yazıcı et al. 2019): ``w_ema ← d w_ema + (1 - d) w``.
            ``generate`` uses it by default.
        seed: seed of the model's ``keras.random.SeedGenerator``.

    Arguments left ``None`` take the variant's declared default
    (:attr:`defaults`); a variant is a subclass that declares them.

    A discriminator with a third output, the twin class logits ``C_mi``
    (``twin_classifier=True`` of the builders), makes the AC-GAN a TAC-GAN
    (Gong et al. 2019): D also minimises ``λ CE(c, C_mi(G(z, c)))``
    (C_mi learns the labels of generated images only) and G's class term
    becomes ``λ [CE(c, C(G(z, c))) - CE(c, C_mi(G(z, c)))]``. The subtracted
    term estimates the conditional entropy H_Q(c | x) of G's own samples that
    AC-GAN's loss minimises; cancelling it removes the pull towards one
    easy-to-classify image per class.

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
    #: Constructor defaults a variant declares (see the class docstring).
    defaults: dict = {
        "adversarial_loss": "non_saturating",
        "loss_config": None,
        "d_steps": 1,
        "clip_value": None,
        "gp_weight": 0.0,
        "aux_weight": 1.0,
        "classify_fakes": True,
        "label_smoothing": 0.0,
        "augment": None,
        "r1_weight": 0.0,
        "ema_decay": None,
        "latent_code": None,
        "clusters": None,
    }

    def __init_subclass__(cls, **kwargs):
        """Declaring a subclass with its own ``variant = "name"`` registers it."""
        super().__init_subclass__(**kwargs)
        if "variant" in cls.__dict__:
            registry.register(cls)

    @classmethod
    def from_preset(cls, name: str, **overrides) -> "GAN":
        """The GAN of zoo preset ``name``: its variant with the pretrained
        generator and discriminator, ready for ``compile()`` and ``fit`` on
        your own data (fine-tuning).

        ``overrides`` are GAN settings (``d_steps``, ``adversarial_loss``,
        ``seed``, ...); by default the preset's recipe's. Called on the base
        class, it builds the preset's variant (``GAN.from_preset("dcgan_mnist")``
        is a ``DCGAN``); on a variant class, the preset must be of that
        variant (or of one it derives from). The files are checked against
        the card's sha256 and opened in Keras ``safe_mode``.

        Example:

        >>> import numpy as np, kerasgan
        >>> gan = kerasgan.GAN.from_preset("dcgan_mnist", seed=0)
        >>> type(gan).__name__, gan.image_shape
        ('DCGAN', (28, 28, 1))
        >>> bool(np.allclose(gan.generate(2, seed=0), kerasgan.zoo.load("dcgan_mnist").generate(2, seed=0)))
        True
        >>> gan.compile()
        >>> history = gan.fit(np.zeros((16, 28, 28, 1), "uint8"), batch_size=8, epochs=1, verbose=0)
        """
        from kerasgan import zoo

        card = zoo.card(name)
        variant = registry.VARIANTS.get(card["variant"])
        if variant is None:
            raise ValueError(f"kerasgan: the preset {name!r} is of the unknown variant {card['variant']!r}.")
        if issubclass(cls, variant):
            target = cls
        elif issubclass(variant, cls):
            target = variant
        else:
            raise ValueError(
                f"kerasgan: the preset {name!r} is a {variant.__name__} ({card['variant']}), not a {cls.__name__}; "
                f"call kerasgan.GAN.from_preset({name!r}) or {variant.__name__}.from_preset({name!r})."
            )
        generator, discriminator = zoo.load_networks(name)
        recipe = card.get("recipe", {})
        settings = {key: recipe[key] for key in GAN.defaults if key in recipe}
        settings.setdefault("seed", recipe.get("seed"))
        settings.update(overrides)
        gan = target(generator=generator, discriminator=discriminator, latent_dim=int(card["latent_dim"]),
                     num_classes=card.get("num_classes"), **settings)
        if gan.clusters and card.get("cluster_prior"):  # generate draws from it; fit_clusters on new data resets it
            gan.cluster_prior.assign(np.asarray(card["cluster_prior"], "float32"))
        return gan

    @classmethod
    def default_optimizers(cls) -> tuple[keras.optimizers.Optimizer, keras.optimizers.Optimizer]:
        """Fresh ``(d_optimizer, g_optimizer)`` used when ``compile`` gets none.

        Adam(2e-4, β1 = 0.5) for both, the DCGAN setting (Radford et al. 2015).
        """
        return (
            keras.optimizers.Adam(2e-4, beta_1=0.5, name="d_adam"),
            keras.optimizers.Adam(2e-4, beta_1=0.5, name="g_adam"),
        )

    def __init__(
        self,
        generator: keras.Model,
        discriminator: keras.Model,
        latent_dim: int,
        num_classes: int | None = None,
        adversarial_loss: str | None = None,
        loss_config: dict | None = None,
        d_steps: int | None = None,
        clip_value: float | None = None,
        gp_weight: float | None = None,
        aux_weight: float | None = None,
        classify_fakes: bool | None = None,
        # the toolkit: Salimans et al. 2016; Zhao et al. 2020; Mescheder et al. 2018; Karras et al. 2018
        label_smoothing: float | None = None, augment: str | None = None,
        r1_weight: float | None = None, ema_decay: float | None = None,
        latent_code: int | None = None,
        clusters: int | None = None,
        seed: int | None = None,
        **kwargs,
    ):
        given = {key: value for key, value in locals().items() if key in GAN.defaults and value is not None}
        super().__init__(**kwargs)
        settings = {**GAN.defaults, **type(self).defaults, **given}
        self.adversarial_loss = settings["adversarial_loss"]
        self.loss_config = dict(settings["loss_config"] or {})
        self._loss_pair = losses_lib.get_adversarial_loss(self.adversarial_loss)
        self.label_smoothing = float(settings["label_smoothing"] or 0.0)
        if self.label_smoothing and "label_smoothing" not in self._loss_pair.parameters:
            raise ValueError(
                f"kerasgan: label_smoothing applies to the logit losses (minimax, non_saturating), not to "
                f"{self.adversarial_loss!r}."
            )
        loss_config = {**self.loss_config, **({"label_smoothing": self.label_smoothing} if self.label_smoothing else {})}
        self._d_loss_kwargs, self._g_loss_kwargs = losses_lib.split_loss_config(self.adversarial_loss, loss_config)
        self.d_steps = int(settings["d_steps"])
        if self.d_steps < 1:
            raise ValueError(f"kerasgan: d_steps must be >= 1, got {settings['d_steps']}.")
        self.clip_value = float(settings["clip_value"]) if settings["clip_value"] else None
        self.gp_weight = float(settings["gp_weight"] or 0.0)
        self.aux_weight = float(settings["aux_weight"])
        self.classify_fakes = bool(settings["classify_fakes"])
        self.augment = ",".join(augment_lib.parse_policy(settings["augment"])) or None
        self.r1_weight = float(settings["r1_weight"] or 0.0)
        if self.r1_weight < 0:
            raise ValueError(f"kerasgan: r1_weight must be >= 0, got {self.r1_weight}.")
        self.ema_decay = float(settings["ema_decay"]) if settings["ema_decay"] is not None else None
        if self.ema_decay is not None and not 0.0 < self.ema_decay < 1.0:
            raise ValueError(f"kerasgan: ema_decay must be in (0, 1), got {self.ema_decay}.")
        self.latent_dim = int(latent_dim)
        self.num_classes = int(num_classes) if num_classes else None
        self.latent_code = code_size(settings["latent_code"])
        self.clusters = code_size(settings["clusters"], "clusters")
        self.seed = seed

        self.generator = generator
        self.discriminator = discriminator
        self._check_networks()
        if self.augment and len(self.image_shape) != 3:
            raise ValueError(f"kerasgan: augment= needs images (H, W, C); these samples have shape {self.image_shape}.")
        if (not self.auxiliary_classifier or self.latent_code) and given.get("classify_fakes") is False:
            raise ValueError(
                "kerasgan: classify_fakes=False applies to a discriminator with an AC-GAN class head "
                "(variant acgan); these networks have none. Leave classify_fakes out."
            )
        self.ema_generator = None
        if self.ema_decay is not None:
            self.ema_generator = keras.models.clone_model(generator)
            self.ema_generator.set_weights(generator.get_weights())
            self.ema_generator.trainable = False
        self.seed_generator = keras.random.SeedGenerator(seed, name="gan_seed_generator")
        if self.clusters:  # μ_k in φ-space and p_data(k), set by fit_clusters
            size = clustering.feature_size(self.image_shape)
            self.cluster_centers = self.add_weight(shape=(self.clusters, size), initializer="zeros",
                                                   trainable=False, name="cluster_centers", dtype="float32")
            self.cluster_prior = self.add_weight(shape=(self.clusters,), initializer="zeros", trainable=False,
                                                 name="cluster_prior", dtype="float32")

        self._trackers = {name: keras.metrics.Mean(name=name) for name in self._metric_names()}
        self.d_optimizer = None
        self.g_optimizer = None
        self.built = True

    # ------------------------------------------------------------------ setup
    def _check_networks(self) -> None:
        """Infer conditioning from the networks and check they fit together."""
        g_inputs = len(self.generator.inputs) if getattr(self.generator, "inputs", None) else None
        d_inputs = len(self.discriminator.inputs) if getattr(self.discriminator, "inputs", None) else None
        if g_inputs is None or d_inputs is None:
            raise ValueError(
                "kerasgan: generator and discriminator must be built Keras models with known inputs "
                "(functional models, or Sequential models that start with keras.Input(...))."
            )
        self.conditional_generator = g_inputs == 2
        self.conditional_discriminator = d_inputs == 2
        d_outputs = len(self.discriminator.outputs)
        self.auxiliary_classifier = d_outputs in (2, 3)
        self.twin_classifier = d_outputs == 3
        conditional = (
            self.conditional_generator or self.conditional_discriminator or self.auxiliary_classifier
        )
        if self.latent_code:
            self._check_code_networks()
        elif self.clusters:
            self._check_cluster_networks()
        elif conditional and not self.num_classes:
            raise ValueError(
                "kerasgan: the networks are class-conditional (label inputs or a class head) "
                "but num_classes was not given; pass num_classes=<number of labels>."
            )
        if self.num_classes and not conditional:
            raise ValueError(
                f"kerasgan: num_classes={self.num_classes} was given but neither network takes "
                "labels or predicts classes; build conditional networks or leave num_classes=None."
            )
        z_shape = tuple(self.generator.inputs[0].shape[1:])
        if z_shape != (self.latent_dim,):
            raise ValueError(
                f"kerasgan: the generator takes z of shape {z_shape} but latent_dim={self.latent_dim}."
            )
        self.image_shape = tuple(int(s) for s in self.generator.outputs[0].shape[1:])
        d_shape = tuple(self.discriminator.inputs[0].shape[1:])
        if d_shape != self.image_shape:
            raise ValueError(
                f"kerasgan: the generator makes samples of shape {self.image_shape} but the "
                f"discriminator takes {d_shape}."
            )

    def _check_code_networks(self) -> None:
        """InfoGAN (``latent_code``): G takes ``[z, c]``, D takes ``x`` alone and has one code head of K logits."""
        k = self.latent_code
        if self.num_classes:
            raise ValueError(
                f"kerasgan: latent_code={k} is InfoGAN's code of an unconditional GAN, but num_classes="
                f"{self.num_classes} was given; a class-conditional GAN (cgan, acgan) takes labels instead. "
                "Leave one of them out.")
        head = int(self.discriminator.outputs[1].shape[-1]) if self.auxiliary_classifier else None
        if not self.conditional_generator or self.conditional_discriminator or self.twin_classifier or head != k:
            raise ValueError(
                f"kerasgan: latent_code={k} needs a generator taking [z, code] and a discriminator taking the "
                f"image alone with outputs [logit, code_logits] of {k} logits; "
                f"kerasgan.build(variant, image_shape, latent_code={k}) builds them.")

    def _check_cluster_networks(self) -> None:
        """Cluster conditioning (``clusters``): G takes ``[z, c]`` and D ``[x, c]``, without a class head."""
        k = self.clusters
        if self.latent_code or self.num_classes:
            raise ValueError(
                f"kerasgan: clusters={k} conditions an unconditional GAN on k-means clusters of its data, but "
                f"{'latent_code' if self.latent_code else 'num_classes'} was given too. Leave one of them out.")
        if not (self.conditional_generator and self.conditional_discriminator) or self.auxiliary_classifier:
            raise ValueError(
                f"kerasgan: clusters={k} needs a generator taking [z, cluster] and a discriminator taking "
                f"[image, cluster] with one output; kerasgan.build(variant, image_shape, clusters={k}) builds them.")

    @property
    def label_values(self) -> int | None:
        """How many values the generator's label input takes: ``num_classes``,
        K of InfoGAN's ``latent_code`` or of ``clusters``; None for a generator of ``z`` alone.

        Example:

        >>> import kerasgan
        >>> kerasgan.build("dcgan", (28, 28, 1), latent_code=4, base_filters=4).label_values
        4
        """
        return (self.num_classes or self.latent_code or self.clusters) if self.conditional_generator else None

    def _metric_names(self) -> list[str]:
        names = ["d_loss", "g_loss"]
        if self._loss_pair.output in ("logit", "score"):
            names += ["d_real", "d_fake"]
        else:
            names += ["critic_gap"]
        if self.gp_weight:
            names += ["gradient_penalty"]
        if self.r1_weight:
            names += ["r1_penalty"]
        if self.latent_code:
            names += ["code_acc"]
        elif self.auxiliary_classifier:
            names += ["class_acc", "fake_class_acc"]
        if self.twin_classifier:
            names += ["twin_class_acc"]
        return names

    @property
    def metrics(self) -> list[keras.metrics.Metric]:
        """The loss trackers; Keras resets them at the start of every epoch."""
        return list(self._trackers.values())

    def compile(
        self,
        d_optimizer: keras.optimizers.Optimizer | str | None = None,
        g_optimizer: keras.optimizers.Optimizer | str | None = None,
        **kwargs,
    ) -> None:
        """Configure training: one optimizer per network (paper defaults if None).

        Both optimizers are built here, on the networks' trainable variables,
        so that ``fit`` works under ``tf.distribute`` strategies and a saved
        GAN restores both optimizers' state. Under the ``mixed_float16``
        policy both are wrapped in ``LossScaleOptimizer``. Other keyword
        arguments (``jit_compile``, ``steps_per_execution``, ``run_eagerly``)
        go to ``keras.Model.compile``.

        Example:

        >>> import keras, kerasgan
        >>> gan = kerasgan.build("dcgan", image_shape=(28, 28, 1))
        >>> gan.compile(d_optimizer=keras.optimizers.Adam(1e-4))
        >>> type(gan.g_optimizer).__name__, gan.d_optimizer.learning_rate.numpy().item()
        ('Adam', 9.999999747378752e-05)
        """
        for key in ("optimizer", "loss", "metrics"):
            if kwargs.get(key) is not None:
                raise ValueError(
                    f"kerasgan: GAN.compile takes no {key}=: the objective is the GAN's "
                    "adversarial_loss; pass d_optimizer= and g_optimizer= for the two networks."
                )
            kwargs.pop(key, None)
        d_default, g_default = self.default_optimizers()
        d_optimizer = keras.optimizers.get(d_optimizer) or d_default
        g_optimizer = keras.optimizers.get(g_optimizer) or g_default
        if d_optimizer is g_optimizer:
            raise ValueError(
                "kerasgan: d_optimizer and g_optimizer must be two optimizer objects "
                "(each keeps the state of one network's variables)."
            )
        if self.dtype_policy.name == "mixed_float16" or self.generator.dtype_policy.name == "mixed_float16":
            wrap = keras.optimizers.LossScaleOptimizer
            d_optimizer = d_optimizer if isinstance(d_optimizer, wrap) else wrap(d_optimizer)
            g_optimizer = g_optimizer if isinstance(g_optimizer, wrap) else wrap(g_optimizer)
        super().compile(optimizer=None, **kwargs)
        self.d_optimizer = d_optimizer
        self.g_optimizer = g_optimizer
        self.d_optimizer.build(self.discriminator.trainable_variables)
        self.g_optimizer.build(self.generator.trainable_variables)

    def get_compile_config(self) -> dict:
        """Both optimizers (serialized), for ``.keras`` files."""
        if self.d_optimizer is None:
            return {}
        return {
            "d_optimizer": keras.saving.serialize_keras_object(self.d_optimizer),
            "g_optimizer": keras.saving.serialize_keras_object(self.g_optimizer),
        }

    def compile_from_config(self, config: dict) -> None:
        """Re-compile from :meth:`get_compile_config` (used when loading)."""
        if not config:
            return
        self.compile(
            d_optimizer=keras.saving.deserialize_keras_object(config["d_optimizer"]),
            g_optimizer=keras.saving.deserialize_keras_object(config["g_optimizer"]),
        )

    def get_config(self) -> dict:
        config = {
            "name": self.name,
            "trainable": self.trainable,
            "generator": keras.saving.serialize_keras_object(self.generator),
            "discriminator": keras.saving.serialize_keras_object(self.discriminator),
            "latent_dim": self.latent_dim,
            "num_classes": self.num_classes,
            "adversarial_loss": self.adversarial_loss,
            "loss_config": dict(self.loss_config),
            "d_steps": self.d_steps,
            "clip_value": self.clip_value or 0.0,
            "gp_weight": self.gp_weight,
            "aux_weight": self.aux_weight,
            "classify_fakes": self.classify_fakes,
            "label_smoothing": self.label_smoothing,
            "augment": self.augment,
            "r1_weight": self.r1_weight,
            "ema_decay": self.ema_decay,
            "latent_code": self.latent_code,
            "clusters": self.clusters,
            "seed": self.seed,
        }
        return config

    @classmethod
    def from_config(cls, config: dict, custom_objects=None) -> "GAN":
        config = dict(config)
        for key in ("generator", "discriminator"):
            config[key] = keras.saving.deserialize_keras_object(
                config[key], custom_objects=custom_objects
            )
        return cls(**config)

    def save_own_variables(self, store) -> None:
        """Save the seed generator's state too (Keras does not), so a reloaded
        GAN continues training with the noise stream it would have drawn, and
        the clusters of ``clusters``, by name."""
        store["seed_generator_state"] = self.seed_generator.state.numpy()
        if self.clusters:
            store["cluster_centers"] = self.cluster_centers.numpy()
            store["cluster_prior"] = self.cluster_prior.numpy()

    def load_own_variables(self, store) -> None:
        if "seed_generator_state" in store.keys():
            self.seed_generator.state.assign(np.asarray(store["seed_generator_state"]))
        if self.clusters and "cluster_centers" in store.keys():
            self.cluster_centers.assign(np.asarray(store["cluster_centers"]))
            self.cluster_prior.assign(np.asarray(store["cluster_prior"]))
        # The GAN owns no other variables: the networks' are loaded with them.

    # ------------------------------------------------------------- clusters
    @property
    def clusters_fitted(self) -> bool:
        """Whether :meth:`fit_clusters` has set the cluster centers of ``clusters`` (always False without).
        A preset (:meth:`from_preset`) brings the clusters' shares, for ``generate``, but not their centers:
        fit them on the data to fine-tune on."""
        return bool(self.clusters) and bool(np.any(self.cluster_centers.numpy()))

    def fit_clusters(self, data: Any, max_examples: int = 20_000, seed: int | None = None) -> np.ndarray:
        """Fit the ``clusters`` k-means clusters of the real images in ``data``
        (an array of images or a ``tf.data.Dataset`` of batches, as ``fit``
        takes them, read once; labels are ignored) and set ``p_data(k)``, each
        cluster's share: see :func:`kerasgan.clustering.fit` (k-means on a
        uniform sample of ``max_examples`` of them). Call it once before the
        first ``fit``; the clusters are saved with the GAN. Returns the share.

        Example:

        >>> import numpy as np, kerasgan
        >>> gan = kerasgan.build("dcgan", (28, 28, 1), clusters=3, base_filters=4, seed=0)
        >>> images = np.random.default_rng(0).integers(0, 256, (60, 28, 28, 1)).astype("uint8")
        >>> gan.fit_clusters(images).shape, gan.clusters_fitted
        ((3,), True)
        >>> gan.compile()
        >>> history = gan.fit(images, batch_size=20, verbose=0)
        """
        if not self.clusters:
            raise ValueError("kerasgan: fit_clusters applies to a GAN built with clusters=K; this one has none.")
        batches = data if isinstance(data, tf.data.Dataset) else [data]
        images = (np.asarray(self._unpack(batch)[0]) for batch in batches)
        seed = (self.seed or 0) if seed is None else seed
        centers, prior = clustering.fit(images, self.clusters, seed=seed, max_examples=max_examples)
        self.cluster_centers.assign(centers)
        self.cluster_prior.assign(prior)
        return prior

    def call(self, inputs, training: bool = False):
        """``gan(z)`` (or ``gan([z, labels])``) is the generator's output."""
        return self.generator(inputs, training=training)

    # ------------------------------------------------------------- data input
    def _unpack(self, data):
        """Images (scaled to [-1, 1]) and int32 labels (or None) from a batch."""
        return inputs.unpack_batch(data, self.image_shape, self.num_classes)

    def fit(self, x=None, *args, **kwargs):
        """``keras.Model.fit``; invalid labels found while running raise ``ValueError``.

        A ``tf.data.Dataset`` is taken in its own order (shuffle it in the
        pipeline), without Keras' warning that ``shuffle=True`` is ignored.
        """
        inputs.check_data(x, self.image_shape, self.num_classes)
        if self.clusters and not self.clusters_fitted:
            raise ValueError(f"kerasgan: this GAN is conditioned on clusters={self.clusters} k-means clusters of "
                             "its data, which are not fitted yet; call gan.fit_clusters(training images) before fit.")
        if isinstance(x, tf.data.Dataset):
            kwargs.setdefault("shuffle", False)
            if int(x.cardinality()) == 0:
                raise ValueError("kerasgan: the dataset is empty (no batches); check its source, split and "
                                 "batch_size (with drop_remainder a batch_size above the dataset size leaves none).")
        elif any(getattr(a, "shape", None) is not None and len(a.shape) and a.shape[0] == 0
                 for a in tf.nest.flatten(x)[:1]):
            raise ValueError("kerasgan: fit got an empty array of images (0 examples); give it some data.")
        try:
            return super().fit(x, *args, **kwargs)
        except tf.errors.InvalidArgumentError as error:
            translated = inputs.input_error(error)
            if translated is None:
                raise
            raise translated from None

    # -------------------------------------------------------------- randomness
    def _seed(self):
        """A fresh stateless seed, different on every replica."""
        return replicas.replica_seed(self.seed_generator.next())

    def _noise(self, batch_size):
        """``z ~ N(0, I)`` of shape ``(batch_size, latent_dim)``."""
        return tf.random.stateless_normal((batch_size, self.latent_dim), seed=self._seed())

    def _codes(self, batch_size):
        """InfoGAN's ``c ~ Cat(K)``, uniform over ``[0, latent_code)``, int32."""
        return tf.random.stateless_uniform((batch_size,), seed=self._seed(), minval=0,
                                           maxval=self.latent_code, dtype=tf.int32)

    def _uniform(self, batch_size):
        """``α ~ U[0, 1]``, one per sample (for the gradient penalty)."""
        return tf.random.stateless_uniform((batch_size,), seed=self._seed())

    # --------------------------------------------------------------- networks
    def _generate(self, z, labels, training):
        inputs = [z, labels] if self.conditional_generator else z
        return self.generator(inputs, training=training)

    @property
    def critic_variables(self) -> list:
        """D's trainable variables that shape the adversarial output ``f``:
        all but those of the class/code heads of an auxiliary discriminator
        (the variables WGAN's weight clipping bounds).

        Example:

        >>> import kerasgan
        >>> info = kerasgan.build("wgan", (28, 28, 1), latent_code=4, base_filters=4)
        >>> len(info.discriminator.trainable_variables) - len(info.critic_variables)
        2
        """
        outputs = getattr(self.discriminator, "outputs", None) or []  # functional models: the layers making them
        heads = [t._keras_history.operation for t in outputs[1:] if self.auxiliary_classifier]
        skip = {id(v) for layer in heads for v in layer.trainable_variables}
        return [v for v in self.discriminator.trainable_variables if id(v) not in skip]

    def _discriminate(self, images, labels, training):
        """``(adversarial outputs, class logits or None, twin class logits or None)``."""
        inputs = [images, labels] if self.conditional_discriminator else images
        outputs = self.discriminator(inputs, training=training)
        if self.auxiliary_classifier:
            return outputs[0], outputs[1], (outputs[2] if self.twin_classifier else None)
        return outputs, None, None

    # ----------------------------------------------------------- training step
    def _augment(self, images):
        """DiffAugment ``T(images)`` with a fresh per-replica seed, or ``images``."""
        if not self.augment:
            return images
        return augment_lib.diff_augment(images, self.augment, self._seed())

    def _discriminator_step(self, images, fake, labels, batch_size, global_batch):
        """One update of D on real ``images`` and generated ``fake`` samples
        (both augmented first when ``augment`` is set)."""
        images, fake = self._augment(images), self._augment(fake)
        with tf.GradientTape() as tape:
            if self.r1_weight:
                with tf.GradientTape() as r1_tape:
                    r1_tape.watch(images)
                    real_out, real_classes, _ = self._discriminate(images, labels, training=True)
                    real_sum = tf.reduce_sum(tf.cast(real_out, tf.float32))
                grads = tf.cast(r1_tape.gradient(real_sum, images), tf.float32)
                r1 = tf.reduce_sum(tf.reshape(tf.square(grads), [batch_size, -1]), axis=1)
            else:
                real_out, real_classes, _ = self._discriminate(images, labels, training=True)
            fake_out, fake_classes, fake_twin = self._discriminate(fake, labels, training=True)
            per_example = self._loss_pair.discriminator(
                real_out, fake_out, reduction="none", **self._d_loss_kwargs
            )
            logs = {}
            if self.gp_weight:
                penalty = losses_lib.gradient_penalty(
                    lambda x: self._discriminate(x, labels, training=True)[0],
                    images,
                    fake,
                    self._uniform(batch_size),
                    reduction="none",
                )
                per_example += self.gp_weight * penalty
                logs["gradient_penalty"] = tf.reduce_mean(penalty)
            if self.r1_weight:  # the same sum as losses.r1_penalty, from the D pass above
                per_example += 0.5 * self.r1_weight * r1
                logs["r1_penalty"] = tf.reduce_mean(r1)
            if self.latent_code:  # InfoGAN: Q learns the codes of generated images only
                per_example += self.aux_weight * losses_lib.auxiliary_classifier_loss(
                    labels, fake_classes, reduction="none")
            elif self.auxiliary_classifier:
                class_loss = losses_lib.auxiliary_classifier_loss(labels, real_classes, reduction="none")
                if self.classify_fakes:
                    class_loss += losses_lib.auxiliary_classifier_loss(labels, fake_classes, reduction="none")
                if self.twin_classifier:  # C_mi learns the conditioning labels of G's samples
                    class_loss += losses_lib.auxiliary_classifier_loss(labels, fake_twin, reduction="none")
                per_example += self.aux_weight * class_loss
            logs["d_loss"] = tf.reduce_mean(per_example)
            loss = self.d_optimizer.scale_loss(replicas.global_mean(per_example, global_batch))
        variables = self.discriminator.trainable_variables
        _apply(self.d_optimizer, tape, loss, variables)
        if self.clip_value:
            losses_lib.clip_weights(self.critic_variables, self.clip_value)
        real_out = tf.reshape(tf.cast(real_out, tf.float32), [batch_size, -1])
        fake_out = tf.reshape(tf.cast(fake_out, tf.float32), [batch_size, -1])
        if self._loss_pair.output == "logit":
            logs["d_real"] = tf.reduce_mean(tf.sigmoid(real_out))
            logs["d_fake"] = tf.reduce_mean(tf.sigmoid(fake_out))
        elif self._loss_pair.output == "score":
            logs["d_real"] = tf.reduce_mean(real_out)
            logs["d_fake"] = tf.reduce_mean(fake_out)
        else:
            logs["critic_gap"] = tf.reduce_mean(real_out) - tf.reduce_mean(fake_out)
        if self.auxiliary_classifier and not self.latent_code:
            logs["class_acc"] = _accuracy(labels, real_classes)
        if self.twin_classifier:
            logs["twin_class_acc"] = _accuracy(labels, fake_twin)
        return logs

    def _generator_loss(self, fake, labels, global_batch):
        """G's loss on its samples ``fake`` (recorded by the caller's tape)."""
        fake_out, fake_classes, fake_twin = self._discriminate(self._augment(fake), labels, training=True)
        per_example = self._loss_pair.generator(fake_out, reduction="none", **self._g_loss_kwargs)
        if self.auxiliary_classifier:
            class_loss = losses_lib.auxiliary_classifier_loss(labels, fake_classes, reduction="none")
            if self.twin_classifier:  # TAC-GAN: minus the twin's cross-entropy
                class_loss -= losses_lib.auxiliary_classifier_loss(labels, fake_twin, reduction="none")
            per_example += self.aux_weight * class_loss
        logs = {"g_loss": tf.reduce_mean(per_example)}
        if self.auxiliary_classifier:
            logs["code_acc" if self.latent_code else "fake_class_acc"] = _accuracy(labels, fake_classes)
        return self.g_optimizer.scale_loss(replicas.global_mean(per_example, global_batch)), logs

    def _real_minibatches(self, images, labels) -> list:
        """The k = ``d_steps`` real minibatches of one step: a batch of k·m
        examples split into k of m, one per D update (Algorithm 1 of Goodfellow
        et al. and of both WGAN papers); a batch that k does not divide is used
        whole by every D update. Under a strategy this is the replica's batch."""
        k = self.d_steps
        if k == 1:
            return [(images, labels)]
        static = images.shape[0]
        if static is not None:
            if static % k:
                return [(images, labels)] * k
            parts = tf.split(images, k)
            return list(zip(parts, tf.split(labels, k) if labels is not None else [None] * k))
        size = tf.shape(images)[0]
        divisible = tf.equal(size % k, 0)
        m = tf.where(divisible, size // k, size)
        minibatches = []
        for i in range(k):
            start = tf.where(divisible, i * m, 0)
            minibatches.append((images[start:start + m], None if labels is None else labels[start:start + m]))
        return minibatches

    def _update_ema(self) -> None:
        """``w_ema ← d w_ema + (1 - d) w`` for every generator variable. Under a
        strategy the update runs once per variable in cross-replica context
        (the generator's weights are the same on every replica)."""
        decay = self.ema_decay
        pairs = list(zip(self.ema_generator.variables, self.generator.variables, strict=True))

        def average(ema, weights):
            return ema.assign(decay * ema + (1.0 - decay) * tf.cast(weights, ema.dtype))

        context = tf.distribute.get_replica_context()
        if tf.distribute.has_strategy() and context is not None:
            context.merge_call(lambda strategy: [
                strategy.extended.update(ema.value, average, args=(weights.value,), group=False)
                for ema, weights in pairs])
        else:
            for ema, weights in pairs:
                average(ema, weights.value)

    def train_step(self, data):
        """One round of Algorithm 1: ``d_steps`` D updates, then one G update.

        Each of the k discriminator updates draws its own noise (and
        gradient-penalty α, augmentation) and takes its own real minibatch
        (:meth:`_real_minibatches`: a batch of k·m examples gives k of m, as
        ``data.load(..., d_steps=k)`` and ``kerasgan train`` batch them). G's
        update follows the last D update and takes its gradient through the
        *updated* D on that update's samples (as the PyTorch DCGAN example
        does): the same alternating game, one generator forward pass cheaper
        per step. Fakes are generated with their minibatch's labels, so their
        class distribution is the data's; with ``latent_code``, with fresh
        codes ``c ~ Cat(K)`` for each update (the data's labels are not
        read). With ``ema_decay`` the EMA generator is updated after G's step.
        """
        if self.d_optimizer is None:
            raise ValueError("kerasgan: call gan.compile() before gan.fit().")
        images, labels = self._unpack(data)
        if self.clusters:  # c(x), the nearest k-means center of each real image
            labels = clustering.assign(clustering.features(images), self.cluster_centers)
        minibatches = self._real_minibatches(images, labels)
        for real, real_labels in minibatches[:-1]:
            size = tf.shape(real)[0]
            real_labels = self._codes(size) if self.latent_code else real_labels
            fake = self._generate(self._noise(size), real_labels, training=True)
            self._discriminator_step(real, fake, real_labels, size, replicas.global_batch_size(size))
        images, labels = minibatches[-1]
        batch_size = tf.shape(images)[0]
        global_batch = replicas.global_batch_size(batch_size)
        labels = self._codes(batch_size) if self.latent_code else labels
        with tf.GradientTape() as g_tape:
            fake = self._generate(self._noise(batch_size), labels, training=True)
            with g_tape.stop_recording():
                logs = self._discriminator_step(images, tf.stop_gradient(fake), labels, batch_size, global_batch)
            g_loss, g_logs = self._generator_loss(fake, labels, global_batch)
        _apply(self.g_optimizer, g_tape, g_loss, self.generator.trainable_variables)
        if self.ema_generator is not None:
            self._update_ema()
        logs.update(g_logs)
        for name, tracker in self._trackers.items():
            tracker.update_state(logs[name], sample_weight=tf.cast(batch_size, tf.float32))
        results = {name: tracker.result() for name, tracker in self._trackers.items()}
        if replicas.in_multi_worker_mode():
            # Keras reduces multi-worker logs with strategy.reduce(MEAN, axis=0),
            # which needs a batch axis: scalars would fail.
            results = {name: tf.reshape(value, [1]) for name, value in results.items()}
        return results

    # -------------------------------------------------------------- sampling
    def generate(
        self,
        n: int,
        labels: Any = None,
        seed: int | None = None,
        batch_size: int = 500,
        ema: bool | None = None,
    ) -> np.ndarray:
        """Sample ``n`` images from the generator (inference mode).

        Args:
            n: number of samples (> 0).
            labels: class ids for a conditional GAN: an int (all the same
                class) or ``n`` ids; ``None`` cycles through the classes
                (0, 1, ..., num_classes - 1, 0, ...). With ``latent_code``,
                the code values, the same way (``None``: 0, 1, ..., K - 1,
                0, ..., a stratified draw of the uniform code); with
                ``clusters``, cluster ids (``None``: a deterministic draw
                from ``p_data(k)``, :func:`kerasgan.clustering.prior_labels`).
                Not allowed for an unconditional GAN.
            seed: the same seed gives the same samples; ``None`` is random.
            batch_size: samples per generator call.
            ema: sample the EMA generator (``ema_decay``); ``None``: it
                when there is one, else the generator.

        Returns:
            float32 array of shape ``(n, *image_shape)``, in [-1, 1] for the
            ``tanh`` image generators.

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
        prior = None
        if self.clusters:
            prior = self.cluster_prior.numpy()
            if not prior.sum() > 0:
                raise ValueError("kerasgan: the clusters of this GAN are not fitted; call gan.fit_clusters(images).")
        return sampling.generate_samples(network, n, self.latent_dim, self.label_values, labels, seed, batch_size,
                                         prior=prior)


def code_size(latent_code, name: str = "latent_code") -> int | None:
    """``latent_code`` (or ``clusters``, says ``name``) checked: None (none) or the number of values K >= 2."""
    if latent_code is None:
        return None
    if int(latent_code) < 2:
        what = "clusters" if name == "clusters" else "code values"
        raise ValueError(f"kerasgan: {name} is the number of {what} K >= 2, got {latent_code}.")
    return int(latent_code)


def _apply(optimizer, tape, loss, variables) -> None:
    """One optimizer update; a frozen network (no trainable variables) stays as it is."""
    if variables:
        optimizer.apply_gradients(zip(tape.gradient(loss, variables), variables))


def _accuracy(labels, class_logits):
    predicted = tf.argmax(tf.cast(class_logits, tf.float32), axis=-1, output_type=tf.int32)
    return tf.reduce_mean(tf.cast(tf.equal(predicted, labels), tf.float32))
