"""Reliability: resume after SIGKILL, reproducibility, the divergence guard,
bad input that changes nothing, and safe loading."""

import hashlib
import json
import os
import pathlib
import signal
import subprocess
import sys
import time

import keras
import numpy as np
import pytest

import kerasgan
from kerasgan import checkpoint, cli, saving
from kerasgan.callbacks import DivergenceGuard, TrainingCheckpoint, TrainingDiverged
from conftest import ROOT


def snapshot(folder) -> dict:
    """Every file under ``folder`` with its sha256: equal snapshots = nothing changed."""
    folder = pathlib.Path(folder)
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def all_state(gan) -> list:
    return [v.numpy() for v in gan.variables + gan.d_optimizer.variables + gan.g_optimizer.variables]


def train_command(workdir, mnist, seed=3, variant="dcgan"):
    """3 epochs of 80 steps of a small DCGAN (base_filters 16: ~40 ms a step, an epoch takes seconds)."""
    return [sys.executable, "-m", "kerasgan", "train", f"--variant={variant}", f"--dataset=idx:{mnist}",
            "--split=test[:5120]", "--epochs=3", "--batch_size=64", f"--seed={seed}", f"--workdir={workdir}",
            "--verbose=0", "--num_samples=16", "--base_filters=16"]


def run_cli(args, **kwargs):
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    env.pop("TF_CPP_MIN_LOG_LEVEL", None)  # as a user runs it: the command line keeps TensorFlow quiet
    return subprocess.run(args, env=env, capture_output=True, text=True, timeout=600, **kwargs)


