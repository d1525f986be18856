"""Generator and discriminator builders that adapt to the image shape.

Two families, each a generator/discriminator pair of functional Keras models:

- ``mlp``: fully connected nets (Goodfellow et al. 2014), for any sample shape,
  including flat 2-D points (``image_shape=(2,)``, toy distributions).
- ``dcgan``: the all-convolutional pair of Radford et al. 2015: transposed
  convolutions with batch norm and ReLU in G, strided convolutions with
  LeakyReLU(0.2) in D, ``tanh`` output. The number of 2x up/down-sampling
  stages follows from the image side: 28 -> 7x7 start (two stages),
  32 -> 4x4 (three), 64 -> 4x4 (four); at 28x28x1 the default pair is the
  TensorFlow DCGAN tutorial's (Dense 7·7·256 -> ConvT 128 -> 64 -> 1, 5x5
  kernels; D: Conv 64 -> 128 -> Dense).

Conditioning (``num_classes``):

- generators take ``[z, label]`` and concatenate a learned label embedding to
  ``z`` (Mirza & Osindero 2014);
- ``conditioning="input"`` discriminators take ``[x, label]``; the label is
  embedded to one extra image channel (conv) or concatenated (MLP), or, with
  ``projection=True``, projected onto the last features (Miyato & Koyama 2018);
- ``conditioning="auxiliary"`` discriminators take ``x`` and return
  ``[logit, class_logits]`` (AC-GAN, Odena et al. 2017), or with
  ``twin_classifier=True`` ``[logit, class_logits, twin_class_logits]``
  (TAC-GAN, Gong et al. 2019).

Final layers compute in float32, so the nets work under mixed precision.
Labels are int32 tensors of shape ``(batch,)``.

Encoders (MRGAN/MDGAN, Che et al. 2017): :func:`build_encoder` mirrors the
family's discriminator, ending in ``latent_dim`` outputs instead of a logit.

The module is a little over 500 lines: the two families' four builders share
the input and label handling, the conditioning heads, the norms and the
upsampling plan, which would otherwise be imported back and forth between
modules; the custom layers they use are :mod:`kerasgan.layers`.

Example:

>>> from kerasgan import nets
>>> g, d = nets.build_networks("dcgan", (32, 32, 3), latent_dim=64)
>>> g.output_shape, d.output_shape
((None, 32, 32, 3), (None, 1))
"""

from __future__ import annotations

import math
from typing import Sequence

import keras
import tensorflow as tf
from keras import layers

from kerasgan.layers import ClassAffine, LatentSphere, SpectralNormalization
from kerasgan.options import UPSAMPLINGS, NetworkOptions

__all__ = [
    "NETWORKS",
    "CONDITIONINGS",
    "build_networks",
    "build_encoder",
    "mlp_generator",
    "mlp_discriminator",
    "dcgan_generator",
    "dcgan_discriminator",
    "upsampling_plan",
]

CONDITIONINGS = (None, "input", "auxiliary")


def _check_shape(image_shape, family: str) -> tuple:
    try:
        shape = tuple(int(s) for s in image_shape)
    except (TypeError, ValueError):
        raise ValueError(
            f"kerasgan: image_shape must be a tuple of ints like (28, 28, 1), got {image_shape!r}."
        ) from None
    if not shape or any(s <= 0 for s in shape):
        raise ValueError(f"kerasgan: image_shape must be positive sizes, got {shape}.")
    if family == "dcgan" and len(shape) != 3:
        raise ValueError(
            f"kerasgan: the dcgan networks need image_shape (height, width, channels), "
            f"got {shape}; use network='mlp' for flat samples."
        )
    return shape


def _check_conditioning(num_classes, conditioning):
    if conditioning not in CONDITIONINGS:
        raise ValueError(
            f"kerasgan: conditioning must be one of {CONDITIONINGS}, got {conditioning!r}."
        )
    if conditioning is not None and not (isinstance(num_classes, int) and num_classes >= 2):
        raise ValueError(
            f"kerasgan: conditioning={conditioning!r} needs num_classes >= 2 "
            f"(the number of labels), got num_classes={num_classes!r}."
        )


