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

__all__ = ["save_atomic", "load_model", "load_weights"]

_UNSAFE = ("safe_mode", "lambda", "arbitrary code")


def save_atomic(model: keras.Model, path: str | os.PathLike) -> str:
    """Save ``model`` to ``path`` (.keras) through a temporary file and a rename,
    so an interrupted save never leaves a half-written file at ``path``.

    Example:

    >>> import keras, os, tempfile
    >>> m = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    >>> p = save_atomic(m, os.path.join(tempfile.mkdtemp(), "m.keras"))
    >>> os.path.exists(p), os.path.exists(p + ".tmp.keras")
    (True, False)
    """
    path = os.fspath(path)
    tmp = path + ".tmp.keras"
    try:
        model.save(tmp)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)
    return path


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
