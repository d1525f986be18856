"""The toolkit's measured effects (run by hand; minutes on a CPU; results in docs/guide/toolkit.md).

    python scripts/toolkit_experiments.py diffaugment [--steps=3000] [--out=benchmarks/results/toolkit]
    python scripts/toolkit_experiments.py fresh_critic_data [--steps=1500] [--out=benchmarks/results/toolkit]

diffaugment: DCGAN (base_filters 32) on 1,000 MNIST training digits
(idx:../shared/data/mnist_full, split train[:1000]) with and without
augment="color,translation,cutout", the same number of steps, seed and batch.

fresh_critic_data: WGAN-GP (base_filters 32, 5 critic steps) on the 60,000
MNIST training digits: every critic step on its own real minibatch of 64 (a
batch of 5·64 split in five, the default) against one batch of 64 reused by
all five (the behaviour before it); the same number of generator steps, which
cost the same compute (measured wall times are reported).

Both score the raw generator (no EMA, no selection) every ``--eval_every``
steps on 2,000 samples and at the end on 10,000, with the project's MNIST
evaluator against the MNIST test split (held out from both trainings), and
write samples.png (100 samples) and results.json per run (and the generator to
runs/..., outside the repository, for re-scoring).
"""

from __future__ import annotations

import argparse
import json
import os
import time

import keras

import kerasgan
from kerasgan.callbacks import EvaluateCallback
from kerasgan.metrics import MnistEvaluator

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = "idx:../shared/data/mnist_full"

#: experiment -> {run name: (split, build options, data.load d_steps)}
EXPERIMENTS = {
    "diffaugment": {
        "no_augment": ("train[:1000]", {"variant": "dcgan"}, 1),
        "augment": ("train[:1000]", {"variant": "dcgan", "augment": "color,translation,cutout"}, 1),
    },
    "fresh_critic_data": {
        "fresh": ("train", {"variant": "wgan_gp"}, 5),
        "reused": ("train", {"variant": "wgan_gp"}, 1),  # 64 is not a multiple of 5: one batch for all 5 critic steps
    },
}


def run(name: str, split: str, options: dict, d_steps: int, steps: int, eval_every: int, out: str) -> dict:
    keras.utils.set_random_seed(0)
    options = dict(options)
    variant = options.pop("variant")
    ds, info = kerasgan.data.load(DATA, split=split, batch_size=64, d_steps=d_steps, seed=0, start_epoch=0,
                                  with_info=True)
    gan = kerasgan.build(variant, info.image_shape, seed=0, base_filters=32, **options)
    gan.compile()
    evaluator = MnistEvaluator()
    per_epoch = min(eval_every, steps)
    callback = EvaluateCallback(evaluator, every=1, num=2000, restore_best=False)
    start = time.time()
    gan.fit(ds, epochs=steps // per_epoch, steps_per_epoch=per_epoch, callbacks=[callback], verbose=2)
    seconds = time.time() - start
    final = evaluator.evaluate_generator(gan.generate, n=10_000, seed=0)
    folder = os.path.join(out, name)
    os.makedirs(folder, exist_ok=True)
    kerasgan.images.save_grid(gan.generate(100, seed=0), os.path.join(folder, "samples.png"), nrow=10, scale=2)
    models = os.path.join("runs", os.path.relpath(folder, os.path.join("benchmarks", "results")))  # not in the repo
    os.makedirs(models, exist_ok=True)
    kerasgan.save_atomic(gan.generator, os.path.join(models, "generator.keras"))
    result = {"run": name, "variant": variant, "data": f"{DATA} {split}", "examples": info.num_examples,
              "options": options, "critic_minibatches_per_batch": d_steps, "batch": 64,
              "generator_steps": int(gan.g_optimizer.iterations.numpy()),
              "critic_steps": int(gan.d_optimizer.iterations.numpy()),
              "seconds_with_evaluations": round(seconds, 1), "final_10000": final,
              "history_2000": [{"step": h["epoch"] * per_epoch, "fid": h["fid"], "score": h["score"]}
                               for h in callback.history],
              "machine": kerasgan.distribute.cpu_description()}
    with open(os.path.join(folder, "results.json"), "w") as handle:
        json.dump(result, handle, indent=1)
    print(json.dumps({k: result[k] for k in ("run", "generator_steps", "seconds_with_evaluations")}),
          f"FID {final['fid']:.2f}, score {final['score']:.3f}", flush=True)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("experiment", choices=sorted(EXPERIMENTS))
    parser.add_argument("--steps", type=int, default=3000)
    parser.add_argument("--eval_every", type=int, default=500)
    parser.add_argument("--out", default=os.path.join("benchmarks", "results", "toolkit"))
    parser.add_argument("--only", default=None, help="one run of the experiment")
    args = parser.parse_args()
    os.chdir(ROOT)  # the data path is relative to the repository
    for name, (split, options, d_steps) in EXPERIMENTS[args.experiment].items():
        if args.only in (None, name):
            run(name, split, options, d_steps, args.steps, args.eval_every, os.path.join(args.out, args.experiment))


if __name__ == "__main__":
    main()