def upsampling_plan(height: int, width: int, min_size: int = 4) -> tuple[int, int, int]:
    """How many 2x stages map a small start grid to ``(height, width)``.

    Halves both sides while they stay even and at least ``min_size``.
    Returns ``(stages, start_height, start_width)``.

    Example:

    >>> upsampling_plan(28, 28), upsampling_plan(32, 32), upsampling_plan(64, 64)
    ((2, 7, 7), (3, 4, 4), (4, 4, 4))
    """
    stages = 0
    while height % 2 == 0 and width % 2 == 0 and height // 2 >= min_size and width // 2 >= min_size:
        height, width, stages = height // 2, width // 2, stages + 1
    if stages == 0:
        raise ValueError(
            f"kerasgan: the dcgan networks need an image side divisible by 2 with at least "
            f"{2 * min_size} pixels (e.g. 28, 32, 64); got {height}x{width}. "
            "Resize the images or use network='mlp'."
        )
    return stages, height, width


def _label_input():
    return keras.Input(shape=(), dtype="int32", name="label")


def _generator_inputs(latent_dim: int, num_classes, embed_dim: int):
    """``z`` (and a label embedding concatenated to it)."""
    z = keras.Input(shape=(latent_dim,), name="z")
    if not num_classes:
        return [z], z
    label = _label_input()
    embedding = layers.Embedding(num_classes, embed_dim, name="label_embedding")(label)
    return [z, label], layers.Concatenate(name="z_and_label")([z, embedding])


def _spectral(layer, norm):
    """``layer`` wrapped in :class:`SpectralNormalization` when ``norm == "spectral"``."""
    if norm != "spectral":
        return layer
    return SpectralNormalization(layer, name=f"sn_{layer.name}")


#: Discriminator options that need one conditioning: option -> (conditioning, variant, what it does).
_HEAD_OPTIONS = {
    "projection": ("input", "cgan", "conditions the discriminator of a cGAN on its label"),
    "twin_classifier": ("auxiliary", "acgan", "adds a second class head beside an AC-GAN discriminator's"),
}


def _check_head_options(conditioning, **given):
    """Refuse a head option (``projection``, ``twin_classifier``) on a discriminator of another conditioning."""
    for option, value in given.items():
        needed, variant, what = _HEAD_OPTIONS[option]
        if value and conditioning != needed:
            raise ValueError(
                f"kerasgan: {option}=True {what} (conditioning={needed!r}, variant {variant}); got "
                f"conditioning={conditioning!r}. Use variant={variant!r}, or leave {option} out."
            )


def _discriminator_head(features, num_classes, conditioning, inputs, name, norm=None, projection=False,
                        twin_classifier=False):
    """The logit ψ(φ(x)) (with ``projection``, plus yᵀVφ(x): Miyato & Koyama 2018, eq. 3), and for AC-GAN the
    class logits (with ``twin_classifier``, also TAC-GAN's twin class logits), on the features φ(x)."""
    logit = _spectral(layers.Dense(1, dtype="float32", name="logit"), norm)(features)
    if projection:  # an inner product of φ(x) with a learned embedding V_y of the label
        embedded = _spectral(layers.Embedding(num_classes, features.shape[-1], dtype="float32",
                                              name="label_projection"), norm)(inputs[1])
        inner = layers.Dot(axes=1, dtype="float32", name="projection")([embedded, features])
        logit = layers.Add(dtype="float32", name="logit_and_projection")([logit, inner])
    outputs = logit
    if conditioning == "auxiliary":
        class_logits = _spectral(layers.Dense(num_classes, dtype="float32", name="class_logits"), norm)(features)
        outputs = [logit, class_logits]
    if twin_classifier:
        outputs.append(_spectral(layers.Dense(num_classes, dtype="float32", name="twin_class_logits"), norm)(features))
    return keras.Model(inputs if len(inputs) > 1 else inputs[0], outputs, name=name)


