"""The zoo's GAN variants: short declarations on :class:`kerasgan.GAN`.

Each variant declares its name (``variant``), its networks, its objective
(``defaults``) and its paper's optimizers; none has a training loop of its
own. Declaring the class registers it (:mod:`kerasgan.registry`):
:data:`VARIANTS`, :func:`get_variant`, :func:`build`, this module's
``__all__`` and the command line's ``--variant`` derive from the
declarations. :func:`build` makes one for an image shape.

Example:

>>> import kerasgan
>>> gan = kerasgan.build("wgan_gp", image_shape=(32, 32, 3))
>>> type(gan).__name__, gan.adversarial_loss, gan.d_steps, gan.gp_weight
('WGANGP', 'wasserstein', 5, 10.0)
"""

from __future__ import annotations

from typing import Any, Sequence

import keras

from kerasgan import nets, options
from kerasgan.gan import GAN
from kerasgan.gan.encoder import EncoderGAN, ManifoldDiffusionGAN
from kerasgan.registry import VARIANTS



def _adam(lr, beta_1, beta_2=0.999):
    return (
        keras.optimizers.Adam(lr, beta_1=beta_1, beta_2=beta_2, name="d_adam"),
        keras.optimizers.Adam(lr, beta_1=beta_1, beta_2=beta_2, name="g_adam"),
    )


class _Variant(GAN):
    """What a variant declares besides ``defaults`` and ``default_optimizers``."""

    #: Network family (``nets.NETWORKS``) used by :func:`build`.
    network = "dcgan"
    #: ``nets.build_networks`` options for each family.
    network_options: dict = {}
    #: ``None``, ``"input"`` (cGAN) or ``"auxiliary"`` (AC-GAN).
    conditioning = None
    #: Default size of z.
    latent_dim_default = 100

    @classmethod
    def extra_networks(cls, network: str, image_shape, latent_dim: int, network_options) -> dict:
        """The networks the variant's constructor takes besides G and D (an encoder, a second discriminator), built
        by :func:`build` for the image shape; none here."""
        return {}


@keras.saving.register_keras_serializable(package="kerasgan")
class VanillaGAN(_Variant):
    """The original GAN (Goodfellow et al. 2014): MLPs, SGD with momentum.

    ``min_G max_D V(D, G) = E_x[log D(x)] + E_z[log(1 - D(G(z)))]``, trained by
    Algorithm 1 (k = ``d_steps`` D updates per G update). The generator loss
    is the non-saturating ``-E log D(G(z))`` by default; pass
    ``adversarial_loss="minimax"`` for the saturating ``E log(1 - D(G(z)))``.
    """

    variant = "vanilla"
    network = "mlp"
    defaults = {"adversarial_loss": "non_saturating"}

    @classmethod
    def default_optimizers(cls):
        """SGD with momentum 0.5, as in the paper's Algorithm 1 code."""
        return (
            keras.optimizers.SGD(0.05, momentum=0.5, name="d_sgd"),
            keras.optimizers.SGD(0.05, momentum=0.5, name="g_sgd"),
        )


@keras.saving.register_keras_serializable(package="kerasgan")
class DCGAN(_Variant):
    """DCGAN (Radford et al. 2015): conv nets, batch norm, LeakyReLU in D.

    Non-saturating loss; Adam(lr 2e-4, β1 0.5) for both networks.
    """

    variant = "dcgan"
    network_options = {"dcgan": {"d_norm": "batch"}}


@keras.saving.register_keras_serializable(package="kerasgan")
class ConditionalGAN(_Variant):
    """Conditional GAN (Mirza & Osindero 2014): G(z, y) and D(x, y).

    ``min_G max_D E[log D(x|y)] + E[log(1 - D(G(z|y)|y))]``; labels enter G
    as an embedding concatenated to z and D as an extra image channel. The
    paper used MLPs (``network="mlp"``); the default here is the DCGAN pair.
    ``projection=True`` gives the projection discriminator instead
    (Miyato & Koyama 2018): ``D(x, y) = ψ(φ(x)) + yᵀVφ(x)``.
    """

    variant = "cgan"
    conditioning = "input"
    network_options = {"dcgan": {"d_norm": "batch"}}


