"""What continuing a zoo entry costs against resuming its exact checkpoint (issue 34; run by hand, minutes).

    python scripts/continue_cost.py [--name=dcgan_mnist] [--first=2] [--then=2] [--set FLAG=VALUE ...]
                                    [--out=benchmarks/results/continue_cost.md]

A training that spans sessions goes on in one of two ways: on the machine that ran it, from its exact checkpoint
(the optimizers' moments, the EMA, the data order, all as they were); on another machine, from the shipped zoo
entry (``build_zoo_entry.py NAME --continue``: its generator, which also seeds the EMA, its discriminator and its
step count; the optimizers' moments start afresh). This script trains entry ``--name``'s recipe (with ``--set``
changes) for ``--first`` epochs into a scratch zoo (``KERASGAN_ZOO``), then trains ``--then`` more epochs both ways
and compares their selection-slice FID and score after the same generator steps, evaluation by evaluation.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile

from kerasgan import checkpoint

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.path.join(ROOT, "scripts", "build_zoo_entry.py")


def build(zoo_dir: str, name: str, *flags: str) -> None:
    env = {**os.environ, "KERASGAN_ZOO": zoo_dir, "TF_CPP_MIN_LOG_LEVEL": "2"}
    subprocess.run([sys.executable, BUILD, name, "--eval_every=1", *flags], check=True, env=env, cwd=ROOT)


def history(workdir: str) -> list:
    """The EvaluateCallback history that the workdir's checkpoint holds (epochs of that run)."""
    folder = checkpoint.latest(os.path.join(workdir, "checkpoint"))["path"]
    with open(os.path.join(folder, "callbacks.json")) as handle:
        states = json.load(handle)
    return next(state["history"] for state in states.values() if "history" in state)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--name", default="dcgan_mnist")
    parser.add_argument("--first", type=int, default=2)
    parser.add_argument("--then", type=int, default=2)
    parser.add_argument("--set", action="append", default=["base_filters=32", "latent_code="])
    parser.add_argument("--out", default=os.path.join(ROOT, "benchmarks", "results", "continue_cost.md"))
    args = parser.parse_args()
    sets = [f"--set={change}" for change in args.set]
    scratch = tempfile.mkdtemp(prefix="continue_cost_")
    zoo_dir = os.path.join(scratch, "zoo")
    os.makedirs(os.path.join(zoo_dir, args.name))
    shutil.copy(os.path.join(ROOT, "zoo", args.name, "card.json"), os.path.join(zoo_dir, args.name))
    first = os.path.join(scratch, "first")
    build(zoo_dir, args.name, f"--epochs={args.first}", f"--workdir={first}", *sets)
    exact = os.path.join(scratch, "exact")
    shutil.copytree(first, exact)
    resumed_zoo = os.path.join(scratch, "zoo_exact")
    shutil.copytree(zoo_dir, resumed_zoo)
    build(resumed_zoo, args.name, f"--epochs={args.first + args.then}", f"--workdir={exact}", *sets)
    continued = os.path.join(scratch, "continued")
    build(zoo_dir, args.name, "--continue", f"--epochs={args.then}", f"--workdir={continued}")
    rows = {}
    for way, workdir, offset in (("exact checkpoint resume", exact, 0), ("continue from the entry", continued,
                                                                        args.first)):
        for entry in history(workdir):
            if entry["epoch"] + offset > args.first:
                rows.setdefault((entry["generator_steps"], entry["source"]), {})[way] = entry
    lines = [f"Command: `python scripts/continue_cost.py --name={args.name} --first={args.first} --then={args.then} "
             + " ".join(f"--set {c}" for c in args.set) + "`", "",
             f"{args.name}'s recipe ({', '.join(args.set)}) trained {args.first} epochs, then {args.then} more both "
             "ways; selection slice (2,000 samples), the raw and the EMA generator:", "",
             "| generator steps | generator | FID, exact resume | FID, continued | score, exact | score, continued |",
             "|---:|---|---:|---:|---:|---:|"]
    for (steps, source), ways in sorted(rows.items()):
        a, b = ways.get("exact checkpoint resume", {}), ways.get("continue from the entry", {})
        lines.append(f"| {steps:,} | {source} | {a.get('fid', float('nan')):.2f} | {b.get('fid', float('nan')):.2f} "
                     f"| {a.get('score', float('nan')):.3f} | {b.get('score', float('nan')):.3f} |")
    text = "\n".join(lines) + "\n"
    print(text)
    with open(args.out, "w") as handle:
        handle.write(text)


if __name__ == "__main__":
    main()