def mlp_generator(
    image_shape: Sequence[int],
    latent_dim: int = 100,
    num_classes: int | None = None,
    hidden_units: Sequence[int] = (256, 512, 1024),
    output_activation: str | None = None,
    embed_dim: int = 50,
    name: str = "generator",
) -> keras.Model:
    """Fully connected generator (Goodfellow et al. 2014): z -> samples.

    Dense layers with LeakyReLU(0.2), then ``prod(image_shape)`` outputs with
    ``output_activation``, reshaped to ``image_shape``. The default
    activation is ``tanh`` for images (rank >= 2 shapes, data in [-1, 1]) and
    ``linear`` for flat samples such as toy 2-D points. Inputs ``z`` (or
    ``[z, label]`` when ``num_classes`` is given).

    Example:

    >>> g = mlp_generator((2,), latent_dim=8, hidden_units=(32,))
    >>> g.output_shape, g.get_layer("out").get_config()["activation"]
    ((None, 2), 'linear')
    """
    shape = _check_shape(image_shape, "mlp")
    if output_activation is None:
        output_activation = "tanh" if len(shape) > 1 else "linear"
    inputs, x = _generator_inputs(latent_dim, num_classes, embed_dim)
    for i, units in enumerate(hidden_units):
        x = layers.Dense(units, name=f"dense_{i}")(x)
        x = layers.LeakyReLU(0.2, name=f"lrelu_{i}")(x)
    x = layers.Dense(math.prod(shape), name="dense_out")(x)
    x = layers.Activation(output_activation, dtype="float32", name="out")(x)
    if len(shape) > 1:
        x = layers.Reshape(shape, name="to_image")(x)
    return keras.Model(inputs if len(inputs) > 1 else inputs[0], x, name=name)


def mlp_discriminator(
    image_shape: Sequence[int],
    num_classes: int | None = None,
    conditioning: str | None = None,
    hidden_units: Sequence[int] = (512, 256),
    dropout: float = 0.3,
    embed_dim: int = 50,
    projection: bool = False,
    twin_classifier: bool = False,
    leaky_slope: float = 0.2,
    name: str = "discriminator",
) -> keras.Model:
    """Fully connected discriminator: samples -> logit (Goodfellow et al. 2014).

    Dense layers with LeakyReLU(``leaky_slope``, 0.2) and dropout, then one logit (no sigmoid:
    the losses work from logits). See the module docstring for conditioning,
    ``projection`` and ``twin_classifier``.

    Example:

    >>> d = mlp_discriminator((28, 28, 1), num_classes=10, conditioning="input")
    >>> [tuple(t.shape) for t in d.inputs], d.output_shape
    ([(None, 28, 28, 1), (None,)], (None, 1))
    """
    shape = _check_shape(image_shape, "mlp")
    _check_conditioning(num_classes, conditioning)
    _check_head_options(conditioning, projection=projection, twin_classifier=twin_classifier)
    image = keras.Input(shape=shape, name="image")
    inputs = [image]
    x = layers.Flatten(name="flatten")(image) if len(shape) > 1 else image
    if conditioning == "input":
        inputs.append(_label_input())
    if conditioning == "input" and not projection:
        embedding = layers.Embedding(num_classes, embed_dim, name="label_embedding")(inputs[1])
        x = layers.Concatenate(name="x_and_label")([x, embedding])
    for i, units in enumerate(hidden_units):
        x = layers.Dense(units, name=f"dense_{i}")(x)
        x = layers.LeakyReLU(leaky_slope, name=f"lrelu_{i}")(x)
        if dropout:
            x = layers.Dropout(dropout, name=f"dropout_{i}")(x)
    return _discriminator_head(x, num_classes, conditioning, inputs, name, projection=projection,
                               twin_classifier=twin_classifier)


_G_NORMS = ("batch", "sync_batch", None)
_D_NORMS = ("batch", "sync_batch", "layer", "spectral", None)


def _check_norm(norm, allowed=_G_NORMS):
    if norm not in allowed:
        raise ValueError(f"kerasgan: norm must be one of {allowed}, got {norm!r}.")


