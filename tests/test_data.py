"""kerasgan.data: TFDS (mocked), idx: on the real MNIST test split, folder:, toy:."""

import gzip
import os
import struct

import numpy as np
import pytest
import tensorflow as tf
import tensorflow_datasets as tfds
from PIL import Image

import kerasgan
from kerasgan import data

MNIST_TEST_COUNTS = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]


def _collect(ds):
    images, labels = [], []
    for batch in ds:
        if isinstance(batch, tuple):
            images.append(batch[0].numpy())
            labels.append(batch[1].numpy())
        else:
            images.append(batch.numpy())
    return np.concatenate(images), (np.concatenate(labels) if labels else None)


@pytest.mark.parametrize(
    "name, image_size, shape, num_classes",
    [
        ("mnist", None, (28, 28, 1), 10),
        ("fashion_mnist", None, (28, 28, 1), 10),
        ("cifar10", None, (32, 32, 3), 10),
        ("celeb_a", 64, (64, 64, 3), None),
    ],
)
def test_tfds_datasets_with_mock_data(name, image_size, shape, num_classes):
    with tfds.testing.mock_data(num_examples=40):
        ds, info = data.load(name, batch_size=8, image_size=image_size, seed=0, with_info=True)
        images, labels = _collect(ds)
        assert info.image_shape == shape and info.num_classes == num_classes and info.source == "tfds"
        assert images.shape == (40,) + shape and images.dtype == np.float32
        assert images.min() >= -1.0 and images.max() <= 1.0 and images.std() > 0.05
        if num_classes:
            assert labels.dtype == np.int32 and labels.shape == (40,)
            counts = np.bincount(labels, minlength=num_classes)
            assert len(counts) == num_classes and counts.sum() == 40
        else:
            assert labels is None
        variant = "cgan" if num_classes else "dcgan"
        gan = kerasgan.build(variant, shape, num_classes=num_classes, seed=0, base_filters=4)
        gan.compile()
        history = gan.fit(ds, epochs=1, verbose=0)
        assert int(gan.g_optimizer.iterations) == 5
        assert np.isfinite(history.history["d_loss"][0])


def test_tfds_reads_feature_names_from_info_not_a_table():
    with tfds.testing.mock_data(num_examples=16):
        info = data.describe("emnist")  # 62 classes, known only from its info
        assert (info.num_classes, info.image_shape) == (62, (28, 28, 1))
        ds = data.load("svhn_cropped", batch_size=8, shuffle=False)
        images, labels = next(iter(ds))
        assert images.shape == (8, 32, 32, 3) and labels.dtype == tf.int32


def test_celeb_a_center_crop_then_resize():
    with tfds.testing.mock_data(num_examples=8):
        raw = next(iter(tfds.builder("celeb_a").as_dataset(split="train", shuffle_files=False)))["image"]
    # the 178x178 centred square of a 218x178 portrait, resized
    crop = tf.image.crop_to_bounding_box(raw, 20, 0, 178, 178)
    expected = tf.cast(tf.clip_by_value(tf.round(tf.image.resize(crop, (64, 64), antialias=True)), 0, 255), tf.uint8)
    resize = data.resize_images((64, 64), "center")
    got = resize({"image": raw})["image"]
    np.testing.assert_array_equal(got.numpy(), expected.numpy())


def test_idx_real_mnist_test_split(shared_data):
    ds, info = data.load(f"idx:{shared_data / 'mnist'}", batch_size=500, shuffle=False, with_info=True)
    images, labels = _collect(ds)
    assert info.split == "test" and info.num_examples == 10_000 and info.num_classes == 10
    assert images.shape == (10_000, 28, 28, 1) and images.dtype == np.float32
    assert images.min() == -1.0 and images.max() == 1.0
    assert np.bincount(labels).tolist() == MNIST_TEST_COUNTS
    assert labels[:10].tolist() == [7, 2, 1, 0, 4, 1, 4, 9, 5, 9]  # file order with shuffle=False
    # shuffling keeps the multiset of labels
    shuffled = _collect(data.load(f"idx:{shared_data / 'mnist'}", batch_size=500, seed=1))[1]
    assert np.bincount(shuffled).tolist() == MNIST_TEST_COUNTS and not np.array_equal(shuffled, labels)


