"""Cluster conditioning of a GAN (``clusters=K``): its k-means centers and shares, fitted before training and saved
with it. The clustering itself is :mod:`kerasgan.clustering`; the labels a step gives the networks are
:class:`kerasgan.gan.conditioning.ClusterLabels`.

Example:

>>> import numpy as np, kerasgan
>>> gan = kerasgan.build("dcgan", (28, 28, 1), clusters=3, base_filters=4, seed=0)
>>> gan.clusters_fitted
False
"""

from __future__ import annotations

from typing import Any

import numpy as np
import tensorflow as tf

from kerasgan import clustering, sampling

__all__ = ["ClusterConditioning"]


class ClusterConditioning:
    """The cluster part of :class:`kerasgan.GAN`: ``cluster_centers`` ``μ_k`` in φ-space and ``cluster_prior``
    ``p_data(k)`` (variables of the GAN when ``clusters`` is set), :meth:`fit_clusters` and their saving."""

    def _add_cluster_weights(self) -> None:
        if not self.clusters:
            return
        size = clustering.feature_size(self.image_shape)
        self.cluster_centers = self.add_weight(shape=(self.clusters, size), initializer="zeros", trainable=False,
                                               name="cluster_centers", dtype="float32")
        self.cluster_prior = self.add_weight(shape=(self.clusters,), initializer="zeros", trainable=False,
                                             name="cluster_prior", dtype="float32")

    @property
    def clusters_fitted(self) -> bool:
        """Whether :meth:`fit_clusters` has set the cluster centers of ``clusters`` (always False without).
        A preset (:meth:`from_preset`) brings the clusters' shares, for ``generate``, but not their centers:
        fit them on the data to fine-tune on."""
        return bool(self.clusters) and bool(np.any(self.cluster_centers.numpy()))

    def fit_clusters(self, data: Any, max_examples: int = 20_000, seed: int | None = None) -> np.ndarray:
        """Fit the ``clusters`` k-means clusters of the real images in ``data`` (an array of images or a
        ``tf.data.Dataset`` of batches, as ``fit`` takes them, read once; labels are ignored) and set ``p_data(k)``,
        each cluster's share: see :func:`kerasgan.clustering.fit` (k-means on a uniform sample of ``max_examples``
        of them). Call it once before the first ``fit``; the clusters are saved with the GAN. Returns the share.

        Example:

        >>> import numpy as np, kerasgan
        >>> gan = kerasgan.build("dcgan", (28, 28, 1), clusters=3, base_filters=4, seed=0)
        >>> images = np.random.default_rng(0).integers(0, 256, (60, 28, 28, 1)).astype("uint8")
        >>> gan.fit_clusters(images).shape, gan.clusters_fitted
        ((3,), True)
        >>> gan.compile()
        >>> history = gan.fit(images, batch_size=20, verbose=0)
        """
        if not self.clusters:
            raise ValueError("kerasgan: fit_clusters applies to a GAN built with clusters=K; this one has none.")
        batches = data if isinstance(data, tf.data.Dataset) else [data]
        images = (np.asarray(self._unpack(batch)[0]) for batch in batches)
        seed = (self.seed or 0) if seed is None else seed
        centers, prior = clustering.fit(images, self.clusters, seed=seed, max_examples=max_examples)
        self.cluster_centers.assign(centers)
        self.cluster_prior.assign(prior)
        return prior

    def assign_clusters(self, images: Any) -> np.ndarray:
        """The cluster id ``c(x) = argmin_k ||φ(x) - μ_k||²`` of each image (uint8 0..255 or floats in [-1, 1], as
        ``fit`` takes them), int32: the label a real image has in training.

        Example:

        >>> import numpy as np, kerasgan
        >>> gan = kerasgan.build("dcgan", (28, 28, 1), clusters=2, base_filters=4, seed=0)
        >>> images = np.concatenate([np.zeros((5, 28, 28, 1)), np.full((5, 28, 28, 1), 255)]).astype("uint8")
        >>> prior = gan.fit_clusters(images)
        >>> ids = gan.assign_clusters(images)
        >>> len(set(ids[:5])), len(set(ids[5:])), bool(ids[0] != ids[-1])
        (1, 1, True)
        """
        if not self.clusters:
            raise ValueError("kerasgan: assign_clusters applies to a GAN built with clusters=K; this one has none.")
        self._check_clusters_fitted()
        scaled = sampling.scaled_images(images, self.image_shape)  # checked and scaled as fit takes them
        return clustering.assign(clustering.features(scaled), self.cluster_centers).numpy()

    def _check_clusters_fitted(self) -> None:
        if self.clusters and not self.clusters_fitted:
            raise ValueError(f"kerasgan: this GAN is conditioned on clusters={self.clusters} k-means clusters of "
                             "its data, which are not fitted yet; call gan.fit_clusters(training images) before fit.")

    def _sampling_prior(self) -> np.ndarray | None:
        """``p_data(k)`` for ``generate`` (None without clusters); unfitted clusters cannot be sampled."""
        if not self.clusters:
            return None
        prior = self.cluster_prior.numpy()
        if not prior.sum() > 0:
            raise ValueError("kerasgan: the clusters of this GAN are not fitted; call gan.fit_clusters(images).")
        return prior

    def _save_clusters(self, store) -> None:
        if self.clusters:
            store["cluster_centers"] = self.cluster_centers.numpy()
            store["cluster_prior"] = self.cluster_prior.numpy()

    def _load_clusters(self, store) -> None:
        if self.clusters and "cluster_centers" in store.keys():
            self.cluster_centers.assign(np.asarray(store["cluster_centers"]))
            self.cluster_prior.assign(np.asarray(store["cluster_prior"]))
