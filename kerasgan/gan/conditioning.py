"""Conditioning, read off the networks, and the labels a train step gives them.

A generator with inputs ``[z, label]`` is label-conditional; a discriminator
with inputs ``[x, label]`` is a cGAN discriminator; one with outputs
``[logit, class_logits]`` has an AC-GAN auxiliary classifier, and one with
``[logit, class_logits, twin_class_logits]`` also TAC-GAN's twin classifier
(:func:`read_networks`).

The labels of a step (:class:`Labels` and its kinds, :func:`labels_for`):
data labels (class-conditional GANs, and none for unconditional ones);
InfoGAN's code ``c ~ Cat(K)`` drawn for the generated images (``latent_code``);
or the k-means cluster of each real image (``clusters``, :mod:`kerasgan.clustering`).

Example:

>>> import kerasgan
>>> gan = kerasgan.build("acgan", (16, 16, 1), num_classes=10, base_filters=4)
>>> gan.networks.auxiliary_classifier, gan.networks.conditional_discriminator
(True, False)
"""

from __future__ import annotations

import dataclasses

from kerasgan import clustering

__all__ = ["Networks", "read_networks", "Labels", "CodeLabels", "ClusterLabels", "labels_for"]


@dataclasses.dataclass(frozen=True)
class Networks:
    """What a generator/discriminator pair is: its conditioning and its image shape."""

    conditional_generator: bool
    conditional_discriminator: bool
    auxiliary_classifier: bool
    twin_classifier: bool
    image_shape: tuple


def read_networks(generator, discriminator, latent_dim: int, num_classes: int | None = None,
                  latent_code: int | None = None, clusters: int | None = None) -> Networks:
    """Infer the conditioning of ``generator`` and ``discriminator`` and check that they fit together and with
    ``latent_dim``, ``num_classes``, ``latent_code`` and ``clusters``; a ``ValueError`` says what does not."""
    g_inputs = len(generator.inputs) if getattr(generator, "inputs", None) else None
    d_inputs = len(discriminator.inputs) if getattr(discriminator, "inputs", None) else None
    if g_inputs is None or d_inputs is None:
        raise ValueError(
            "kerasgan: generator and discriminator must be built Keras models with known inputs "
            "(functional models, or Sequential models that start with keras.Input(...))."
        )
    d_outputs = len(discriminator.outputs)
    networks = Networks(
        conditional_generator=g_inputs == 2, conditional_discriminator=d_inputs == 2,
        auxiliary_classifier=d_outputs in (2, 3), twin_classifier=d_outputs == 3,
        image_shape=tuple(int(s) for s in generator.outputs[0].shape[1:]),
    )
    conditional = (networks.conditional_generator or networks.conditional_discriminator
                   or networks.auxiliary_classifier)
    if latent_code:
        _check_code_networks(networks, discriminator, latent_code, num_classes)
    elif clusters:
        _check_cluster_networks(networks, clusters)
    elif conditional and not num_classes:
        raise ValueError(
            "kerasgan: the networks are class-conditional (label inputs or a class head) "
            "but num_classes was not given; pass num_classes=<number of labels>."
        )
    if num_classes and not conditional:
        raise ValueError(
            f"kerasgan: num_classes={num_classes} was given but neither network takes "
            "labels or predicts classes; build conditional networks or leave num_classes=None."
        )
    z_shape = tuple(generator.inputs[0].shape[1:])
    if z_shape != (latent_dim,):
        raise ValueError(f"kerasgan: the generator takes z of shape {z_shape} but latent_dim={latent_dim}.")
    d_shape = tuple(discriminator.inputs[0].shape[1:])
    if d_shape != networks.image_shape:
        raise ValueError(
            f"kerasgan: the generator makes samples of shape {networks.image_shape} but the "
            f"discriminator takes {d_shape}."
        )
    return networks


def _check_code_networks(networks: Networks, discriminator, k: int, num_classes) -> None:
    """InfoGAN (``latent_code``): G takes ``[z, c]``, D takes ``x`` alone and has one code head of K logits."""
    if num_classes:
        raise ValueError(
            f"kerasgan: latent_code={k} is InfoGAN's code of an unconditional GAN, but num_classes="
            f"{num_classes} was given; a class-conditional GAN (cgan, acgan) takes labels instead. "
            "Leave one of them out.")
    head = int(discriminator.outputs[1].shape[-1]) if networks.auxiliary_classifier else None
    if (not networks.conditional_generator or networks.conditional_discriminator or networks.twin_classifier
            or head != k):
        raise ValueError(
            f"kerasgan: latent_code={k} needs a generator taking [z, code] and a discriminator taking the "
            f"image alone with outputs [logit, code_logits] of {k} logits; "
            f"kerasgan.build(variant, image_shape, latent_code={k}) builds them.")


def _check_cluster_networks(networks: Networks, k: int) -> None:
    """Cluster conditioning (``clusters``): G takes ``[z, c]`` and D ``[x, c]``, without a class head."""
    if not (networks.conditional_generator and networks.conditional_discriminator) or networks.auxiliary_classifier:
        raise ValueError(
            f"kerasgan: clusters={k} needs a generator taking [z, cluster] and a discriminator taking "
            f"[image, cluster] with one output; kerasgan.build(variant, image_shape, clusters={k}) builds them.")


class Labels:
    """The labels of a step: the data's (or none, unconditional), for real and generated images alike."""

    def real(self, images, labels):
        """The labels of the real ``images`` given the batch's ``labels``."""
        return labels

    def fake(self, real_labels, size, draw_codes):
        """The labels of ``size`` generated images made beside real ones labelled ``real_labels``
        (``draw_codes(size)``: the GAN's draw of InfoGAN codes)."""
        return real_labels


class CodeLabels(Labels):
    """InfoGAN: each generated image gets a fresh code ``c ~ Cat(K)`` (the GAN's draw); data labels are not read."""

    def fake(self, real_labels, size, draw_codes):
        return draw_codes(size)


class ClusterLabels(Labels):
    """Cluster conditioning: a real image's label is its nearest k-means center ``c(x)``; fakes take their
    minibatch's clusters (so ``c ~ p_data(c)``)."""

    def __init__(self, centers):
        self.centers = centers

    def real(self, images, labels):
        return clustering.assign(clustering.features(images), self.centers)


def labels_for(latent_code: int | None, cluster_centers=None) -> Labels:
    """The :class:`Labels` of a GAN with these settings."""
    if latent_code:
        return CodeLabels()
    if cluster_centers is not None:
        return ClusterLabels(cluster_centers)
    return Labels()
