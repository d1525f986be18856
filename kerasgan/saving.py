"""Saving and loading ``.keras`` files: atomically, safely, with clear errors.

``save_atomic`` writes through a temporary file and a rename, so an
interrupted save never leaves a half-written file in place of a good one.
``load_model`` and ``load_weights`` open files with Keras ``safe_mode`` (a
file cannot run Python code on load: a ``Lambda`` layer's bytecode is
refused) and turn Keras' low-level errors for missing, truncated, corrupted
or unsafe files into one ``ValueError`` that names the file, says what is
wrong with it and what to do. Loading never writes.

Example:

>>> import keras, os, tempfile
>>> from kerasgan import saving
>>> path = os.path.join(tempfile.mkdtemp(), "m.keras")
>>> _ = saving.save_atomic(keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)]), path)
>>> saving.load_model(path).output_shape
(None, 1)
"""

from __future__ import annotations

import os
import zipfile
import zlib

import keras
import numpy as np

from kerasgan import layers  # noqa: F401  (registers the custom layers that saved networks name)
from kerasgan.sampling import latent_points

__all__ = ["save_atomic", "load_model", "load_weights", "with_dtype", "weights_dtype", "stored_difference"]

_UNSAFE = ("safe_mode", "lambda", "arbitrary code")


def save_atomic(model: keras.Model, path: str | os.PathLike, dtype: str | None = None) -> str:
    """Save ``model`` to ``path`` (.keras) through a temporary file and a rename,
    so an interrupted save never leaves a half-written file at ``path``.
    ``dtype="float16"`` stores a copy whose variables are float16
    (:func:`with_dtype`): half the bytes; load it back with
    ``with_dtype(load_model(path), "float32")``.

    Example:

    >>> import keras, os, tempfile
    >>> m = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    >>> p = save_atomic(m, os.path.join(tempfile.mkdtemp(), "m.keras"))
    >>> os.path.exists(p), os.path.exists(p + ".tmp.keras")
    (True, False)
    """
    path = os.fspath(path)
    tmp = path + ".tmp.keras"
    if dtype is not None:
        model = with_dtype(model, dtype)
    try:
        model.save(tmp)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)
    return path


_INTEGER_DTYPES = ("int8", "int16", "int32", "int64", "uint8", "bool")


def _policy_to(config, dtype: str):
    """A layer config with every floating dtype (policy) set to ``dtype``, nested layers included."""
    if isinstance(config, dict):
        return {key: dtype if key == "dtype" and not (isinstance(value, str) and value in _INTEGER_DTYPES)
                else _policy_to(value, dtype) for key, value in config.items()}
    if isinstance(config, list):
        return [_policy_to(item, dtype) for item in config]
    return config


def with_dtype(model: keras.Model, dtype: str) -> keras.Model:
    """A copy of ``model`` whose layers compute in and store ``dtype``
    (``"float16"``, ``"float32"``, ...), with its weights cast to it.

    The zoo stores large networks with ``with_dtype(model, "float16")``
    (half the bytes; weights rounded to 11 significant bits) and loads them
    with ``with_dtype(model, "float32")``, which computes in float32 again.
    Inputs keep their dtypes (integer labels stay integers).

    Example:

    >>> import keras, numpy as np
    >>> m = keras.Sequential([keras.Input((2,)), keras.layers.Dense(3)])
    >>> half = with_dtype(m, "float16")
    >>> half.layers[0].kernel.dtype
    'float16'
    >>> back = with_dtype(half, "float32")
    >>> x = np.ones((1, 2), "float32")
    >>> bool(np.allclose(back(x), m(x), atol=1e-2)), back.layers[0].kernel.dtype
    (True, 'float32')
    """
    def clone(layer):
        return layer.__class__.from_config(_policy_to(layer.get_config(), dtype))

    copy = keras.models.clone_model(model, clone_function=clone)
    copy.set_weights([weight.astype(dtype) if weight.dtype.kind == "f" else weight for weight in model.get_weights()])
    return copy


def weights_dtype(model: keras.Model) -> str:
    """The dtype of ``model``'s floating-point variables (``"mixed"`` if they differ).

    Example:

    >>> import keras
    >>> weights_dtype(keras.Sequential([keras.Input((2,)), keras.layers.Dense(3)]))
    'float32'
    """
    kinds = {str(v.dtype) for v in model.weights if "float" in str(v.dtype)}
    return kinds.pop() if len(kinds) == 1 else "mixed"


