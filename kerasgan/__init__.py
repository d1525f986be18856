"""kerasgan: Keras 3 GANs that train with ``model.fit``.

Example:

>>> import numpy as np, kerasgan
>>> gan = kerasgan.build("dcgan", image_shape=(28, 28, 1), seed=0)
>>> gan.compile()
>>> images = np.random.uniform(-1, 1, (64, 28, 28, 1)).astype("float32")
>>> history = gan.fit(images, batch_size=32, epochs=1, verbose=0)
>>> gan.generate(4, seed=0).shape
(4, 28, 28, 1)
"""

import os as _os

_os.environ.setdefault("KERAS_BACKEND", "tensorflow")

from kerasgan import losses, nets  # noqa: E402
from kerasgan.gan import GAN  # noqa: E402
from kerasgan.variants import (  # noqa: E402
    ACGAN,
    DCGAN,
    LSGAN,
    VARIANTS,
    WGAN,
    WGANGP,
    ConditionalGAN,
    VanillaGAN,
    build,
    get_variant,
)

__version__ = "0.1.0"

__all__ = [
    "GAN",
    "VARIANTS",
    "build",
    "get_variant",
    "VanillaGAN",
    "DCGAN",
    "ConditionalGAN",
    "ACGAN",
    "LSGAN",
    "WGAN",
    "WGANGP",
    "losses",
    "nets",
    "__version__",
]