@keras.saving.register_keras_serializable(package="kerasgan")
class ACGAN(_Variant):
    """Auxiliary-classifier GAN (Odena et al. 2017).

    D predicts real/fake and the class: with ``L_S`` the source log-likelihood
    and ``L_C = E[log P(C = c | X)]``, D maximises ``L_S + L_C`` and G
    maximises ``L_C - L_S`` (here: the non-saturating source loss plus the
    auxiliary cross-entropy for both, weighted by ``aux_weight``).
    ``classify_fakes=False`` leaves the fake term out of D's ``L_C``, so the
    class head learns ``p_data(c | x)`` from real images only. The network
    option ``twin_classifier=True`` makes it a TAC-GAN (Gong et al. 2019): a
    twin head ``C_mi`` learns the labels of generated images, and G's class
    term becomes ``λ [CE(c, C(G(z, c))) - CE(c, C_mi(G(z, c)))]``.
    """

    variant = "acgan"
    conditioning = "auxiliary"
    network_options = {"dcgan": {"d_norm": "batch"}}


@keras.saving.register_keras_serializable(package="kerasgan")
class LSGAN(_Variant):
    """Least-squares GAN (Mao et al. 2017), a-b-c coding a=0, b=1, c=1.

    ``min_D 1/2 E[(D(x) - b)^2] + 1/2 E[(D(G(z)) - a)^2]``,
    ``min_G 1/2 E[(D(G(z)) - c)^2]``; set ``loss_config={"a": -1, "b": 1,
    "c": 0}`` for the Pearson χ² coding.
    """

    variant = "lsgan"
    defaults = {"adversarial_loss": "least_squares", "loss_config": {"a": 0.0, "b": 1.0, "c": 1.0}}
    network_options = {"dcgan": {"d_norm": "batch"}}


@keras.saving.register_keras_serializable(package="kerasgan")
class SNGAN(_Variant):
    """Spectrally normalised GAN (Miyato et al. 2018).

    Every discriminator layer is wrapped in
    :class:`kerasgan.nets.SpectralNormalization`: it computes with
    ``W_SN = W / σ(W)``, the largest singular value ``σ`` estimated by one
    power iteration per training call (the power-iteration vector ``u`` is a
    non-trainable variable of each layer, saved with the model), the kernel
    variable keeping the raw ``W`` and the gradient flowing through ``σ``,
    the paper's reparametrisation (``keras.layers.SpectralNormalization``
    instead overwrites the kernel with ``W / σ`` at every call, a projection
    under which our discriminators went weak), so D is about 1-Lipschitz; no
    batch norm in D. Under MirroredStrategy every replica computes the same
    ``u`` from the same weights, so two replicas train as one device does
    (tested). Hinge loss
    ``L_D = E[max(0, 1 - D(x))] + E[max(0, 1 + D(G(z)))]``,
    ``L_G = -E[D(G(z))]``; Adam(2e-4, β1 0.5, β2 0.999) and one D update per
    G update: setting C of the paper's Table 1. Networks: the DCGAN pair.

    The paper's standard CNN (Table 3, CIFAR-10), layer by layer, is built by
    ``kerasgan.build("sngan", (32, 32, 3), kernel_size=4, max_filters=512,
    convs_per_stage=2, leaky_slope=0.1, output_conv=True, latent_dim=128)``:

    ====================================  =====================================
    Miyato et al. 2018, Table 3           kerasgan (layer names)
    ====================================  =====================================
    D: 3x3 stride 1 conv 64, lReLU 0.1    ``sn_conv_0a`` 3x3/1 64, ``lrelu_0a``
    4x4 stride 2 conv 64, lReLU           ``sn_conv_0`` 4x4/2 64 (16x16)
    3x3 stride 1 conv 128, lReLU          ``sn_conv_1a`` 3x3/1 128
    4x4 stride 2 conv 128, lReLU          ``sn_conv_1`` 4x4/2 128 (8x8)
    3x3 stride 1 conv 256, lReLU          ``sn_conv_2a`` 3x3/1 256
    4x4 stride 2 conv 256, lReLU          ``sn_conv_2`` 4x4/2 256 (4x4)
    3x3 stride 1 conv 512, lReLU          ``sn_conv_3`` 3x3/1 512
    dense 1                               ``flatten``, ``sn_logit`` (1)
    G: z (128) -> dense 4x4x512           ``project``, BN, ReLU, ``to_grid``
    4x4 stride 2 deconv 256, BN, ReLU     ``convt_0`` 4x4/2 256 (8x8)
    4x4 stride 2 deconv 128, BN, ReLU     ``convt_1`` 4x4/2 128 (16x16)
    4x4 stride 2 deconv 64, BN, ReLU      ``convt_2`` 4x4/2 64 (32x32)
    3x3 stride 1 conv 3, tanh             ``conv_out`` 3x3/1 3, ``out`` tanh
    ====================================  =====================================

    Every D layer is spectrally normalised (no bias-free or batch-norm change
    besides); the public CIFAR-10 recipes train it with Adam(2e-4, β1 0,
    β2 0.9), 5 D updates per G update and the rate decayed linearly to 0
    (``beta_1=0, beta_2=0.9, d_steps=5, lr_decay="linear", total_steps=N``).
    """

    variant = "sngan"
    defaults = {"adversarial_loss": "hinge"}
    network_options = {"dcgan": {"d_norm": "spectral"}}

    @classmethod
    def default_optimizers(cls):
        """Adam(2e-4, β1 0.5, β2 0.999): Miyato et al. 2018, Table 1, setting C."""
        return _adam(2e-4, 0.5, 0.999)