def test_idx_slices_and_images_file(shared_data):
    folder = shared_data / "mnist"
    head = data.load(f"idx:{folder}", split="test[:9000]", batch_size=1000, shuffle=False, with_info=True)[1]
    tail_ds, tail = data.load(f"idx:{folder / 't10k-images-idx3-ubyte.gz'}", split="test[9000:]", batch_size=100,
                              shuffle=False, with_info=True)
    assert (head.num_examples, tail.num_examples) == (9000, 1000)
    assert tail.split == "test[9000:]" and _collect(tail_ds)[1].shape == (1000,)
    with pytest.raises(ValueError, match=r"has no 'train' split; it holds \['test'\]"):
        data.load(f"idx:{folder}", split="train")


def _write_idx(path, array, magic_dims):
    payload = struct.pack(">I", 0x0800 + magic_dims) + b"".join(struct.pack(">I", d) for d in array.shape)
    with gzip.open(path, "wb") as handle:
        handle.write(payload + array.astype("uint8").tobytes())


def test_idx_damaged_files_are_refused(tmp_path):
    images = np.arange(3 * 4 * 4).reshape(3, 4, 4) % 256
    _write_idx(tmp_path / "train-images-idx3-ubyte.gz", images, 3)
    _write_idx(tmp_path / "train-labels-idx1-ubyte.gz", np.array([0, 1, 1]), 1)
    ds = data.load(f"idx:{tmp_path}", batch_size=3, shuffle=False)
    x, y = next(iter(ds))
    np.testing.assert_allclose(x.numpy()[..., 0], images / 127.5 - 1.0, atol=1e-6)
    assert y.numpy().tolist() == [0, 1, 1]
    raw = gzip.decompress((tmp_path / "train-images-idx3-ubyte.gz").read_bytes())
    with gzip.open(tmp_path / "train-images-idx3-ubyte.gz", "wb") as handle:
        handle.write(raw[:-5])
    with pytest.raises(ValueError, match="truncated or damaged"):
        data.load(f"idx:{tmp_path}", batch_size=1)
    with pytest.raises(ValueError, match="no IDX images file"):
        data.load(f"idx:{tmp_path.parent}", batch_size=1)


def _write_folder(root, classes, per_class, size=(10, 12), mode="RGB"):
    rng = np.random.default_rng(0)
    for name in classes:
        os.makedirs(root / name, exist_ok=True)
        for i in range(per_class):
            shape = (size[0], size[1], 3) if mode == "RGB" else size
            Image.fromarray(rng.integers(0, 256, shape).astype("uint8")).save(root / name / f"img_{i}.png")


def test_folder_of_class_subfolders(tmp_path):
    _write_folder(tmp_path, ["zebra", "ant", "moose"], per_class=4)
    ds, info = data.load(f"folder:{tmp_path}", batch_size=4, shuffle=False, with_info=True)
    images, labels = _collect(ds)
    assert info.class_names == ("ant", "moose", "zebra") and info.num_classes == 3
    assert info.image_shape == (10, 12, 3) and images.shape == (12, 10, 12, 3)
    assert labels.tolist() == [0, 1, 2] * 4  # interleaved by class: every slice holds every class
    first = np.asarray(Image.open(tmp_path / "ant" / "img_0.png"), "float32") / 127.5 - 1.0
    np.testing.assert_allclose(images[0], first, atol=1e-6)
    second_moose = np.asarray(Image.open(tmp_path / "moose" / "img_1.png"), "float32") / 127.5 - 1.0
    np.testing.assert_allclose(images[4], second_moose, atol=1e-6)
    _, tail = _collect(data.load(f"folder:{tmp_path}", split="train[9:]", batch_size=3, shuffle=False))
    assert sorted(tail.tolist()) == [0, 1, 2]
    shuffled, shuffled_labels = _collect(data.load(f"folder:{tmp_path}", batch_size=4, seed=3))
    assert sorted(shuffled_labels.tolist()) == sorted(labels.tolist()) and not np.array_equal(shuffled, images)


