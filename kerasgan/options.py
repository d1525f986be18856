"""Every option of a GAN, declared once: name, type, default, check and one line of help.

Three kinds (``scope``):

- ``"gan"``: settings of :class:`kerasgan.GAN` (the objective and its terms,
  EMA, conditioning). The GAN's constructor, ``get_config``, ``kerasgan.build``,
  the ``kerasgan train`` flags and their ``--help``, a zoo card's recipe and the
  toolkit table of the docs (docs/guide/toolkit.md) derive from these declarations; a variant's
  ``defaults`` override the declared defaults (merged along the class
  hierarchy, :func:`variant_defaults`).
- ``"network"``: options of the network builders (:mod:`kerasgan.nets`); a
  declaration says which families (``mlp``, ``dcgan``) and which networks
  (``g``, ``d``) take it. ``g_``/``d_`` prefixed names give an option to one
  network only. They reach the builders as one :class:`NetworkOptions`.
- ``"optimizer"``: the recipe flags that change the variant's paper
  optimizers (:func:`kerasgan.optimizers.recipe_optimizers`).

This module imports neither TensorFlow nor Keras: the command line's
``--help`` reads it.

Example:

>>> from kerasgan import options
>>> options.GAN_OPTIONS["d_steps"].default, options.GAN_OPTIONS["d_steps"].check(5)
(1, 5)
>>> options.NetworkOptions({"base_filters": 32, "d_base_filters": 16}).for_network("dcgan", "d")["base_filters"]
16
"""

from __future__ import annotations

import dataclasses
from typing import Any, Callable, Mapping

from kerasgan import augment  # TensorFlow-free at import, as this module is

__all__ = ["Option", "OPTIONS", "GAN_OPTIONS", "NETWORK_OPTIONS", "OPTIMIZER_OPTIONS", "OPTIMIZERS", "LR_DECAYS", "UPSAMPLINGS",
           "NetworkOptions", "code_size", "variant_defaults", "resolve_settings", "split_options", "toolkit_table"]


@dataclasses.dataclass(frozen=True)
class Option:
    """One declared option.

    ``type`` is ``int``, ``float``, ``bool``, ``str``, ``dict`` or ``tuple``;
    ``check`` turns a given value into the stored one or raises ``ValueError``
    saying what is wrong (``None`` always passes: "not set"); ``flag`` makes it a
    ``kerasgan train`` flag (with ``lower``/``upper`` bounds and ``choices``);
    ``toolkit`` is ``(example value, what it does, paper)`` for the toolkit
    table; ``takes`` (network options) maps a network family to the networks that
    take it, and ``prefix_flags`` adds ``--g_NAME``/``--d_NAME`` flags for one network.
    """

    name: str
    type: type
    default: Any
    help: str
    scope: str = "gan"
    check: Callable[[Any], Any] | None = None
    flag: bool = True
    lower: float | None = None
    upper: float | None = None
    choices: Mapping[str, str] | None = None
    toolkit: tuple[str, str, str] | None = None
    takes: Mapping[str, str] = dataclasses.field(default_factory=dict)
    prefix_flags: bool = False

    def parse(self, value: Any) -> Any:
        """``value`` checked and normalised (``None`` stays ``None``)."""
        if value is None or self.check is None:
            return value
        return self.check(value)


# ----------------------------------------------------------------- checks
def _at_least(name: str, minimum: float, kind: type = float, none_below: bool = False) -> Callable:
    def check(value):
        number = kind(value)
        if none_below and not number:
            return None
        if number < minimum:
            raise ValueError(f"kerasgan: {name} must be >= {minimum:g}, got {value}.")
        return number
    return check


def _open_unit(name: str) -> Callable:
    def check(value):
        number = float(value)
        if not 0.0 < number < 1.0:
            raise ValueError(f"kerasgan: {name} must be in (0, 1), got {number}.")
        return number
    return check


def code_size(value: Any, name: str = "latent_code") -> int | None:
    """``latent_code`` (or ``clusters``, says ``name``) checked: None (none) or the number of values K >= 2.

    Example:

    >>> code_size(10), code_size(None)
    (10, None)
    """
    if value is None:
        return None
    if int(value) < 2:
        what = "clusters" if name == "clusters" else "code values"
        raise ValueError(f"kerasgan: {name} is the number of {what} K >= 2, got {value}.")
    return int(value)


