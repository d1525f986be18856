"""Write the generated documentation: the zoo's pages and plots and the README's zoo table from the cards, the
toolkit table from the option declarations, the API reference's page from the package's modules. Run it after a
card, an option or a module changes; ``tests/test_docs_site.py`` fails while a generated file is stale.

    python scripts/build_docs.py            # write docs/zoo/*.md, docs/zoo/plots/*.png, docs/api.md, the tables,
                                            # and the benchmark plots (docs/plots/*.png) from benchmarks/results/
    python scripts/build_docs.py --check    # exit 1 naming the stale pages (what the test checks)
    mkdocs build --strict                   # the site, into site/ (the docs extra: pip install ".[docs]")
"""

import argparse
import json
import os
import sys

from kerasgan import options, zoo
from kerasgan.zoo import pages

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DOCS = os.path.join(ROOT, "docs")
#: The page that holds the generated toolkit table, between these markers.
TOOLKIT_PAGE, TOOLKIT_MARKS = "docs/guide/toolkit.md", ("<!-- options:start -->", "<!-- options:end -->")
#: The README's zoo table, between these markers.
ZOO_TABLE_MARKS = ("<!-- zoo-table:start -->", "<!-- zoo-table:end -->")
#: The encoder guide's tables, from the results of ``scripts/mode_regularization.py toy`` and ``... mnist``:
#: (page, markers, results file).
RESULT_TABLES = [("docs/guide/encoder.md", (f"<!-- {name}-table:start -->", f"<!-- {name}-table:end -->"),
                  f"benchmarks/results/mode_regularization/{name}.md") for name in ("toy", "mnist")]


#: The evaluation page's table of the zoo's Inception metrics beside published values (``zoo/published/``): (page,
#: markers, the floors ``scripts/inception_zoo.py floors`` measures).
INCEPTION_TABLE = ("docs/evaluation.md", ("<!-- inception-table:start -->", "<!-- inception-table:end -->"),
                   "benchmarks/results/inception_floors.json")


#: why a dataset's table has no published rows (no ``zoo/published/DATASET.json``): one is needed for each such dataset
UNPUBLISHED = {
    "mnist": "No published values are quoted for MNIST: StudioGAN, mimicry and the SNGAN paper report no MNIST "
             "Inception FID, and Lucic et al. 2018, which does, could not be read on this machine to check its "
             "numbers. The floor rows are the yardstick: an entry's FID read against them, not against a paper.",
}


def _json(path: str):
    with open(os.path.join(ROOT, path)) as handle:
        return json.load(handle)


def _cell(value, digits: int = 1) -> str:
    return "—" if value is None else f"{value:,.{digits}f}"


def _kid(measured: dict) -> str:
    """A KID with its standard error: four decimals, or two significant digits where that shows zeros (a floor)."""
    kid, error = measured["kid"], measured["kid_std_error"]
    return f"{kid:.4f} ± {error:.4f}" if abs(kid) >= 1e-3 else f"{kid:.1e} ± {error:.1e}"


