"""The GAN base model: a generator and a discriminator trained by ``model.fit``.

:class:`GAN` is a ``keras.Model`` whose ``train_step`` plays the adversarial
game of Goodfellow et al. 2014, Algorithm 1: ``d_steps`` (k) discriminator
updates, each with fresh noise, then one generator update, gradients by
``tf.GradientTape``. The objective is a named pair from
:mod:`kerasgan.losses` (minimax, non-saturating, least squares, Wasserstein,
hinge) plus optional WGAN weight clipping, the WGAN-GP gradient penalty and
the AC-GAN auxiliary class loss. The variants in :mod:`kerasgan.variants` are
short declarations of these settings on this one class.

Conditioning is read off the networks: a generator with inputs ``[z, label]``
is class-conditional; a discriminator with inputs ``[x, label]`` is a cGAN
discriminator; one with outputs ``[logit, class_logits]`` has an AC-GAN
auxiliary classifier.

Distribution: losses are averaged over the *global* batch (sum over the
replica's examples divided by ``local batch × replicas``), gradients are
summed across replicas by the optimizers, metrics record each replica's
unscaled mean (so the logged value is the true global mean), and each
replica's noise is folded with its replica id so replicas draw different z.
"""

from __future__ import annotations

import re

from typing import Any

import keras
import numpy as np
import tensorflow as tf

from kerasgan import losses as losses_lib

__all__ = ["GAN", "generate_samples"]

