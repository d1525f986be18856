"""Shared fixtures: quiet TensorFlow, fixed seeds, small networks."""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import keras  # noqa: E402
import pytest  # noqa: E402

#: Network options that keep every variant small enough for CPU tests.
SMALL = {"dcgan": {"base_filters": 8}, "mlp": {"hidden_units": (32, 32)}}


def small_options(variant: str) -> dict:
    import kerasgan

    return dict(SMALL[kerasgan.get_variant(variant).network])


@pytest.fixture(autouse=True)
def _seeded():
    keras.utils.set_random_seed(1234)
    yield