def inception_table() -> str:
    """The zoo's Inception metrics (each card's ``metrics.inception``) and the noise floors of the data (``floors``)
    beside the published values of ``zoo/published/DATASET.json``, one table per dataset; every row says
    against which real images and on how many samples its FID was taken."""
    floors_path = INCEPTION_TABLE[2]
    floors = _json(floors_path) if os.path.isfile(os.path.join(ROOT, floors_path)) else {}
    header = ["| model | what | FID | KID (± s.e.) | precision / recall | Inception score | against | samples | "
              "where |", "|---|---|---:|---:|---|---:|---|---:|---|"]
    out = []
    for dataset in ("cifar10", "mnist"):
        rows, published = [], pages.published(dataset)
        floor = floors.get(dataset)
        if floor:
            rows.append(f"| real images | {floor['num_train']:,} random training images (the floor) | "
                        f"{_cell(floor['fid'], 2)} | {_kid(floor)} | "
                        f"{floor['precision']:.3f} / {floor['recall']:.3f} | — | {floor['num_test']:,} test images | "
                        f"{floor['num_train']:,} | `python scripts/inception_zoo.py floors` |")
            whole = floor.get("whole_train")
            if whole:  # every training image: the setting of the published floors
                rows.append(f"| real images | all {whole['num_train']:,} training images (the published floors' "
                            f"setting) | {_cell(whole['fid'], 2)} | {_kid(whole)}"
                            f" | {whole['precision']:.3f} / {whole['recall']:.3f} | — | {floor['num_test']:,} test "
                            f"images | {whole['num_train']:,} | `python scripts/inception_zoo.py floors "
                            f"{dataset} --whole_train` |")
        for name in zoo.names():
            info = zoo.card(name)
            measured = info.get("metrics", {}).get("inception")
            if info["dataset"] != dataset or not measured:
                continue
            command = measured.get("evaluated_with", f"kerasgan eval {name} --features=inception")
            rows.append(f"| kerasgan `{name}` | {info['variant']}, {info.get('steps', 0):,} generator steps | "
                        f"{_cell(measured['fid'])} | {_kid(measured)} | "
                        f"{measured['precision']:.3f} / {measured['recall']:.3f} | — | {measured['reference']} | "
                        f"{measured['num_samples']:,} | `{command}` |")
        measured_rows = len(rows)
        if published:
            for row in published["rows"]:
                kid = "—" if row.get("kid") is None else f"{row['kid']:.4f}"
                steps = f", {row['generator_steps']:,} generator steps" if row.get("generator_steps") else ""
                rows.append(f"| {row['model']} (published) | {row['architecture']}{steps} | {_cell(row['fid'], 2)} | "
                            f"{kid} | — | {_cell(row.get('inception_score'), 2)} | {row['reference']} | "
                            f"{'—' if row.get('samples') is None else format(row['samples'], ',')} | "
                            f"{row['source']}: {row['where']} |")
            for row in published["floors"]:
                rows.append(f"| real images (published) | {row['what']} | {_cell(row['fid'], 1)} | — | — | — | — | — | "
                            f"{row['where']} |")
        if not rows:
            continue
        title = {"cifar10": "CIFAR-10 (the zoo's rows: the JPEG copy's test split; published rows: the original "
                            "images)", "mnist": "MNIST (grayscale digits repeated to RGB, resized to 299x299)"}[dataset]
        status = ("" if measured_rows else "\n\nNo zoo entry of this dataset has been measured yet: "
                  "`python scripts/inception_zoo.py floors` and `... cards` add the rows as they land.")
        left_out = (f"\n\n{published['left_out']}" if published.get("left_out") else
                    "" if published else f"\n\n{UNPUBLISHED[dataset]}")
        out.append(f"**{title}**{status}\n\n" + "\n".join(header + rows) + left_out)
    return "\n\n".join(out)


def _filled(path: str, marks: tuple[str, str], block: str, text: str | None = None) -> str:
    """The file ``path`` (relative to the repository; or its ``text`` as generated so far) with ``block`` between
    its two ``marks``."""
    if text is None:
        with open(os.path.join(ROOT, path)) as handle:
            text = handle.read()
    head, found, rest = text.partition(marks[0])
    if not found or marks[1] not in rest:
        raise SystemExit(f"{path} has lost its markers {marks}")
    return f"{head}{marks[0]}\n{block}\n{marks[1]}{rest.partition(marks[1])[2]}"


def api_page() -> str:
    """The API reference: the package and every module in it, each rendered from its docstrings by mkdocstrings."""
    package = os.path.join(ROOT, "kerasgan")
    modules = []
    for folder, _, files in sorted(os.walk(package)):
        for file in sorted(files):
            if file.endswith(".py") and file != "__main__.py":
                parts = os.path.relpath(os.path.join(folder, file), ROOT)[:-3].split(os.sep)
                modules.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    lines = ["# API reference", "", "<!-- generated by scripts/build_docs.py from the package's modules -->", "",
             "Every module of the package, from its docstrings (each public function has a runnable example)."]
    for module in sorted(set(modules)):
        lines += ["", f"::: {module}", "    options:", "      show_submodules: false"]
    return "\n".join(lines) + "\n"


def _time_to_quality(axis, results: dict) -> None:
    for setting, result in sorted(results.items()):
        raw = [h for h in result["history"] if h["source"] == "raw"]
        axis.plot([h["train_seconds"] for h in raw], [h["test_fid"] for h in raw], "-o", markersize=3,
                  label=f"{setting} ({result['resolved_precision']}, steps_per_execution={result['steps_per_execution']})")
        threshold = result["threshold_fid_real_20x20"]
    axis.axhline(threshold, color="grey", linestyle=":", label=f"FID of real test digits at 20x20 ({threshold:.1f})")
    axis.set(yscale="log", xlabel="training seconds (evaluations left out)", ylabel="FID, test split (2,000 samples)",
             title="DCGAN on MNIST: time to quality (scripts/time_to_quality.py)")


