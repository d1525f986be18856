"""The GAN objective as composable terms.

Each :class:`Term` is one small piece of the game: it adds a per-example value
to the discriminator's and/or the generator's loss and reports its own logs,
and may act on D after D's update (WGAN's weight clipping). :class:`Objective`
holds the terms of one GAN, in order, and sums them:

``L_D(x, z) = Σ_terms d_term(x, z)``, ``L_G(z) = Σ_terms g_term(z)``,

each averaged over the *global* batch by the model. Adding a regulariser is
declaring one term (and its option in :mod:`kerasgan.options`), with no edit
to ``GAN.train_step``.

The terms, in the order they are summed:

- :class:`AdversarialTerm`: the adversarial loss pair (:mod:`kerasgan.losses`).
- :class:`GradientPenaltyTerm`: WGAN-GP (Gulrajani et al. 2017).
- :class:`R1Term`: R1 (Mescheder et al. 2018), through :func:`kerasgan.losses.r1_penalty`.
- :class:`ClassTerm`: AC-GAN's auxiliary classifier (Odena et al. 2017) and
  TAC-GAN's twin (Gong et al. 2019); :class:`CodeTerm`: InfoGAN's code (Chen et al. 2016).
- :class:`ModeRegularizerTerm`: MRGAN's geometric and mode regularizers (Che et al. 2017), for a GAN with an
  encoder.
- :class:`ConsistencyTerm`: balanced consistency regularization (Zhao et al. 2021).
- :class:`WeightClipping`: WGAN's constraint (Arjovsky et al. 2017).

Example:

>>> import kerasgan
>>> gan = kerasgan.build("wgan_gp", (16, 16, 1), base_filters=4, r1_weight=1.0)
>>> [type(term).__name__ for term in gan.objective.terms]
['AdversarialTerm', 'GradientPenaltyTerm', 'R1Term']
>>> gan.objective.metric_names
['d_loss', 'g_loss', 'critic_gap', 'gradient_penalty', 'r1_penalty']
"""

from __future__ import annotations

import dataclasses
from typing import Any, Callable, NamedTuple

import tensorflow as tf

from kerasgan import augment as augment_lib
from kerasgan import losses as losses_lib

__all__ = ["Outputs", "DiscriminatorBatch", "GeneratorBatch", "Term", "AdversarialTerm", "GradientPenaltyTerm",
           "R1Term", "ClassTerm", "CodeTerm", "ModeRegularizerTerm", "ConsistencyTerm", "WeightClipping", "Objective", "critic_variables",
           "accuracy"]


class Outputs(NamedTuple):
    """D's outputs on one batch: the adversarial output, and the class (or code) and twin-class logits or None."""

    adversarial: Any
    classes: Any = None
    twin: Any = None


@dataclasses.dataclass
class DiscriminatorBatch:
    """What D's terms see in one D update: real and generated images (as D sees them), their labels, D's outputs
    on both, ``discriminate(x)`` (D on other images, training mode), ``seed()`` (a fresh per-replica seed),
    ``uniform(n)`` (``n`` draws of ``U[0, 1]``) and ``extras`` (values a term computed in the real pass,
    :meth:`Objective.real_pass`)."""

    real: Any
    fake: Any
    labels: Any
    real_out: Outputs
    fake_out: Outputs
    discriminate: Callable[[Any], Outputs]
    seed: Callable[[], Any]
    uniform: Callable[[Any], Any]
    extras: dict


@dataclasses.dataclass
class GeneratorBatch:
    """What G's terms see: the generated images (as D sees them), their labels and D's outputs on them; for a GAN
    with an encoder also the real minibatch of the step, ``reconstruct(x)`` (``G(E(x))``, or ``G(E(x), c(x))`` with
    clusters; training mode, recorded by G's tape) and ``discriminate(x)`` (D on other images, as D sees them)."""

    fake: Any
    labels: Any
    fake_out: Outputs
    real: Any = None
    reconstruct: Callable[[Any], Any] | None = None
    discriminate: Callable[[Any], Outputs] | None = None