def _policy(value):
    return ",".join(augment.parse_policy(value)) or None


def _label_smoothing(value):
    number = float(value)
    if not 0.0 <= number < 1.0:
        raise ValueError(f"kerasgan: label_smoothing must be in [0, 1), got {number}.")
    return number


#: How the conv generators upsample (``upsample=``, :func:`kerasgan.nets.dcgan_generator`).
UPSAMPLINGS = {
    "transpose": "stride-2 transposed convolutions (DCGAN)",
    "nearest": "2x nearest-neighbour resize, then a convolution",
    "bilinear": "2x bilinear resize, then a convolution",
}
#: Learning-rate schedules a recipe can name (``lr_decay=``, :func:`kerasgan.optimizers.recipe_optimizers`).
LR_DECAYS = {"linear": "the rate falls linearly from its value to 0 at --total_steps (Miyato et al. 2018's and "
                       "Gulrajani et al. 2017's CIFAR-10 recipes)"}
#: Optimizer kinds a recipe can name (``optimizer=``), each a Keras optimizer identifier.
OPTIMIZERS = {"adam": "Adam", "rmsprop": "RMSprop", "sgd": "SGD"}

# ------------------------------------------------------------- declarations
_GAN = [
    Option("adversarial_loss", str, "non_saturating", "The adversarial loss pair: minimax, non_saturating, "
           "least_squares, wasserstein or hinge (kerasgan.losses).", flag=True),
    Option("loss_config", dict, None, "Keyword arguments of the adversarial loss (LSGAN's a, b, c).", flag=False,
           check=dict),
    Option("d_steps", int, 1, "Discriminator updates per generator update (default: the variant's); each reads "
           "its own batch of real data.", check=_at_least("d_steps", 1, int), lower=1,
           toolkit=('k',
                    "k discriminator updates per generator update, **each on its own real minibatch**: a batch of "
                    "k·m examples is split into k of m (`kerasgan train` and `data.load(..., d_steps=k)` batch "
                    "k·m; under MirroredStrategy each replica splits its share); a batch k does not divide is "
                    "reused by all k",
                    'Goodfellow et al. 2014; Arjovsky et al. 2017; Gulrajani et al. 2017 (Algorithm 1)')),
    Option("clip_value", float, None, "wgan: the bound c of the critic's weight clipping to [-c, c] (default 0.01, "
           "Arjovsky et al. 2017; 0 turns it off).", check=_at_least("clip_value", 0, none_below=True), lower=0),
    Option("gp_weight", float, 0.0, "WGAN-GP gradient-penalty weight lambda (0: off; Gulrajani et al. 2017).",
           check=_at_least("gp_weight", 0), lower=0),
    Option("aux_weight", float, 1.0, "acgan: weight lambda of the auxiliary class loss in D's and G's objectives "
           "(default 1); with --latent_code, InfoGAN's lambda.", check=_at_least("aux_weight", 0), lower=0),
    Option("classify_fakes", bool, True, "acgan: D's class head also learns the labels of generated images "
           "(Odena et al. 2017, the default); --noclassify_fakes trains it on real images only.", check=bool),
    Option("label_smoothing", float, 0.0, "One-sided label smoothing s of the logit losses: real targets 1 - s/2 "
           "(Salimans et al. 2016).", check=_label_smoothing, lower=0, upper=0.999,
           toolkit=('s',
                    "one-sided: real targets `1 - s/2` (the Keras/TF-GAN convention; `s=0.2` gives 0.9), fakes 0; "
                    "logit losses only",
                    'Salimans et al. 2016')),
    Option("augment", str, None, "DiffAugment policy for real and generated images: any of "
           f"{','.join(augment.POLICIES)}, comma-separated (Zhao et al. 2020).", check=_policy,
           toolkit=('"color,translation,cutout"',
                    "DiffAugment: the same random, differentiable transformations of real and generated images "
                    "before every D call, in D's and G's updates; seeded by the GAN's seed, different per replica",
                    'Zhao et al. 2020')),
    Option("r1_weight", float, 0.0, "R1 penalty weight gamma: gamma/2 E|grad D(x_real)|^2 (Mescheder et al. 2018).",
           check=_at_least("r1_weight", 0), lower=0,
           toolkit=('γ',
                    "adds `γ/2 · E‖∇D(x_real)‖²` to D's loss (any variant), averaged over the global batch",
                    'Mescheder et al. 2018')),
    Option("consistency_weight", float, 0.0, "Balanced consistency regularization lambda: lambda (|D(x) - D(T(x))|^2 "
           "+ |D(G(z)) - D(T(G(z)))|^2) added to D's loss, T the DiffAugment transformations (Zhao et al. 2021).",
           check=_at_least("consistency_weight", 0), lower=0,
           toolkit=('λ',
                    "bCR: adds `λ‖D(x) - D(T(x))‖² + λ‖D(G(z)) - D(T(G(z)))‖²` to D's loss (balanced: real and "
                    "generated images), `T` the DiffAugment transformations (`augment`'s policy, else "
                    "`translation,cutout`); D learns to give an image and its transformed copy the same output; "
                    "G's loss is unchanged",
                    'Zhao et al. 2021')),
    Option("reconstruction_weight", float, 0.0, "mrgan/mdgan: weight lambda1 of the geometric regularizer "
           "lambda1 d(x, G(E(x))), the pixel-wise squared L2 distance of a real image and its reconstruction through "
           "the encoder E (Che et al. 2017): in G's and E's loss (mrgan), in the manifold step (mdgan).",
           check=_at_least("reconstruction_weight", 0), lower=0,
           toolkit=('λ1',
                    "mrgan/mdgan (GANs with an encoder `E`): adds `λ1·d(x, G(E(x)))` (mean squared pixel distance) "
                    "to the loss G and E minimise (mrgan, eq. 3), or to the manifold step's (mdgan, sec. 3.3)",
                    'Che et al. 2017')),
    Option("mode_weight", float, 0.0, "mrgan: weight lambda2 of the mode regularizer lambda2 log D(G(E(x))) in G's and "
           "E's loss (Che et al. 2017, eq. 3, with its sign: lambda2 > 0 pushes D(G(E(x))) down; a negative lambda2 "
           "pushes the reconstructions toward what D takes for real).", check=float,
           toolkit=('λ2',
                    "mrgan: adds `λ2·log D(G(E(x)))` to the loss G and E minimise, with eq. 3's sign for λ2 > 0 "
                    "(it lowers `D(G(E(x)))`); λ2 < 0 raises it, toward what D takes for real "
                    "(D's logit losses only; measured both ways in the encoder guide)",
                    'Che et al. 2017')),
    Option("ema_decay", float, None, "Keep an EMA generator with this decay (e.g. 0.999); written as "
           "ema_generator.keras.", check=_open_unit("ema_decay"), lower=0, upper=0.999999,
           toolkit=('0.999',
                    "`gan.ema_generator`, an EMA of G's weights updated inside `train_step` (correct under "
                    "MirroredStrategy), saved in `.keras` files and checkpoints; `generate()` uses it (`ema=False` "
                    "for the raw G)",
                    'Karras et al. 2018; Yazıcı et al. 2019')),
    Option("latent_code", int, None, "Unconditional variants: an InfoGAN categorical latent code of this many values "
           "(Chen et al. 2016): G takes [z, c], D's code head learns c from G's images and both add lambda "
           "(--aux_weight) times its cross-entropy. No labels are read.", check=code_size, lower=2,
           toolkit=('K',
                    "InfoGAN on an unconditional variant: G takes `[z, c]` with a code `c ~ Cat(K)` drawn by the "
                    "GAN (no labels read), D gets a code head `Q(c \\| x)` trained on generated images only, and D "
                    "and G both add `λ·E[-log Q(c \\| G(z, c))]` (λ = `aux_weight`, default 1), the variational "
                    "bound of the mutual information `I(c; G(z, c))`. The code gives G K components for the K "
                    "separate pieces of a disconnected data manifold (MNIST's digits) instead of the in-between "
                    "images of one continuous map; `generate(labels=...)` picks codes (default: cycled 0..K-1)",
                    'Chen et al. 2016; Khayatkhoei et al. 2018')),
    Option("clusters", int, None, "Unconditional variants: condition G and D on this many k-means clusters of the "
           "training images at half resolution, fitted before training (after Liu et al. 2020's self-conditioned "
           "GAN); samples draw the cluster from the data's shares. No labels are read.",
           check=lambda value: code_size(value, "clusters"), lower=2,
           toolkit=('K',
                    "cluster conditioning of an unconditional variant (`kerasgan.clustering`): the training "
                    "images' K k-means clusters at half resolution (2×2 average pooling; k-means++ then Lloyd on a "
                    "uniform sample of 20,000, fitted by `gan.fit_clusters(data)` before `fit`, and by `kerasgan "
                    "train` on the whole split; saved with the GAN) are their labels, and the variant trains as a "
                    "cGAN on them (the cGAN networks with K classes; `projection`, `conditional_norm` apply; fakes "
                    "take their minibatch's clusters). `generate()` draws the cluster from the clusters' shares of "
                    "the data (`gan.cluster_prior`, a card's `cluster_prior`), so the model stays an unconditional "
                    "mixture `Σ_k p_data(k) p_g(x \\| k)`; no labels are read.",
                    "after Liu et al. 2020 (self-conditioned GAN, which clusters D's features instead)")),
]

