"""The zoo: offline loading from an installed copy, cards that match re-measured metrics, tampering."""

import json
import os
import shutil
import subprocess
import sys
import textwrap

import keras
import numpy as np
import pytest

import kerasgan
from kerasgan import cli, zoo
from kerasgan.zoo import bars, pages
from conftest import ROOT, script

PRETRAINED = zoo.names()
RECIPES = zoo.recipes()
#: Stated tolerances of a 2,000-sample re-measurement against a card's 10,000-sample numbers.
SCORE_TOLERANCE = 0.05  # relative
FID_TOLERANCE = (0.15, 1.5)  # relative, absolute: 2,000 samples bias the distance upwards (+0.7 measured)
LABEL_TOLERANCE = 0.02  # absolute


def test_registry_lists_every_variant_on_mnist_and_the_recipes():
    assert {"dcgan_fashion_mnist", "dcgan_celeb_a"} <= set(RECIPES) and not set(RECIPES) & set(PRETRAINED)
    assert sorted(PRETRAINED + RECIPES) == sorted(p.parent.name for p in (ROOT / "zoo").glob("*/card.json"))
    for name in PRETRAINED + RECIPES:
        card = zoo.card(name)
        for key in ("variant", "dataset", "split", "image_shape", "latent_dim", "num_classes", "recipe", "files"):
            assert key in card, (name, key)
        assert card["variant"] in kerasgan.VARIANTS
        assert zoo.train_command(name).startswith(f"kerasgan train --variant={card['variant']} ")
    for name in PRETRAINED:
        card = zoo.card(name)
        for key in ("steps", "training_seconds", "metrics", "versions", "discriminator"):
            assert key in card, (name, key)
        for key in ("epochs", "batch_size", "seed", "precision"):
            assert key in card["recipe"], (name, key)
        # every entry's networks and grid, each extra network of its variant (mrgan's encoder), and the cluster
        # centers only where the recipe conditions on clusters (entries built before they shipped lack them)
        extra = {f"{network}.keras" for network in kerasgan.VARIANTS[card["variant"]].extra_network_names}
        shipped = set(card["files"]) - {zoo.storage.CLUSTERS}
        assert shipped == {"generator.keras", "discriminator.keras", "samples.png"} | extra, name
        assert zoo.storage.CLUSTERS not in card["files"] or card["recipe"].get("clusters"), name
    with pytest.raises(ValueError, match="unknown zoo entry 'biggan'"):
        zoo.card("biggan")


@pytest.mark.parametrize("name", RECIPES)
def test_recipe_only_entries_say_how_to_train(name):
    with pytest.raises(ValueError, match=r"(?s)recipe only.*kerasgan train --variant="):
        zoo.load(name)


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """A plain (non-editable) install of this checkout into a temporary folder."""
    target = tmp_path_factory.mktemp("site")
    result = subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-build-isolation", "--target", str(target),
         str(ROOT)], capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    return target