@keras.saving.register_keras_serializable(package="kerasgan")
class WGAN(_Variant):
    """Wasserstein GAN (Arjovsky et al. 2017, Algorithm 1).

    Critic: ``min_f E[f(G(z))] - E[f(x)]`` with weights clipped to
    [-0.01, 0.01] after every update, 5 critic updates per generator update;
    generator: ``min -E[f(G(z))]``; RMSprop(lr 5e-5) for both.
    """

    variant = "wgan"
    defaults = {"adversarial_loss": "wasserstein", "d_steps": 5, "clip_value": 0.01}
    network_options = {"dcgan": {"d_norm": "batch"}}

    @classmethod
    def default_optimizers(cls):
        """RMSprop(5e-5), the paper's setting."""
        return (
            keras.optimizers.RMSprop(5e-5, name="d_rmsprop"),
            keras.optimizers.RMSprop(5e-5, name="g_rmsprop"),
        )


@keras.saving.register_keras_serializable(package="kerasgan")
class WGANGP(_Variant):
    """WGAN with gradient penalty (Gulrajani et al. 2017, Algorithm 1).

    ``L_D = E[f(G(z))] - E[f(x)] + λ E[(||∇f(x̂)||_2 - 1)^2]``, ``x̂`` on
    lines between real and fake samples (α ~ U[0, 1] per sample), λ = 10,
    5 critic updates per generator update, Adam(1e-4, β 0.5/0.9). The critic
    uses layer norm, not batch norm, which would couple the per-sample
    penalty across the batch.
    """

    variant = "wgan_gp"
    defaults = {"adversarial_loss": "wasserstein", "d_steps": 5, "gp_weight": 10.0}
    network_options = {"dcgan": {"d_norm": "layer"}, "mlp": {"d_dropout": 0.0}}

    @classmethod
    def default_optimizers(cls):
        """Adam(1e-4, β1 0.5, β2 0.9)."""
        return _adam(1e-4, 0.5, 0.9)