_NETWORK = [
    Option("base_filters", int, None, "Width of the conv networks: filters of D's first and G's last stage, "
           "doubled per stage (default 64).", scope="network", lower=1, takes={"dcgan": "gd"}, prefix_flags=True),
    Option("max_filters", int, None, "Cap on the filters of any conv stage (default 512).", scope="network", lower=1,
           takes={"dcgan": "gd"}),
    Option("kernel_size", int, None, "Kernel side of the conv networks (default 5; 4 as in SNGAN's standard CNN).",
           scope="network", lower=1, takes={"dcgan": "gd"}),
    Option("convs_per_stage", int, None, "Discriminator convolutions per resolution stage: 1 (DCGAN, the default) "
           "or 2 (SNGAN's standard CNN: a 3x3 stride-1 convolution before each stride-2 one).", scope="network",
           lower=1, upper=2, takes={"dcgan": "d"}),
    Option("projection", bool, None, "cgan: condition the discriminator by projection (Miyato & Koyama 2018): the "
           "inner product of its last features with a label embedding is added to its logit, instead of the label "
           "as an input plane.", scope="network", takes={"dcgan": "d", "mlp": "d"}),
    Option("twin_classifier", bool, None, "acgan: add TAC-GAN's twin class head (Gong et al. 2019), which learns the "
           "labels of generated images; its cross-entropy is subtracted from G's class loss, against AC-GAN's "
           "intra-class collapse.", scope="network", takes={"dcgan": "d", "mlp": "d"}),
    Option("conditional_norm", bool, None, "cgan/acgan: every batch norm of the generator takes a per-class scale "
           "and shift (conditional batch normalisation, as in Miyato & Koyama 2018's projection cGAN).",
           scope="network", takes={"dcgan": "g"}),
    Option("upsample", str, None, "Generator upsampling: " + "; ".join(f"{k}: {v}" for k, v in UPSAMPLINGS.items())
           + ".", scope="network", choices=UPSAMPLINGS, takes={"dcgan": "g"}),
    Option("output_conv", bool, None, "Generator of SNGAN's standard CNN (Miyato et al. 2018, Table 3): stride-2 "
           "upsampling stages only, then a 3x3 stride-1 convolution to the image channels (default: DCGAN's stride-1 "
           "first stage and a last upsampling to the channels).", scope="network", takes={"dcgan": "g"}),
    Option("leaky_slope", float, None, "Negative slope of the discriminator's leaky ReLUs (default 0.2, DCGAN; 0.1 in "
           "SNGAN's standard CNN, Miyato et al. 2018, Table 3).", scope="network", lower=0,
           takes={"dcgan": "d", "mlp": "d"}),
    Option("latent_sphere", bool, None, "mrgan/mdgan: the encoder projects its latent onto the sphere of radius "
           "√latent_dim, where the prior N(0, I) concentrates (default True); False leaves E's outputs free, as the "
           "paper does: for a latent of a few dimensions (the 2-D toys' 2), where |z| does not concentrate and the "
           "sphere would miss most of the prior's mass.", scope="network", takes={"dcgan": "e", "mlp": "e"}),
    Option("norm", str, None, "Normalisation of the conv networks' layers (batch, sync_batch, layer, spectral, "
           "none).", scope="network", flag=False, takes={"dcgan": "gd"}),
    Option("dropout", float, None, "Dropout rate of the discriminator's hidden layers.", scope="network", flag=False,
           takes={"dcgan": "d", "mlp": "d"}),
    Option("embed_dim", int, None, "Size of the label embedding concatenated to z.", scope="network", flag=False,
           takes={"dcgan": "g", "mlp": "gd"}),
    Option("hidden_units", tuple, None, "Widths of the MLP networks' hidden layers.", scope="network", flag=False,
           takes={"mlp": "gd"}),
    Option("output_activation", str, None, "The MLP generator's output activation (default: tanh for images).",
           scope="network", flag=False, takes={"mlp": "g"}),
]