def _step_time(axis, results: dict) -> None:
    rows = results["step_time"]["rows"]
    axis.barh(range(len(rows)), [r["ms_per_step"] for r in rows], color="tab:blue")
    axis.set_yticks(range(len(rows)), [r["setting"] for r in rows], fontsize=7)
    axis.invert_yaxis()
    axis.set(xlabel="ms per step (batch 64; a step is one generator update and its discriminator updates)",
             title="Step time at 32x32x3 (benchmarks/step_time.py)")


#: The benchmark plots: picture under docs/ -> (results files under benchmarks/results/, how to draw them).
BENCHMARK_PLOTS = {
    "plots/time_to_quality.png": (("time_to_quality/float32.json", "time_to_quality/fast.json"), _time_to_quality),
    "plots/step_time.png": (("step_time/step_time.json",), _step_time),
}


def _benchmark_digest(files) -> str:
    import hashlib

    digest = hashlib.sha256()
    for file in files:
        with open(os.path.join(ROOT, "benchmarks", "results", file), "rb") as handle:
            digest.update(handle.read())
    return digest.hexdigest()[:12]


def _draw_benchmark(picture: str) -> None:
    import json

    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    files, draw = BENCHMARK_PLOTS[picture]
    results = {os.path.basename(f).removesuffix(".json"): json.load(open(os.path.join(ROOT, "benchmarks", "results", f)))
               for f in files}
    figure, axis = plt.subplots(figsize=(9, 4.2), dpi=100)
    draw(axis, results)
    axis.grid(alpha=0.3)
    if axis.get_legend_handles_labels()[0]:
        axis.legend(fontsize=8)
    figure.tight_layout()
    figure.savefig(os.path.join(DOCS, picture), metadata={"Software": None, pages.PLOT_KEY: _benchmark_digest(files)})
    plt.close(figure)


def generated() -> dict[str, str]:
    """Every generated file (path relative to the repository -> text)."""
    out = {f"docs/{path}": text for path, text in pages.pages().items()}
    out["docs/api.md"] = api_page()
    out[TOOLKIT_PAGE] = _filled(TOOLKIT_PAGE, TOOLKIT_MARKS, options.toolkit_table())
    out["README.md"] = _filled("README.md", ZOO_TABLE_MARKS, pages.table(markdown=True))
    page, marks = INCEPTION_TABLE[:2]
    out[page] = _filled(page, marks, inception_table(), text=out.get(page))
    for page, marks, results in RESULT_TABLES:  # several tables of one page fill in turn
        if os.path.isfile(os.path.join(ROOT, results)):
            with open(os.path.join(ROOT, results)) as handle:
                out[page] = _filled(page, marks, handle.read(), text=out.get(page))
    return out


def stale() -> list[str]:
    """The generated files that differ (or are missing), and the plots older than their card."""
    from PIL import Image

    found = []
    for path, text in generated().items():
        full = os.path.join(ROOT, path)
        if not os.path.isfile(full) or open(full).read() != text:
            found.append(path)
    plots = {os.path.join(DOCS, "zoo", "plots", f"{name}.png"): pages.plot_digest(name) for name in pages.names()}
    plots.update({os.path.join(DOCS, picture): _benchmark_digest(files)
                  for picture, (files, _) in BENCHMARK_PLOTS.items()})
    for plot, digest in plots.items():
        if not os.path.isfile(plot) or Image.open(plot).text.get(pages.PLOT_KEY) != digest:
            found.append(os.path.relpath(plot, ROOT))
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only say which generated files are stale")
    args = parser.parse_args()
    if args.check:
        found = stale()
        for path in found:
            print(f"stale: {path} (run python scripts/build_docs.py)")
        return 1 if found else 0
    for path, text in generated().items():
        full = os.path.join(ROOT, path)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, "w") as handle:
            handle.write(text)
    for name in pages.names():
        pages.plot_history(name, os.path.join(DOCS, "zoo", "plots", f"{name}.png"))
    os.makedirs(os.path.join(DOCS, "plots"), exist_ok=True)
    for picture in BENCHMARK_PLOTS:
        _draw_benchmark(picture)
    print(f"wrote {len(generated())} files and {len(pages.names()) + len(BENCHMARK_PLOTS)} plots")
    return 0


if __name__ == "__main__":
    sys.exit(main())