def _norm_layer(norm: str | None, name: str, label=None, num_classes: int | None = None):
    """The normalisation layer called ``name`` (an identity for ``None``).

    ``"batch"`` built inside the scope of a strategy with several replicas is
    synchronised (statistics of the global batch, so N replicas train as one
    device would and every worker keeps the same moving statistics);
    ``"sync_batch"`` always is. Given a ``label`` tensor, a batch norm without
    its own scale and shift followed by :class:`ClassAffine` (conditional
    batch normalisation), as a function of ``x``.
    """
    if norm == "layer":
        return layers.LayerNormalization(axis=(1, 2, 3), name=name)
    if norm in ("batch", "sync_batch"):
        replicas = tf.distribute.get_strategy().num_replicas_in_sync if tf.distribute.has_strategy() else 1
        synchronized = norm == "sync_batch" or replicas > 1
        if label is None:
            return layers.BatchNormalization(synchronized=synchronized, name=name)
        batch_norm = layers.BatchNormalization(synchronized=synchronized, center=False, scale=False, name=name)
        affine = ClassAffine(num_classes, name=f"{name}_class_affine")
        return lambda x: affine([batch_norm(x), label])
    return layers.Identity(name=name)


def _upsampling_conv(filters: int, kernel_size: int, stride: int, upsample: str, use_bias: bool, name: str):
    """A ``stride``x upsampling convolution: transposed, or resize then conv."""
    if upsample == "transpose":
        return layers.Conv2DTranspose(filters, kernel_size, strides=stride, padding="same", use_bias=use_bias,
                                      name=name)
    conv = layers.Conv2D(filters, kernel_size, padding="same", use_bias=use_bias, name=name)
    if stride == 1:
        return conv
    resize = layers.UpSampling2D(stride, interpolation=upsample, name=f"{name}_up")
    return lambda x: conv(resize(x))


def _filters(base: int, power: int, maximum: int) -> int:
    return int(min(base * 2**power, maximum))


def dcgan_generator(
    image_shape: Sequence[int],
    latent_dim: int = 100,
    num_classes: int | None = None,
    base_filters: int = 64,
    max_filters: int = 512,
    kernel_size: int = 5,
    embed_dim: int = 50,
    norm: str | None = "batch",
    upsample: str = "transpose",
    conditional_norm: bool = False,
    output_conv: bool = False,
    name: str = "generator",
) -> keras.Model:
    """DCGAN generator (Radford et al. 2015), sized from ``image_shape``.

    ``Dense(h0·w0·F) -> BN -> ReLU -> ConvT(F/2, stride 1) -> BN -> ReLU``,
    then stride-2 ``ConvT`` stages halving the filters, and a last stride-2
    ``ConvT`` to the image channels with ``tanh``. ``F = base_filters · 2^n``
    (capped at ``max_filters``) where ``n`` stages reach the image side
    (:func:`upsampling_plan`). ``norm``: ``"batch"`` (the paper),
    ``"sync_batch"`` (batch statistics synchronised across replicas; plain
    ``"batch"`` is too when built in a multi-replica strategy's scope) or
    ``None``. ``upsample``: ``"transpose"`` (the paper's transposed
    convolutions) or ``"nearest"``/``"bilinear"``: a 2x resize then a
    convolution, every stage (Odena et al. 2016, "Deconvolution and
    checkerboard artifacts"; SNGAN's and BigGAN's generators upsample so).
    ``conditional_norm`` (class-conditional generators): every batch norm
    takes its scale and shift from the label (:class:`ClassAffine`,
    conditional batch normalisation as in the projection cGAN of Miyato &
    Koyama 2018), besides the label embedding concatenated to ``z``.
    ``output_conv``: the generator of SNGAN's standard CNN (Miyato et al.
    2018, Table 3) instead: every stage a stride-2 ``ConvT`` (no stride-1
    stage on the start grid; at 32x32 from 4x4x512: 256, 128, 64 filters),
    then a 3x3 stride-1 convolution to the image channels with ``tanh``.

    Example:

    >>> g = dcgan_generator((28, 28, 1))
    >>> [l.units for l in g.layers if isinstance(l, keras.layers.Dense)]
    [12544]
    >>> g.output_shape
    (None, 28, 28, 1)
    >>> cbn = dcgan_generator((32, 32, 3), num_classes=10, conditional_norm=True)
    >>> sum(isinstance(l, ClassAffine) for l in cbn.layers)
    4
    >>> sngan = dcgan_generator((32, 32, 3), kernel_size=4, output_conv=True)
    >>> convs = (keras.layers.Conv2D, keras.layers.Conv2DTranspose)
    >>> [(l.name, l.output.shape[1:]) for l in sngan.layers if isinstance(l, convs)]
    [('convt_0', (8, 8, 256)), ('convt_1', (16, 16, 128)), ('convt_2', (32, 32, 64)), ('conv_out', (32, 32, 3))]
    """
    height, width, channels = _check_shape(image_shape, "dcgan")
    _check_norm(norm)
    if conditional_norm and not (num_classes and norm):
        raise ValueError("kerasgan: conditional_norm gives batch norms a per-class scale and shift; it needs a "
                         f"class-conditional generator (cgan, acgan) with norm='batch', got num_classes="
                         f"{num_classes!r}, norm={norm!r}.")
    if upsample not in UPSAMPLINGS:
        raise ValueError(f"kerasgan: upsample must be one of {list(UPSAMPLINGS)}, got {upsample!r}.")
    stages, h0, w0 = upsampling_plan(height, width)
    inputs, x = _generator_inputs(latent_dim, num_classes, embed_dim)
    start = _filters(base_filters, stages, max_filters)
    label, classes = (inputs[1], num_classes) if conditional_norm else (None, None)
    x = layers.Dense(h0 * w0 * start, use_bias=norm is None, name="project")(x)
    x = _norm_layer(norm, "project_bn", label, classes)(x)
    x = layers.ReLU(name="project_relu")(x)
    x = layers.Reshape((h0, w0, start), name="to_grid")(x)
    if output_conv:  # stride-2 stages only, then a 3x3 convolution makes the image
        plan = [(_filters(base_filters, stages - 1 - i, max_filters), 2) for i in range(stages)]
    else:  # one stride-1 stage, then stride-2 stages; the last one makes the image
        plan = [(_filters(base_filters, stages - 1, max_filters), 1)]
        plan += [(_filters(base_filters, stages - 1 - i, max_filters), 2) for i in range(1, stages)]
    for i, (filters, stride) in enumerate(plan):
        x = _upsampling_conv(filters, kernel_size, stride, upsample, norm is None, f"convt_{i}")(x)
        x = _norm_layer(norm, f"bn_{i}", label, classes)(x)
        x = layers.ReLU(name=f"relu_{i}")(x)
    if output_conv:
        x = layers.Conv2D(channels, 3, padding="same", name="conv_out")(x)
    else:
        x = _upsampling_conv(channels, kernel_size, 2, upsample, True, "convt_out")(x)
    x = layers.Activation("tanh", dtype="float32", name="out")(x)
    return keras.Model(inputs if len(inputs) > 1 else inputs[0], x, name=name)


