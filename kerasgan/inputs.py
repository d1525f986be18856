"""What a GAN accepts as training data, and the errors for what it does not.

``fit`` takes images alone, ``(images, labels)`` tuples (Keras' ``x, y``) or
tfds-style ``{"image", "label"}`` dicts; uint8 images are scaled to [-1, 1]
(:func:`scale_images`), float images must already be in [-1, 1] (beyond
``±IMAGE_RANGE_LIMIT`` they are refused as unnormalised), labels are integer
class ids in ``[0, num_classes)``. :func:`unpack_batch` runs inside the
compiled train step; :func:`check_data` checks arrays or a dataset's
``element_spec`` before ``fit`` traces anything, so a wrong shape is reported
with the shapes the user gave.

Example:

>>> import numpy as np
>>> from kerasgan import inputs
>>> images, labels = inputs.unpack_batch((np.zeros((2, 28, 28), "uint8"), [3, 4]), (28, 28, 1), num_classes=10)
>>> images.shape, float(images[0, 0, 0, 0]), labels.numpy().tolist()
(TensorShape([2, 28, 28, 1]), -1.0, [3, 4])
"""

from __future__ import annotations

import re
from typing import Any

import keras
import tensorflow as tf

__all__ = [
    "IMAGE_RANGE_LIMIT",
    "INPUT_ERROR",
    "scale_images",
    "unpack_batch",
    "check_data",
    "shape_error",
    "label_dtype_error",
    "input_error",
    "batch_shape",
    "check_fit_data",
    "real_minibatches",
]

#: Runtime checks inside the compiled step fail with ``InvalidArgumentError``;
#: :func:`input_error` turns the ones whose message carries this marker into ``ValueError``.
INPUT_ERROR = "kerasgan input error: "
#: Float images beyond [-IMAGE_RANGE_LIMIT, IMAGE_RANGE_LIMIT] are refused as unnormalised.
IMAGE_RANGE_LIMIT = 1.5


def scale_images(images: Any) -> tf.Tensor:
    """Images as float32: uint8 0..255 mapped to [-1, 1] (``x / 127.5 - 1``), floats cast.

    Example:

    >>> import numpy as np
    >>> scale_images(np.array([0, 255], "uint8")).numpy().tolist()
    [-1.0, 1.0]
    """
    images = tf.convert_to_tensor(images)
    if images.dtype == tf.uint8:
        return tf.cast(images, tf.float32) * (1.0 / 127.5) - 1.0
    return tf.cast(images, tf.float32)


def batch_shape(shape) -> str:
    """``(batch, 28, 28, 1)``: a shape with its batch axis named.

    Example:

    >>> batch_shape((None, 28, 28, 1))
    '(batch, 28, 28, 1)'
    """
    return "(" + ", ".join(["batch"] + [str(s) for s in tuple(shape)[1:]]) + (",)" if len(shape) == 1 else ")")


def shape_error(image_shape: tuple, got: tuple) -> ValueError:
    """The error for images of shape ``got`` given to a GAN of ``image_shape``.

    Example:

    >>> print(str(shape_error((28, 28, 1), (32, 32, 3)))[:64])
    kerasgan: expected images of shape (batch, 28, 28, 1) (the gener
    """
    return ValueError(
        f"kerasgan: expected images of shape {batch_shape((None,) + tuple(image_shape))} "
        f"(the generator's output shape), got {batch_shape((None,) + tuple(got))}. Resize the "
        "data or build the GAN with a matching image_shape."
    )


def label_dtype_error(num_classes: int, dtype: tf.DType) -> ValueError:
    """The error for labels of a non-integer ``dtype``.

    Example:

    >>> "convert one-hot labels with argmax" in str(label_dtype_error(10, tf.float32))
    True
    """
    return ValueError(
        f"kerasgan: labels must be integer class ids in [0, {num_classes}), got dtype "
        f"{dtype.name}; convert one-hot labels with argmax."
    )