# Runtime checks inside the compiled step fail with InvalidArgumentError;
# ``fit`` turns the ones carrying this marker into ValueError.
_INPUT_ERROR = "kerasgan input error: "
#: Float images beyond [-IMAGE_RANGE_LIMIT, IMAGE_RANGE_LIMIT] are refused as unnormalised.
IMAGE_RANGE_LIMIT = 1.5


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
        clip_value: WGAN weight clipping of the discriminator (0 or None: off).
        gp_weight: WGAN-GP gradient-penalty weight λ (0: off).
        aux_weight: weight of the AC-GAN auxiliary class loss.
        seed: seed of the model's ``keras.random.SeedGenerator``.

    Arguments left ``None`` take the variant's declared default
    (:attr:`defaults`); a variant is a subclass that declares them.

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
    }

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
        seed: int | None = None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        given = dict(
            adversarial_loss=adversarial_loss,
            loss_config=loss_config,
            d_steps=d_steps,
            clip_value=clip_value,
            gp_weight=gp_weight,
            aux_weight=aux_weight,
        )
        settings = {**GAN.defaults, **type(self).defaults}
        settings.update({k: v for k, v in given.items() if v is not None})
        self.adversarial_loss = settings["adversarial_loss"]
        self.loss_config = dict(settings["loss_config"] or {})
        self._loss_pair = losses_lib.get_adversarial_loss(self.adversarial_loss)
        self._d_loss_kwargs, self._g_loss_kwargs = losses_lib.split_loss_config(
            self.adversarial_loss, self.loss_config
        )
        self.d_steps = int(settings["d_steps"])
        if self.d_steps < 1:
            raise ValueError(f"kerasgan: d_steps must be >= 1, got {settings['d_steps']}.")
        self.clip_value = float(settings["clip_value"]) if settings["clip_value"] else None
        self.gp_weight = float(settings["gp_weight"] or 0.0)
        self.aux_weight = float(settings["aux_weight"])
        self.latent_dim = int(latent_dim)
        self.num_classes = int(num_classes) if num_classes else None
        self.seed = seed

        self.generator = generator
        self.discriminator = discriminator
        self._check_networks()
        self.seed_generator = keras.random.SeedGenerator(seed, name="gan_seed_generator")

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
        self.auxiliary_classifier = d_outputs == 2
        conditional = (
            self.conditional_generator or self.conditional_discriminator or self.auxiliary_classifier
        )
        if conditional and not self.num_classes:
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

    def _metric_names(self) -> list[str]:
        names = ["d_loss", "g_loss"]
        if self._loss_pair.output in ("logit", "score"):
            names += ["d_real", "d_fake"]
        else:
            names += ["critic_gap"]
        if self.gp_weight:
            names += ["gradient_penalty"]
        if self.auxiliary_classifier:
            names += ["class_acc", "fake_class_acc"]
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
        GAN continues training with the noise stream it would have drawn."""
        super().save_own_variables(store)
        store["seed_generator_state"] = self.seed_generator.state.numpy()

    def load_own_variables(self, store) -> None:
        if "seed_generator_state" in store.keys():
            self.seed_generator.state.assign(np.asarray(store["seed_generator_state"]))
        # The GAN owns no other variables: the networks' are loaded with them.

    def call(self, inputs, training: bool = False):
        """``gan(z)`` (or ``gan([z, labels])``) is the generator's output."""
        return self.generator(inputs, training=training)

    # ------------------------------------------------------------- data input
    def _unpack(self, data):
        """Images (scaled to [-1, 1]) and int32 labels (or None) from a batch."""
        if isinstance(data, dict):
            if "image" not in data:
                raise ValueError(
                    f"kerasgan: a dict batch needs an 'image' key (tfds style); got keys {sorted(data)}."
                )
            images, labels = data["image"], data.get("label")
        elif isinstance(data, (tuple, list)):
            if len(data) == 1 and isinstance(data[0], (tuple, list, dict)):
                return self._unpack(data[0])  # fit(x=(images, labels)): Keras wraps the pair once more
            images = data[0]
            labels = data[1] if len(data) > 1 else None
        else:
            images, labels = data, None
        images = tf.convert_to_tensor(images)
        shape = tuple(images.shape[1:])
        if len(shape) == len(self.image_shape) - 1 and self.image_shape[-1] == 1:
            images = images[..., tf.newaxis]  # (B, H, W) grayscale
            shape = tuple(images.shape[1:])
        if shape != self.image_shape:
            raise self._shape_error(shape)
        if images.dtype == tf.uint8:
            images = tf.cast(images, tf.float32) / 127.5 - 1.0
        elif not images.dtype.is_floating:
            raise ValueError(
                f"kerasgan: images must be uint8 (0..255) or float in [-1, 1], got dtype {images.dtype.name}."
            )
        elif len(self.image_shape) != 3:  # 2-D points of the toy distributions: no range
            images = tf.cast(images, tf.float32)
        else:
            images = tf.cast(images, tf.float32)
            message = (
                f"{_INPUT_ERROR}float images must lie in [-1, 1], but a batch has values beyond "
                f"+-{IMAGE_RANGE_LIMIT}: the data looks unnormalised (0..255?). Scale it with x / 127.5 - 1, "
                "or give uint8 images (kerasgan scales those)."
            )
            beyond = tf.reduce_any(tf.abs(images) > IMAGE_RANGE_LIMIT)  # NaN is left to the divergence guard
            with tf.control_dependencies([tf.debugging.assert_equal(beyond, False, message=message)]):
                images = tf.identity(images)
        if not self.num_classes:
            return images, None
        if labels is None:
            raise ValueError(
                f"kerasgan: this GAN is class-conditional (num_classes={self.num_classes}) and needs "
                "labels: give fit (image, label) tuples or {'image': ..., 'label': ...} dicts."
            )
        labels = tf.convert_to_tensor(labels)
        if not labels.dtype.is_integer:
            raise self._label_dtype_error(labels.dtype)
        if labels.shape.rank == 2 and labels.shape[-1] == 1:
            labels = labels[:, 0]
        if labels.shape.rank != 1:
            raise ValueError(
                f"kerasgan: expected labels of shape (batch,) with class ids in [0, {self.num_classes}), "
                f"got shape {_batch_shape(labels.shape)}."
            )
        labels = tf.cast(labels, tf.int32)
        message = (
            f"{_INPUT_ERROR}labels must be class ids in [0, {self.num_classes}) "
            f"(num_classes={self.num_classes}); found a label outside that range."
        )
        checks = [
            tf.debugging.assert_non_negative(labels, message=message),
            tf.debugging.assert_less(labels, self.num_classes, message=message),
        ]
        with tf.control_dependencies(checks):
            labels = tf.identity(labels)
        return images, labels

    def fit(self, x=None, *args, **kwargs):
        """``keras.Model.fit``; invalid labels found while running raise ``ValueError``.

        A ``tf.data.Dataset`` is taken in its own order (shuffle it in the
        pipeline), without Keras' warning that ``shuffle=True`` is ignored.
        """
        self._check_data(x)
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
            if _INPUT_ERROR in str(error.message):
                detail = re.split(r"\] \[|\n", str(error.message).split(_INPUT_ERROR, 1)[1])[0]
                raise ValueError(f"kerasgan: {detail}") from None
            raise

    def _shape_error(self, shape) -> ValueError:
        return ValueError(
            f"kerasgan: expected images of shape {_batch_shape((None,) + self.image_shape)} "
            f"(the generator's output shape), got {_batch_shape((None,) + tuple(shape))}. Resize the "
            "data or build the GAN with a matching image_shape."
        )

    def _label_dtype_error(self, dtype) -> ValueError:
        return ValueError(
            f"kerasgan: labels must be integer class ids in [0, {self.num_classes}), got dtype "
            f"{dtype.name}; convert one-hot labels with argmax."
        )

    def _check_data(self, x) -> None:
        """Check the images' shape and the labels' dtype of arrays or a dataset's
        element_spec before ``fit`` traces anything (a retraced step would see
        relaxed, partly unknown shapes and report them less clearly)."""
        if isinstance(x, tf.data.Dataset):
            spec = x.element_spec
        elif x is None or callable(x) or not tf.nest.flatten(x) or not hasattr(tf.nest.flatten(x)[0], "shape"):
            return
        else:
            spec = x
        if isinstance(spec, dict):
            images, labels = spec.get("image"), spec.get("label")
        elif isinstance(spec, (tuple, list)):
            images, labels = spec[0], (spec[1] if len(spec) > 1 else None)
        else:
            images, labels = spec, None
        if images is None or not hasattr(images, "shape"):
            return
        shape = tuple(images.shape)[1:]
        if len(shape) == len(self.image_shape) - 1 and self.image_shape[-1] == 1:
            shape = shape + (1,)
        if len(shape) != len(self.image_shape) or any(
            d is not None and d != e for d, e in zip(shape, self.image_shape, strict=False)
        ):
            raise self._shape_error(tuple(images.shape)[1:])
        if self.num_classes and labels is not None and hasattr(labels, "dtype"):
            dtype = tf.as_dtype(labels.dtype)
            if not dtype.is_integer:
                raise self._label_dtype_error(dtype)

    # -------------------------------------------------------------- randomness
    def _seed(self):
        """A fresh stateless seed, different on every replica."""
        seed = tf.cast(self.seed_generator.next(), tf.int64)
        context = tf.distribute.get_replica_context()
        if context is not None and tf.distribute.has_strategy():
            replica = tf.cast(context.replica_id_in_sync_group, tf.int32)
            seed = tf.random.experimental.stateless_fold_in(seed, replica)
        return seed

    def _noise(self, batch_size):
        """``z ~ N(0, I)`` of shape ``(batch_size, latent_dim)``."""
        return tf.random.stateless_normal((batch_size, self.latent_dim), seed=self._seed())

    def _uniform(self, batch_size):
        """``α ~ U[0, 1]``, one per sample (for the gradient penalty)."""
        return tf.random.stateless_uniform((batch_size,), seed=self._seed())

    # --------------------------------------------------------------- networks
    def _generate(self, z, labels, training):
        inputs = [z, labels] if self.conditional_generator else z
        return self.generator(inputs, training=training)

    def _discriminate(self, images, labels, training):
        """``(adversarial outputs, class logits or None)``."""
        inputs = [images, labels] if self.conditional_discriminator else images
        outputs = self.discriminator(inputs, training=training)
        if self.auxiliary_classifier:
            return outputs[0], outputs[1]
        return outputs, None

    # ----------------------------------------------------------- training step
    @staticmethod
    def _global_batch_size(batch_size):
        """The number of examples in this step over all replicas (all-reduced,
        so a partial last batch split unevenly is counted exactly)."""
        local = tf.cast(batch_size, tf.float32)
        context = tf.distribute.get_replica_context()
        if context is None or context.num_replicas_in_sync == 1:
            return local
        return context.all_reduce(tf.distribute.ReduceOp.SUM, local)

    @staticmethod
    def _global_mean(per_example, global_batch):
        """Sum over this replica's examples / the global batch: summed across
        replicas by the optimizer, the gradient is the global batch's mean."""
        return tf.reduce_sum(per_example) / global_batch

    def _discriminator_step(self, images, fake, labels, batch_size, global_batch):
        """One update of D on real ``images`` and generated ``fake`` samples."""
        with tf.GradientTape() as tape:
            real_out, real_classes = self._discriminate(images, labels, training=True)
            fake_out, fake_classes = self._discriminate(fake, labels, training=True)
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
            if self.auxiliary_classifier:
                per_example += self.aux_weight * (
                    losses_lib.auxiliary_classifier_loss(labels, real_classes, reduction="none")
                    + losses_lib.auxiliary_classifier_loss(labels, fake_classes, reduction="none")
                )
            logs["d_loss"] = tf.reduce_mean(per_example)
            loss = self.d_optimizer.scale_loss(self._global_mean(per_example, global_batch))
        variables = self.discriminator.trainable_variables
        _apply(self.d_optimizer, tape, loss, variables)
        if self.clip_value:
            losses_lib.clip_weights(variables, self.clip_value)
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
        if self.auxiliary_classifier:
            logs["class_acc"] = _accuracy(labels, real_classes)
        return logs

    def _generator_loss(self, fake, labels, global_batch):
        """G's loss on its samples ``fake`` (recorded by the caller's tape)."""
        fake_out, fake_classes = self._discriminate(fake, labels, training=True)
        per_example = self._loss_pair.generator(fake_out, reduction="none", **self._g_loss_kwargs)
        if self.auxiliary_classifier:
            per_example += self.aux_weight * losses_lib.auxiliary_classifier_loss(
                labels, fake_classes, reduction="none"
            )
        logs = {"g_loss": tf.reduce_mean(per_example)}
        if self.auxiliary_classifier:
            logs["fake_class_acc"] = _accuracy(labels, fake_classes)
        return self.g_optimizer.scale_loss(self._global_mean(per_example, global_batch)), logs

    def train_step(self, data):
        """One round of Algorithm 1: ``d_steps`` D updates, then one G update.

        Each of the k discriminator updates draws its own noise (and
        gradient-penalty α) and reuses the real batch. G's update follows the
        last D update and takes its gradient through the *updated* D on that
        update's samples (as the PyTorch DCGAN example does): the same
        alternating game, one generator forward pass cheaper per step. Fakes
        are generated with the batch's own labels, so their class
        distribution is the data's.
        """
        if self.d_optimizer is None:
            raise ValueError("kerasgan: call gan.compile() before gan.fit().")
        images, labels = self._unpack(data)
        batch_size = tf.shape(images)[0]
        global_batch = self._global_batch_size(batch_size)
        for _ in range(self.d_steps - 1):
            fake = self._generate(self._noise(batch_size), labels, training=True)
            self._discriminator_step(images, fake, labels, batch_size, global_batch)
        with tf.GradientTape() as g_tape:
            fake = self._generate(self._noise(batch_size), labels, training=True)
            with g_tape.stop_recording():
                logs = self._discriminator_step(images, tf.stop_gradient(fake), labels, batch_size, global_batch)
            g_loss, g_logs = self._generator_loss(fake, labels, global_batch)
        _apply(self.g_optimizer, g_tape, g_loss, self.generator.trainable_variables)
        logs.update(g_logs)
        for name, tracker in self._trackers.items():
            tracker.update_state(logs[name], sample_weight=tf.cast(batch_size, tf.float32))
        results = {name: tracker.result() for name, tracker in self._trackers.items()}
        if _multi_worker():
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
    ) -> np.ndarray:
        """Sample ``n`` images from the generator (inference mode).

        Args:
            n: number of samples (> 0).
            labels: class ids for a conditional GAN: an int (all the same
                class) or ``n`` ids; ``None`` cycles through the classes
                (0, 1, ..., num_classes - 1, 0, ...). Not allowed for an
                unconditional GAN.
            seed: the same seed gives the same samples; ``None`` is random.
            batch_size: samples per generator call.

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
        num_classes = self.num_classes if self.conditional_generator else None
        return generate_samples(self.generator, n, self.latent_dim, num_classes, labels, seed, batch_size)


def generate_samples(
    generator: keras.Model,
    n: int,
    latent_dim: int,
    num_classes: int | None = None,
    labels: Any = None,
    seed: int | None = None,
    batch_size: int = 500,
) -> np.ndarray:
    """Sample ``n`` outputs of a (conditional if ``num_classes``) generator.

    The latent points are ``z ~ N(0, I)`` drawn from ``seed`` with
    ``tf.random.stateless_normal``: :meth:`GAN.generate` and the zoo's
    generators share this function, so a seed means the same z everywhere.
    See :meth:`GAN.generate` for ``labels``.

    Example:

    >>> import keras
    >>> g = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])
    >>> generate_samples(g, 3, latent_dim=4, seed=0).shape
    (3, 2)
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n <= 0:
        raise ValueError(f"kerasgan: generate needs a number of samples n > 0, got {n!r}.")
    n = int(n)
    labels = _sample_labels(n, labels, num_classes)
    if seed is None:
        z = np.random.default_rng().standard_normal((n, latent_dim)).astype("float32")
    else:
        z = latent_points(n, latent_dim, seed)
    return decode_latents(generator, z, labels, batch_size)