def dcgan_discriminator(
    image_shape: Sequence[int],
    num_classes: int | None = None,
    conditioning: str | None = None,
    base_filters: int = 64,
    max_filters: int = 512,
    kernel_size: int = 5,
    norm: str | None = "batch",
    dropout: float = 0.0,
    convs_per_stage: int = 1,
    projection: bool = False,
    twin_classifier: bool = False,
    leaky_slope: float = 0.2,
    name: str = "discriminator",
) -> keras.Model:
    """DCGAN discriminator (Radford et al. 2015), sized from ``image_shape``.

    Stride-2 ``Conv`` stages (filters ``base_filters · 2^i``) with
    LeakyReLU(``leaky_slope``, 0.2), normalisation after all but the first (``norm``:
    ``"batch"`` as in the paper, ``"sync_batch"`` to synchronise its
    statistics across replicas, ``"layer"`` for WGAN-GP critics, where batch
    norm would couple the per-sample gradient penalty, ``"spectral"`` for
    SNGAN: every convolution, embedding and output layer wrapped in
    :class:`SpectralNormalization`, W / σ(W) with σ by one power
    iteration per call (Miyato et al. 2018), and no other normalisation; or
    ``None``), optional dropout, then ``Flatten -> Dense(1)`` logits (or
    critic values).

    ``convs_per_stage``: 1, one stride-2 convolution per resolution stage
    (DCGAN); 2, SNGAN's "standard CNN" discriminator (Miyato et al. 2018,
    Table 3): a 3x3 stride-1 convolution before each stride-2 one, with the
    same filters, and a last 3x3 stride-1 convolution at the lowest
    resolution with twice the filters (capped at ``max_filters``): at 32x32
    and ``base_filters=64`` the paper's 64, 64, 128, 128, 256, 256, 512.
    Deeper at the same resolutions, it is the capacity a spectrally
    normalised discriminator, each layer 1-Lipschitz, needs.

    ``projection`` (cGAN only): the label enters at the output instead of as
    an input plane, f(x, y) = ψ(φ(x)) + yᵀVφ(x), φ(x) the flattened last
    features and V a learned embedding of the label (the projection
    discriminator, Miyato & Koyama 2018, eq. 3; in their comparison it
    beat input concatenation on intra-class FID).

    ``twin_classifier`` (AC-GAN only): a second class head ``C_mi`` beside
    ``C``, which learns the labels of generated images only; its
    cross-entropy enters G's loss with a minus sign (TAC-GAN, Gong et al.
    2019), which cancels the term that drives AC-GAN's intra-class collapse.

    Example:

    >>> d = dcgan_discriminator((32, 32, 3), num_classes=10, conditioning="auxiliary")
    >>> [tuple(o.shape) for o in d.outputs]
    [(None, 1), (None, 10)]
    >>> twin = dcgan_discriminator((32, 32, 3), num_classes=10, conditioning="auxiliary", twin_classifier=True)
    >>> [tuple(o.shape) for o in twin.outputs]
    [(None, 1), (None, 10), (None, 10)]
    >>> deep = dcgan_discriminator((32, 32, 3), kernel_size=4, norm="spectral", convs_per_stage=2)
    >>> [l.layer.filters for l in deep.layers if isinstance(l, layers.SpectralNormalization)
    ...  and isinstance(l.layer, layers.Conv2D)]
    [64, 64, 128, 128, 256, 256, 512]
    >>> projected = dcgan_discriminator((32, 32, 3), num_classes=10, conditioning="input", projection=True)
    >>> [tuple(t.shape) for t in projected.inputs], projected.get_layer("label_projection").output_dim
    ([(None, 32, 32, 3), (None,)], 4096)
    """
    height, width, channels = _check_shape(image_shape, "dcgan")
    _check_conditioning(num_classes, conditioning)
    _check_head_options(conditioning, projection=projection, twin_classifier=twin_classifier)
    _check_norm(norm, allowed=_D_NORMS)
    if convs_per_stage not in (1, 2):
        raise ValueError(f"kerasgan: convs_per_stage must be 1 (DCGAN) or 2 (SNGAN's standard CNN), "
                         f"got {convs_per_stage!r}.")
    stages, _, _ = upsampling_plan(height, width)
    image = keras.Input(shape=(height, width, channels), name="image")
    inputs = [image]
    x = image
    if conditioning == "input":
        inputs.append(_label_input())
    if conditioning == "input" and not projection:
        plane = _spectral(layers.Embedding(num_classes, height * width, name="label_embedding"), norm)(inputs[1])
        plane = layers.Reshape((height, width, 1), name="label_plane")(plane)
        x = layers.Concatenate(name="image_and_label")([image, plane])
    def conv_block(x, filters, kernel, strides, normalise, suffix):
        batch_norm = normalise and norm in ("batch", "sync_batch")  # a bias before batch norm is redundant
        x = _spectral(layers.Conv2D(filters, kernel, strides=strides, padding="same", use_bias=not batch_norm,
                                    name=f"conv_{suffix}"), norm)(x)
        if normalise and norm in ("batch", "sync_batch", "layer"):
            x = _norm_layer(norm, f"{'ln' if norm == 'layer' else 'bn'}_{suffix}")(x)
        x = layers.LeakyReLU(leaky_slope, name=f"lrelu_{suffix}")(x)
        if dropout:
            x = layers.Dropout(dropout, name=f"dropout_{suffix}")(x)
        return x

    for i in range(stages):
        filters = _filters(base_filters, i, max_filters)
        if convs_per_stage == 2:
            x = conv_block(x, filters, 3, 1, i > 0, f"{i}a")
        x = conv_block(x, filters, kernel_size, 2, i > 0 or convs_per_stage == 2, str(i))
    if convs_per_stage == 2:
        x = conv_block(x, _filters(base_filters, stages, max_filters), 3, 1, True, str(stages))
    x = layers.Flatten(name="flatten")(x)
    return _discriminator_head(x, num_classes, conditioning, inputs, name, norm=norm, projection=projection,
                               twin_classifier=twin_classifier)


