"""The package's structure: one registry, presets that fine-tune, errors that name the cause, a fast --help."""

import ast
import contextlib
import io
import json
import os
import pathlib
import re
import socket
import subprocess
import sys
import time

import numpy as np
import pytest
from PIL import Image

import kerasgan
from kerasgan import cli, registry, zoo
from conftest import ROOT

PACKAGE = ROOT / "kerasgan"


def _help_of(command: str) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert cli.main(["kerasgan", command, "--help"]) == 0
    return out.getvalue()


def test_a_variant_declared_here_is_registered_everywhere():
    class HingeDCGAN(kerasgan.variants.DCGAN):
        """A variant declared in a test: DCGAN networks with the hinge loss."""

        variant = "hinge_dcgan_test"
        defaults = {"adversarial_loss": "hinge"}

    try:
        assert kerasgan.VARIANTS["hinge_dcgan_test"] is HingeDCGAN
        assert list(kerasgan.VARIANTS)[-1] == "hinge_dcgan_test"
        assert kerasgan.get_variant("hinge_dcgan_test") is HingeDCGAN
        gan = kerasgan.build("hinge_dcgan_test", (28, 28, 1), seed=0, base_filters=4)
        assert type(gan) is HingeDCGAN and gan.adversarial_loss == "hinge"
        gan.compile()
        history = gan.fit(np.zeros((16, 28, 28, 1), "uint8"), batch_size=8, epochs=1, verbose=0)
        assert np.isfinite(history.history["d_loss"][0])
        help_text = "".join(_help_of("train").split())  # absl wraps the choices anywhere, inside names too
        assert re.search(r"--variant:.*<vanilla\|dcgan\|.*\|wgan_gp\|.*\|hinge_dcgan_test>", help_text), help_text
        train_flags = cli._train_flags()
        assert train_flags["variant"].parser.enum_values[-1] == "hinge_dcgan_test"
        train_flags(["kerasgan train", "--variant=hinge_dcgan_test"])  # a valid choice
        assert train_flags.variant == "hinge_dcgan_test"
    finally:
        registry.unregister("hinge_dcgan_test")
    assert "hinge_dcgan_test" not in kerasgan.VARIANTS


def test_a_taken_variant_name_is_refused():
    with pytest.raises(ValueError, match="'dcgan' is declared by kerasgan.variants.DCGAN already"):
        class Impostor(kerasgan.GAN):
            variant = "dcgan"
    assert kerasgan.VARIANTS["dcgan"] is kerasgan.DCGAN


def test_the_import_free_scan_finds_the_declared_variants():
    assert registry.declared_names() == [n for n in kerasgan.VARIANTS if kerasgan.VARIANTS[n].__module__ ==
                                         "kerasgan.variants"]
    assert [c.__name__ for c in kerasgan.VARIANTS.values()] == kerasgan.variants.__all__[3:]
    assert set(kerasgan.variants.__all__) <= set(kerasgan.__all__)


def _package_modules():
    return sorted(p for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts)


def test_no_module_imports_a_private_name_of_another():
    offences = []
    for path in _package_modules():
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("kerasgan"):
                offences += [f"{path.name}: from {node.module} import {a.name}" for a in node.names
                             if a.name.startswith("_") and not a.name.startswith("__")]
            if isinstance(node, ast.Attribute) and node.attr.startswith("_") and not node.attr.startswith("__"):
                base = node.value
                while isinstance(base, ast.Attribute):
                    base = base.value
                if isinstance(base, ast.Name) and base.id == "kerasgan":
                    offences.append(f"{path.name}: {ast.unparse(node)}")
    assert not offences, offences


def test_cards_are_the_single_source_of_recipes():
    assert not list((ROOT / "zoo").glob("*/recipe.json"))
    train_flags = cli._train_flags()
    for name in zoo.names() + zoo.recipes():
        card = json.loads((ROOT / "zoo" / name / "card.json").read_text())
        assert "command" not in card and "variant" not in card, name  # derived from the recipe
        command = zoo.train_command(name, workdir="w").split()
        assert command[:2] == ["kerasgan", "train"]
        train_flags.unparse_flags()
        train_flags(["kerasgan train", *command[2:]])  # every recipe key is a kerasgan train flag
        for key, value in card["recipe"].items():
            assert train_flags[key].value == value, (name, key)
    script = (ROOT / "scripts" / "build_zoo_entry.py").read_text()
    assert "RECIPES" not in script and "zoo.card(args.name)" in script and '["recipe"]' in script