def _check_archive(path: str) -> None:
    if not os.path.isfile(path):
        raise ValueError(f"kerasgan: no file at {path}; check the path (a .keras file is expected).")
    problem = None
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            if "config.json" not in names:
                problem = "it has no config.json"
            else:
                bad = archive.testzip()  # reads every member and checks its CRC
                if bad is not None:
                    problem = f"its member {bad} is damaged"
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as error:
        problem = f"{type(error).__name__}: {error}"
    if problem:
        raise ValueError(
            f"kerasgan: {path} is not a readable .keras file (truncated or corrupted: {problem}). "
            "Nothing was loaded or changed; restore the file from a copy (or retrain it)."
        )


def _explain(path: str, error: Exception) -> ValueError:
    text = str(error)
    if any(word in text.lower() for word in _UNSAFE):
        return ValueError(
            f"kerasgan: {path} contains Python code (e.g. a Lambda layer's bytecode), which Keras safe_mode "
            "refuses to run. Load it only if you trust its author: keras.models.load_model(path, "
            f"safe_mode=False). ({' '.join(text.split())[:300]})"
        )
    return ValueError(
        f"kerasgan: could not load {path}: {' '.join(text.split())[:500]}. If it names an unknown class, "
        "import the package that defines it (e.g. `import kerasgan`) first."
    )


def load_model(path: str | os.PathLike, compile: bool = True) -> keras.Model:
    """``keras.models.load_model(path, safe_mode=True)`` with clear errors for
    missing, truncated, corrupted or unsafe files (a ``ValueError`` naming
    the file and what to do).

    Example:

    >>> import os, tempfile
    >>> bad = os.path.join(tempfile.mkdtemp(), "bad.keras")
    >>> _ = open(bad, "wb").write(b"not a zip")
    >>> try:
    ...     load_model(bad)
    ... except ValueError as error:
    ...     print("is not a readable .keras file (truncated or corrupted" in str(error))
    True
    """
    path = os.fspath(path)
    _check_archive(path)
    try:
        return keras.models.load_model(path, safe_mode=True, compile=compile)
    except (ValueError, TypeError, KeyError, OSError) as error:
        raise _explain(path, error) from error


def load_weights(model: keras.Model, path: str | os.PathLike) -> None:
    """Load the weights (and the optimizers' and seed generators' state) of a
    ``.keras`` file into ``model``, which must have the same structure.

    Example:

    >>> import keras, os, tempfile
    >>> m = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    >>> p = save_atomic(m, os.path.join(tempfile.mkdtemp(), "m.keras"))
    >>> n = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    >>> load_weights(n, p)
    >>> bool((n.layers[0].kernel.numpy() == m.layers[0].kernel.numpy()).all())
    True
    """
    path = os.fspath(path)
    _check_archive(path)
    try:
        model.load_weights(path)
    except (ValueError, TypeError, KeyError, OSError) as error:
        raise _explain(path, error) from error


def stored_difference(generator, path: str, latent_dim: int, label_values: int | None) -> dict:
    """How far the stored (float16) generator's samples at ``path`` are from ``generator``'s (the trained one), both
    computing in float32 (a generator trained under mixed precision would otherwise add its bfloat16 arithmetic to the
    difference): 500 samples, seed 0; ``label_values``: the generator's classes or code values (None: unconditional): what a zoo card records as ``stored_dtype_check``.

    Example:

    >>> import os, tempfile, kerasgan
    >>> g = kerasgan.build("dcgan", (16, 16, 1), base_filters=4, latent_dim=8).generator
    >>> path = save_atomic(g, os.path.join(tempfile.mkdtemp(), "g.keras"), dtype="float16")
    >>> check = stored_difference(g, path, latent_dim=8, label_values=None)
    >>> check["samples"], check["max_abs_difference"] < 0.05
    (500, True)
    """
    stored = with_dtype(load_model(path, compile=False), "float32")
    latents = latent_points(500, latent_dim, seed=0)
    inputs = [latents, np.arange(500) % label_values] if label_values else latents
    trained = with_dtype(generator, "float32")
    trained = trained.predict(inputs, verbose=0, batch_size=250).astype("float64")
    difference = np.abs(stored.predict(inputs, verbose=0, batch_size=250) - trained)
    return {"samples": 500, "max_abs_difference": float(difference.max()),
            "mean_abs_difference": float(difference.mean()),
            "note": "pixels on the [-1, 1] scale; the stored weights load as float32 (kerasgan.saving.with_dtype)"}