NETWORKS = {
    "mlp": (mlp_generator, mlp_discriminator),
    "dcgan": (dcgan_generator, dcgan_discriminator),
}


def build_networks(
    network: str,
    image_shape: Sequence[int],
    latent_dim: int = 100,
    num_classes: int | None = None,
    conditioning: str | None = None,
    options: NetworkOptions | None = None,
    **named,
) -> tuple[keras.Model, keras.Model]:
    """Build a ``(generator, discriminator)`` pair of the ``network`` family.

    ``network`` is ``"mlp"`` or ``"dcgan"``. ``conditioning`` is ``None``,
    ``"input"`` (cGAN) or ``"auxiliary"`` (AC-GAN); the generator is
    label-conditioned whenever ``conditioning`` is set. The builders' options
    (declared in :mod:`kerasgan.options`) come as one
    :class:`~kerasgan.options.NetworkOptions` or by name: a plain name
    (``base_filters=32``) goes to every builder of the family that takes it,
    ``g_``/``d_`` prefixed names (``d_dropout=0.3``) to one of them.

    Example:

    >>> g, d = build_networks("mlp", (28, 28, 1), num_classes=10, conditioning="input")
    >>> len(g.inputs), len(d.inputs)
    (2, 2)
    """
    if network not in NETWORKS:
        raise ValueError(f"kerasgan: unknown network {network!r}; choose one of {sorted(NETWORKS)}.")
    _check_conditioning(num_classes, conditioning)
    g_fn, d_fn = NETWORKS[network]
    options = NetworkOptions({**(options.options if options else {}), **named})
    g_opts, d_opts = options.for_network(network, "g"), options.for_network(network, "d")
    g_classes = num_classes if conditioning else None
    generator = g_fn(image_shape, latent_dim=latent_dim, num_classes=g_classes, **g_opts)
    discriminator = d_fn(
        image_shape, num_classes=num_classes if conditioning else None, conditioning=conditioning, **d_opts
    )
    return generator, discriminator


