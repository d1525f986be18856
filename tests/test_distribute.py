"""Training under a 2-replica MirroredStrategy and a 2-worker MultiWorkerMirroredStrategy."""

import json
import os
import socket
import subprocess
import sys
import textwrap
import threading

import keras
import numpy as np
import pytest
import tensorflow as tf

import kerasgan
from conftest import small_options


def fix_noise(gan):
    """Make the noise a fixed function of each example (so it does not depend on
    the replica or the batch split): z_i = tanh(x_i M), alpha_i = sigmoid(mean x_i)."""
    projection = tf.constant(np.random.default_rng(7).normal(size=(28 * 28, gan.latent_dim)), tf.float32)
    unpack = gan._unpack
    batch = threading.local()  # MirroredStrategy traces each replica in its own thread

    def remembering_unpack(data):
        images, labels = unpack(data)
        batch.images = tf.reshape(images, [tf.shape(images)[0], -1])
        return images, labels

    gan._unpack = remembering_unpack
    gan._noise = lambda batch_size: tf.tanh(batch.images @ projection / 10.0)
    gan._uniform = lambda batch_size: tf.sigmoid(tf.reduce_mean(batch.images, axis=1) * 5.0)
    return gan


def make(variant, strategy, fixed=True, sgd=False, **options):
    with strategy.scope():
        keras.utils.set_random_seed(0)
        gan = kerasgan.build(variant, (28, 28, 1), seed=0, base_filters=4, **options)
        if fixed:
            fix_noise(gan)
        gan.compile(**({"d_optimizer": keras.optimizers.SGD(0.01), "g_optimizer": keras.optimizers.SGD(0.01)}
                       if sgd else {}))
    if gan.clusters:
        gan.fit_clusters(IMAGES)
    return gan


def relative_differences(a, b):
    return [
        float(np.linalg.norm(x.numpy() - y.numpy()) / (np.linalg.norm(x.numpy()) + 1e-12))
        for x, y in zip(a.weights, b.weights, strict=True)
    ]


IMAGES = np.random.default_rng(0).uniform(-1, 1, (72, 28, 28, 1)).astype("float32")


#: (variant, options, tolerances) of the one-device-vs-two-replicas comparison below
MATCHED = [
    ("dcgan", {"norm": None, "d_norm": None}, {}),  # BN-free DCGAN-shaped
    # layer-norm critic (the variant's d_norm; norm=None is the generator's), gradient penalty, 5 critic steps.
    # The layer norm's offsets get a gradient that is a difference of two nearly equal sums (fake minus real
    # critic slopes), which Adam divides by its own size: their summation-order rounding shows at ~1e-4
    # relative (7e-6 absolute) where every other weight agrees to 1e-6.
    ("wgan_gp", {"norm": None}, {"ln_1/beta": 1e-3}),
    # batch norm, synchronised under the strategy. Its statistics are sums whose order differs between one
    # device and two replicas; on an Intel Xeon with AMX (oneDNN) that rounding shows at up to 4e-5 relative
    # in the kernels and, as with the layer norm above, up to 2e-3 in the offsets beta and the output bias
    # (their gradients are differences of nearly equal sums, scaled by Adam); on an AMD EPYC all agreed to 1e-5.
    ("dcgan", {}, {"*": 1e-4, "project_bn/beta": 5e-3, "bn_0/beta": 5e-3, "bn_1/beta": 5e-3,
                   "convt_out/bias": 1e-3}),
    ("sngan", {}, {}),  # spectral norm: the power-iteration vectors stay equal across replicas
    ("dcgan", {"norm": None, "d_norm": None, "r1_weight": 1.0, "ema_decay": 0.9, "label_smoothing": 0.2}, {}),
    # cluster conditioning: each replica assigns its own real images to the (mirrored) centers
    ("lsgan", {"norm": None, "d_norm": None, "clusters": 3, "projection": True}, {}),
    # an encoder trained with G (MRGAN's regularizers), and MDGAN's manifold step with its two optimizers.
    # Trained with SGD here: the encoder's projection onto the latent sphere leaves gradient components that are
    # differences of nearly equal sums, which Adam divides by their own size, so with Adam the summation-order
    # rounding of one device vs two replicas grows to ~1e-2 relative in some biases after 10 steps (as the
    # layer norm's offsets above); with SGD every weight agrees to ~1e-6, which is what this test checks.
    ("mrgan", {"norm": None, "d_norm": None, "sgd": True}, {}),
    ("mdgan", {"norm": None, "d_norm": None, "sgd": True}, {}),
]
MATCHED_IDS = ["dcgan-bn-free", "wgan_gp", "dcgan-sync-bn", "sngan", "dcgan-r1-ema-smoothing", "lsgan-clusters",
               "mrgan", "mdgan"]


