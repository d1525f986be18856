"""The documentation: the README is a front page, the generated pages are current, the site builds strictly."""

import re
import subprocess
import sys

from PIL import Image

from kerasgan import zoo
from kerasgan.zoo import pages
from conftest import ROOT, script


def _build_docs():
    return script("build_docs")


def test_no_generated_file_is_stale():
    """The zoo's pages, plots and README table (from the cards), the toolkit table (from the option
    declarations) and the API page (from the modules): regenerated, each equals the committed file."""
    assert _build_docs().stale() == [], "run: python scripts/build_docs.py"


def test_every_entry_that_loads_has_its_page_and_plot_and_only_those_are_listed():
    generated = _build_docs().generated()
    assert sorted(p.removeprefix("docs/zoo/").removesuffix(".md") for p in generated
                  if p.startswith("docs/zoo/") and p != "docs/zoo/index.md") == zoo.names()
    for name in zoo.names():
        page = generated[f"docs/zoo/{name}.md"]
        plot = ROOT / "docs" / "zoo" / "plots" / f"{name}.png"
        assert f"![score and FID during training](plots/{name}.png)" in page and plot.is_file()
        assert Image.open(plot).text[pages.PLOT_KEY] == pages.plot_digest(name)
        assert zoo.train_command(name) in page and "## Attempts" in page
        assert f"({name}.md)" in generated["docs/zoo/index.md"] and f"(docs/zoo/{name}.md)" in generated["README.md"]
    for name in zoo.recipes():  # documented as recipes, never as rows that fail to load
        assert f"### {name}" in generated["docs/zoo/index.md"] and f"[{name}]" not in generated["README.md"]


def test_a_changed_card_makes_its_page_stale(tmp_path, monkeypatch):
    import json
    import shutil

    copy = tmp_path / "zoo"
    shutil.copytree(zoo.root(), copy, ignore=shutil.ignore_patterns("*.keras"))
    monkeypatch.setenv("KERASGAN_ZOO", str(copy))
    before = pages.entry_page("dcgan_mnist"), pages.plot_digest("dcgan_mnist")
    card = json.loads((copy / "dcgan_mnist" / "card.json").read_text())
    card["eval_history"][0]["fid"] += 1.0
    (copy / "dcgan_mnist" / "card.json").write_text(json.dumps(card))
    assert pages.plot_digest("dcgan_mnist") != before[1] and pages.entry_page("dcgan_mnist") != before[0]


