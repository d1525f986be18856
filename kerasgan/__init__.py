"""kerasgan: Keras 3 GANs that train with ``model.fit``.

Importing the package registers its Keras classes, so ``keras.models.load_model``
opens a saved GAN after ``import kerasgan``.

Example:

>>> import numpy as np, kerasgan
>>> gan = kerasgan.build("dcgan", image_shape=(28, 28, 1), seed=0)
>>> gan.compile()
>>> images = np.random.uniform(-1, 1, (64, 28, 28, 1)).astype("float32")
>>> history = gan.fit(images, batch_size=32, epochs=1, verbose=0)
>>> gan.generate(4, seed=0).shape
(4, 28, 28, 1)
"""

import importlib as _importlib
import os as _os
import sys as _sys

_os.environ.setdefault("KERAS_BACKEND", "tensorflow")

from kerasgan.version import __version__

#: The package's modules, all importable as ``kerasgan.NAME`` (``toy`` is :mod:`kerasgan.data.toy`).
_MODULES = ("augment", "callbacks", "checkpoint", "clustering", "data", "distribute", "gan", "images", "inception",
            "inputs", "layers", "losses", "metrics", "nets", "optimizers", "options", "recipes", "registry",
            "replicas", "sampling", "saving", "toy", "variants", "zoo")
#: Where a module of :data:`_MODULES` lives when not at ``kerasgan.NAME``.
_LOCATIONS = {"toy": "kerasgan.data.toy"}


def _import(name: str):
    """The module ``kerasgan.NAME`` (``toy`` is also importable as ``kerasgan.toy``)."""
    module = _importlib.import_module(_LOCATIONS.get(name, f"kerasgan.{name}"))
    _sys.modules.setdefault(f"kerasgan.{name}", module)
    return module

__all__ = ["GAN", "VARIANTS", "build", "get_variant", "train", "save_atomic", *_MODULES, "__version__"]


def _started_by_the_command_line() -> bool:
    """True in the ``kerasgan`` console script and in ``python -m kerasgan``:
    there the package stays lazy, so that ``kerasgan --help`` never imports
    TensorFlow; each command imports what it uses."""
    first = _os.path.basename(_sys.argv[0]) if _sys.argv else ""
    return first in ("kerasgan", "-m")


def _load() -> None:
    """Import the whole public API into this namespace (registering the Keras classes)."""
    from kerasgan import variants

    namespace = globals()
    for module in _MODULES:
        namespace[module] = _import(module)
    from kerasgan.gan import GAN
    from kerasgan.saving import save_atomic
    from kerasgan.training import train

    namespace.update(GAN=GAN, save_atomic=save_atomic, train=train)
    namespace.update({name: getattr(variants, name) for name in variants.__all__})
    __all__[:] = list(dict.fromkeys(__all__ + variants.__all__))


if _started_by_the_command_line():

    def __getattr__(name: str):
        """Lazy attributes for the command line: a module alone, or everything."""
        if name in _MODULES or name in ("cli", "training"):
            return _import(name)
        if name.startswith("__"):
            raise AttributeError(name)
        _load()
        if name in globals():
            return globals()[name]
        raise AttributeError(f"module 'kerasgan' has no attribute {name!r}")

else:
    _load()