class Term:
    """One piece of the objective: per-example values added to D's and/or G's loss, with logs.

    ``metrics`` names the logs the term reports (they become the GAN's metrics).
    """

    metrics: tuple[str, ...] = ()

    def discriminator_loss(self, batch: DiscriminatorBatch) -> tuple[Any, dict]:
        """``(per-example values or None, logs)`` added to D's loss."""
        return None, {}

    def generator_loss(self, batch: GeneratorBatch) -> tuple[Any, dict]:
        """``(per-example values or None, logs)`` added to G's loss."""
        return None, {}

    def after_discriminator_update(self, discriminator) -> None:
        """A constraint applied to D after each of its updates."""


def accuracy(labels, class_logits):
    """The share of ``labels`` that the argmax of ``class_logits`` predicts."""
    predicted = tf.argmax(tf.cast(class_logits, tf.float32), axis=-1, output_type=tf.int32)
    return tf.reduce_mean(tf.cast(tf.equal(predicted, labels), tf.float32))


class AdversarialTerm(Term):
    """The adversarial loss pair of :mod:`kerasgan.losses` (minimax, non-saturating, least squares, Wasserstein,
    hinge): ``d(x, z) = L_D(D(x), D(G(z)))``, ``g(z) = L_G(D(G(z)))``. Logs D's mean probabilities ``d_real``,
    ``d_fake`` (logit losses), its mean scores (least squares), or the critic gap ``E f(x) - E f(G(z))``."""

    def __init__(self, name: str, loss_config: dict):
        self.pair = losses_lib.get_adversarial_loss(name)
        self.d_kwargs, self.g_kwargs = losses_lib.split_loss_config(name, loss_config)
        self.metrics = ("d_real", "d_fake") if self.pair.output in ("logit", "score") else ("critic_gap",)

    def discriminator_loss(self, batch):
        per_example = self.pair.discriminator(batch.real_out.adversarial, batch.fake_out.adversarial,
                                              reduction="none", **self.d_kwargs)
        size = tf.shape(batch.real)[0]
        real = tf.reshape(tf.cast(batch.real_out.adversarial, tf.float32), [size, -1])
        fake = tf.reshape(tf.cast(batch.fake_out.adversarial, tf.float32), [size, -1])
        if self.pair.output == "logit":
            logs = {"d_real": tf.reduce_mean(tf.sigmoid(real)), "d_fake": tf.reduce_mean(tf.sigmoid(fake))}
        elif self.pair.output == "score":
            logs = {"d_real": tf.reduce_mean(real), "d_fake": tf.reduce_mean(fake)}
        else:
            logs = {"critic_gap": tf.reduce_mean(real) - tf.reduce_mean(fake)}
        return per_example, logs

    def generator_loss(self, batch):
        return self.pair.generator(batch.fake_out.adversarial, reduction="none", **self.g_kwargs), {}


class GradientPenaltyTerm(Term):
    """WGAN-GP (Gulrajani et al. 2017, Algorithm 1): ``d += λ (‖∇f(x̂)‖₂ - 1)²`` with ``x̂ = αx + (1 - α)G(z)``,
    ``α ~ U[0, 1]`` per example (:func:`kerasgan.losses.gradient_penalty`)."""

    metrics = ("gradient_penalty",)

    def __init__(self, weight: float):
        self.weight = weight

    def discriminator_loss(self, batch):
        alpha = batch.uniform(tf.shape(batch.real)[0])
        penalty = losses_lib.gradient_penalty(lambda x: batch.discriminate(x).adversarial, batch.real, batch.fake,
                                              alpha, reduction="none")
        return self.weight * penalty, {"gradient_penalty": tf.reduce_mean(penalty)}


