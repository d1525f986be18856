"""Record the evaluation curve of a zoo entry's training that is not shipped (yet), read from its workdir's last
checkpoint, in the entry's ``progress.json``, which its documentation page shows and plots.

    python scripts/training_progress.py ~/kerasgan-runs/sngan_cifar10_paper_b32 --entry=sngan_cifar10 [--note=...]

A long training (issue 34: SNGAN's paper recipe, tens of CPU-hours) runs across sessions in a workdir outside the
repository; until it beats the shipped entry, nothing of it is committed, and a session on another machine would lose
even the knowledge of how it was going. This script writes, from the checkpoint's ``EvaluateCallback`` state, the
curve so far (each evaluation's epoch, generator steps, training seconds, score and FID of the raw and the EMA
generator on the selection slice, and on the test split as recorded only) with the run's ``config.json`` (its
recipe and what ``jit_compile=auto`` chose) into ``zoo/ENTRY/progress.json`` (:func:`kerasgan.zoo.storage.runs`
reads it; ``python scripts/build_docs.py`` puts it on the entry's page, beside the shipped curve). The same run
recorded again replaces its record; a run of the same workdir name restarted from scratch (its workdir lost with its
machine) is added after the earlier one, whose curve is kept. ``--note`` says why a run stopped (kept until another
note replaces it).
"""

import argparse
import inspect
import json
import os

from kerasgan import training
from kerasgan.zoo import storage
from kerasgan.zoo.pages import run_table


def defaults(config: dict) -> dict:
    """:func:`kerasgan.training.train`'s defaults of the settings in ``config`` (a run's ``config.json``, which
    names every setting, while a card's recipe leaves defaults out): the page counts a run's setting that the
    card does not name as a recipe difference only when it is not the default (``jit_compile: auto`` is none)."""
    parameters = inspect.signature(training.train).parameters
    return {key: parameters[key].default for key in config
            if key in parameters and parameters[key].default is not inspect.Parameter.empty}


def progress(workdir: str) -> dict:
    """The run's config, its checkpoint's epoch and the ``EvaluateCallback`` history of ``workdir``."""
    with open(os.path.join(workdir, "checkpoint", "checkpoint.json")) as handle:
        pointer = json.load(handle)
    with open(os.path.join(workdir, "checkpoint", pointer["checkpoint"], "callbacks.json")) as handle:
        callbacks = json.load(handle)
    with open(os.path.join(workdir, "config.json")) as handle:
        config = json.load(handle)
    evaluations = [state for key, state in callbacks.items() if key.startswith("EvaluateCallback")]
    if not evaluations:
        raise SystemExit(f"{workdir}: its checkpoint holds no EvaluateCallback state (no evaluation ran yet)")
    state = evaluations[0]
    return {"workdir": os.path.basename(os.path.normpath(workdir)), "epoch": pointer["epoch"],
            "saved_at": pointer["saved_at"], "config": config, "defaults": defaults(config), "train_seconds": round(state["train_seconds"], 1),
            "best": {"selection_fid": state["best"], "epoch": state["best_epoch"], "source": state["best_source"]},
            "history": state["history"]}


def merged(runs: list[dict], record: dict) -> list[dict]:
    """``runs`` with ``record`` in: it replaces the record of the same run (same workdir name and first
    evaluation: the same run further on), keeping that record's note unless it brings one; another run (a restart
    from scratch, e.g. on a machine that did not keep the workdir) is added after the others, so a curve of an
    earlier session is never lost."""
    def same(run):
        return run["workdir"] == record["workdir"] and run["history"][:1] == record["history"][:1]

    previous = [run for run in runs if same(run)]
    if previous and "note" in previous[0] and "note" not in record:
        record = {**record, "note": previous[0]["note"]}
    if not previous:
        return runs + [record]
    return [record if same(run) else run for run in runs]


def write(record: dict, entry: str) -> list[dict]:
    """Merge ``record`` into entry ``entry``'s :data:`~kerasgan.zoo.storage.PROGRESS` file; returns its runs."""
    storage.card(entry)  # an unknown entry fails here, naming the entries
    runs = merged(storage.runs(entry), record)
    with open(os.path.join(storage.root(), entry, storage.PROGRESS), "w") as handle:
        json.dump({"runs": runs}, handle, indent=1)
        handle.write("\n")
    return runs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("workdir")
    parser.add_argument("--entry", required=True, help="the zoo entry the run trains (e.g. sngan_cifar10)")
    parser.add_argument("--note", default=None, help="why the run stopped, for the entry's page")
    args = parser.parse_args()
    record = progress(os.path.expanduser(args.workdir))
    if args.note:
        record["note"] = args.note
    write(record, args.entry)
    print(run_table(record))


if __name__ == "__main__":
    main()
