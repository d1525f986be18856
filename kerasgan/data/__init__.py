"""Input pipelines for GAN training: TFDS datasets by name, local files, toys.

:func:`load` returns a ``tf.data.Dataset`` that ``gan.fit`` takes as it is:
batches of float32 images in [-1, 1] (NHWC), with int32 labels when the
source has them (or when asked), cached in memory when the data fits,
shuffled, batched with ``drop_remainder`` and prefetched.

Sources (the ``name`` argument):

- any TFDS image dataset by name (``"mnist"``, ``"cifar10"``, ``"celeb_a"``,
  ...): the image and label features and the number of classes are read from
  the dataset's ``info``; ``data_dir`` and ``download_config`` (e.g. a
  ``manual_dir`` holding the original files) go to TFDS.
- ``"folder:PATH"``: images in class sub-folders ``PATH/<class>/*.png``
  (or ``PATH/<split>/<class>/...``, the layout of
  ``tfds.folder_dataset.ImageFolder``); class names are the sorted folder
  names. Images directly in ``PATH`` form an unlabelled set.
- ``"idx:PATH"``: MNIST-format IDX files (gzipped or not), ``PATH`` a folder
  or an images file. The standard prefixes name the split (``train-`` is
  ``"train"``, ``t10k-`` is ``"test"``); labels come from the matching
  ``*-labels-idx1-ubyte`` file when it is there.
- ``"toy:ring8"`` / ``"toy:grid25"``: 2-D Gaussian mixtures
  (:mod:`kerasgan.data.toy`, also ``kerasgan.toy``), float32 points of shape ``(2,)``.

The package has one module per source (:mod:`~kerasgan.data.tfds`,
:mod:`~kerasgan.data.folder`, :mod:`~kerasgan.data.idx`,
:mod:`~kerasgan.data.toy`), each a :class:`Source` that describes itself
without building a pipeline; :mod:`~kerasgan.data.splits` reads split
slices and :mod:`~kerasgan.data.pipeline` turns a source into batches.
Data that cannot be had (TFDS offline, a missing folder or file) raises
:class:`DatasetUnavailableError` (a ``ValueError``) naming where it looked;
local files that cannot be used (not images, truncated, damaged, too large,
an IDX file whose sizes disagree) raise :class:`BadDataError` (a
``ValueError``) naming them, before the first batch
(:mod:`~kerasgan.data.imagefile`); ``load(..., skip_bad=True)`` leaves bad
image files out instead.

Local sources accept TFDS-style split slices: ``"test[:9000]"``,
``"test[9000:]"``, ``"train[:80%]"``.

Example:

>>> import numpy as np, os, tempfile
>>> from PIL import Image
>>> from kerasgan import data
>>> root = tempfile.mkdtemp()
>>> for cls in ("cats", "dogs"):
...     os.makedirs(os.path.join(root, cls))
...     for i in range(4):
...         Image.fromarray(np.full((8, 8, 3), 40 * i, "uint8")).save(os.path.join(root, cls, f"{i}.png"))
>>> ds, info = data.load("folder:" + root, batch_size=4, shuffle=False, with_info=True)
>>> info.class_names, info.image_shape, info.num_examples
(('cats', 'dogs'), (8, 8, 3), 8)
>>> images, labels = next(iter(ds))   # classes interleaved: every slice holds each class
>>> images.dtype.name, float(images.numpy().min()), labels.numpy().tolist()
('float32', -1.0, [0, 1, 0, 1])
"""

from kerasgan.data import folder, idx, tfds, toy  # noqa: F401  the built-in sources register themselves
from kerasgan.data.idx import read_idx
from kerasgan.data.pipeline import describe, load, resize_images
from kerasgan.data.source import BadDataError, DatasetInfo, DatasetUnavailableError, Source, open_source
from kerasgan.data.splits import parse_split

__all__ = ["DatasetInfo", "DatasetUnavailableError", "BadDataError", "Source", "load", "describe", "open_source",
           "read_idx", "parse_split", "resize_images"]