def test_the_inception_metrics_of_a_card_reach_its_page_and_the_table_beside_published_values(tmp_path, monkeypatch):
    import json
    import shutil

    copy = tmp_path / "zoo"
    shutil.copytree(zoo.root(), copy, ignore=shutil.ignore_patterns("*.keras"))
    monkeypatch.setenv("KERASGAN_ZOO", str(copy))
    card = json.loads((copy / "dcgan_cifar10" / "card.json").read_text())
    card["metrics"].pop("inception", None)  # an entry not measured yet: no row
    (copy / "dcgan_cifar10" / "card.json").write_text(json.dumps(card))
    build_docs = _build_docs()
    published = pages.published("cifar10")
    before = build_docs.inception_table()
    for row in published["rows"]:  # every published value with where it was read
        assert f"| {row['fid']:,.2f} |" in before and row["where"] in before
    assert "`dcgan_cifar10`" not in before
    unmeasured = next(line for line in pages.table(markdown=True).splitlines() if "[dcgan_cifar10]" in line)
    assert "| not met | — |" in unmeasured  # the front page's Inception FID column, until measured
    card["metrics"]["inception"] = {"num_samples": 10000, "fid": 61.234, "kid": 0.05, "kid_std_error": 0.0012,
                                    "precision": 0.6, "recall": 0.25, "reference": "10,000 test images of X",
                                    "evaluated_with": "kerasgan eval dcgan_cifar10 --features=inception --num=10000"}
    (copy / "dcgan_cifar10" / "card.json").write_text(json.dumps(card))
    row = next(line for line in build_docs.inception_table().splitlines() if "`dcgan_cifar10`" in line)
    front = next(line for line in pages.table(markdown=True).splitlines() if "[dcgan_cifar10]" in line)
    assert "| not met | 61.2 |" in front and next(line for line in pages.table().splitlines()
                                                     if line.startswith("dcgan_cifar10")).endswith(" 61.2")
    assert "| 61.2 | 0.0500 ± 0.0012 | 0.600 / 0.250 |" in row and "10,000 test images of X" in row
    page = pages.entry_page("dcgan_cifar10")
    assert "| FID, FID Inception | 61.2 |" in page and "| precision / recall, FID Inception (k = 3) | 0.600 / 0.250 |" in page
    assert "--features=inception --num=10000" in page
    # the measured floors: a random 10,000 of the training images, and all of them (the published floors' setting)
    floors = tmp_path / "floors.json"
    metric = {"kid": 0.0001, "kid_std_error": 0.00005, "precision": 0.7, "recall": 0.69}
    floors.write_text(json.dumps({"cifar10": {**metric, "fid": 5.123, "num_train": 10000, "num_test": 10000,
                                              "whole_train": {**metric, "fid": 3.456, "num_train": 50000}},
                                  "mnist": {**metric, "kid": 0.0123, "fid": 1.5, "num_train": 10000, "num_test": 10000}}))
    monkeypatch.setattr(build_docs, "INCEPTION_TABLE", build_docs.INCEPTION_TABLE[:2] + (str(floors),))
    table = build_docs.inception_table()
    # a KID near zero keeps two significant digits, the others four decimals
    floor = "| real images | 10,000 random training images (the floor) |"
    assert f"{floor} 5.12 | 1.0e-04 ± 5.0e-05 | 0.700 / 0.690 |" in table
    assert f"{floor} 1.50 | 0.0123 ± 0.0001 | 0.700 / 0.690 |" in table
    # a dataset without published values says why, under its table
    assert table.endswith(build_docs.UNPUBLISHED["mnist"]) and "No published values are quoted for MNIST" in table
    assert ("| real images | all 50,000 training images (the published floors' setting) | 3.46 |" in table
            and "`python scripts/inception_zoo.py floors cifar10 --whole_train` |" in table)
    # the published points of the same family beside its curve: IS over the real IS, at their steps
    points = {p["label"]: p for p in pages.plot_data("sngan_cifar10")["references"]}
    assert points["SNGAN, mimicry README"] == {"label": "SNGAN, mimicry README", "generator_steps": 100000,
                                               "score_ratio": round(7.97 / 11.24, 6)}
    assert "An analogy, not a comparison" in pages.entry_page("sngan_cifar10")
    assert pages.plot_data("dcgan_mnist")["references"] == []