def test_every_declared_network_option_is_a_parameter_of_the_builders_that_take_it():
    """A declaration says which builders take an option; the builders' signatures must agree (no second list)."""
    import inspect

    from kerasgan import nets, options

    for name, option in options.NETWORK_OPTIONS.items():
        for family, which in option.takes.items():
            for net in which:
                if net == "e":  # the encoder's own options reach it through NetworkOptions.for_network(family, "e")
                    assert f'"{name}"' in inspect.getsource(nets.build_encoder), (name, family)
                    continue
                builder = nets.NETWORKS[family]["gd".index(net)]
                assert name in inspect.signature(builder).parameters, (name, family, net)
    for family, builders in nets.NETWORKS.items():
        for net, builder in zip("gd", builders):
            taken = {n for n, o in options.NETWORK_OPTIONS.items() if net in o.takes.get(family, "")}
            structural = {"image_shape", "latent_dim", "num_classes", "conditioning", "name"}
            assert set(inspect.signature(builder).parameters) - structural == taken, (family, net)


def test_every_gan_setting_is_a_flag_a_config_key_and_documented():
    from kerasgan import cli, options

    gan = kerasgan.build("dcgan", (16, 16, 1), base_filters=4)
    flags = cli._train_flags()
    for name, option in options.GAN_OPTIONS.items():
        assert name in gan.get_config() and f"``{name}``" in kerasgan.GAN.__doc__
        assert (name in flags) == option.flag, name


def _fresh_python(code: str, argv0: str = "kerasgan") -> subprocess.CompletedProcess:
    """Run ``code`` in a new interpreter whose sys.argv[0] is the console script's."""
    script = f"import sys; sys.argv[0] = {argv0!r}\n" + code
    return subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("command", [[], ["train"], ["zoo"], ["sample"], ["eval"]])
def test_help_does_not_import_tensorflow(command):
    code = ("import sys, time; start = time.perf_counter(); from kerasgan import cli\n"
            f"status = cli.main(['kerasgan', *{command!r}, '--help'])\n"
            "print(status, 'tensorflow' in sys.modules, 'keras' in sys.modules, time.perf_counter() - start)")
    result = _fresh_python(code)
    assert result.returncode == 0, result.stderr
    status, tensorflow, keras, seconds = result.stdout.split()[-4:]
    assert (status, tensorflow, keras) == ("0", "False", "False"), result.stdout
    assert float(seconds) < 1.0


def test_help_of_the_installed_command_is_fast():
    script = pathlib.Path(sys.executable).parent / "kerasgan"
    if not script.exists():
        pytest.skip("the kerasgan console script is not installed beside this Python")
    start = time.perf_counter()
    result = subprocess.run([str(script), "train", "--help"], capture_output=True, text=True, timeout=60)
    elapsed = time.perf_counter() - start
    assert result.returncode == 0 and "--preset" in result.stdout and "--variant" in result.stdout
    assert elapsed < 1.0, f"kerasgan train --help took {elapsed:.2f} s"


def test_offline_tfds_names_the_cause(tmp_path):
    with pytest.raises(kerasgan.data.DatasetUnavailableError) as caught:
        kerasgan.data.load("mnist", data_dir=str(tmp_path), download=False)
    message = str(caught.value)
    for part in ("TFDS could not download or find the prepared dataset 'mnist'", f"data_dir={tmp_path}", "idx:PATH",
                 "folder:PATH", "download=False"):
        assert part in message, (part, message)
    assert isinstance(caught.value, ValueError)