@keras.saving.register_keras_serializable(package="kerasgan")
class MRGAN(EncoderGAN, _Variant):
    """Mode-regularized GAN (Che et al. 2017, sec. 3.1-3.2, eq. 3): the DCGAN pair and an encoder ``E``
    (:func:`kerasgan.nets.build_encoder`); G and E minimise
    ``T_G = -E_z[log D(G(z))] + E_x[λ1 d(x, G∘E(x)) + λ2 log D(G∘E(x))]`` and
    ``T_E = E_x[λ1 d(x, G∘E(x)) + λ2 log D(G∘E(x))]`` (``reconstruction_weight`` λ1, ``mode_weight`` λ2), D the
    GAN's minimax loss; Adam(2e-4, β1 0.5). ``gan.encode``, ``gan.reconstruct`` and ``gan.interpolate_images`` invert
    real images (:class:`kerasgan.gan.encoder.EncoderGAN`).

    The default ``mode_weight`` is λ2 = -0.4: the term as eq. 3 writes it, with the opposite sign. Minimised with
    λ2 = +0.4 (``mode_weight=0.4``, the paper's sign) it drives ``D(G(E(x)))`` toward 0 without a floor; on MNIST
    at equal training time (``scripts/mode_regularization.py mnist``, docs/guide/encoder.md) that run ended at FID
    67 with reconstructions of pixel MSE 0.64, the flipped one at FID 54 and MSE 0.11 (with a free encoder, before
    ``latent_sphere``: FID 259 with 4 of 10 digit classes missing, against 110 and none missing).
    """

    variant = "mrgan"
    defaults = {"reconstruction_weight": 1.0, "mode_weight": -0.4}
    network_options = {"dcgan": {"d_norm": "batch"}}

    @classmethod
    def extra_networks(cls, network, image_shape, latent_dim, network_options):
        """The encoder."""
        return {"encoder": nets.build_encoder(network, image_shape, latent_dim, network_options)}


@keras.saving.register_keras_serializable(package="kerasgan")
class MDGAN(ManifoldDiffusionGAN, _Variant):
    """Manifold-diffusion GAN (Che et al. 2017, sec. 3.3): every step a manifold step (``D1`` tells ``x`` from
    ``G(E(x))``; G and E minimise ``λ d(x, G∘E(x)) - log D1(G∘E(x))``, λ = ``reconstruction_weight``) then a
    diffusion step (``D2`` tells ``G(E(x))`` from ``G(z)``; G minimises ``-log D2(G(z))``)
    (:class:`kerasgan.gan.encoder.ManifoldDiffusionGAN`). The DCGAN pair, a second DCGAN discriminator and an
    encoder; Adam(2e-4, β1 0.5) for all four updates.
    """

    variant = "mdgan"
    defaults = {"reconstruction_weight": 1.0}
    network_options = {"dcgan": {"d_norm": "batch"}}

    @classmethod
    def extra_networks(cls, network, image_shape, latent_dim, network_options):
        """The encoder and the manifold step's discriminator ``D1`` (the family's, like ``D2``)."""
        d1 = nets.NETWORKS[network][1](image_shape, name="manifold_discriminator",
                                       **network_options.for_network(network, "d"))
        return {"encoder": nets.build_encoder(network, image_shape, latent_dim, network_options),
                "manifold_discriminator": d1}


def get_variant(name: str) -> type[GAN]:
    """The variant class declared under ``name``.

    Example:

    >>> get_variant("lsgan").__name__
    'LSGAN'
    """
    try:
        return VARIANTS[name]
    except (KeyError, TypeError):
        raise ValueError(f"kerasgan: unknown variant {name!r}; choose one of {list(VARIANTS)}.") from None