def latent_points(n: int, latent_dim: int, seed: int) -> np.ndarray:
    """The ``(n, latent_dim)`` points ``z ~ N(0, I)`` that ``generate(n, seed=seed)`` decodes.

    Example:

    >>> latent_points(3, 2, seed=0).shape
    (3, 2)
    """
    return tf.random.stateless_normal((int(n), int(latent_dim)), seed=(int(seed), 0)).numpy()


def decode_latents(generator: keras.Model, z: np.ndarray, labels: Any = None, batch_size: int = 500) -> np.ndarray:
    """Run ``generator`` on given latent points ``z`` (and int ``labels`` of a
    conditional generator), in batches, as float32 NumPy.

    Example:

    >>> import keras
    >>> g = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])
    >>> decode_latents(g, np.zeros((3, 4), "float32")).shape
    (3, 2)
    """
    z = np.asarray(z, "float32")
    chunks = []
    for start in range(0, len(z), batch_size):
        part = slice(start, start + batch_size)
        inputs = tf.constant(z[part]) if labels is None else [tf.constant(z[part]), tf.constant(labels[part])]
        chunks.append(np.asarray(generator(inputs, training=False)))
    return np.concatenate(chunks).astype("float32")


def _sample_labels(n, labels, num_classes):
    if not num_classes:
        if labels is not None:
            raise ValueError("kerasgan: this generator is unconditional; call generate without labels.")
        return None
    if labels is None:
        return np.arange(n, dtype="int32") % num_classes
    labels = np.asarray(labels)
    if labels.ndim == 0:
        labels = np.full((n,), labels)
    if labels.shape != (n,) or not np.issubdtype(labels.dtype, np.integer):
        raise ValueError(
            f"kerasgan: labels must be one int or {n} integer class ids, got shape "
            f"{labels.shape} and dtype {labels.dtype}."
        )
    if labels.min() < 0 or labels.max() >= num_classes:
        raise ValueError(
            f"kerasgan: labels must be in [0, {num_classes}); got values from {labels.min()} to {labels.max()}."
        )
    return labels.astype("int32")


def _multi_worker() -> bool:
    """True under a MultiWorkerMirroredStrategy spanning several workers."""
    strategy = tf.distribute.get_strategy()
    extended = getattr(strategy, "extended", None)
    return isinstance(strategy, tf.distribute.MultiWorkerMirroredStrategy) and bool(
        getattr(extended, "_in_multi_worker_mode", lambda: False)()
    )


def _apply(optimizer, tape, loss, variables) -> None:
    """One optimizer update; a frozen network (no trainable variables) stays as it is."""
    if variables:
        optimizer.apply_gradients(zip(tape.gradient(loss, variables), variables))


def _batch_shape(shape) -> str:
    """``(batch, 28, 28, 1)``: a shape with its batch axis named."""
    return "(" + ", ".join(["batch"] + [str(s) for s in tuple(shape)[1:]]) + (",)" if len(shape) == 1 else ")")


def _accuracy(labels, class_logits):
    predicted = tf.argmax(tf.cast(class_logits, tf.float32), axis=-1, output_type=tf.int32)
    return tf.reduce_mean(tf.cast(tf.equal(predicted, labels), tf.float32))
