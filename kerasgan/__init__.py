"""kerasgan: Keras 3 GANs that train with ``model.fit``.

Submodules load on first use, so ``import kerasgan`` and the command line's
``--help`` stay fast; ``kerasgan.build`` and the rest import TensorFlow then.

Example:

>>> import numpy as np, kerasgan
>>> gan = kerasgan.build("dcgan", image_shape=(28, 28, 1), seed=0)
>>> gan.compile()
>>> images = np.random.uniform(-1, 1, (64, 28, 28, 1)).astype("float32")
>>> history = gan.fit(images, batch_size=32, epochs=1, verbose=0)
>>> gan.generate(4, seed=0).shape
(4, 28, 28, 1)
"""

import importlib
import os as _os

_os.environ.setdefault("KERAS_BACKEND", "tensorflow")

__version__ = "0.1.0"

#: public name -> the module that defines it
_EXPORTS = {
    "GAN": "kerasgan.gan",
    "VARIANTS": "kerasgan.variants",
    "build": "kerasgan.variants",
    "get_variant": "kerasgan.variants",
    "VanillaGAN": "kerasgan.variants",
    "DCGAN": "kerasgan.variants",
    "ConditionalGAN": "kerasgan.variants",
    "ACGAN": "kerasgan.variants",
    "LSGAN": "kerasgan.variants",
    "WGAN": "kerasgan.variants",
    "WGANGP": "kerasgan.variants",
    "train": "kerasgan.training",
    "save_atomic": "kerasgan.training",
}
_SUBMODULES = ("callbacks", "cli", "data", "gan", "images", "losses", "nets", "toy", "training", "variants")

__all__ = sorted(_EXPORTS) + list(_SUBMODULES) + ["__version__"]


def __getattr__(name):
    if name in _EXPORTS:
        value = getattr(importlib.import_module(_EXPORTS[name]), name)
    elif name in _SUBMODULES:
        value = importlib.import_module(f"kerasgan.{name}")
    else:
        raise AttributeError(f"module 'kerasgan' has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(__all__))