class R1Term(Term):
    """R1 (Mescheder et al. 2018, eq. 9): ``d += γ/2 ‖∇ₓD(x)‖²`` on real images (:func:`kerasgan.losses.r1_penalty`).

    The penalty needs D's real pass under a gradient tape: :meth:`real_pass` is that pass, so D runs once on the
    real images (a second training-mode pass would advance batch-norm statistics and spectral-norm iterations)."""

    metrics = ("r1_penalty",)

    def __init__(self, weight: float):
        self.weight = weight

    def real_pass(self, discriminate, real) -> tuple[Outputs, dict]:
        penalty, outputs = losses_lib.r1_penalty(discriminate, real, reduction="none", return_outputs=True)
        return outputs, {"r1_penalty": penalty}

    def discriminator_loss(self, batch):
        penalty = batch.extras["r1_penalty"]
        return 0.5 * self.weight * penalty, {"r1_penalty": tf.reduce_mean(penalty)}


class ClassTerm(Term):
    """AC-GAN's auxiliary classifier (Odena et al. 2017, eq. 2-3), weight ``λ`` (``aux_weight``):
    ``d += λ [CE(c, C(x)) + CE(c, C(G(z, c)))]`` (the fake term only with ``classify_fakes``), ``g += λ CE(c, C(G(z, c)))``.
    With a twin head ``C_mi`` (TAC-GAN, Gong et al. 2019): ``d += λ CE(c, C_mi(G(z, c)))`` and
    ``g += -λ CE(c, C_mi(G(z, c)))``, which cancels the conditional entropy AC-GAN's G loss minimises."""

    def __init__(self, weight: float, classify_fakes: bool, twin: bool):
        self.weight, self.classify_fakes, self.twin = weight, classify_fakes, twin
        self.metrics = ("class_acc", "fake_class_acc") + (("twin_class_acc",) if twin else ())

    def discriminator_loss(self, batch):
        ce = losses_lib.auxiliary_classifier_loss
        class_loss = ce(batch.labels, batch.real_out.classes, reduction="none")
        if self.classify_fakes:
            class_loss += ce(batch.labels, batch.fake_out.classes, reduction="none")
        logs = {"class_acc": accuracy(batch.labels, batch.real_out.classes)}
        if self.twin:  # C_mi learns the conditioning labels of G's samples
            class_loss += ce(batch.labels, batch.fake_out.twin, reduction="none")
            logs["twin_class_acc"] = accuracy(batch.labels, batch.fake_out.twin)
        return self.weight * class_loss, logs

    def generator_loss(self, batch):
        ce = losses_lib.auxiliary_classifier_loss
        class_loss = ce(batch.labels, batch.fake_out.classes, reduction="none")
        if self.twin:  # TAC-GAN: minus the twin's cross-entropy
            class_loss -= ce(batch.labels, batch.fake_out.twin, reduction="none")
        return self.weight * class_loss, {"fake_class_acc": accuracy(batch.labels, batch.fake_out.classes)}


class CodeTerm(Term):
    """InfoGAN's categorical code (Chen et al. 2016, eq. 5): D's code head ``Q`` and G both minimise
    ``λ L_I = λ E[-log Q(c | G(z, c))]``, the variational bound of ``I(c; G(z, c))`` (up to ``H(c)``);
    ``Q`` learns the codes of generated images only."""

    metrics = ("code_acc",)

    def __init__(self, weight: float):
        self.weight = weight

    def discriminator_loss(self, batch):
        return self.weight * losses_lib.auxiliary_classifier_loss(batch.labels, batch.fake_out.classes,
                                                                  reduction="none"), {}

    def generator_loss(self, batch):
        loss = losses_lib.auxiliary_classifier_loss(batch.labels, batch.fake_out.classes, reduction="none")
        return self.weight * loss, {"code_acc": accuracy(batch.labels, batch.fake_out.classes)}


def _squared_distance(a, b):
    """``‖a - b‖²`` per example, over all output axes, in float32."""
    difference = tf.cast(a, tf.float32) - tf.cast(b, tf.float32)
    return tf.reduce_sum(tf.reshape(tf.square(difference), [tf.shape(difference)[0], -1]), axis=1)


