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

import os as _os
import sys as _sys

_os.environ.setdefault("KERAS_BACKEND", "tensorflow")


def _started_by_the_command_line() -> bool:
    """True in the ``kerasgan`` console script and in ``python -m kerasgan``."""
    first = _os.path.basename(_sys.argv[0]) if _sys.argv else ""
    return first in ("kerasgan", "-m")


def _import_tensorflow_quietly() -> None:
    """Import TensorFlow with stderr muted: its C++ start-up lines (CUDA probing,
    oneDNN notices) are printed before any log level applies. Used by the command
    line only, and not when TF_CPP_MIN_LOG_LEVEL asks for logs (0 or 1)."""
    if _os.environ.get("TF_CPP_MIN_LOG_LEVEL") in ("0", "1") or "tensorflow" in _sys.modules:
        return
    _os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    _sys.stderr.flush()
    fd = _sys.stderr.fileno()
    saved, devnull = _os.dup(fd), _os.open(_os.devnull, _os.O_WRONLY)
    try:
        _os.dup2(devnull, fd)
        import tensorflow  # noqa: F401
    finally:
        _os.dup2(saved, fd)
        _os.close(saved)
        _os.close(devnull)


if _started_by_the_command_line():
    _import_tensorflow_quietly()

from kerasgan import callbacks, checkpoint, data, distribute, images, losses, metrics, nets, saving, toy, zoo  # noqa: E402
from kerasgan.gan import GAN  # noqa: E402
from kerasgan.saving import save_atomic  # noqa: E402
from kerasgan.training import train  # noqa: E402
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
    "train",
    "save_atomic",
    "VanillaGAN",
    "DCGAN",
    "ConditionalGAN",
    "ACGAN",
    "LSGAN",
    "WGAN",
    "WGANGP",
    "callbacks",
    "checkpoint",
    "data",
    "distribute",
    "images",
    "losses",
    "metrics",
    "nets",
    "saving",
    "toy",
    "zoo",
    "__version__",
]
