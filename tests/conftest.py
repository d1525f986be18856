"""Shared fixtures: quiet TensorFlow, fixed seeds, small networks."""

import importlib.util
import os
import pathlib

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
if os.environ.get("PYTEST_XDIST_WORKER"):  # one xdist worker a core (-n 2 on 2 cores): one TensorFlow thread each
    # (and in the command lines the tests start), not two workers' pools contending for the same cores: measured
    # 3-8 % faster on the 2-core CI machine
    os.environ.setdefault("TF_NUM_INTRAOP_THREADS", "1")

import tensorflow as tf  # noqa: E402

# Two logical CPU devices, configured before TensorFlow initialises, so the
# distribution tests can run a 2-replica MirroredStrategy on this CPU.
_cpus = tf.config.list_physical_devices("CPU")
tf.config.set_logical_device_configuration(_cpus[0], [tf.config.LogicalDeviceConfiguration()] * 2)

import keras  # noqa: E402
import pytest  # noqa: E402

#: Network options that keep every variant small enough for CPU tests.
SMALL = {"dcgan": {"base_filters": 8}, "mlp": {"hidden_units": (32, 32)}}


def small_options(variant: str) -> dict:
    import kerasgan

    return dict(SMALL[kerasgan.get_variant(variant).network])


#: The project root (the folder that holds ``scripts/``).
ROOT = pathlib.Path(__file__).resolve().parents[1]


def script(name: str):
    """``scripts/NAME.py`` loaded as a module (the scripts are not a package), for testing their functions."""
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def softplus(x):
    """``log(1 + e^x)`` in numpy: the logit losses' closed form."""
    import numpy as np

    return np.logaddexp(0.0, x)


def cross_entropy(logits, labels):
    """Per-example softmax cross-entropy of integer ``labels`` in numpy."""
    import numpy as np

    logits = logits - logits.max(axis=1, keepdims=True)
    return np.log(np.exp(logits).sum(axis=1)) - logits[np.arange(len(labels)), labels]


def linear_label_networks(values: int, shape: tuple, heads: list) -> tuple:
    """Networks whose losses numpy can compute: G(z, y) = row y of the embedding layer ``per_label`` (z is ignored)
    and a linear D with one Dense head per ``(units, name)`` of ``heads`` on the flattened image."""
    z, label = keras.Input((2,)), keras.Input((), dtype="int32")
    ignored = keras.layers.Dense(4, kernel_initializer="zeros", use_bias=False, trainable=False)(z)
    per_label = keras.layers.Embedding(values, 4, embeddings_initializer="uniform", name="per_label")(label)
    generator = keras.Model([z, label], keras.layers.Reshape(shape)(keras.layers.Add()([per_label, ignored])))
    image = keras.Input(shape)
    features = keras.layers.Flatten()(image)
    discriminator = keras.Model(image, [keras.layers.Dense(units, name=name)(features) for units, name in heads])
    return generator, discriminator


@pytest.fixture(scope="session")
def mirrored():
    """One 2-replica MirroredStrategy for the session (strategies are not
    meant to be created over and over in one process)."""
    return tf.distribute.MirroredStrategy(["/device:CPU:0", "/device:CPU:1"])


@pytest.fixture(scope="session")
def shared_data():
    """The folder named by KERASGAN_DATA (holding mnist/). Missing: a failure
    under CI (CI is set), a skip on a developer machine."""
    import pathlib

    path = os.environ.get("KERASGAN_DATA")
    if path and (pathlib.Path(path) / "mnist" / "t10k-images-idx3-ubyte.gz").is_file():
        return pathlib.Path(path)
    message = (
        f"the shared data is missing: KERASGAN_DATA={path!r} must name the folder holding "
        "mnist/t10k-images-idx3-ubyte.gz (.ci/run sets it to ../shared/data)"
    )
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="session")
def cifar10_data(shared_data):
    """The CIFAR-10 JPEG folders under KERASGAN_DATA (cifar10/train/<class>/*.jpg); missing: as shared_data."""
    path = shared_data / "cifar10"
    if (path / "train" / "airplane").is_dir() and (path / "test" / "airplane").is_dir():
        return path
    message = f"the shared CIFAR-10 copy is missing: {path} must hold train/<class>/*.jpg and test/<class>/*.jpg"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(autouse=True)
def _seeded():
    keras.utils.set_random_seed(1234)
    yield


def pytest_terminal_summary(terminalreporter):
    """The bad-data fuzz tests' counts: how many corrupted inputs of each kind were tried and refused."""
    import sys

    report = getattr(sys.modules.get("test_bad_data"), "REPORT", None)
    if report:
        tried, refused = sum(t for t, _ in report.values()), sum(r for _, r in report.values())
        terminalreporter.write_sep("-", f"bad-data fuzz: {tried} corrupted inputs of {len(report)} kinds, "
                                        f"{refused} refused naming the file, {tried - refused} loaded clean")
        for kind, (t, r) in sorted(report.items()):
            terminalreporter.write_line(f"  {kind:<34} {t:>3} tried, {r:>3} refused")