class ModeRegularizerTerm(Term):
    """MRGAN's regularizers (Che et al. 2017, sec. 3.1-3.2, eq. 3), added to the loss that G and the encoder E
    minimise: ``g += λ1 d(x, G(E(x))) + λ2 log D(G(E(x)))`` on the step's real minibatch ``x``
    (:func:`kerasgan.losses.reconstruction_distance`, :func:`kerasgan.losses.mode_regularizer`), with eq. 3's signs:
    ``T_G = -E_z[log D(G(z))] + E_x[λ1 d(x, G∘E(x)) + λ2 log D(G∘E(x))]``, ``T_E = E_x[λ1 d(x, G∘E(x)) + λ2 log
    D(G∘E(x))]``. ``T_E`` is the part of ``T_G`` that depends on E, so one loss trains both (the GAN applies its
    gradient to G's and E's variables). D's loss is the GAN's. Logs ``reconstruction`` (mean ``d``) and
    ``mode`` (mean ``log D(G(E(x)))``)."""

    metrics = ("reconstruction", "mode")

    def __init__(self, reconstruction_weight: float, mode_weight: float):
        self.reconstruction_weight, self.mode_weight = reconstruction_weight, mode_weight

    def generator_loss(self, batch):
        reconstructions = batch.reconstruct(batch.real)
        distance = losses_lib.reconstruction_distance(batch.real, reconstructions, reduction="none")
        mode = losses_lib.mode_regularizer(batch.discriminate(reconstructions).adversarial, reduction="none")
        return (self.reconstruction_weight * distance + self.mode_weight * mode,
                {"reconstruction": tf.reduce_mean(distance), "mode": tf.reduce_mean(mode)})


class ConsistencyTerm(Term):
    """Balanced consistency regularization, bCR (Zhao et al. 2021, "Improved Consistency Regularization for GANs",
    Algorithm 1): ``d += λ_real ‖D(x) - D(T(x))‖² + λ_fake ‖D(G(z)) - D(T(G(z)))‖²`` with ``T`` the DiffAugment
    transformations (:func:`kerasgan.augment.diff_augment`; fresh per-example draws for the real and the generated
    batch) and ``λ_real = λ_fake = λ`` (``consistency_weight``; the paper's 10). ``D`` is the adversarial output
    (logit or critic value) on the images as D sees them; the gradient flows through both passes. G's loss is
    unchanged. Logs ``consistency``, the mean of the bracket."""

    metrics = ("consistency",)
    #: ``T`` when the GAN has no ``augment`` policy of its own.
    DEFAULT_POLICY = "translation,cutout"

    def __init__(self, weight: float, policy: str | None):
        self.weight, self.policy = weight, policy or self.DEFAULT_POLICY

    def transform(self, images, seed):
        """``T(images)``: DiffAugment with the term's policy, drawn from the stateless ``seed``."""
        return augment_lib.diff_augment(images, self.policy, seed)

    def discriminator_loss(self, batch):
        transformed_real = self.transform(batch.real, batch.seed())
        transformed_fake = self.transform(batch.fake, batch.seed())
        penalty = (_squared_distance(batch.real_out.adversarial, batch.discriminate(transformed_real).adversarial)
                   + _squared_distance(batch.fake_out.adversarial, batch.discriminate(transformed_fake).adversarial))
        return self.weight * penalty, {"consistency": tf.reduce_mean(penalty)}


def critic_variables(discriminator, auxiliary: bool) -> list:
    """D's trainable variables that shape the adversarial output ``f``: all but those of the class/code heads of an
    auxiliary discriminator (the layers making its outputs after the first)."""
    outputs = getattr(discriminator, "outputs", None) or []  # functional models: the layers making them
    heads = [t._keras_history.operation for t in outputs[1:] if auxiliary]
    skip = {id(v) for layer in heads for v in layer.trainable_variables}
    return [v for v in discriminator.trainable_variables if id(v) not in skip]