@pytest.mark.skipif(not PRETRAINED, reason="no pretrained entry yet")
def test_entries_load_offline_from_an_installed_copy(installed, tmp_path):
    script = textwrap.dedent(
        """
        import json, sys, numpy as np, kerasgan
        assert kerasgan.__file__.startswith(sys.argv[1]), kerasgan.__file__
        evaluators = {}
        out = {}
        for name in kerasgan.zoo.names():
            g = kerasgan.zoo.load(name)
            dataset = kerasgan.zoo.card(name)["dataset"]
            evaluator = evaluators.setdefault(dataset, kerasgan.metrics.Evaluator(dataset))
            x = g.generate(4, seed=0)
            entry = {"shape": list(x.shape), "range": [float(x.min()), float(x.max())]}
            if g.num_classes:
                labels = np.arange(200) % g.num_classes
                probs, _ = evaluator.predict(g.generate(200, labels=labels, seed=1))
                entry["label_accuracy"] = kerasgan.metrics.label_accuracy(probs, labels)
            out[name] = entry
        print(json.dumps(out))
        """
    )
    env = {**os.environ, "PYTHONPATH": str(installed), "TF_CPP_MIN_LOG_LEVEL": "2", "HOME": str(tmp_path)}
    result = subprocess.run([sys.executable, "-c", script, str(installed)], cwd=tmp_path, env=env,
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    found = json.loads(result.stdout.strip().splitlines()[-1])
    assert sorted(found) == PRETRAINED
    for name, entry in found.items():
        card = zoo.card(name)
        assert entry["shape"] == [4] + card["image_shape"]
        assert -1.0 <= entry["range"][0] and entry["range"][1] <= 1.0
        if card["num_classes"]:  # labels obeyed: near the card's label accuracy
            assert entry["label_accuracy"] >= card["metrics"]["label_accuracy"] - 0.08, (name, entry)


@pytest.mark.parametrize("name", PRETRAINED)
def test_card_metrics_agree_with_a_remeasurement(name):
    card = zoo.card(name)
    generator = zoo.load(name)
    evaluator = kerasgan.metrics.Evaluator(card["dataset"])
    result = evaluator.evaluate_generator(generator.generate, n=2000, num_classes=generator.num_classes, seed=0)
    expected = card["metrics"]
    assert result["score"] == pytest.approx(expected["score"], rel=SCORE_TOLERANCE)
    relative, absolute = FID_TOLERANCE
    assert abs(result["fid"] - expected["fid"]) <= relative * expected["fid"] + absolute
    if generator.num_classes:
        assert result["label_accuracy"] == pytest.approx(expected["label_accuracy"], abs=LABEL_TOLERANCE)


@pytest.mark.skipif(not PRETRAINED, reason="no pretrained entry yet")
def test_a_tampered_generator_file_is_refused(tmp_path, monkeypatch):
    name = PRETRAINED[0]
    shutil.copytree(os.path.join(zoo.root(), name), tmp_path / name)
    path = tmp_path / name / "generator.keras"
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    monkeypatch.setenv("KERASGAN_ZOO", str(tmp_path))
    expected = zoo.card(name)["files"]["generator.keras"]
    with pytest.raises(ValueError, match=f"generator.keras has been changed.*expects {expected}"):
        zoo.load(name)


@pytest.mark.skipif(not PRETRAINED, reason="no pretrained entry yet")
def test_sample_and_eval_commands(tmp_path, capsys):
    """``kerasgan zoo list|sample|eval`` in this process (``cli.main``: the README's block runs the same commands
    as separate processes, as a user types them)."""
    from PIL import Image

    name = PRETRAINED[0]

    def run(*args):
        status = cli.main(["kerasgan", *args])
        out, err = capsys.readouterr()
        return status, out, err

    status, listing, _ = run("zoo", "list")
    assert status == 0 and name in listing
    table, _, recipes = listing.strip().partition("\n\nrecipes without weights")
    assert table == zoo.table() and all(r in recipes for r in RECIPES) and not any(r in table for r in RECIPES)
    out = tmp_path / "grid.png"
    status, _, err = run("sample", name, "--num=16", f"--out={out}", "--seed=3")
    assert status == 0, err[-2000:]
    side = zoo.card(name)["image_shape"][0]
    assert Image.open(out).size == (2 * (4 * side + 3 * 2),) * 2
    status, _, _ = run("sample", name, "--num=20", f"--out={tmp_path / 'walk.png'}", "--interpolate")
    assert status == 0 and Image.open(tmp_path / "walk.png").size[0] == 2 * (10 * side + 9 * 2)
    status, _, err = run("sample", name, "--num=0", f"--out={tmp_path / 'x.png'}")
    assert status == 2 and "--num must be > 0" in err and not (tmp_path / "x.png").exists()
    status, _, err = run("sample", "no_such_entry")
    assert status == 2 and "unknown zoo entry" in err
    status, scored, _ = run("eval", name, "--num=500")
    assert status == 0 and "classifier score" in scored and "Frechet distance" in scored


CIFAR = [name for name in zoo.names() if zoo.card(name)["dataset"] == "cifar10"]


@pytest.mark.parametrize("name", CIFAR)
def test_each_cifar_recipe_trains_a_step_on_a_slice(name, cifar10_data, tmp_path):
    """Recipe validity: every flag of the card's recipe is accepted and builds the card's shapes; one step on
    the first examples of the same folder (d_steps real minibatches of batch_size)."""
    recipe = dict(zoo.card(name)["recipe"])
    card = zoo.card(name)
    assert recipe["dataset"] == "folder:../shared/data/cifar10" and card["selection"]["split"].startswith("train[")
    d_steps = recipe.get("d_steps", kerasgan.get_variant(recipe["variant"]).defaults.get("d_steps", 1))
    recipe.update(dataset=f"folder:{cifar10_data}", split=f"train[:{recipe['batch_size'] * d_steps}]",
                  epochs=1, steps_per_epoch=1, steps_per_execution=1, verbose=0)
    result = kerasgan.train(workdir=str(tmp_path / name), **recipe)
    gan = result["gan"]
    assert result["info"].image_shape == (32, 32, 3) == tuple(card["image_shape"])
    assert int(gan.g_optimizer.iterations) == 1 and gan.num_classes == card["num_classes"]
    images = gan.generate(4, labels=[0, 1, 2, 3] if gan.num_classes else None, seed=0)
    assert images.shape == (4, 32, 32, 3) and np.abs(images).max() <= 1.0


def test_quality_bars_per_dataset():
    build = bars
    reference = {"fid_references": {"real_20x20": 50.0, "real_14x14": 100.0, "real_16x16": 40.0},
                 "real_label_accuracy": 0.8}
    good = {"score_ratio": 0.97, "fid": 20.0, "copy_rate": 0.01}
    assert build.quality_bar("dcgan", good, reference)["met"]
    assert not build.quality_bar("dcgan", {**good, "score_ratio": 0.95}, reference)["met"]
    assert not build.quality_bar("dcgan", {**good, "copy_rate": 0.03}, reference)["met"]
    assert not build.quality_bar("dcgan", good, reference, held_out=False)["met"]
    assert build.quality_bar("wgan", {**good, "score_ratio": 0.91, "fid": 99.0}, reference)["met"]
    bar = build.quality_bar("cgan", {**good, "label_accuracy": 0.981, "fid": 24.0}, reference)
    assert bar["met"] and bar["fid_max"] == 25.0
    cifar = build.quality_bar("acgan", {"score_ratio": 0.71, "fid": 39.0, "copy_rate": 0.0, "label_accuracy": 0.61},
                              reference, dataset="cifar10")
    assert cifar["met"] and cifar["label_accuracy_min"] == pytest.approx(0.6)
    assert build.bar_minima(build.bar_numbers("acgan", reference, dataset="cifar10")) == pytest.approx(
        {"score_ratio": 0.7, "label_accuracy": 0.6})
    assert build.bar_minima(build.bar_numbers("cgan", reference)) == {"label_accuracy": 0.98}
    assert build.bar_minima(build.bar_numbers("dcgan", reference)) == {"score_ratio": 0.96}
    assert not build.quality_bar("sngan", {"score_ratio": 0.69, "fid": 39.0, "copy_rate": 0.0}, reference,
                                 dataset="cifar10")["met"]


def test_a_rebuilt_card_keeps_its_earlier_attempts():
    """Rebuilding an entry loses nothing the old card said: a trained card
    becomes an attempt with its numbers, a recipe-only card's note (trainings
    that were not shipped) becomes an unshipped attempt."""
    build = script("build_zoo_entry")
    recipe = {"variant": "acgan", "epochs": 40}
    trained = {"recipe": recipe, "split": "train", "steps": 10, "training_seconds": 1.5, "quality_note": "why",
               "metrics": {"score_ratio": 0.5, "fid": 300.0, "kid": 9.0}, "quality_bar": {"met": False},
               "attempts": [{"note": "first"}]}
    assert build.previous_attempts(trained) == [
        {"note": "first"},
        {"split": "train", "recipe": recipe, "steps": 10, "training_seconds": 1.5,
         "metrics": {"score_ratio": 0.5, "fid": 300.0}, "bar_met": False, "note": "why"}]
    recipe_only = {"recipe": recipe, "pretrained": False, "note": "collapsed twice"}
    assert build.previous_attempts(recipe_only) == [{"recipe": recipe, "shipped": False, "note": "collapsed twice"}]
    assert build.previous_attempts({"recipe": recipe}) == []


@pytest.mark.parametrize("name", PRETRAINED)
def test_each_cards_bar_follows_from_its_numbers(name):
    """A card's quality_bar is what the bar of its variant and dataset says of its metrics (one source: the
    bars in kerasgan.zoo.bars and the shipped evaluator's references)."""
    build, card = bars, zoo.card(name)
    reference = kerasgan.metrics.Evaluator(card["dataset"]).reference
    held_out = not str(card["recipe"].get("split", "train")).startswith("test")
    expected = build.quality_bar(card["variant"], card["metrics"], reference, held_out=held_out,
                                 dataset=card["dataset"])
    assert card["quality_bar"] == expected


@pytest.mark.parametrize("name", PRETRAINED)
def test_float16_entries_record_how_close_their_samples_stay(name):
    """An entry stored in float16 loads as float32 and its card records the measured sample difference
    (stored vs trained generator, [-1, 1] scale): a mean under 0.005 and no pixel off by more than 0.05."""
    card = zoo.card(name)
    if card.get("stored_dtype", "float32") == "float32":
        assert "stored_dtype_check" not in card
        return
    assert card["stored_dtype"] == "float16"
    assert kerasgan.saving.weights_dtype(zoo.load(name).model) == "float32"
    check = card["stored_dtype_check"]
    assert check["samples"] >= 500 and check["mean_abs_difference"] < 0.005 and check["max_abs_difference"] < 0.05


def test_storing_an_entry_in_float16_halves_it_and_re_measures_its_card(tmp_path, monkeypatch):
    """scripts/store_zoo_entry.py: a float32 entry (the smallest MNIST one, brought back to float32 first if
    needed) is rewritten with float16 weights, half the bytes, that load as float32 and pass the card's sha256; the
    card gains the stored-dtype check (with the float32 numbers) and re-measured numbers; a second run refuses."""
    name = min((n for n in PRETRAINED if zoo.card(n)["dataset"] == "mnist"), key=zoo.size)
    shutil.copytree(os.path.join(zoo.root(), name), tmp_path / name)
    monkeypatch.setenv("KERASGAN_ZOO", str(tmp_path))
    monkeypatch.chdir(ROOT)  # the recipe's data path is relative to the repository
    card = zoo.card(name)
    card.pop("variant")
    if card.pop("stored_dtype", None):
        card.pop("stored_dtype_check")
        for model, filename in zip(zoo.load_networks(name), ("generator.keras", "discriminator.keras")):
            kerasgan.save_atomic(model, str(tmp_path / name / filename))
            card["files"][filename] = zoo.sha256(str(tmp_path / name / filename))
        (tmp_path / name / "card.json").write_text(json.dumps(card, indent=1))
    before = (tmp_path / name / "generator.keras").stat().st_size
    new = script("store_zoo_entry").store(name, "float16", n=500)
    assert (tmp_path / name / "generator.keras").stat().st_size < 0.6 * before
    stored = zoo.card(name)
    assert new == {k: v for k, v in stored.items() if k != "variant"}  # what it returns is what it wrote
    assert stored["stored_dtype"] == "float16" and stored["metrics"]["num_samples"] == 500
    check = stored["stored_dtype_check"]
    assert check["mean_abs_difference"] < 0.005 and check["max_abs_difference"] < 0.05
    assert check["float32_metrics"]["fid"] == card["metrics"]["fid"]
    assert stored["metrics"]["score"] == pytest.approx(card["metrics"]["score"], rel=0.05)
    assert kerasgan.saving.weights_dtype(zoo.load(name).model) == "float32"  # and the sha256 checks pass
    reference = kerasgan.metrics.Evaluator(stored["dataset"]).reference
    assert stored["quality_bar"] == script("build_zoo_entry").quality_bar(stored["variant"], stored["metrics"], reference,
                                                          dataset=stored["dataset"])
    with pytest.raises(SystemExit, match="already stored in float16"):
        script("store_zoo_entry").store(name, "float16", n=500)


def _build(monkeypatch, *argv):
    """Run scripts/build_zoo_entry.py with ``argv`` (in this process)."""
    monkeypatch.setattr(sys, "argv", ["build_zoo_entry.py", *argv])
    script("build_zoo_entry").main()


def _tiny_zoo(shared_data, tmp_path, monkeypatch, name="tiny_mnist", **recipe) -> tuple:
    """A zoo folder (``KERASGAN_ZOO``) with one tiny card ``name``: 4 steps an epoch of a 4-filter GAN on 256 MNIST
    test digits, selection on ``test[9000:9500]``; ``recipe`` changes its recipe. Returns ``(zoo folder, idx spec)``."""
    monkeypatch.chdir(ROOT)
    zoo_dir = tmp_path / "zoo"
    (zoo_dir / name).mkdir(parents=True)
    mnist = f"idx:{shared_data / 'mnist'}"
    card = {"name": name, "dataset": "mnist", "image_shape": [28, 28, 1], "latent_dim": 8,
            "recipe": {"variant": "dcgan", "dataset": mnist, "split": "test[:256]", "epochs": 1, "batch_size": 32,
                       "steps_per_epoch": 4, "seed": 0, "base_filters": 4, "latent_dim": 8, **recipe},
            "selection": {"dataset": mnist, "split": "test[9000:9500]"}}
    (zoo_dir / name / "card.json").write_text(json.dumps(card))
    monkeypatch.setenv("KERASGAN_ZOO", str(zoo_dir))
    return zoo_dir, mnist


def test_continuing_an_entry_carries_steps_schedule_and_totals_and_ships_only_when_better(
        shared_data, tmp_path, monkeypatch, capsys):
    """``build_zoo_entry.py NAME --continue --epochs=N`` on a tiny entry (4 steps of a linearly decayed schedule
    over 40): refused (nothing written) when its selection FID does not beat the shipped weights'; shipped when it
    does, with the steps, the schedule, the seconds, the epochs, the eval_history and the card's note carried on."""
    zoo_dir, _ = _tiny_zoo(shared_data, tmp_path, monkeypatch, lr_decay="linear", total_steps=40)
    _build(monkeypatch, "tiny_mnist", "--eval_every=1", f"--workdir={tmp_path / 'run1'}")
    first = zoo.card("tiny_mnist")
    assert first["steps"] == 4 and first["eval_history"][-1]["generator_steps"] == 4

    shipped = [e for e in first["eval_history"] if e["epoch"] == first["best_epoch"]
               and e["source"] == first["best_weights"]][0]
    unbeatable = {**first, "eval_history": [{**e, "fid": 0.0} if e is shipped else e
                                            for e in first["eval_history"]]}
    unbeatable.pop("variant")
    (zoo_dir / "tiny_mnist" / "card.json").write_text(json.dumps(unbeatable))
    before = {f: zoo.sha256(str(zoo_dir / "tiny_mnist" / f)) for f in os.listdir(zoo_dir / "tiny_mnist")}
    _build(monkeypatch, "tiny_mnist", "--continue", "--epochs=1", "--eval_every=1", f"--workdir={tmp_path / 'run2'}")
    assert "not shipped" in capsys.readouterr().out
    assert before == {f: zoo.sha256(str(zoo_dir / "tiny_mnist" / f)) for f in os.listdir(zoo_dir / "tiny_mnist")}

    (zoo_dir / "tiny_mnist" / "card.json").write_text(json.dumps({k: v for k, v in first.items() if k != "variant"}))
    first = zoo.card("tiny_mnist")
    beatable = [{**e, "fid": 1e9} for e in first["eval_history"]]  # any continued evaluation beats it
    (zoo_dir / "tiny_mnist" / "card.json").write_text(json.dumps(
        {**{k: v for k, v in first.items() if k != "variant"}, "eval_history": beatable,
         "quality_note": "First training."}))
    _build(monkeypatch, "tiny_mnist", "--continue", "--epochs=1", "--eval_every=1", f"--workdir={tmp_path / 'run3'}")
    second = zoo.card("tiny_mnist")
    assert second["steps"] == 8 and second["recipe"]["epochs"] == 2 and second["best_epoch"] == 2
    assert [(e["epoch"], e["generator_steps"]) for e in second["eval_history"]] == [(1, 4), (2, 8)]
    assert second["eval_history"][-1]["train_seconds"] > first["training_seconds"]
    assert second["training_seconds"] > first["training_seconds"]
    (continued,) = second["continued"]
    assert (continued["from_steps"], continued["to_steps"], continued["epochs"]) == (4, 8, 1)
    assert "moments" in continued["restarted"] and continued["selection_fid"]["before"] == 1e9
    assert second["quality_note"].startswith("First training. Continued from 4 to 8 generator steps (1 epochs")
    gan = kerasgan.saving.load_model(str(tmp_path / "run3" / "gan.keras"))
    assert int(gan.g_optimizer.iterations) == 8 and int(gan.d_optimizer.iterations) == 8
    assert float(gan.g_optimizer.learning_rate) == pytest.approx(2e-4 * (1 - 8 / 40), rel=1e-5)  # the schedule went on
    shipped_files = {f: zoo.sha256(str(zoo_dir / "tiny_mnist" / f)) for f in os.listdir(zoo_dir / "tiny_mnist")}
    with pytest.raises(SystemExit, match=r"run3 continued tiny_mnist from 4 generator steps, but its card now ships 8 "
                                         r".*new --workdir"):  # resumed, run3's evaluations would count twice
        _build(monkeypatch, "tiny_mnist", "--continue", "--epochs=2", "--eval_every=1", f"--workdir={tmp_path / 'run3'}")
    assert shipped_files == {f: zoo.sha256(str(zoo_dir / "tiny_mnist" / f)) for f in os.listdir(zoo_dir / "tiny_mnist")}


def test_a_rebuilt_entry_ships_only_when_better_and_until_ends_the_training_with_its_epochs(
        shared_data, tmp_path, monkeypatch, capsys):
    """A fresh build of an entry that ships a training replaces it only when its selection FID is lower (or with
    ``--replace``, the old card then an attempt); ``--until=+0`` stops after the first epoch, which is evaluated
    although ``--eval_every`` is larger, and the card's recipe records the epochs that ran."""
    zoo_dir, _ = _tiny_zoo(shared_data, tmp_path, monkeypatch)
    _build(monkeypatch, "tiny_mnist", "--epochs=3", "--until=+0", "--eval_every=5", f"--workdir={tmp_path / 'run1'}")
    first = zoo.card("tiny_mnist")
    assert first["recipe"]["epochs"] == 1 and first["steps"] == 4
    assert [(e["epoch"], e["source"]) for e in first["eval_history"]] == [(1, "raw")]

    unbeatable = {**{k: v for k, v in first.items() if k != "variant"},
                  "eval_history": [{**e, "fid": 0.0} for e in first["eval_history"]]}
    (zoo_dir / "tiny_mnist" / "card.json").write_text(json.dumps(unbeatable))
    before = {f: zoo.sha256(str(zoo_dir / "tiny_mnist" / f)) for f in os.listdir(zoo_dir / "tiny_mnist")}
    _build(monkeypatch, "tiny_mnist", "--epochs=1", "--set", "base_filters=8", f"--workdir={tmp_path / 'run2'}")
    out = capsys.readouterr().out
    assert "not shipped" in out and "does not beat the shipped weights' 0.00" in out and "--replace" in out
    assert before == {f: zoo.sha256(str(zoo_dir / "tiny_mnist" / f)) for f in os.listdir(zoo_dir / "tiny_mnist")}
    # the unshipped run's curve, recorded from its workdir into the entry's progress.json (training_progress.py)
    progress = script("training_progress")
    record = progress.progress(str(tmp_path / "run2"))
    assert record["epoch"] == 1 and record["config"]["base_filters"] == 8 and record["workdir"] == "run2"
    [raw] = record["history"]  # --eval_every=5 and one epoch: the last epoch's raw evaluation
    assert (raw["epoch"], raw["source"], raw["generator_steps"]) == (1, "raw", 4)
    assert record["best"] == {"selection_fid": raw["fid"], "epoch": 1, "source": "raw"}
    row = f"| 1 | 4 | {raw['train_seconds']:,.0f} | {100 * raw['score_ratio']:.0f} % / {raw['fid']:.0f} | — |"
    assert row in pages.run_table(record)
    with pytest.raises(ValueError, match="unknown zoo entry 'tiny'"):
        progress.write(record, "tiny")
    # written twice, the same run replaces itself (keeping its note); a restarted run is added after it
    assert progress.write({**record, "note": "stopped: lost"}, "tiny_mnist") == [{**record, "note": "stopped: lost"}]
    assert progress.write(record, "tiny_mnist") == [{**record, "note": "stopped: lost"}]
    restarted = {**record, "history": [{**raw, "fid": raw["fid"] + 1.0}]}
    assert progress.write(restarted, "tiny_mnist") == [{**record, "note": "stopped: lost"}, restarted]
    assert zoo.storage.runs("tiny_mnist") == [{**record, "note": "stopped: lost"}, restarted]
    # the entry's page shows both runs, plotted beside the shipped curve, until one of them is shipped
    page = pages.entry_page("tiny_mnist")
    assert "## Trainings not shipped" in page and page.count(row) == 1 and "stopped: lost" in page
    # the run's config names every setting (jit_compile: auto, train's default, which the card leaves out): only
    # the settings that are no default where the card is silent are differences
    assert record["config"]["jit_compile"] == "auto" == record["defaults"]["jit_compile"]
    assert "jit_compile" not in zoo.card("tiny_mnist")["recipe"]
    assert "### run 2: `run2`" in page and "differs from the shipped one in base_filters=8;" in page
    assert pages._recipe_difference({"seed": 0}, {"seed": 0, "jit_compile": True}, {"jit_compile": "auto"}) \
        == "jit_compile=True"
    assert record["config"]["steps_per_epoch"] == zoo.card("tiny_mnist")["recipe"]["steps_per_epoch"]
    assert "epochs planned: 1." in page
    assert "beats the shipped weights' (0.0)" in page
    assert [r["label"] for r in pages.plot_data("tiny_mnist")["runs"]] == ["run 1", "run 2"]
    assert pages.plot_data("tiny_mnist")["runs"][0]["series"]["raw"]["fid"] == [round(raw["fid"], 4)]

    _build(monkeypatch, "tiny_mnist", "--epochs=1", "--set", "base_filters=8", "--replace",
           f"--workdir={tmp_path / 'run2'}")  # the same run, resumed from its workdir: nothing more to train
    second = zoo.card("tiny_mnist")
    assert second["recipe"]["base_filters"] == 8 and second["steps"] == 4
    (attempt,) = second["attempts"]
    assert attempt["recipe"]["base_filters"] == 4 and attempt["steps"] == 4
    # run 1 is the card's now: no longer on the page as not shipped; run 2 (another curve) still is
    assert [r["label"] for r in pages.plot_data("tiny_mnist")["runs"]] == ["run 2"]
    assert "### run 1" not in pages.entry_page("tiny_mnist") and "### run 2: `run2`" in pages.entry_page("tiny_mnist")
    # the shipped run trained on (resumed past the shipped weights, not better yet): its later evaluations only
    later = {**raw, "epoch": 2, "generator_steps": 8, "fid": raw["fid"] + 5.0, "train_seconds": raw["train_seconds"] + 1}
    progress.write({**record, "epoch": 2, "history": record["history"] + [later]}, "tiny_mnist")
    page = pages.entry_page("tiny_mnist")
    assert "### run 1 after the shipped weights: `run2`" in page and "past the shipped weights" in page
    section = page.split("### run 1 after the shipped weights")[1].split("###")[0]
    assert "| 2 | 8 |" in section and "| 1 | 4 |" not in section
    assert [r["label"] for r in pages.plot_data("tiny_mnist")["runs"]] == ["run 1 after the shipped weights", "run 2"]


def test_time_limit_stops_at_the_last_epoch_that_ends_before_the_deadline():
    """TimeLimit stops when the longest epoch so far would overrun the deadline; always one epoch; its arguments
    are checked."""
    import time as clock

    from kerasgan.callbacks import TimeLimit

    class Slow(keras.callbacks.Callback):  # every epoch takes at least 0.2 s
        def on_epoch_end(self, epoch, logs=None):
            clock.sleep(0.2)

    gan = kerasgan.build("dcgan", (28, 28, 1), seed=0, base_filters=4)
    gan.compile()
    x = np.zeros((16, 28, 28, 1), "float32")
    limit = TimeLimit(seconds=0.7)
    start = clock.time()
    history = gan.fit(x, batch_size=8, epochs=20, verbose=0, callbacks=[Slow(), limit])
    assert 1 <= limit.stopped_epoch == len(history.epoch) < 20 and limit.longest >= 0.2
    # it overran the deadline by less than one epoch only if the first epoch alone did
    assert clock.time() - start <= max([0.7, limit.longest] + limit.durations) + 0.6  # fit's own setup: < 0.6 s
    later = TimeLimit(until=clock.time() + 3600)
    history = gan.fit(x, batch_size=8, epochs=2, verbose=0, callbacks=[later])
    assert later.stopped_epoch == 0 and len(history.epoch) == 2

    class SlowFirst(keras.callbacks.Callback):  # one slow epoch (another job on the machine), then fast ones
        def on_epoch_end(self, epoch, logs=None):
            clock.sleep(1.5 if epoch == 0 else 0.0)  # far above a fast epoch, even on a loaded machine

    # a deadline of 4x the slow epoch: after it and two fast ones (setup included, on a loaded machine) the deadline
    # is still farther than the slow epoch, so only the estimate that forgets it goes on
    every = TimeLimit(seconds=6, recent=1000)  # the slow epoch stays the estimate
    gan.fit(x, batch_size=8, epochs=500, verbose=0, callbacks=[SlowFirst(), every])
    every_left = every.deadline - clock.time()  # the time it left unused
    recent = TimeLimit(seconds=6, recent=2)  # the default (5) as short: the last two epochs
    by_recent = gan.fit(x, batch_size=8, epochs=500, verbose=0, callbacks=[SlowFirst(), recent])
    recent_left = recent.deadline - clock.time()
    # the estimate that forgot the slow epoch went on nearer the deadline (time left, not epochs: the fast epochs'
    # length varies with the machine's load between the two fits)
    assert every.longest >= 1.5 > recent.longest and every_left > recent_left and len(by_recent.epoch) > 3
    default = TimeLimit(until=clock.time() + 3600)  # after 4 epochs the last 5 still hold the slow one
    gan.fit(x, batch_size=8, epochs=4, verbose=0, callbacks=[SlowFirst(), default])
    assert default.recent == 5 and len(default.durations) == 3 and default.longest >= 1.5
    with pytest.raises(ValueError, match=r"recent >= 1 \(epochs whose longest is the estimate\), got 0"):
        TimeLimit(seconds=1, recent=0)
    with pytest.raises(ValueError, match="exactly one of seconds"):
        TimeLimit()
    with pytest.raises(ValueError, match="exactly one of seconds"):
        TimeLimit(seconds=1, until=2)
    with pytest.raises(ValueError, match="seconds >= 0"):
        TimeLimit(seconds=-1)