_OPTIMIZER = [
    Option("optimizer", str, None, "Optimizer kind for both networks (default: the variant's paper optimizers).",
           scope="optimizer", choices={k: k for k in OPTIMIZERS}),
    Option("learning_rate", float, None, "Learning rate of both optimizers.", scope="optimizer", lower=0),
    Option("d_learning_rate", float, None, "Discriminator learning rate (TTUR).", scope="optimizer", lower=0),
    Option("g_learning_rate", float, None, "Generator learning rate (TTUR).", scope="optimizer", lower=0),
    Option("beta_1", float, None, "Adam's beta_1.", scope="optimizer"),
    Option("beta_2", float, None, "Adam's beta_2.", scope="optimizer"),
    Option("lr_decay", str, None, "Learning-rate schedule of both optimizers (default: constant): " + "; ".join(
           f"{k}: {v}" for k, v in LR_DECAYS.items()) + ".", scope="optimizer", choices=LR_DECAYS),
    Option("total_steps", int, None, "The generator steps a run is planned for, where --lr_decay=linear reaches 0 "
           "(the discriminator's schedule counts its d_steps updates per generator step).", scope="optimizer",
           lower=1),
]

#: Every declared option, name -> :class:`Option`, in declaration order.
OPTIONS: dict[str, Option] = {option.name: option for option in _GAN + _NETWORK + _OPTIMIZER}
#: The GAN settings (the constructor's keyword arguments besides the networks, ``latent_dim``, ``num_classes``, ``seed``).
GAN_OPTIONS = {name: option for name, option in OPTIONS.items() if option.scope == "gan"}
#: The network builders' options.
NETWORK_OPTIONS = {name: option for name, option in OPTIONS.items() if option.scope == "network"}
#: The recipe flags that change the optimizers.
OPTIMIZER_OPTIONS = {name: option for name, option in OPTIONS.items() if option.scope == "optimizer"}