# ------------------------------------------------------------------- resume
def test_a_run_killed_mid_epoch_resumes_to_the_same_weights(shared_data, tmp_path):
    mnist = shared_data / "mnist"
    killed, whole = tmp_path / "killed", tmp_path / "whole"
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    process = subprocess.Popen(train_command(killed, mnist), env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    pointer = killed / "checkpoint" / "checkpoint.json"
    deadline = time.time() + 300
    while not pointer.exists():  # the end of epoch 1
        assert process.poll() is None and time.time() < deadline, "the first run ended before its first checkpoint"
        time.sleep(0.05)
    time.sleep(0.5)  # into epoch 2 (80 batches, 3-4 s on our CPU)
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert json.loads(pointer.read_text())["epoch"] == 1
    assert not (killed / "samples" / "epoch_002.png").exists(), "killed after epoch 2 ended, not mid-epoch"
    assert not (killed / "gan.keras").exists()

    resumed = run_cli(train_command(killed, mnist))
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    uninterrupted = run_cli(train_command(whole, mnist))
    assert uninterrupted.returncode == 0, uninterrupted.stderr[-2000:]
    a, b = keras.models.load_model(killed / "gan.keras"), keras.models.load_model(whole / "gan.keras")
    assert int(a.g_optimizer.iterations) == int(b.g_optimizer.iterations) == 3 * 80
    for x, y in zip(all_state(a), all_state(b), strict=True):
        np.testing.assert_array_equal(x, y)  # bitwise: weights, BN statistics, optimizer slots, seed state
    assert json.loads(pointer.read_text())["epoch"] == 3

    # run the finished command once more: nothing left to train, the weights stay
    again = run_cli(train_command(killed, mnist))
    assert again.returncode == 0, again.stderr[-2000:]
    c = keras.models.load_model(killed / "gan.keras")
    for x, y in zip(all_state(a), all_state(c), strict=True):
        np.testing.assert_array_equal(x, y)


def test_the_data_stream_of_a_resumed_run_is_the_uninterrupted_one(shared_data):
    source = f"idx:{shared_data / 'mnist'}"
    whole = kerasgan.data.load(source, split="test[:640]", batch_size=64, seed=5, start_epoch=0, with_labels=False)
    later = kerasgan.data.load(source, split="test[:640]", batch_size=64, seed=5, start_epoch=2, with_labels=False)
    first = [b.numpy() for b in whole.take(30)]
    np.testing.assert_array_equal(np.stack(first[20:30]), np.stack([b.numpy() for b in later.take(10)]))
    assert not np.array_equal(first[0], first[10]), "each epoch has its own order"


def test_checkpoint_callback_in_your_own_fit_keeps_the_ema_and_best_generator(tmp_path):
    data = np.random.default_rng(0).uniform(-1, 1, (64, 28, 28, 1)).astype("float32")

    class Constant:  # a stand-in evaluator: the score of epoch e is 10 - e
        def evaluate(self, images, labels=None):
            Constant.calls = getattr(Constant, "calls", 0) + 1
            return {"fid": 10.0 - Constant.calls}

    def run(epochs):
        gan = kerasgan.build("dcgan", (28, 28, 1), seed=0, base_filters=4)
        gan.compile()
        evaluate = kerasgan.callbacks.EvaluateCallback(Constant(), num=4, ema_decay=0.9, restore_best=False)
        gan.fit(data, batch_size=16, epochs=epochs, verbose=0, shuffle=False,
                callbacks=[evaluate, TrainingCheckpoint(tmp_path / "ckpt", track=[evaluate])])
        return gan, evaluate

    _, first = run(1)
    gan, second = run(2)  # resumes at epoch 2 with epoch 1's EMA, best weights and history
    assert [h["epoch"] for h in second.history] == [1, 1, 2, 2]
    assert second.best_epoch == 2 and int(gan.g_optimizer.iterations) == 8
    assert not np.array_equal(second.ema_weights[0], first.ema_weights[0])
    assert checkpoint.initial_epoch(tmp_path / "ckpt") == 2


# ---------------------------------------------------------- reproducibility
def _tiny_run(workdir, seed, shared_data):
    result = kerasgan.train("dcgan", f"idx:{shared_data / 'mnist'}", str(workdir), split="test[:512]", epochs=2,
                            batch_size=64, steps_per_epoch=3, seed=seed, verbose=0, base_filters=8)
    return all_state(result["gan"])


def test_same_seed_same_weights_and_another_seed_differs(shared_data, tmp_path):
    a = _tiny_run(tmp_path / "a", 7, shared_data)
    b = _tiny_run(tmp_path / "b", 7, shared_data)
    c = _tiny_run(tmp_path / "c", 8, shared_data)
    for x, y in zip(a, b, strict=True):
        np.testing.assert_array_equal(x, y)
    assert any(not np.array_equal(x, y) for x, y in zip(a, c, strict=True))


# ----------------------------------------------------------- divergence guard
@pytest.fixture
def trained_checkpoint(tmp_path):
    """A GAN trained for one epoch with a checkpoint in tmp_path/ckpt."""
    gan = kerasgan.build("dcgan", (28, 28, 1), seed=0, base_filters=4)
    gan.compile()
    data = np.random.default_rng(0).uniform(-1, 1, (64, 28, 28, 1)).astype("float32")
    folder = tmp_path / "ckpt"
    gan.fit(data, batch_size=16, epochs=1, verbose=0, callbacks=[DivergenceGuard(), TrainingCheckpoint(folder)])
    return gan, data, folder


def test_a_nan_batch_stops_training_and_keeps_the_last_good_checkpoint(trained_checkpoint):
    gan, data, folder = trained_checkpoint
    before = snapshot(folder)
    poisoned = data.copy()
    poisoned[40] = np.nan  # the third batch of epoch 2
    with pytest.raises(TrainingDiverged, match=r"diverged in epoch 2 at batch 3: .*d_loss=nan"):
        gan.fit(poisoned, batch_size=16, epochs=2, verbose=0, shuffle=False,
                callbacks=[DivergenceGuard(), TrainingCheckpoint(folder)])
    assert snapshot(folder) == before
    fresh = kerasgan.build("dcgan", (28, 28, 1), seed=5, base_filters=4)
    fresh.compile()
    checkpoint.restore(folder, fresh)
    assert np.isfinite(fresh.generate(8, seed=0)).all()


def test_the_checkpoint_is_never_written_with_nan_weights(trained_checkpoint):
    gan, data, folder = trained_checkpoint
    before = snapshot(folder)

    class Poison(keras.callbacks.Callback):  # NaN weights after the checkpoint was restored
        def on_epoch_begin(self, epoch, logs=None):
            kernel = self.model.generator.layers[1].kernel
            kernel.assign(np.full(kernel.shape, np.nan, "float32"))

    with pytest.raises(TrainingDiverged, match="was not overwritten"):  # no guard: the checkpoint refuses
        gan.fit(data, batch_size=16, epochs=2, verbose=0, callbacks=[TrainingCheckpoint(folder), Poison()])
    assert snapshot(folder) == before


# ---------------------------------------------------------------- bad input
def _refused(gan, folder, data, match, error=ValueError, **fit_kwargs):
    before = snapshot(folder)
    with pytest.raises(error, match=match):
        gan.fit(data, verbose=0, callbacks=[DivergenceGuard(), TrainingCheckpoint(folder)], **fit_kwargs)
    assert snapshot(folder) == before


def test_images_of_the_wrong_shape_or_channels(trained_checkpoint):
    gan, _, folder = trained_checkpoint
    _refused(gan, folder, np.zeros((16, 32, 32, 1), "float32"), r"expected images of shape \(batch, 28, 28, 1\)",
             batch_size=8, epochs=2)
    _refused(gan, folder, np.zeros((16, 28, 28, 3), "float32"), r"got \(batch, 28, 28, 3\)", batch_size=8, epochs=2)
    _refused(gan, folder, np.zeros((16, 28), "float32"), r"expected images of shape", batch_size=8, epochs=2)


def test_unnormalised_float_images(trained_checkpoint):
    gan, _, folder = trained_checkpoint
    pixels = np.random.default_rng(0).uniform(0, 255, (16, 28, 28, 1)).astype("float32")
    _refused(gan, folder, pixels, r"float images must lie in \[-1, 1\].*unnormalised.*x / 127.5 - 1",
             batch_size=8, epochs=2)
    # the same pixels as uint8 are fine, and values a little beyond [-1, 1] (resampling) too
    gan.fit(pixels.astype("uint8"), batch_size=8, verbose=0)
    gan.fit(np.full((8, 28, 28, 1), 1.2, "float32"), batch_size=8, verbose=0)


def test_conditional_labels_missing_out_of_range_or_float(tmp_path):
    gan = kerasgan.build("cgan", (28, 28, 1), num_classes=10, seed=0, base_filters=4)
    gan.compile()
    images = np.zeros((16, 28, 28, 1), "float32")
    folder = tmp_path / "ckpt"
    gan.fit((images, np.arange(16) % 10), batch_size=8, verbose=0, callbacks=[TrainingCheckpoint(folder)])
    _refused(gan, folder, images, r"class-conditional \(num_classes=10\) and needs labels", batch_size=8, epochs=2)
    _refused(gan, folder, (images, np.full(16, 10)), r"labels must be class ids in \[0, 10\)", batch_size=8, epochs=2)
    _refused(gan, folder, (images, np.zeros(16, "float32")), r"labels must be integer class ids.*float32",
             batch_size=8, epochs=2)


def test_empty_data(trained_checkpoint, tmp_path):
    gan, _, folder = trained_checkpoint
    import tensorflow as tf

    _refused(gan, folder, np.zeros((0, 28, 28, 1), "float32"), "empty array of images", epochs=2)
    empty = tf.data.Dataset.from_tensor_slices(np.zeros((0, 28, 28, 1), "float32")).batch(4)
    _refused(gan, folder, empty, "the dataset is empty", epochs=2)
    (tmp_path / "images" / "cats").mkdir(parents=True)
    with pytest.raises(ValueError, match="no (images|examples)"):
        kerasgan.data.load(f"folder:{tmp_path / 'images'}")


def test_cli_refusals_change_nothing_in_the_workdir(shared_data, tmp_path, capsys):
    """Refused runs print one line, exit 2 and leave the workdir as it was (the refusals run in this process,
    ``cli.main``; ``test_cli.py`` checks a refusal's one line from a separate process, TensorFlow's start-up
    included)."""
    mnist = shared_data / "mnist"
    workdir = tmp_path / "run"
    base = ["--dataset=idx:" + str(mnist), "--split=test[:128]", "--batch_size=64", f"--workdir={workdir}",
            "--verbose=0", "--num_samples=4"]
    first = run_cli([sys.executable, "-m", "kerasgan", "train", "--variant=dcgan", *base])
    assert first.returncode == 0, first.stderr[-2000:]
    before = snapshot(workdir)
    cases = [
        (["--variant=wgan_gp", *[b for b in base if not b.startswith("--batch_size")], "--batch_size=16"],
         r"holds a checkpoint of a different GAN \(DCGAN on images \(28, 28, 1\)"),  # 5 critic batches of 16
        (["--variant=dcgan", *base, "--image_size=32"], r"than this run \(DCGAN on images \(32, 32, 1\)"),
        (["--variant=gan9000", *base], "flag --variant=gan9000: value should be one of <"),
        (["--variant=dcgan", *[b for b in base if not b.startswith("--dataset")], "--dataset=mnits"], "mnits"),
        (["--variant=dcgan", *[b for b in base if not b.startswith("--batch_size")], "--batch_size=256"],
         "fewer than batch_size=256"),
        (["--variant=cgan", *base[:1], "--split=test[:128]", "--batch_size=64", f"--workdir={workdir}",
          "--verbose=0"], "holds a checkpoint of a different GAN"),
    ]
    for flags, message in cases:
        status = cli.main(["kerasgan", "train", *flags])
        err = capsys.readouterr().err
        lines = err.strip().splitlines()
        assert status == 2 and len(lines) == 1, (flags, err[-2000:])
        assert __import__("re").search(message, lines[0]), (message, lines[0])
        assert snapshot(workdir) == before, flags


def test_a_workdir_that_cannot_be_written(tmp_path):
    blocker = tmp_path / "a_file"
    blocker.write_text("not a folder")
    for workdir, message in ((blocker / "run", "cannot create the workdir"), ("/proc/kerasgan-run", "cannot create"),
                             ("/proc", "is not writable")):
        with pytest.raises(ValueError, match=message):
            kerasgan.train("dcgan", "toy:ring8", str(workdir), epochs=1, steps_per_epoch=1, verbose=0)
    assert blocker.read_text() == "not a folder"


def test_sampling_needs_a_positive_number(tmp_path, capsys):
    for num in ("0", "-3"):
        status = cli.main(["kerasgan", "sample", "dcgan_mnist", f"--num={num}", f"--out={tmp_path / 'grid.png'}"])
        assert status == 2 and f"--num must be > 0, got {num}" in capsys.readouterr().err
    assert not (tmp_path / "grid.png").exists()
    with pytest.raises(ValueError, match="number of samples n > 0"):
        kerasgan.zoo.load("dcgan_mnist").generate(0)


# ------------------------------------------------------ files and safe loading
def test_truncated_or_corrupted_keras_files(trained_checkpoint, tmp_path):
    gan, _, folder = trained_checkpoint
    good = tmp_path / "gan.keras"
    saving.save_atomic(gan, good)
    data = good.read_bytes()
    truncated, garbage = tmp_path / "truncated.keras", tmp_path / "garbage.keras"
    truncated.write_bytes(data[: len(data) // 2])
    garbage.write_bytes(data[:1000] + bytes(len(data) - 1000))
    for path in (truncated, garbage):
        before = path.read_bytes()
        with pytest.raises(ValueError, match=f"{path.name} is not a readable .keras file \\(truncated or corrupted"):
            saving.load_model(path)
        with pytest.raises(ValueError, match="not a readable .keras file"):
            saving.load_weights(gan, path)
        assert path.read_bytes() == before
    with pytest.raises(ValueError, match="no file at"):
        saving.load_model(tmp_path / "missing.keras")
    # a truncated checkpoint is refused on resume, and nothing is written over it
    state = checkpoint.latest(folder)
    model_file = pathlib.Path(state["path"]) / "gan.keras"
    model_file.write_bytes(model_file.read_bytes()[:5000])
    before = snapshot(folder)
    with pytest.raises(ValueError, match="gan.keras is not a readable .keras file"):
        gan.fit(np.zeros((16, 28, 28, 1), "float32"), batch_size=8, epochs=3, verbose=0,
                callbacks=[TrainingCheckpoint(folder)])
    assert snapshot(folder) == before


def test_a_file_with_python_code_is_refused_by_safe_mode(tmp_path):
    model = keras.Sequential([keras.Input((2,)), keras.layers.Lambda(lambda x: x * 2)])
    path = tmp_path / "lambda.keras"
    model.save(path)
    with pytest.raises(ValueError, match="contains Python code.*safe_mode.*only if you trust"):
        saving.load_model(path)


def test_a_changed_zoo_file_is_refused_and_left_as_it_is(tmp_path, monkeypatch):
    import shutil

    copy = tmp_path / "zoo"
    shutil.copytree(ROOT / "zoo" / "dcgan_mnist", copy / "dcgan_mnist")
    monkeypatch.setenv("KERASGAN_ZOO", str(copy))
    generator = copy / "dcgan_mnist" / "generator.keras"
    generator.write_bytes(generator.read_bytes()[:-10])
    before = snapshot(copy)
    with pytest.raises(ValueError, match="generator.keras has been changed: its sha256 is"):
        kerasgan.zoo.load("dcgan_mnist")
    with pytest.raises(ValueError, match="not a readable .keras file"):
        kerasgan.zoo.load("dcgan_mnist", verify=False)
    assert snapshot(copy) == before


def test_epochs_are_whole_executions(shared_data, tmp_path):
    """Keras runs whole executions of steps_per_execution steps: an epoch derived from the data is rounded down
    to a multiple (so the resume offsets in the epoch stream stay exact), and a given one must be a multiple."""
    common = dict(split="test[:1000]", batch_size=64, verbose=0, steps_per_execution=4, base_filters=4)
    result = kerasgan.train("dcgan", f"idx:{shared_data / 'mnist'}", str(tmp_path / "a"), epochs=2, **common)
    assert int(result["gan"].g_optimizer.iterations) == 2 * 12  # 1000 // 64 = 15 batches -> 12
    with pytest.raises(ValueError, match="steps_per_epoch=10 is not a multiple of steps_per_execution=4"):
        kerasgan.train("dcgan", f"idx:{shared_data / 'mnist'}", str(tmp_path / "b"), steps_per_epoch=10, **common)