class WeightClipping(Term):
    """WGAN's weight clipping (Arjovsky et al. 2017, Algorithm 1, line 7): ``w ← clip(w, -c, c)`` for the critic
    ``f``'s variables after every D update (:func:`kerasgan.losses.clip_weights`). An auxiliary discriminator's
    class or code heads are not part of ``f``: clipped, they could not grow logits."""

    def __init__(self, clip_value: float, auxiliary: bool):
        self.clip_value, self.auxiliary = clip_value, auxiliary

    def after_discriminator_update(self, discriminator):
        losses_lib.clip_weights(critic_variables(discriminator, self.auxiliary), self.clip_value)


class Objective:
    """The terms of one GAN's objective, summed in order; built from its settings and its networks' heads.

    ``settings`` are the GAN's checked settings (:func:`kerasgan.options.resolve_settings`); ``auxiliary`` and
    ``twin`` say whether D has a class (or code) head and a twin head.
    """

    def __init__(self, settings: dict, auxiliary: bool = False, twin: bool = False, regularized_encoder: bool = False):
        loss_config = dict(settings["loss_config"] or {})
        if settings["label_smoothing"]:
            if "label_smoothing" not in losses_lib.get_adversarial_loss(settings["adversarial_loss"]).parameters:
                raise ValueError(f"kerasgan: label_smoothing applies to the logit losses (minimax, non_saturating), "
                                 f"not to {settings['adversarial_loss']!r}.")
            loss_config["label_smoothing"] = settings["label_smoothing"]
        terms: list[Term] = [AdversarialTerm(settings["adversarial_loss"], loss_config)]
        if settings["gp_weight"]:
            terms.append(GradientPenaltyTerm(settings["gp_weight"]))
        if settings["r1_weight"]:
            terms.append(R1Term(settings["r1_weight"]))
        if settings["latent_code"]:
            terms.append(CodeTerm(settings["aux_weight"]))
        elif auxiliary:
            terms.append(ClassTerm(settings["aux_weight"], settings["classify_fakes"], twin))
        if regularized_encoder:
            if losses_lib.get_adversarial_loss(settings["adversarial_loss"]).output != "logit":
                raise ValueError(f"kerasgan: MRGAN's mode regularizer is log D(G(E(x))) of a logit discriminator; "
                                 f"adversarial_loss={settings['adversarial_loss']!r} has none. Use minimax or "
                                 "non_saturating.")
            terms.append(ModeRegularizerTerm(settings["reconstruction_weight"], settings["mode_weight"]))
        if settings["consistency_weight"]:
            terms.append(ConsistencyTerm(settings["consistency_weight"], settings["augment"]))
        if settings["clip_value"]:
            terms.append(WeightClipping(settings["clip_value"], auxiliary))
        self.terms = terms
        passes = [term for term in terms if hasattr(term, "real_pass")]
        self._real_pass = passes[0].real_pass if passes else None

    @property
    def adversarial(self) -> AdversarialTerm:
        return self.terms[0]

    @property
    def metric_names(self) -> list[str]:
        """The GAN's logs: ``d_loss``, ``g_loss``, then each term's."""
        return ["d_loss", "g_loss"] + [name for term in self.terms for name in term.metrics]

    def real_pass(self, discriminate, real) -> tuple[Outputs, dict]:
        """D on the real images: ``(outputs, extras)``; a term that needs this pass (R1) makes it."""
        if self._real_pass is None:
            return discriminate(real), {}
        return self._real_pass(discriminate, real)

    @staticmethod
    def _sum(parts) -> tuple[Any, dict]:
        total, logs = None, {}
        for values, term_logs in parts:
            logs.update(term_logs)
            if values is not None:
                total = values if total is None else total + values
        return total, logs

    def discriminator_loss(self, batch: DiscriminatorBatch) -> tuple[Any, dict]:
        """D's per-example loss (the sum of the terms') and the terms' logs."""
        return self._sum(term.discriminator_loss(batch) for term in self.terms)

    def generator_loss(self, batch: GeneratorBatch) -> tuple[Any, dict]:
        """G's per-example loss and the terms' logs."""
        return self._sum(term.generator_loss(batch) for term in self.terms)

    def after_discriminator_update(self, discriminator) -> None:
        for term in self.terms:
            term.after_discriminator_update(discriminator)