def _split(data) -> tuple[Any, Any]:
    """``(images, labels or None)`` of a dict, a Keras ``(x, y[, w])`` tuple or an array."""
    if isinstance(data, dict):
        if "image" not in data:
            raise ValueError(f"kerasgan: a dict batch needs an 'image' key (tfds style); got keys {sorted(data)}.")
        return data["image"], data.get("label")
    if isinstance(data, (tuple, list)):
        images, labels, _ = keras.utils.unpack_x_y_sample_weight(tuple(data))
        if labels is None and isinstance(images, (tuple, list, dict)):
            return _split(images)  # fit(x=(images, labels)): Keras wraps the pair once more
        return images, labels
    return data, None


def _with_channel_axis(shape: tuple, image_shape: tuple) -> bool:
    """True for grayscale ``(H, W)`` images given to a GAN of ``(H, W, 1)``."""
    return len(shape) == len(image_shape) - 1 and image_shape[-1] == 1


def unpack_batch(data: Any, image_shape: tuple, num_classes: int | None = None) -> tuple[tf.Tensor, tf.Tensor | None]:
    """Images (float32 in [-1, 1]) and int32 labels (or None) from one batch.

    Runs inside the compiled train step: the value checks (float range, label
    range) are ``tf.debugging`` assertions whose messages carry
    :data:`INPUT_ERROR`.

    Example:

    >>> import numpy as np
    >>> images, labels = unpack_batch({"image": np.zeros((2, 2), "float32")}, (2,))
    >>> images.shape, labels
    (TensorShape([2, 2]), None)
    """
    images, labels = _split(data)
    images = tf.convert_to_tensor(images)
    shape = tuple(images.shape[1:])
    if _with_channel_axis(shape, image_shape):
        images = images[..., tf.newaxis]
        shape = tuple(images.shape[1:])
    if shape != tuple(image_shape):
        raise shape_error(image_shape, shape)
    if not (images.dtype == tf.uint8 or images.dtype.is_floating):
        raise ValueError(
            f"kerasgan: images must be uint8 (0..255) or float in [-1, 1], got dtype {images.dtype.name}."
        )
    checked = images.dtype.is_floating and len(image_shape) == 3  # 2-D toy points have no range
    images = scale_images(images)
    if checked:
        message = (
            f"{INPUT_ERROR}float images must lie in [-1, 1], but a batch has values beyond "
            f"+-{IMAGE_RANGE_LIMIT}: the data looks unnormalised (0..255?). Scale it with x / 127.5 - 1, "
            "or give uint8 images (kerasgan scales those)."
        )
        beyond = tf.reduce_any(tf.abs(images) > IMAGE_RANGE_LIMIT)  # NaN is left to the divergence guard
        with tf.control_dependencies([tf.debugging.assert_equal(beyond, False, message=message)]):
            images = tf.identity(images)
    if not num_classes:
        return images, None
    if labels is None:
        raise ValueError(
            f"kerasgan: this GAN is class-conditional (num_classes={num_classes}) and needs "
            "labels: give fit (image, label) tuples or {'image': ..., 'label': ...} dicts."
        )
    labels = tf.convert_to_tensor(labels)
    if not labels.dtype.is_integer:
        raise label_dtype_error(num_classes, labels.dtype)
    if labels.shape.rank == 2 and labels.shape[-1] == 1:
        labels = labels[:, 0]
    if labels.shape.rank != 1:
        raise ValueError(
            f"kerasgan: expected labels of shape (batch,) with class ids in [0, {num_classes}), "
            f"got shape {batch_shape(labels.shape)}."
        )
    labels = tf.cast(labels, tf.int32)
    message = (
        f"{INPUT_ERROR}labels must be class ids in [0, {num_classes}) "
        f"(num_classes={num_classes}); found a label outside that range."
    )
    checks = [
        tf.debugging.assert_non_negative(labels, message=message),
        tf.debugging.assert_less(labels, num_classes, message=message),
    ]
    with tf.control_dependencies(checks):
        labels = tf.identity(labels)
    return images, labels


