"""Behaviour is unchanged, provably: 3 training steps of every variant and every toolkit option on fixed seeds
(CPU, float32) give the weights recorded from the code before the house redesign (issue 33).

The recorded values are in ``tests/data/golden/weights.npz`` (with the CPU that recorded them); a GAN saved as a
``.keras`` file and a training checkpoint written by that code are in ``tests/data/golden/before_redesign/``.

On the CPU that recorded them the weights must be **bitwise** equal. On another CPU the same float32 programme
may sum in another order (oneDNN and Eigen choose their kernels by instruction set: AVX2, AVX-512, AMX), so there
they must agree within ``FOREIGN_CPU_TOLERANCE``: a change of behaviour (a term left out, another noise draw, a
different order of updates) moves weights by a whole learning-rate step (1e-4 to 5e-2 here), far beyond it.

Record (only with the code whose behaviour is the reference):

    python tests/test_golden.py --record
"""

from __future__ import annotations

import os
import pathlib
import platform
import sys

os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import numpy as np
import pytest

HERE = pathlib.Path(__file__).parent / "data" / "golden"
WEIGHTS = HERE / "weights.npz"
BEFORE = HERE / "before_redesign"
#: atol, rtol for a CPU other than the recording one (see the module docstring).
FOREIGN_CPU_TOLERANCE = (2e-5, 1e-4)
IMAGE_SHAPE = (16, 16, 1)
PER_STEP = 8  # examples of each real minibatch
STEPS = 3

#: case -> (variant, build keyword arguments). Every variant, and every toolkit option on one of them.
SMALL_CONV = {"base_filters": 4, "latent_dim": 8}
CASES = {
    "vanilla": ("vanilla", {"hidden_units": (16, 16), "latent_dim": 8}),
    "vanilla_minimax": ("vanilla", {"hidden_units": (16, 16), "latent_dim": 8, "adversarial_loss": "minimax"}),
    "dcgan": ("dcgan", SMALL_CONV),
    "cgan": ("cgan", SMALL_CONV),
    "cgan_projection_norm": ("cgan", {**SMALL_CONV, "projection": True, "conditional_norm": True}),
    "acgan": ("acgan", SMALL_CONV),
    "acgan_real_classes": ("acgan", {**SMALL_CONV, "classify_fakes": False}),
    "acgan_twin": ("acgan", {**SMALL_CONV, "twin_classifier": True}),
    "lsgan": ("lsgan", SMALL_CONV),
    "sngan": ("sngan", SMALL_CONV),
    "wgan": ("wgan", SMALL_CONV),
    "wgan_gp": ("wgan_gp", SMALL_CONV),
    "dcgan_d_steps": ("dcgan", {**SMALL_CONV, "d_steps": 2}),
    "dcgan_label_smoothing": ("dcgan", {**SMALL_CONV, "label_smoothing": 0.2}),
    "dcgan_augment": ("dcgan", {**SMALL_CONV, "augment": "color,translation,cutout"}),
    "dcgan_r1": ("dcgan", {**SMALL_CONV, "r1_weight": 1.0}),
    "dcgan_ema": ("dcgan", {**SMALL_CONV, "ema_decay": 0.9}),
    "dcgan_latent_code": ("dcgan", {**SMALL_CONV, "latent_code": 3}),
    "wgan_latent_code": ("wgan", {**SMALL_CONV, "latent_code": 3, "clip_value": 0.03}),
    "lsgan_clusters": ("lsgan", {**SMALL_CONV, "clusters": 3}),
    "wgan_gp_r1_augment_ema": ("wgan_gp", {**SMALL_CONV, "r1_weight": 0.5, "augment": "translation",
                                           "ema_decay": 0.5}),
}


def cpu_signature() -> str:
    """The CPU model and its vector instruction sets: what decides the kernels' summation order."""
    model, flags = platform.processor(), ""
    try:
        for line in open("/proc/cpuinfo", encoding="utf-8"):
            if line.startswith("model name") and not model:
                model = line.split(":", 1)[1].strip()
            if line.startswith("flags"):
                flags = " ".join(sorted(f for f in line.split(":", 1)[1].split()
                                        if f.startswith(("avx", "amx", "fma", "sse4"))))
                break
    except OSError:
        pass
    return f"{model} | {flags}"


def _data(num_classes: int | None, d_steps: int):
    rng = np.random.default_rng(0)
    n = STEPS * PER_STEP * d_steps
    images = rng.integers(0, 256, (n, *IMAGE_SHAPE)).astype("uint8")
    labels = rng.integers(0, num_classes, (n,)).astype("int32") if num_classes else None
    return images, labels


def train_case(name: str):
    """Build case ``name`` with seed 0, train it ``STEPS`` steps with ``fit``; the GAN and its history."""
    import keras

    import kerasgan

    variant, options = CASES[name]
    keras.utils.set_random_seed(0)
    num_classes = 10 if kerasgan.get_variant(variant).conditioning else None
    gan = kerasgan.build(variant, IMAGE_SHAPE, num_classes=num_classes, seed=0, **options)
    images, labels = _data(num_classes, gan.d_steps)
    if gan.clusters:
        gan.fit_clusters(images)
    gan.compile()
    x = (images, labels) if num_classes else images
    history = gan.fit(x, batch_size=PER_STEP * gan.d_steps, epochs=1, shuffle=False, verbose=0)
    return gan, history.history