def variant_defaults(cls: type) -> dict[str, Any]:
    """The GAN settings' defaults of class ``cls``: the declared defaults, overridden by the ``defaults`` dict of
    each class on the way down its hierarchy (a subclass adds to its parent's, it does not replace them).

    Example:

    >>> class Base:
    ...     defaults = {"d_steps": 5, "gp_weight": 10.0}
    >>> class Child(Base):
    ...     defaults = {"d_steps": 1}
    >>> d = variant_defaults(Child)
    >>> d["d_steps"], d["gp_weight"], d["adversarial_loss"]
    (1, 10.0, 'non_saturating')
    """
    merged = {name: option.default for name, option in GAN_OPTIONS.items()}
    for klass in reversed(cls.__mro__):
        declared = klass.__dict__.get("defaults") or {}
        unknown = set(declared) - set(GAN_OPTIONS)
        if unknown:
            raise ValueError(f"kerasgan: {klass.__qualname__}.defaults names {sorted(unknown)}, which are not GAN "
                             f"settings; they are {list(GAN_OPTIONS)}.")
        merged.update(declared)
    return merged


def resolve_settings(cls: type, given: Mapping[str, Any]) -> dict[str, Any]:
    """The checked settings of a GAN of class ``cls``: ``given`` (``None``: not given) over its defaults.

    Example:

    >>> class Plain:
    ...     pass
    >>> resolve_settings(Plain, {"clip_value": 0.0, "augment": "cutout, color"})["clip_value"] is None
    True
    """
    unknown = set(given) - set(GAN_OPTIONS)
    if unknown:
        raise ValueError(f"kerasgan: {sorted(unknown)} are not GAN settings; they are {list(GAN_OPTIONS)}.")
    merged = {**variant_defaults(cls), **{k: v for k, v in given.items() if v is not None}}
    return {name: GAN_OPTIONS[name].parse(value) for name, value in merged.items()}


