"""Bad inputs to fit raise ValueError saying what was expected."""

import numpy as np
import pytest
import tensorflow as tf

import kerasgan


@pytest.fixture(scope="module")
def cgan():
    gan = kerasgan.build("cgan", (28, 28, 1), num_classes=10, seed=0, base_filters=4)
    gan.compile()
    return gan


def images(n=16, shape=(28, 28, 1)):
    return np.random.default_rng(0).uniform(-1, 1, (n,) + shape).astype("float32")


def test_conditional_gan_without_labels(cgan):
    with pytest.raises(ValueError, match=r"class-conditional \(num_classes=10\) and needs labels"):
        cgan.fit(images(), batch_size=8, verbose=0)
    ds = tf.data.Dataset.from_tensor_slices({"image": images()}).batch(8)
    with pytest.raises(ValueError, match="needs labels"):
        cgan.fit(ds, verbose=0)


@pytest.mark.parametrize("bad", [10, -1, 255])
def test_labels_outside_num_classes(cgan, bad):
    labels = np.zeros(16, "int64")
    labels[5] = bad
    with pytest.raises(ValueError, match=r"labels must be class ids in \[0, 10\) \(num_classes=10\)"):
        cgan.fit(images(), labels, batch_size=8, verbose=0)


def test_float_or_badly_shaped_labels(cgan):
    with pytest.raises(ValueError, match="labels must be integer class ids.*got dtype float32"):
        cgan.fit(images(), np.zeros(16, "float32"), batch_size=8, verbose=0)
    with pytest.raises(ValueError, match=r"expected labels of shape \(batch,\).*got shape \(batch, 10\)"):
        cgan.fit(images(), np.zeros((16, 10), "int32"), batch_size=8, verbose=0)


def test_images_of_the_wrong_shape(cgan):
    with pytest.raises(ValueError, match=r"expected images of shape \(batch, 28, 28, 1\).*got \(batch, 32, 32, 3\)"):
        cgan.fit(images(shape=(32, 32, 3)), np.zeros(16, "int32"), batch_size=8, verbose=0)
    dcgan = kerasgan.build("dcgan", (32, 32, 3), base_filters=4)
    dcgan.compile()
    with pytest.raises(ValueError, match=r"expected images of shape \(batch, 32, 32, 3\).*got \(batch, 28, 28, 1\)"):
        dcgan.fit(images(), batch_size=8, verbose=0)


def test_dict_batches_need_an_image_key(cgan):
    ds = tf.data.Dataset.from_tensor_slices({"img": images(), "label": np.zeros(16, "int32")}).batch(8)
    with pytest.raises(ValueError, match=r"needs an 'image' key.*\['img', 'label'\]"):
        cgan.fit(ds, verbose=0)


def test_the_gan_still_trains_after_a_refused_batch(cgan):
    before = [v.numpy().copy() for v in cgan.generator.trainable_variables]
    labels = np.full(16, 12, "int32")
    with pytest.raises(ValueError):
        cgan.fit(images(), labels, batch_size=16, verbose=0)
    # the refused batch changed nothing: the checks run before any update
    for b, v in zip(before, cgan.generator.trainable_variables):
        np.testing.assert_array_equal(b, v.numpy())
    history = cgan.fit(images(), np.arange(16) % 10, batch_size=8, verbose=0)
    assert np.isfinite(history.history["g_loss"][0])
