"""Any TFDS image dataset by name (``"mnist"``, ``"cifar10"``, ``"celeb_a"``, ...).

The image and class-label features and the number of classes are read from
the dataset's registered ``info`` (describing downloads nothing). Preparing
downloads the data when it is not in ``data_dir`` yet; where TFDS cannot
download (no network) it says so at once, with where it looked and the
offline alternatives, instead of retrying for minutes.

Example:

>>> from kerasgan.data.tfds import TfdsSource
>>> info = TfdsSource("mnist").describe()
>>> info.image_shape, info.num_classes
((28, 28, 1), 10)
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from typing import Any
from urllib.parse import urlparse

from kerasgan.data.source import DEFAULT_SOURCE, DatasetInfo, DatasetUnavailableError, Source, register_source

__all__ = ["TfdsSource", "reachable"]

#: TFDS first tries its prepared copies on Google Cloud Storage.
_GCS_HOST = "storage.googleapis.com"


def reachable(hosts, timeout: float = 5.0) -> bool | None:
    """Whether any of ``hosts`` resolves to an address (a DNS lookup, no
    connection): ``False`` when none does, ``None`` when the lookups did not
    finish within ``timeout`` seconds (unknown).

    Example:

    >>> reachable(["localhost"])
    True
    """
    result: list[bool] = []

    def lookup():
        for host in hosts:
            try:
                socket.getaddrinfo(host, 443)
            except (OSError, UnicodeError):
                continue
            result.append(True)
            return
        result.append(False)

    thread = threading.Thread(target=lookup, daemon=True)
    thread.start()
    thread.join(timeout)
    return result[0] if result else None


class TfdsSource(Source):
    """A TFDS dataset (see the module docstring)."""

    def __init__(self, location: str, split: str | None = None, data_dir: str | None = None,
                 download: bool = True, download_config: Any = None):
        import tensorflow_datasets as tfds

        super().__init__(location, split or "train")
        self.download, self.download_config = download, download_config
        try:
            self.builder = tfds.builder(location, data_dir=data_dir)
        except tfds.core.registered.DatasetNotFoundError:
            raise ValueError(
                f"kerasgan: unknown dataset {location!r}: not a TFDS dataset (see tfds.list_builders()) and not "
                "a local source (folder:PATH, idx:PATH, toy:ring8, toy:grid25)."
            ) from None
        features = self.builder.info.features
        top = dict(features.items()) if hasattr(features, "items") else {}
        images = [k for k, f in top.items() if isinstance(f, tfds.features.Image)]
        labels = [k for k, f in top.items() if isinstance(f, tfds.features.ClassLabel)]
        if not images:
            raise ValueError(f"kerasgan: the TFDS dataset {location!r} has no image feature (features: {sorted(top)}).")
        self.image_key = "image" if "image" in images else images[0]
        self.label_key = ("label" if "label" in labels else labels[0]) if labels else None
        self.features = top

    def _num_examples(self) -> int | None:
        try:
            return int(self.builder.info.splits[self.split].num_examples) or None
        except Exception:  # noqa: BLE001 - not prepared yet, or mocked data
            return None

    def describe(self) -> DatasetInfo:
        label = self.features[self.label_key] if self.label_key else None
        return DatasetInfo(
            name=self.location,
            source="tfds",
            split=self.split,
            image_shape=tuple(self.features[self.image_key].shape),
            num_classes=int(label.num_classes) if label else None,
            class_names=tuple(label.names) if label else None,
            num_examples=self._num_examples(),
        )

    def _unavailable(self, cause: str) -> DatasetUnavailableError:
        data_dir = os.path.dirname(os.path.dirname(self.builder.data_dir))
        return DatasetUnavailableError(
            f"kerasgan: TFDS could not download or find the prepared dataset {self.location!r} ({cause}); it "
            f"looked in data_dir={data_dir}. Offline: point data_dir (--data_dir) at a folder holding a prepared "
            "copy, pass download_config=tfds.download.DownloadConfig(manual_dir=...) with the original files, "
            "or train from local files: idx:PATH (MNIST-format IDX files) or folder:PATH (image folders)."
        )

    def _is_prepared(self) -> bool:
        """``builder.is_prepared()`` without absl's warning about a half-made folder
        (a failed download leaves one)."""
        logger = logging.getLogger("absl")
        level = logger.level
        logger.setLevel(logging.ERROR)
        try:
            return self.builder.is_prepared()
        finally:
            logger.setLevel(level)

    def prepare(self) -> DatasetInfo:
        import tensorflow_datasets as tfds

        if not self._is_prepared():
            if not self.download:
                raise self._unavailable("download=False and it is not prepared there")
            # tfds.testing.mock_data replaces download_and_prepare with a no-op: nothing to reach then.
            mocked = tfds.core.DatasetBuilder.download_and_prepare.__name__.startswith("mock")
            try:
                urls = list(self.builder.url_infos or {})
            except Exception:  # noqa: BLE001 - builders without a checksums file
                urls = []
            hosts = sorted({urlparse(url).hostname for url in urls if urlparse(url).hostname} | {_GCS_HOST})
            if not mocked and reachable(hosts) is False:
                raise self._unavailable(f"no network: none of its download hosts resolves ({', '.join(hosts)})")
            try:
                self.builder.download_and_prepare(download_config=self.download_config)
            except Exception as error:  # noqa: BLE001 - TFDS raises many kinds; we add the remedy
                raise self._unavailable(f"{type(error).__name__}: {error}") from error
        return self.describe()

    def examples(self, shuffle_files: bool = False, seed: int | None = None, reshuffle_files: bool = True):
        import tensorflow as tf
        import tensorflow_datasets as tfds

        read_config = tfds.ReadConfig(shuffle_seed=seed, try_autocache=False,
                                      shuffle_reshuffle_each_iteration=reshuffle_files)
        dataset = self.builder.as_dataset(split=self.split, shuffle_files=shuffle_files, read_config=read_config)
        image_key, label_key = self.image_key, self.label_key

        def select(example):
            element = {"image": example[image_key]}
            if label_key:
                element["label"] = tf.cast(example[label_key], tf.int32)
            return element

        return dataset.map(select, num_parallel_calls=tf.data.AUTOTUNE)


register_source(TfdsSource, DEFAULT_SOURCE)  # the names without a prefix: "mnist", "cifar10"