def test_folder_split_layout_grayscale_and_resize(tmp_path):
    _write_folder(tmp_path / "train", ["a", "b"], per_class=3, size=(16, 16), mode="L")
    _write_folder(tmp_path / "test", ["a", "b"], per_class=1, size=(16, 16), mode="L")
    ds, info = data.load(f"folder:{tmp_path}", split="test", batch_size=2, image_size=8, shuffle=False, with_info=True)
    images, labels = _collect(ds)
    assert info.image_shape == (8, 8, 1) and images.shape == (2, 8, 8, 1) and labels.tolist() == [0, 1]
    (tmp_path / "mixed" / "c").mkdir(parents=True)
    Image.new("RGB", (8, 8)).save(tmp_path / "mixed" / "c" / "x.png")
    Image.new("RGB", (9, 8)).save(tmp_path / "mixed" / "c" / "y.png")
    with pytest.raises(ValueError, match="2 different sizes.*pass image_size"):
        data.load(f"folder:{tmp_path / 'mixed'}", batch_size=1)
    assert _collect(data.load(f"folder:{tmp_path / 'mixed'}", batch_size=2, image_size=8))[0].shape == (2, 8, 8, 3)


def test_load_refuses_bad_requests(tmp_path):
    with pytest.raises(ValueError, match="unknown dataset 'not_a_dataset'"):
        data.load("not_a_dataset")
    with pytest.raises(ValueError, match="unknown dataset source 'http'"):
        data.load("http://example.org/x")
    with pytest.raises(ValueError, match="no images"):
        data.load(f"folder:{tmp_path}")
    _write_folder(tmp_path, ["a"], per_class=3)
    with pytest.raises(ValueError, match="has 3 examples, fewer than batch_size=8"):
        data.load(f"folder:{tmp_path}", batch_size=8)
    with pytest.raises(ValueError, match="has no labels"):
        data.load(f"folder:{tmp_path / 'a'}", batch_size=1, with_labels=True)
    with pytest.raises(ValueError, match="cannot read the split"):
        data.load("toy:ring8", split="train[::2]")


def test_toy_datasets_are_deterministic_and_labelled():
    a = _collect(data.load("toy:grid25", batch_size=100, num_examples=1000, shuffle=False))
    b = _collect(data.load("toy:grid25", batch_size=100, num_examples=1000, shuffle=False))
    np.testing.assert_array_equal(a[0], b[0])
    assert a[0].shape == (1000, 2) and set(a[1].tolist()) == set(range(25))
    assert kerasgan.toy.mode_coverage("grid25", a[0])["covered"] == 25


def test_vanilla_gan_covers_the_ring_of_8_gaussians(tmp_path):
    import keras

    settings = kerasgan.toy.TRAIN_SETTINGS
    ds = data.load("toy:ring8", batch_size=settings["batch_size"],
                   num_examples=settings["batch_size"] * settings["steps"], seed=0)
    gan = kerasgan.build("vanilla", image_shape=(2,), seed=0, **kerasgan.toy.GAN_SETTINGS)
    lr, beta_1 = settings["learning_rate"], settings["beta_1"]
    gan.compile(d_optimizer=keras.optimizers.Adam(lr, beta_1=beta_1), g_optimizer=keras.optimizers.Adam(lr, beta_1=beta_1),
                steps_per_execution=100)
    gan.fit(ds, epochs=1, verbose=0)
    samples = gan.generate(2000, seed=1)
    coverage = kerasgan.toy.mode_coverage("ring8", samples)
    assert coverage["covered"] >= 7, coverage
    # and a collapsed generator would not pass: the definition can fail
    assert kerasgan.toy.mode_coverage("ring8", np.tile(samples[:1], (2000, 1)))["covered"] <= 1
    path = kerasgan.toy.plot(samples, tmp_path / "ring.png", data=kerasgan.toy.sample("ring8", 1000)[0])
    assert Image.open(path).size == (400, 400)
