"""Presets: a zoo entry as a GAN to fine-tune, ``kerasgan.GAN.from_preset(name)`` (keras-hub's ``from_preset``
hands off to a preset loader the same way).

The entry's card names its variant (looked up in :mod:`kerasgan.registry`) and its recipe's GAN settings; its
generator and discriminator are the pretrained networks (:func:`kerasgan.zoo.storage.load_networks`, checked
against the card's sha256, opened in Keras ``safe_mode``), and so are the variant's other networks (an encoder,
MDGAN's second discriminator: ``NAME.keras`` files of the entry).

Example:

>>> import kerasgan
>>> from kerasgan.zoo import presets
>>> gan = presets.load_preset(kerasgan.GAN, "dcgan_mnist", seed=0)
>>> type(gan).__name__, gan.latent_dim
('DCGAN', 100)
"""

from __future__ import annotations

import os

import numpy as np

from kerasgan import options, registry
from kerasgan.zoo.storage import CLUSTERS, card, cluster_centers, load_networks, open_network, verified_folder

__all__ = ["load_preset"]


def load_preset(cls: type, name: str, **overrides):
    """The GAN of zoo preset ``name``: its variant with the pretrained generator and discriminator, ready for
    ``compile()`` and ``fit`` on your own data (fine-tuning).

    ``overrides`` are GAN settings (``d_steps``, ``adversarial_loss``, ``seed``, ...); by default the preset's
    recipe's. With ``cls`` the base ``kerasgan.GAN`` it builds the preset's variant (``dcgan_mnist`` is a
    ``DCGAN``); with a variant class, the preset must be of that variant (or of one it derives from). An entry
    trained with ``clusters`` brings the clusters' shares (``generate`` samples as shipped), and their centers when
    it ships them (``clusters.npy``; older entries do not: fit them on the data to fine-tune on).

    Example:

    >>> import numpy as np, kerasgan
    >>> gan = load_preset(kerasgan.GAN, "dcgan_mnist", seed=0)
    >>> gan.compile()
    >>> history = gan.fit(np.zeros((16, 28, 28, 1), "uint8"), batch_size=8, epochs=1, verbose=0)
    """
    info = card(name)
    variant = registry.VARIANTS.get(info["variant"])
    if variant is None:
        raise ValueError(f"kerasgan: the preset {name!r} is of the unknown variant {info['variant']!r}.")
    if issubclass(cls, variant):
        target = cls
    elif issubclass(variant, cls):
        target = variant
    else:
        raise ValueError(
            f"kerasgan: the preset {name!r} is a {variant.__name__} ({info['variant']}), not a {cls.__name__}; "
            f"call kerasgan.GAN.from_preset({name!r}) or {variant.__name__}.from_preset({name!r})."
        )
    generator, discriminator = load_networks(name)
    extra = {network: open_network(os.path.join(verified_folder(name, (f"{network}.keras",)), f"{network}.keras"))
             for network in target.extra_network_names}  # an encoder, MDGAN's D1
    recipe = info.get("recipe", {})
    settings = {key: recipe[key] for key in options.GAN_OPTIONS if key in recipe}
    settings.setdefault("seed", recipe.get("seed"))
    settings.update(overrides)
    gan = target(generator=generator, discriminator=discriminator, **extra, latent_dim=int(info["latent_dim"]),
                 num_classes=info.get("num_classes"), **settings)
    if gan.clusters and info.get("cluster_prior"):  # generate draws from it; fit_clusters on new data resets it
        gan.cluster_prior.assign(np.asarray(info["cluster_prior"], "float32"))
    if gan.clusters and CLUSTERS in info.get("files", {}):
        gan.cluster_centers.assign(cluster_centers(name))
    return gan