def build(
    variant: str,
    image_shape: Sequence[int] = (28, 28, 1),
    num_classes: int | None = None,
    latent_dim: int | None = None,
    seed: int | None = None,
    network: str | None = None,
    **overrides: Any,
) -> GAN:
    """Build a variant's GAN (networks included) for ``image_shape``.

    Args:
        variant: one of :data:`VARIANTS`.
        image_shape: ``(height, width, channels)``, or ``(d,)`` for flat
            samples with ``network="mlp"``.
        num_classes: number of labels; required by ``cgan`` and ``acgan``,
            refused by the unconditional variants.
        latent_dim: size of z (default 100).
        seed: seed of the GAN's random number generator.
        network: ``"mlp"`` or ``"dcgan"``; the variant's own by default.
        **overrides: GAN settings (``adversarial_loss``, ``loss_config``,
            ``d_steps``, ``clip_value``, ``gp_weight``, ``aux_weight``,
            ``latent_code``, ``name``, ... see :class:`kerasgan.GAN`) and
            network options (``base_filters``, ``d_dropout``, ``hidden_units``, ... see
            :func:`kerasgan.nets.build_networks`).

    Example:

    >>> import kerasgan
    >>> gan = kerasgan.build("vanilla", image_shape=(2,), latent_dim=2, hidden_units=(64, 64))
    >>> gan.image_shape, gan.generator.count_params()
    ((2,), 4482)

    ``latent_code=K`` on an unconditional variant makes an InfoGAN (Chen et
    al. 2016): the variant's AC-GAN networks with ``K`` code values.

    >>> info = kerasgan.build("dcgan", (28, 28, 1), latent_code=10, base_filters=8)
    >>> len(info.generator.inputs), [tuple(o.shape) for o in info.discriminator.outputs]
    (2, [(None, 1), (None, 10)])

    ``clusters=K`` conditions it on ``K`` k-means clusters of its data
    (:mod:`kerasgan.clustering`): the variant's cGAN networks with ``K`` classes.

    >>> clustered = kerasgan.build("lsgan", (28, 28, 1), clusters=20, base_filters=8, projection=True)
    >>> [len(clustered.generator.inputs), len(clustered.discriminator.inputs)], clustered.label_values
    ([2, 2], 20)
    """
    cls = get_variant(variant)
    if cls.conditioning and not num_classes:
        raise ValueError(
            f"kerasgan: {variant} is class-conditional; pass num_classes=<number of labels> "
            "(e.g. 10 for MNIST)."
        )
    if num_classes and not cls.conditioning:
        raise ValueError(
            f"kerasgan: {variant} is unconditional; leave num_classes=None, or use a "
            "conditional variant (cgan, acgan) to condition on labels."
        )
    gan_kwargs, network_options, optimizer_flags = options.split_options(overrides)
    if optimizer_flags:
        raise ValueError(f"kerasgan: {sorted(optimizer_flags)} change the optimizers, not the GAN; give "
                         "gan.compile() optimizers (kerasgan.optimizers.recipe_optimizers) or kerasgan.train the flags.")
    if "name" in network_options:
        gan_kwargs["name"] = network_options.pop("name")
    network = network or cls.network
    network_options = options.NetworkOptions({**cls.network_options.get(network, {}), **network_options})
    latent_dim = int(latent_dim or cls.latent_dim_default)
    code = options.GAN_OPTIONS["latent_code"].parse(gan_kwargs.get("latent_code"))
    clusters = options.GAN_OPTIONS["clusters"].parse(gan_kwargs.get("clusters"))
    for name, value, what in (("latent_code", code, "InfoGAN's code"), ("clusters", clusters, "cluster conditioning")):
        if value and cls.conditioning:
            raise ValueError(
                f"kerasgan: {name} is {what} of an unconditional GAN; {variant} is class-conditional and takes "
                f"labels. Use an unconditional variant (dcgan, lsgan, wgan_gp, sngan, ...) or leave {name} out."
            )
    if code and clusters:
        raise ValueError("kerasgan: latent_code and clusters both condition G on a discrete value; choose one.")
    conditioning = "auxiliary" if code else "input" if clusters else cls.conditioning
    generator, discriminator = nets.build_networks(
        network, image_shape, latent_dim, code or clusters or num_classes, conditioning, network_options
    )
    return cls(
        generator=generator,
        discriminator=discriminator,
        **cls.extra_networks(network, image_shape, latent_dim, network_options),
        latent_dim=latent_dim,
        num_classes=num_classes,
        seed=seed,
        **gan_kwargs,
    )


__all__ = ["VARIANTS", "get_variant", "build"] + [cls.__name__ for cls in VARIANTS.values() if cls.__module__ == __name__]