def test_the_curve_trend_splits_at_half_the_training_time_and_names_flat_curves(tmp_path, monkeypatch):
    """curve_trend: the best selection FID up to half the last evaluation's training seconds against the best of
    all (raw and EMA alike), the fall an hour of the second half, flat under FLAT_BELOW; the index ranks the
    entries by the relative fall an hour and the entry's page says it."""
    import json
    import shutil

    history = [{"train_seconds": 900, "fid": 500.0, "source": "raw"}, {"train_seconds": 1800, "fid": 420.0,
                                                                      "source": "ema"},
               {"train_seconds": 2700, "fid": 430.0, "source": "raw"}, {"train_seconds": 3600, "fid": 399.0,
                                                                       "source": "ema"}]
    trend = pages.curve_trend(history)
    assert (trend["hours"], trend["second_half_hours"], trend["before"], trend["best"]) == (1.0, 0.5, 420.0, 399.0)
    assert trend["fid_per_hour"] == 42.0 and trend["relative"] == 0.05 and trend["relative_per_hour"] == 0.1
    assert trend["flat"] is False  # 5 % is not under FLAT_BELOW = 5 %
    assert pages.curve_trend(history[:-1] + [{**history[-1], "fid": 400.0}])["flat"] is True  # 4.76 %
    assert pages.curve_trend(history[:1]) is None and pages.curve_trend([]) is None
    assert pages.curve_trend([history[0], {**history[1], "train_seconds": 1000}]) is None  # both in the first half

    copy = tmp_path / "zoo"
    shutil.copytree(zoo.root(), copy, ignore=shutil.ignore_patterns("*.keras"))
    monkeypatch.setenv("KERASGAN_ZOO", str(copy))
    card = json.loads((copy / "dcgan_cifar10" / "card.json").read_text())
    card["eval_history"] = [{**e, **h} for e, h in zip(card["eval_history"], history)]
    (copy / "dcgan_cifar10" / "card.json").write_text(json.dumps(card))
    assert ("The curve's second half (0.50 of 1.00 training hours) took the best selection FID from 420.0 to 399.0: "
            "42.0 an hour, 5.0 % in all, 10.0 % an hour (still falling" in pages.entry_page("dcgan_cifar10"))
    index = pages.index_page().split("## Which curves still fall")[1].split("##")[0]
    rows = [line for line in index.splitlines() if line.startswith("| [")]
    assert len(rows) == len(zoo.names())
    assert "| [dcgan_cifar10](dcgan_cifar10.md) | 1.00 | 420.0 | 399.0 | 42.0 | 5.0 % | 10.0 % | still falling | not met |" \
        in rows
    rates = [float(line.split("|")[7].strip().removesuffix(" %").replace(",", "")) for line in rows]
    assert rates == sorted(rates, reverse=True)

    # a curve still falling when its learning rate reached 0 ends with its schedule: recorded, not continued
    card["recipe"] = {**card["recipe"], "lr_decay": "linear", "total_steps": card["steps"]}
    (copy / "dcgan_cifar10" / "card.json").write_text(json.dumps(card))
    assert (f"10.0 % an hour (its learning rate reached 0 at {card['steps']:,} generator steps, the end of its "
            "schedule: recorded, not continued;" in pages.entry_page("dcgan_cifar10"))
    index = pages.index_page().split("## Which curves still fall")[1].split("##")[0]
    row = ("| [dcgan_cifar10](dcgan_cifar10.md) | 1.00 | 420.0 | 399.0 | 42.0 | 5.0 % | 10.0 % | schedule done | "
           "not met |")
    assert row in index.splitlines()
    card["recipe"]["total_steps"] = card["steps"] + 1  # one step short: still falling
    (copy / "dcgan_cifar10" / "card.json").write_text(json.dumps(card))
    assert "| 10.0 % | still falling | not met |" in pages.index_page()


def test_the_site_builds_strictly(tmp_path):
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-d", str(tmp_path / "site")],
                            cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    site = tmp_path / "site"
    assert (site / "zoo" / "dcgan_mnist" / "index.html").is_file() and (site / "api" / "index.html").is_file()
    assert (site / "zoo" / "entries" / "dcgan_mnist" / "samples.png").is_file()
    assert not list(site.rglob("*.keras"))  # the zoo's weights stay out of the site


def test_the_readme_is_a_front_page():
    readme = (ROOT / "README.md").read_text()
    assert len(readme.splitlines()) <= 250
    headings = re.findall(r"^## (.+)$", readme, flags=re.M)
    for needed in ("Try it", "Set up and run the tests", "Train a GAN with `model.fit`", "Train on your own images",
                   "Command line", "The zoo"):
        assert any(h.startswith(needed) for h in headings), needed
    for link in re.findall(r"\]\(((?:docs|colab)/[^)#]+)", readme):
        assert (ROOT / link).is_file(), link
    from kerasgan import VARIANTS

    # the pitch's counts are current
    words = dict(enumerate("zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
                           "fifteen sixteen seventeen eighteen nineteen twenty".split()))
    assert f"{words[len(VARIANTS)]} variants" in readme.lower()
    assert f"{words[len(zoo.names())]} pretrained generators" in readme.lower()
