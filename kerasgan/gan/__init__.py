"""The GAN core, one concept a module:

- :mod:`kerasgan.gan.model`: :class:`GAN`, the ``keras.Model`` (construction, ``compile``, ``train_step``,
  ``generate``, serialization);
- :mod:`kerasgan.gan.objective`: the objective as terms (the adversarial pair, the penalties, the auxiliary heads,
  consistency regularization, weight clipping);
- :mod:`kerasgan.gan.conditioning`: conditioning read off the networks, and the labels of a step;
- :mod:`kerasgan.gan.clusters`: cluster conditioning's centers and shares;
- :mod:`kerasgan.gan.ema`: the EMA generator;
- :mod:`kerasgan.gan.encoder`: GANs with an encoder (MRGAN, MDGAN: Che et al. 2017).

Its settings are declared in :mod:`kerasgan.options`; preset loading is :mod:`kerasgan.zoo.presets`.

Example:

>>> from kerasgan.gan import GAN
>>> GAN.variant
'custom'
"""

from kerasgan.gan.model import GAN
from kerasgan.options import code_size

__all__ = ["GAN", "code_size"]