@pytest.mark.parametrize("variant, options, tolerances", MATCHED, ids=MATCHED_IDS)
def test_two_replicas_match_one_device(mirrored, variant, options, tolerances):
    # 72 examples in batches of 16: 4 full batches and a partial one of 8 (4 per replica)
    ds = tf.data.Dataset.from_tensor_slices(IMAGES).batch(16)
    single = make(variant, tf.distribute.get_strategy(), **options)
    h1 = single.fit(ds, epochs=2, verbose=0)
    two = make(variant, mirrored, **options)
    assert two.distribute_strategy.num_replicas_in_sync == 2
    h2 = two.fit(ds, epochs=2, verbose=0)
    assert set(tolerances) - {"*"} <= {w.path for w in single.weights}
    for weight, difference in zip(single.weights, relative_differences(single, two), strict=True):
        assert difference <= tolerances.get(weight.path, tolerances.get("*", 1e-5)), weight.path
    assert set(h1.history) == set(h2.history)
    for name in h1.history:
        np.testing.assert_allclose(h2.history[name], h1.history[name], rtol=1e-5, atol=1e-6, err_msg=name)
    assert int(two.d_optimizer.iterations.numpy()) == int(single.d_optimizer.iterations) == 10 * two.d_steps


def test_consistency_regularization_under_two_replicas_matches_one_device(mirrored):
    """bCR's term (Zhao et al. 2021) sums per example like every other term: with a transformation T that is a
    fixed function of each image (DiffAugment's draws differ per replica, as the noise does), two replicas train
    as one device."""
    ds = tf.data.Dataset.from_tensor_slices(IMAGES).batch(16)
    gans, histories = [], []
    for strategy in (tf.distribute.get_strategy(), mirrored):
        gan = make("dcgan", strategy, norm=None, d_norm=None, consistency_weight=10.0)
        gan.objective.terms[-1].transform = lambda images, seed: tf.roll(images, 1, axis=2) * 0.5
        histories.append(gan.fit(ds, epochs=2, verbose=0).history)
        gans.append(gan)
    assert max(relative_differences(*gans)) <= 1e-5
    assert histories[0]["consistency"][0] > 0
    for name in histories[0]:
        np.testing.assert_allclose(histories[1][name], histories[0][name], rtol=1e-5, atol=1e-6, err_msg=name)


def test_replicas_draw_different_noise(mirrored):
    gan = make("dcgan", mirrored, fixed=False)
    z = mirrored.run(tf.function(lambda: gan._noise(4)))
    first, second = (v.numpy() for v in mirrored.experimental_local_results(z))
    assert first.shape == second.shape == (4, 100)
    assert not np.allclose(first, second)
    assert abs(float(np.corrcoef(first.ravel(), second.ravel())[0, 1])) < 0.2


@pytest.mark.parametrize("variant", [v for v in kerasgan.VARIANTS if v not in {case[0] for case in MATCHED}])
def test_every_variant_fits_under_two_replicas(mirrored, variant):
    """The variants the comparison above leaves out fit under two replicas too (with their default networks and
    labels, on 32x32x3 images); the others are trained under two replicas there."""
    rng = np.random.default_rng(1)
    images = rng.uniform(-1, 1, (32, 32, 32, 3)).astype("float32")
    labels = rng.integers(0, 10, 32)
    num_classes = 10 if variant in ("cgan", "acgan") else None
    with mirrored.scope():
        gan = kerasgan.build(variant, (32, 32, 3), num_classes=num_classes, seed=0, **small_options(variant))
        gan.compile()
    data = (images, labels) if num_classes else (images,)
    history = gan.fit(*data, batch_size=16, epochs=1, verbose=0)
    for name, values in history.history.items():
        assert np.all(np.isfinite(values)), (name, values)