def split_options(options: Mapping[str, Any]) -> tuple[dict, dict, dict]:
    """``(gan settings, network options, optimizer flags)`` of a flat dict of options (what ``kerasgan.build`` and
    ``kerasgan.train`` take as keyword arguments); names that are none of these stay in the network options,
    whose check names what is allowed.

    Example:

    >>> split_options({"d_steps": 2, "base_filters": 8, "beta_1": 0.0})
    ({'d_steps': 2}, {'base_filters': 8}, {'beta_1': 0.0})
    """
    parts: tuple[dict, dict, dict] = ({}, {}, {})
    for name, value in options.items():
        option = OPTIONS.get(name)
        index = {"gan": 0, "optimizer": 2}.get(option.scope, 1) if option else 1
        parts[index][name] = value
    return parts


class NetworkOptions:
    """The network builders' options of one GAN, checked against their declarations: plain names go to every
    network of the family that takes them (``g``, ``d`` and, in the GANs with one, the encoder ``e``),
    ``g_``/``d_`` prefixed names to one network, and a prefixed option wins over the plain one whatever their order
    (``base_filters=64, d_base_filters=32``: a G of 64, a D of 32).

    Example:

    >>> opts = NetworkOptions({"hidden_units": (8,), "d_dropout": 0.0})
    >>> opts.for_network("mlp", "g"), opts.for_network("mlp", "d")
    ({'hidden_units': (8,)}, {'hidden_units': (8,), 'dropout': 0.0})
    """

    def __init__(self, options: Mapping[str, Any] | None = None):
        self.options = dict(options or {})

    @staticmethod
    def is_option(name: str) -> bool:
        """Whether ``name`` is a network option, plain or ``g_``/``d_`` prefixed.

        >>> NetworkOptions.is_option("d_base_filters"), NetworkOptions.is_option("epochs")
        (True, False)
        """
        return bool(NetworkOptions._target(name)[1])

    @staticmethod
    def _target(name: str) -> tuple[str, str]:
        """``(option name, networks)`` of a given name: ``d_dropout`` -> ``("dropout", "d")``."""
        if name in NETWORK_OPTIONS:
            return name, "gde"
        if name[:2] in ("g_", "d_") and name[2:] in NETWORK_OPTIONS:
            return name[2:], name[0]
        return name, ""

    def for_network(self, family: str, net: str) -> dict[str, Any]:
        """The keyword arguments of ``family``'s ``net`` builder (``net``: ``"g"``, ``"d"`` or ``"e"``, the
        encoder's own options; :func:`kerasgan.nets.build_encoder` also reads ``"d"``'s)."""
        allowed = sorted({n for n, o in NETWORK_OPTIONS.items() if family in o.takes})
        chosen, prefixed = {}, {}
        for name, value in self.options.items():
            base, nets = self._target(name)
            declared = NETWORK_OPTIONS.get(base)
            if declared is None or family not in declared.takes or not set(nets) & set(declared.takes[family]):
                prefixes = sorted({f"{x}_{n}" for n in allowed for x in NETWORK_OPTIONS[n].takes[family] if x in "gd"})
                raise ValueError(f"kerasgan: unknown network option {name!r}; options are {allowed + prefixes}.")
            if net in nets and net in declared.takes[family]:
                (prefixed if nets != "gde" else chosen)[base] = value
        return {**chosen, **prefixed}


def toolkit_table() -> str:
    """The table of the toolkit options (those with a ``toolkit`` entry), as Markdown.

    Example:

    >>> toolkit_table().splitlines()[0]
    '| option | what it does | paper |'
    """
    rows = ["| option | what it does | paper |", "|---|---|---|"]
    for option in GAN_OPTIONS.values():
        if option.toolkit:
            example, what, paper = option.toolkit
            rows.append(f"| `{option.name}={example}` | {what} | {paper} |")
    return "\n".join(rows)
