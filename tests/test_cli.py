"""`kerasgan train` end to end, and its refusals (exit 2, one line)."""

import json
import os
import subprocess
import sys

import keras
import numpy as np
import pytest
from PIL import Image

import kerasgan  # noqa: F401  (registers the GAN classes for load_model)


def run_cli(*args, timeout=600):
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    env.pop("TF_CPP_MIN_LOG_LEVEL", None)
    return subprocess.run([sys.executable, "-m", "kerasgan", *args], capture_output=True, text=True, env=env,
                          timeout=timeout)


def test_train_end_to_end_on_idx_mnist(shared_data, tmp_path):
    workdir = tmp_path / "run"
    result = run_cli("train", "--variant=dcgan", f"--dataset=idx:{shared_data / 'mnist'}", "--epochs=2",
                     "--steps_per_epoch=3", "--batch_size=32", f"--workdir={workdir}", "--verbose=2")
    assert result.returncode == 0, result.stderr[-3000:]
    assert "kerasgan: trained dcgan on idx:" in result.stdout
    assert "oneDNN" not in result.stderr and "cuda" not in result.stderr.lower()  # quiet TF start-up
    grids = sorted(os.listdir(workdir / "samples"))
    assert grids == ["epoch_001.png", "epoch_002.png"]
    grid = Image.open(workdir / "samples" / "epoch_002.png")
    assert grid.mode == "L" and grid.size == (2 * (8 * 28 + 7 * 2),) * 2  # 8x8 digits, 2 px gaps, scale 2
    events = [os.path.join(d, f) for d, _, files in os.walk(workdir / "logs") for f in files if "tfevents" in f]
    assert any("/logs/train/" in e for e in events) and any("/logs/samples/" in e for e in events)
    generator = keras.models.load_model(workdir / "generator.keras")
    assert generator.output_shape == (None, 28, 28, 1)
    gan = keras.models.load_model(workdir / "gan.keras")
    assert int(gan.g_optimizer.iterations) == 6
    assert np.isfinite(gan.generate(2, seed=0)).all()


def test_train_toy_data_with_strategy_and_precision_flags(tmp_path):
    result = run_cli("train", "--variant=cgan", "--dataset=toy:ring8", "--network=mlp", f"--workdir={tmp_path}")
    assert result.returncode == 2  # no --network flag
    result = run_cli("train", "--variant=vanilla", "--dataset=toy:ring8", "--steps_per_epoch=6",
                     f"--workdir={tmp_path}", "--verbose=0", "--strategy=mirrored", "--precision=mixed_bfloat16",
                     "--steps_per_execution=3")
    assert result.returncode == 0, result.stderr[-3000:]
    assert Image.open(tmp_path / "samples" / "epoch_001.png").size == (400, 400)


def test_wgan_clip_value_flag_reaches_the_critic(tmp_path):
    """``--clip_value=c`` bounds every critic weight to [-c, c] after training, and the run records it."""
    from kerasgan import cli

    assert cli.main(["kerasgan", "train", "--variant=wgan", "--dataset=toy:ring8", "--steps_per_epoch=4",
                     "--clip_value=0.05", f"--workdir={tmp_path}", "--verbose=0"]) == 0
    gan = keras.models.load_model(tmp_path / "gan.keras")
    assert gan.clip_value == 0.05 and json.loads((tmp_path / "config.json").read_text())["clip_value"] == 0.05
    largest = max(float(np.abs(v.numpy()).max()) for v in gan.critic_variables)
    assert 0.01 < largest <= 0.05 + 1e-7


@pytest.mark.parametrize(
    "flags, message",
    [
        (["--variant=bigan", "--dataset=mnist"], "flag --variant=bigan: value should be one of <vanilla|dcgan|"),
        (["--preset=bigan_mnist", "--dataset=mnist"], "flag --preset=bigan_mnist: value should be one of <"),
        (["--variant=dcgan", "--dataset=no_such_data"], "unknown dataset 'no_such_data'"),
        (["--variant=acgan", "--dataset=celeb_a"], "acgan is class-conditional but celeb_a has no class labels"),
        (["--variant=dcgan", "--dataset=mnist", "--epochs=0"], "--epochs=0"),
        (["--variant=sngan", "--dataset=mnist", "--convs_per_stage=3"], "--convs_per_stage=3"),
        (["--variant=dcgan", "--dataset=mnist", "--lr=3"], "Unknown command line flag 'lr'"),
        (["--dataset=mnist"], "--variant is required"),
    ],
)
def test_bad_flags_exit_2_with_one_line(tmp_path, flags, message):
    result = run_cli("train", *flags, f"--workdir={tmp_path / 'w'}")
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("kerasgan train: error:"), result.stderr
    assert message in lines[0]
    assert not (tmp_path / "w" / "gan.keras").exists()


def test_help_and_unknown_command():
    result = run_cli("--help")
    assert result.returncode == 0 and "train" in result.stdout
    result = run_cli("train", "--help")
    assert result.returncode == 0 and "--variant" in result.stdout and "--workdir" in result.stdout
    result = run_cli("fly")
    assert result.returncode == 2 and "unknown command 'fly'" in result.stderr
