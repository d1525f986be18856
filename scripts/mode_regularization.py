"""The claims of Che et al. 2017 (MRGAN and MDGAN), measured here (run by hand; minutes on a CPU).

    python scripts/mode_regularization.py toy [--steps=4000] [--seeds=5] [--out=benchmarks/results/mode_regularization]

toy: the 2-D mixtures ``toy:grid25`` and ``toy:ring8`` (:mod:`kerasgan.toy`), ``--seeds`` seeds of each of
vanilla (the 2014 GAN with its SGD), dcgan (the same MLPs with Adam, the DCGAN optimizer family), mrgan and mdgan
(the same MLPs and Adam, plus their encoder and regularizers), all with ``kerasgan.toy.GAN_SETTINGS`` (MLPs of
128x3, z of size 2) and ``TRAIN_SETTINGS`` (batch 512; Adam(1e-4, β1 0.5) for every network of the Adam runs),
the same number of generator steps. Each run's generator is scored on 2,500 samples by
``kerasgan.toy.mode_coverage`` (modes covered, share of high-quality samples within 3σ of a mode). Writes
``toy.json`` (every run), ``toy.md`` (mean ± standard deviation over the seeds) and ``docs/plots/toy_modes.png``
(seed 0's samples over training, one row per variant, like the paper's Figure 9).

    python scripts/mode_regularization.py mnist [--minutes=8] [--out=benchmarks/results/mode_regularization]

mnist: dcgan, mrgan (λ2 = +0.4, as eq. 3 writes it), mrgan with λ2 = -0.4 and mdgan (base_filters 32, batch 64,
their default settings and optimizers otherwise) on the 60,000
MNIST training digits (``idx:../shared/data/mnist_full``), each for the same wall-clock training time
(:class:`kerasgan.callbacks.TimeLimit`, epochs of 100 steps; run on a quiet machine), then 10,000 samples of the
raw generator scored by the MNIST evaluator: classifier score, the MODE score (:func:`kerasgan.metrics.mode_score`,
against the training digits' class distribution), the missing digit classes (:func:`kerasgan.metrics.missing_modes`)
and FID against the test split, and for the GANs with an encoder the reconstruction error of 1,000 test digits.
Writes ``mnist.json`` and ``mnist.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import time

import keras
import numpy as np
from PIL import Image

import kerasgan
from kerasgan import toy

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
#: run name -> (variant, optimizer: "own" (the variant's paper optimizers) or "adam" (TRAIN_SETTINGS' Adam),
#: settings); mrgan as eq. 3 writes it (λ2 = +0.4; the default is -0.4 since the MNIST measurement)
RUNS = {"vanilla": ("vanilla", "own", {}), "dcgan": ("dcgan", "adam", {}),
        "mrgan": ("mrgan", "adam", {"mode_weight": 0.4}), "mdgan": ("mdgan", "adam", {})}
DISTRIBUTIONS = ("grid25", "ring8")
#: The generator steps at which seed 0's samples are drawn for the figure.
SNAPSHOTS = (250, 1000, 2000, 4000)


class Snapshots(keras.callbacks.Callback):
    """Samples of the generator at the given generator steps (checked after every execution)."""

    def __init__(self, steps):
        super().__init__()
        self.steps, self.samples = sorted(steps), {}

    def on_train_batch_end(self, batch, logs=None):
        done = int(self.model.g_optimizer.iterations.numpy())
        for step in self.steps:
            if step <= done and step not in self.samples:
                self.samples[step] = self.model.generate(1000, seed=7)


def adam():
    settings = toy.TRAIN_SETTINGS
    return keras.optimizers.Adam(settings["learning_rate"], beta_1=settings["beta_1"])


def train_toy(distribution: str, name: str, seed: int, steps: int) -> tuple[dict, dict]:
    variant, optimizers, settings = RUNS[name]
    keras.utils.set_random_seed(seed)
    batch = toy.TRAIN_SETTINGS["batch_size"]
    ds = kerasgan.data.load(f"toy:{distribution}", batch_size=batch, num_examples=batch * steps, seed=seed)
    gan = kerasgan.build(variant, image_shape=(2,), seed=seed, **toy.GAN_SETTINGS, **settings)
    if optimizers == "adam":
        extra = {"manifold_d_optimizer": adam(), "manifold_g_optimizer": adam()} if variant == "mdgan" else {}
        gan.compile(d_optimizer=adam(), g_optimizer=adam(), steps_per_execution=50, **extra)
    else:
        gan.compile(steps_per_execution=50)
    snapshots = Snapshots([s for s in SNAPSHOTS if s <= steps] if seed == 0 else [])
    start = time.time()
    gan.fit(ds, epochs=1, verbose=0, callbacks=[snapshots])
    seconds = time.time() - start
    coverage = toy.mode_coverage(distribution, gan.generate(2500, seed=1234))
    result = {"distribution": distribution, "run": name, "variant": variant, "seed": seed, "steps": steps,
              "seconds": round(seconds, 1), "covered": coverage["covered"], "num_modes": coverage["num_modes"],
              "high_quality": round(coverage["high_quality"], 4)}
    return result, snapshots.samples


def summary(results: list[dict], steps: int) -> str:
    lines = [f"Modes covered and share of high-quality samples (within 3σ of a mode), 2,500 samples after {steps:,} "
             "generator steps, mean ± standard deviation over the seeds (`python scripts/mode_regularization.py "
             "toy`).", "", "| data | run | seeds | modes covered | high-quality share | seconds per run |",
             "|---|---|---|---|---|---|"]
    for distribution in DISTRIBUTIONS:
        for name in RUNS:
            rows = [r for r in results if r["distribution"] == distribution and r["run"] == name]
            if not rows:
                continue
            covered = np.array([r["covered"] for r in rows], float)
            quality = np.array([r["high_quality"] for r in rows], float)
            lines.append(f"| {distribution} | {name} | {len(rows)} | {covered.mean():.1f} ± {covered.std():.1f} of "
                         f"{rows[0]['num_modes']} | {quality.mean():.1%} ± {quality.std():.1%} | "
                         f"{np.mean([r['seconds'] for r in rows]):.0f} |")
    return "\n".join(lines) + "\n"


def figure(snapshots: dict, path: str) -> None:
    """One row per (distribution, run), one column per snapshot step: seed 0's samples over the data, with the
    rows and columns named."""
    from PIL import ImageDraw

    tiles, names, steps = [], [], []
    for distribution in DISTRIBUTIONS:
        data, _ = toy.sample(distribution, 1000, seed=1)
        for name in RUNS:
            row = []
            for step, samples in sorted(snapshots.get(f"{distribution}/{name}", {}).items()):
                tile = os.path.join(os.path.dirname(path), f".tile-{distribution}-{name}-{step}.png")
                toy.plot(samples, tile, data=data, size=200)
                with Image.open(tile) as image:
                    row.append(image.convert("RGB"))
                os.remove(tile)
                steps = sorted(set(steps) | {step})
            if row:
                tiles.append(row)
                names.append(f"{distribution}: {name}")
    if not tiles:
        return
    width, height = tiles[0][0].size
    left, top = 110, 24
    sheet = Image.new("RGB", (left + width * max(map(len, tiles)), top + height * len(tiles)), "white")
    draw = ImageDraw.Draw(sheet)
    for c, step in enumerate(steps):
        draw.text((left + c * width + width // 3, 6), f"step {step:,}", fill="black")
    for r, row in enumerate(tiles):
        draw.text((6, top + r * height + height // 2), names[r], fill="black")
        for c, tile in enumerate(row):
            sheet.paste(tile, (left + c * width, top + r * height))
    sheet.save(path)


MNIST = "idx:../shared/data/mnist_full"
#: run name -> (variant, settings): MRGAN as eq. 3 writes it (λ2 = +0.4) and with λ2's sign flipped.
MNIST_RUNS = {"dcgan": ("dcgan", {}), "mrgan": ("mrgan", {"mode_weight": 0.4}),
              "mrgan_flipped": ("mrgan", {"mode_weight": -0.4}), "mdgan": ("mdgan", {})}


def train_mnist(name: str, minutes: float) -> dict:
    from kerasgan.callbacks import TimeLimit
    from kerasgan.metrics import MnistEvaluator, missing_modes, mode_score

    keras.utils.set_random_seed(0)
    ds, info = kerasgan.data.load(MNIST, split="train", batch_size=64, seed=0, with_info=True)
    labels = kerasgan.data.load(MNIST, split="train", batch_size=60_000, shuffle=False, drop_remainder=False,
                                with_labels=True)
    data_classes = np.bincount(next(iter(labels))[1].numpy(), minlength=10) / info.num_examples
    variant, settings = MNIST_RUNS[name]
    gan = kerasgan.build(variant, info.image_shape, seed=0, base_filters=32, **settings)
    gan.compile()
    limit = TimeLimit(seconds=60.0 * minutes)
    start = time.time()
    gan.fit(ds.repeat(), epochs=100_000, steps_per_epoch=100, verbose=0, callbacks=[limit])
    seconds = time.time() - start
    evaluator = MnistEvaluator()
    samples = gan.generate(10_000, seed=0)
    probabilities, _ = evaluator.predict(samples)
    metrics = evaluator.evaluate(samples)
    extra = {}
    if getattr(gan, "encoder", None) is not None:  # the encoder's reconstructions of the first 1,000 test digits
        test = kerasgan.data.load(MNIST, split="test[:1000]", batch_size=1000, shuffle=False, with_labels=False)
        digits = next(iter(test)).numpy()
        extra = {"reconstruction": evaluator.reconstruction_error(digits, gan.reconstruct(digits))}
    return {"run": name, "variant": variant, "settings": settings, "minutes": minutes, "seconds": round(seconds, 1),
            "generator_steps": int(gan.g_optimizer.iterations.numpy()),
            "score": round(metrics["score"], 3), "mode_score": round(mode_score(probabilities, data_classes), 3),
            "missing_classes": missing_modes(probabilities, data_classes), "fid": round(metrics["fid"], 2),
            "machine": kerasgan.distribute.cpu_description(), **extra}


def mnist_summary(results: list[dict]) -> str:
    lines = ["10,000 samples of the raw generator after the same training time on the 60,000 MNIST training digits "
             "(`python scripts/mode_regularization.py mnist`); MODE score against the training digits' class "
             "distribution, missing classes below 10 % of their data share, FID against the test digits.", "",
             "| run | settings | minutes | generator steps | classifier score | MODE score | missing classes | FID | "
             "reconstruction of 1,000 test digits (pixel MSE / feature distance) |",
             "|---|---|---|---|---|---|---|---|---|"]
    for r in results:
        rec = r.get("reconstruction")
        reconstruction = f"{rec['pixel_mse']:.3f} / {rec['feature_distance']:.2f}" if rec else "—"
        settings = json.dumps(r["settings"]) if r["settings"] else "defaults"
        lines.append(f"| {r['run']} | {settings} | {r['minutes']:g} | {r['generator_steps']:,} | {r['score']:.3f} | "
                     f"{r['mode_score']:.3f} | {r['missing_classes']} | {r['fid']:.2f} | {reconstruction} |")
    return "\n".join(lines) + f"\n\nMachine: {results[0]['machine']}.\n" if results else ""


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("experiment", choices=["toy", "mnist"])
    parser.add_argument("--minutes", type=float, default=8.0, help="mnist: training minutes of each variant")
    parser.add_argument("--steps", type=int, default=4000)
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--out", default=os.path.join(ROOT, "benchmarks", "results", "mode_regularization"))
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    if args.experiment == "mnist":
        os.chdir(ROOT)  # the data path is relative to the repository
        results = []
        for name in MNIST_RUNS:
            results.append(train_mnist(name, args.minutes))
            print(json.dumps(results[-1]), flush=True)
            with open(os.path.join(args.out, "mnist.json"), "w") as handle:
                json.dump(results, handle, indent=1)
        with open(os.path.join(args.out, "mnist.md"), "w") as handle:
            handle.write(mnist_summary(results))
        print(mnist_summary(results))
        return
    path = os.path.join(args.out, "toy.json")
    results = json.load(open(path)) if os.path.exists(path) else []
    done = {(r["distribution"], r["run"], r["seed"]) for r in results if r["steps"] == args.steps}
    snapshots = {}
    for seed in range(args.seeds):
        for distribution in DISTRIBUTIONS:
            for name in RUNS:
                if (distribution, name, seed) in done and seed:
                    continue
                result, samples = train_toy(distribution, name, seed, args.steps)
                snapshots[f"{distribution}/{name}"] = samples or snapshots.get(f"{distribution}/{name}", {})
                results = [r for r in results if (r["distribution"], r["run"], r["seed"], r["steps"])
                           != (distribution, name, seed, args.steps)] + [result]
                with open(path, "w") as handle:
                    json.dump(results, handle, indent=1)
                print(json.dumps(result), flush=True)
        if seed == 0 and snapshots:
            np.savez_compressed(os.path.join(args.out, "toy_snapshots.npz"),
                                **{f"{key}/{step}": samples for key, by_step in snapshots.items()
                                   for step, samples in by_step.items()})
            figure(snapshots, os.path.join(ROOT, "docs", "plots", "toy_modes.png"))
    with open(os.path.join(args.out, "toy.md"), "w") as handle:
        handle.write(summary([r for r in results if r["steps"] == args.steps], args.steps))
    print(summary([r for r in results if r["steps"] == args.steps], args.steps))


if __name__ == "__main__":
    main()