def state_of(gan, history: dict) -> dict[str, np.ndarray]:
    """Every weight of the trained GAN (G, D, the EMA G, the optimizers' slots, the seed state) and its logs."""
    arrays = {}
    parts = {"g": gan.generator.weights, "d": gan.discriminator.weights,
             "ema": gan.ema_generator.weights if gan.ema_generator is not None else [],
             "d_opt": gan.d_optimizer.variables, "g_opt": gan.g_optimizer.variables}
    for part, variables in parts.items():
        for i, variable in enumerate(variables):
            arrays[f"{part}/{i:03d}"] = np.asarray(variable.numpy())
    arrays["seed"] = np.asarray(gan.seed_generator.state.numpy())
    for key, values in sorted(history.items()):
        arrays[f"log/{key}"] = np.asarray(values, "float32")
    return arrays


def record() -> None:
    HERE.mkdir(parents=True, exist_ok=True)
    arrays = {"cpu": np.asarray(cpu_signature())}
    for name in CASES:
        gan, history = train_case(name)
        arrays.update({f"{name}/{key}": value for key, value in state_of(gan, history).items()})
        print(name, "recorded", flush=True)
    np.savez_compressed(WEIGHTS, **arrays)
    record_files()


def record_files() -> None:
    """A trained GAN saved as ``.keras`` (with both optimizers) and a training checkpoint written by
    ``kerasgan train``, with the weights they hold, for the loading test."""
    import shutil

    import kerasgan

    shutil.rmtree(BEFORE, ignore_errors=True)
    BEFORE.mkdir(parents=True)
    gan, _ = train_case("dcgan_ema")  # the golden case of that name: weights.npz holds what it must load to
    gan.save(BEFORE / "dcgan_ema.keras")
    workdir = BEFORE / "run"
    kerasgan.train(variant="lsgan", dataset="toy:ring8", workdir=str(workdir), epochs=1, steps_per_epoch=3,
                   batch_size=16, verbose=0, seed=0, ema_decay=0.9)
    for entry in os.listdir(workdir):  # only the checkpoint and config are the test's
        if entry not in ("checkpoint", "config.json"):
            shutil.rmtree(workdir / entry) if (workdir / entry).is_dir() else os.remove(workdir / entry)


@pytest.fixture(scope="module")
def golden():
    if not WEIGHTS.is_file():
        pytest.fail(f"{WEIGHTS} is missing: it is committed with the tests (recorded before the redesign)")
    with np.load(WEIGHTS) as stored:
        return {key: stored[key] for key in stored.files}


def assert_same(name: str, actual: dict, expected: dict, same_cpu: bool) -> None:
    assert sorted(actual) == sorted(expected), f"{name}: other variables than recorded"
    for key in sorted(expected):
        if same_cpu:
            assert np.array_equal(actual[key], expected[key]), f"{name}/{key} differs from the recorded values"
        else:
            atol, rtol = FOREIGN_CPU_TOLERANCE
            np.testing.assert_allclose(actual[key], expected[key], atol=atol, rtol=rtol, err_msg=f"{name}/{key}")


@pytest.mark.parametrize("name", list(CASES))
def test_three_steps_give_the_recorded_weights(golden, name):
    gan, history = train_case(name)
    prefix = f"{name}/"
    expected = {key[len(prefix):]: value for key, value in golden.items() if key.startswith(prefix)}
    assert expected, f"no recorded weights for {name}"
    assert_same(name, state_of(gan, history), expected, same_cpu=str(golden["cpu"]) == cpu_signature())


def test_a_gan_saved_before_the_redesign_loads_and_trains_on(golden):
    import keras

    import kerasgan

    gan = keras.models.load_model(BEFORE / "dcgan_ema.keras")
    assert isinstance(gan, kerasgan.DCGAN) and gan.ema_decay == 0.9
    prefix = "dcgan_ema/"  # the file holds the golden case of that name, trained by the old code
    expected = {key[len(prefix):]: value for key, value in golden.items()
                if key.startswith(prefix) and not key.startswith(prefix + "log/")}
    actual = state_of(gan, {})
    assert_same("dcgan_ema.keras", actual, expected, same_cpu=True)  # loading is exact on any CPU
    images, _ = _data(None, 1)
    gan.fit(images, batch_size=PER_STEP, epochs=1, shuffle=False, verbose=0)
    assert int(gan.d_optimizer.iterations.numpy()) == 2 * STEPS


def test_a_checkpoint_written_before_the_redesign_resumes(tmp_path):
    import shutil

    import kerasgan
    from kerasgan import checkpoint

    workdir = tmp_path / "run"
    shutil.copytree(BEFORE / "run", workdir)
    assert checkpoint.latest(workdir / "checkpoint")["epoch"] == 1
    result = kerasgan.train(variant="lsgan", dataset="toy:ring8", workdir=str(workdir), epochs=2,
                            steps_per_epoch=3, batch_size=16, verbose=0, seed=0, ema_decay=0.9)
    assert result["initial_epoch"] == 1
    assert int(result["gan"].g_optimizer.iterations.numpy()) == 6


if __name__ == "__main__":
    sys.path.insert(0, str(pathlib.Path(__file__).parent))
    import conftest  # noqa: F401  the test session's TensorFlow set-up (two logical CPUs), so values match

    if sys.argv[1:] == ["--record"]:
        record()
    elif sys.argv[1:] == ["--record-files"]:
        record_files()
    else:
        raise SystemExit(__doc__)