def test_offline_tfds_without_network_says_so_at_once(tmp_path, monkeypatch):
    def no_dns(*args, **kwargs):
        raise socket.gaierror(-2, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", no_dns)
    start = time.perf_counter()
    with pytest.raises(kerasgan.data.DatasetUnavailableError, match=r"no network: none of its download hosts "
                       r"resolves \(storage.googleapis.com\).*data_dir="):
        kerasgan.data.load("mnist", data_dir=str(tmp_path))
    assert time.perf_counter() - start < 10


def _run_cli(*args):
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    env.pop("TF_CPP_MIN_LOG_LEVEL", None)  # the command line's own quiet default
    return subprocess.run([sys.executable, "-m", "kerasgan", *args], capture_output=True, text=True, env=env,
                          timeout=600)


@pytest.mark.parametrize("dataset, message", [
    ("mnist", "TFDS could not download or find the prepared dataset 'mnist'"),
    ("folder:/no/such/dir", "folder:/no/such/dir does not exist"),
    ("idx:/no/such/file", "idx:/no/such/file does not exist"),
])
def test_train_names_the_cause_in_one_line(tmp_path, dataset, message):
    result = _run_cli("train", "--variant=dcgan", f"--dataset={dataset}", f"--data_dir={tmp_path / 'tfds'}",
                      "--nodownload", f"--workdir={tmp_path / 'w'}")
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("kerasgan train: error: "), result.stderr
    assert message in lines[0]
    if dataset == "mnist":
        assert f"data_dir={tmp_path / 'tfds'}" in lines[0] and "idx:PATH" in lines[0] and "folder:PATH" in lines[0]
    assert not (tmp_path / "w" / "gan.keras").exists()


def test_from_preset_starts_from_the_shipped_networks_and_fine_tunes():
    gan = kerasgan.GAN.from_preset("dcgan_mnist", seed=0)
    assert isinstance(gan, kerasgan.DCGAN)
    shipped = zoo.load("dcgan_mnist")
    np.testing.assert_array_equal(gan.generate(16, seed=4), shipped.generate(16, seed=4))
    _, discriminator = zoo.load_networks("dcgan_mnist")
    for got, expected in zip(gan.discriminator.get_weights(), discriminator.get_weights(), strict=True):
        np.testing.assert_array_equal(got, expected)
    before = [w.copy() for w in gan.generator.get_weights()]
    gan.compile()
    other = np.random.default_rng(0).integers(0, 256, (24, 28, 28, 1), dtype=np.uint8)  # not digits
    history = gan.fit(other, batch_size=8, epochs=1, verbose=0)
    assert int(gan.g_optimizer.iterations) == 3 and np.isfinite(history.history["g_loss"][0])
    assert any(not np.array_equal(a, b) for a, b in zip(before, gan.generator.get_weights()))


def test_a_cluster_preset_samples_as_shipped_and_fits_clusters_on_the_new_data_before_fine_tuning(tmp_path):
    """lsgan_mnist is conditioned on k-means clusters (``clusters``): its preset brings the clusters' shares (so it
    samples as the zoo entry does) but not their centers, which ``fit`` asks for on the data it fine-tunes on;
    ``kerasgan.train(preset=...)`` fits them there."""
    gan = kerasgan.GAN.from_preset("lsgan_mnist", seed=0)
    assert gan.clusters == zoo.card("lsgan_mnist")["recipe"]["clusters"] and not gan.clusters_fitted
    np.testing.assert_array_equal(gan.generate(8, seed=4), zoo.load("lsgan_mnist").generate(8, seed=4))
    other = np.random.default_rng(0).integers(0, 256, (gan.clusters + 8, 28, 28, 1), dtype=np.uint8)
    gan.compile()
    with pytest.raises(ValueError, match="not fitted yet; call gan.fit_clusters"):
        gan.fit(other, batch_size=8, verbose=0)
    folder = tmp_path / "mine" / "scans"
    folder.mkdir(parents=True)
    for i, image in enumerate(other):
        Image.fromarray(image[..., 0]).save(folder / f"{i}.png")
    result = kerasgan.train(preset="lsgan_mnist", dataset=f"folder:{folder.parent}", workdir=str(tmp_path / "w"),
                            batch_size=8, steps_per_epoch=2, verbose=0)
    assert result["gan"].clusters_fitted and int(result["gan"].g_optimizer.iterations) == 2


def test_from_preset_on_another_variant_is_refused():
    with pytest.raises(ValueError, match=r"dcgan_mnist.*is a DCGAN \(dcgan\), not a WGANGP"):
        kerasgan.WGANGP.from_preset("dcgan_mnist")
    with pytest.raises(ValueError, match="unknown zoo entry 'nope'"):
        kerasgan.GAN.from_preset("nope")
    with pytest.raises(ValueError, match="recipe only"):
        kerasgan.GAN.from_preset("dcgan_celeb_a")


def test_a_conditional_preset_needs_labelled_data(tmp_path):
    (tmp_path / "mine").mkdir()
    for i in range(16):
        Image.fromarray(np.full((28, 28), i, np.uint8)).save(tmp_path / "mine" / f"{i}.png")
    with pytest.raises(ValueError, match="cgan is class-conditional but folder:.* has no class labels"):
        kerasgan.train(preset="cgan_mnist", dataset=f"folder:{tmp_path / 'mine'}", workdir=str(tmp_path / "w"),
                       batch_size=8, verbose=0)
    with pytest.raises(ValueError, match="the preset cgan_mnist is a cgan GAN, not dcgan"):
        kerasgan.train("dcgan", f"folder:{tmp_path / 'mine'}", str(tmp_path / "w"), preset="cgan_mnist")


def test_train_preset_from_the_command_line(tmp_path):
    rng = np.random.default_rng(0)
    folder = tmp_path / "my_digits" / "scans"
    folder.mkdir(parents=True)
    for i in range(16):
        Image.fromarray(rng.integers(0, 255, (40, 48, 3), dtype=np.uint8)).save(folder / f"{i}.png")
    result = _run_cli("train", "--preset=dcgan_mnist", f"--dataset=folder:{folder.parent}", "--batch_size=8",
                      "--num_samples=4", f"--workdir={tmp_path / 'w'}", "--verbose=0")
    assert result.returncode == 0, result.stderr[-3000:]
    assert "trained dcgan on folder:" in result.stdout
    import keras

    tuned = keras.models.load_model(tmp_path / "w" / "gan.keras")
    assert type(tuned).__name__ == "DCGAN" and int(tuned.g_optimizer.iterations) == 2
    assert (tmp_path / "w" / "discriminator.keras").is_file()


def test_zoo_size_is_within_the_stated_budget():
    about = (ROOT / "docs" / "zoo" / "about.md").read_text()
    budget = int(re.search(r"zoo size budget: (\d+) MB", about).group(1))
    assert zoo.size() <= budget * 1_000_000, (zoo.size(), budget)