def _free_ports(n):
    sockets = [socket.socket() for _ in range(n)]
    for s in sockets:
        s.bind(("127.0.0.1", 0))
    ports = [s.getsockname()[1] for s in sockets]
    for s in sockets:
        s.close()
    return ports


WORKER = textwrap.dedent(
    """
    import json, os, sys
    index, ports, out = int(sys.argv[1]), sys.argv[2].split(","), sys.argv[3]
    os.environ["TF_CONFIG"] = json.dumps({"cluster": {"worker": [f"127.0.0.1:{p}" for p in ports]},
                                          "task": {"type": "worker", "index": index}})
    import numpy as np, keras, kerasgan
    strategy = kerasgan.distribute.strategy("multi_worker")  # before anything initialises TensorFlow
    images = np.random.default_rng(0).uniform(-1, 1, (64, 28, 28, 1)).astype("float32")
    import tensorflow as tf
    ds = tf.data.Dataset.from_tensor_slices(images).batch(16, drop_remainder=True)
    options = tf.data.Options()
    options.experimental_distribute.auto_shard_policy = tf.data.experimental.AutoShardPolicy.DATA
    ds = ds.with_options(options)
    with strategy.scope():
        keras.utils.set_random_seed(0)
        gan = kerasgan.build("dcgan", (28, 28, 1), seed=0, base_filters=4)
        gan.compile()
    history = gan.fit(ds, epochs=2, verbose=0)
    np.savez(os.path.join(out, f"worker{index}.npz"), *[w.numpy() for w in gan.weights])
    with open(os.path.join(out, f"worker{index}.json"), "w") as f:
        json.dump({"history": history.history, "replicas": strategy.num_replicas_in_sync,
                   "g_steps": int(gan.g_optimizer.iterations.numpy())}, f)
    """
)


def test_multi_worker_mirrored_strategy_two_workers(tmp_path):
    script = tmp_path / "worker.py"
    script.write_text(WORKER)
    ports = ",".join(map(str, _free_ports(2)))
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"}
    env.pop("TF_CONFIG", None)
    workers = [
        subprocess.Popen([sys.executable, str(script), str(i), ports, str(tmp_path)], env=env,
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        for i in range(2)
    ]
    try:
        outputs = [w.communicate(timeout=240)[0] for w in workers]
    finally:
        for w in workers:
            if w.poll() is None:
                w.kill()
    for w, out in zip(workers, outputs, strict=True):
        assert w.returncode == 0, out[-3000:]
    results = [json.loads((tmp_path / f"worker{i}.json").read_text()) for i in range(2)]
    assert [r["replicas"] for r in results] == [2, 2]
    assert [r["g_steps"] for r in results] == [8, 8]  # 2 epochs of 4 global batches of 16 (8 per worker)
    assert results[0]["history"] == results[1]["history"]
    first, second = np.load(tmp_path / "worker0.npz"), np.load(tmp_path / "worker1.npz")
    assert len(first.files) == len(second.files) > 0
    for key in first.files:
        np.testing.assert_array_equal(first[key], second[key])


def test_strategy_by_name():
    assert kerasgan.distribute.strategy("default").num_replicas_in_sync == 1
    assert kerasgan.distribute.strategy("auto").num_replicas_in_sync == 1  # no GPUs here
    with pytest.raises(ValueError, match="unknown strategy 'horovod'"):
        kerasgan.distribute.strategy("horovod")
    os.environ.pop("TF_CONFIG", None)
    with pytest.raises(ValueError, match="needs the TF_CONFIG environment variable"):
        kerasgan.distribute.strategy("multi_worker")