def build_encoder(
    network: str,
    image_shape: Sequence[int],
    latent_dim: int = 100,
    options: NetworkOptions | None = None,
    name: str = "encoder",
    **named,
) -> keras.Model:
    """An encoder ``E: x -> z`` for the ``network`` family: the family's discriminator trunk (its ``d`` options:
    widths, kernel, norm, stages for the image shape) with a linear ``latent_dim`` head (float32, named ``latent``)
    instead of the logit, projected onto the sphere of radius ``√latent_dim`` where the prior ``N(0, I)`` lies
    (:class:`kerasgan.layers.LatentSphere`, named ``sphere``; ``latent_sphere=False`` leaves the head free, for
    latents of a few dimensions where the prior does not concentrate), and no dropout: the encoder of the
    mode-regularized GANs (Che et al. 2017), which maps a real image to a latent that the generator maps back near it.

    Example:

    >>> import numpy as np
    >>> e = build_encoder("dcgan", (28, 28, 1), latent_dim=64, base_filters=8)
    >>> e.input_shape, e.output_shape, e.name
    ((None, 28, 28, 1), (None, 64), 'encoder')
    >>> round(float(np.linalg.norm(e(np.ones((1, 28, 28, 1)))[0])), 4)  # √64
    8.0
    >>> build_encoder("mlp", (2,), latent_dim=2, hidden_units=(8,), latent_sphere=False).layers[-1].name
    'latent'
    """
    if network not in NETWORKS:
        raise ValueError(f"kerasgan: unknown network {network!r}; choose one of {sorted(NETWORKS)}.")
    options = NetworkOptions({**(options.options if options else {}), **named})
    d_opts = {k: v for k, v in options.for_network(network, "d").items() if k not in ("projection", "twin_classifier")}
    d_opts["dropout"] = 0.0
    trunk = NETWORKS[network][1](image_shape, **d_opts, name=f"{name}_trunk")
    features = trunk.layers[-1].input  # what the logit layer reads: the flattened last features
    latent = layers.Dense(int(latent_dim), dtype="float32", name="latent")(features)
    if options.for_network(network, "e").get("latent_sphere", True) is not False:
        latent = LatentSphere(dtype="float32", name="sphere")(latent)
    return keras.Model(trunk.inputs[0], latent, name=name)