def check_data(x: Any, image_shape: tuple, num_classes: int | None = None) -> None:
    """Check the images' shape and the labels' dtype of arrays or a
    ``tf.data.Dataset``'s ``element_spec`` (what ``fit`` is given), before
    anything is traced. Anything it cannot read (generators, ``None``) passes.

    Example:

    >>> import numpy as np
    >>> check_data(np.zeros((4, 28, 28), "uint8"), (28, 28, 1))  # grayscale without a channel axis: fine
    >>> check_data(np.zeros((4, 32, 32, 3)), (28, 28, 1))
    Traceback (most recent call last):
    ...
    ValueError: kerasgan: expected images of shape (batch, 28, 28, 1) (the generator's output shape), got (batch, 32, 32, 3). Resize the data or build the GAN with a matching image_shape.
    """
    if isinstance(x, tf.data.Dataset):
        spec = x.element_spec
    elif x is None or callable(x) or not tf.nest.flatten(x) or not hasattr(tf.nest.flatten(x)[0], "shape"):
        return
    else:
        spec = x
    if isinstance(spec, dict) and "image" not in spec:
        return
    images, labels = _split(spec)
    if images is None or not hasattr(images, "shape"):
        return
    shape = tuple(images.shape)[1:]
    if _with_channel_axis(shape, image_shape):
        shape = shape + (1,)
    if len(shape) != len(image_shape) or any(
        d is not None and d != e for d, e in zip(shape, image_shape, strict=False)
    ):
        raise shape_error(image_shape, tuple(images.shape)[1:])
    if num_classes and labels is not None and hasattr(labels, "dtype"):
        dtype = tf.as_dtype(labels.dtype)
        if not dtype.is_integer:
            raise label_dtype_error(num_classes, dtype)


def input_error(error: tf.errors.InvalidArgumentError) -> ValueError | None:
    """The ``ValueError`` that a failed input check inside the step means, or
    ``None`` when ``error`` is not one.

    Example:

    >>> e = tf.errors.InvalidArgumentError(None, None, INPUT_ERROR + "labels must be class ids\\n[[node]]")
    >>> input_error(e)
    ValueError('kerasgan: labels must be class ids')
    """
    message = str(error.message)
    if INPUT_ERROR not in message:
        return None
    detail = re.split(r"\] \[|\n", message.split(INPUT_ERROR, 1)[1])[0]
    return ValueError(f"kerasgan: {detail}")


def check_fit_data(x: Any) -> None:
    """Refuse what ``fit`` cannot train on with a clear message: an empty ``tf.data.Dataset`` (no batches) or an
    empty array of images.

    Example:

    >>> import numpy as np
    >>> check_fit_data(np.zeros((0, 28, 28, 1)))
    Traceback (most recent call last):
    ...
    ValueError: kerasgan: fit got an empty array of images (0 examples); give it some data.
    """
    if isinstance(x, tf.data.Dataset):
        if int(x.cardinality()) == 0:
            raise ValueError("kerasgan: the dataset is empty (no batches); check its source, split and "
                             "batch_size (with drop_remainder a batch_size above the dataset size leaves none).")
    elif any(getattr(a, "shape", None) is not None and len(a.shape) and a.shape[0] == 0
             for a in tf.nest.flatten(x)[:1]):
        raise ValueError("kerasgan: fit got an empty array of images (0 examples); give it some data.")


def real_minibatches(images, labels, k: int) -> list:
    """The ``k`` real minibatches of one train step: a batch of k·m examples split into k of m, one per D update
    (Algorithm 1 of Goodfellow et al. and of both WGAN papers); a batch that k does not divide is used whole by
    every D update. Under a strategy this is the replica's batch.

    Example:

    >>> parts = real_minibatches(tf.range(6), None, 3)
    >>> [p[0].numpy().tolist() for p in parts]
    [[0, 1], [2, 3], [4, 5]]
    """
    if k == 1:
        return [(images, labels)]
    static = images.shape[0]
    if static is not None:
        if static % k:
            return [(images, labels)] * k
        parts = tf.split(images, k)
        return list(zip(parts, tf.split(labels, k) if labels is not None else [None] * k))
    size = tf.shape(images)[0]
    divisible = tf.equal(size % k, 0)
    m = tf.where(divisible, size // k, size)
    minibatches = []
    for i in range(k):
        start = tf.where(divisible, i * m, 0)
        minibatches.append((images[start:start + m], None if labels is None else labels[start:start + m]))
    return minibatches
