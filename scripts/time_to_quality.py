"""Time to quality: training seconds until a DCGAN's FID first falls below that of real digits at 20x20.

    python scripts/time_to_quality.py --setting=float32   # float32, one step per compiled call
    python scripts/time_to_quality.py --setting=fast      # the fastest correct setting measured here

Trains ``dcgan`` (base_filters 32, batch 64, seed 0, the dcgan_mnist recipe's
settings) on MNIST's train[:55000] with ``kerasgan.training.train`` and, every
``--eval_steps`` generator steps, scores 2,000 samples against the test split
(recorded only: nothing is chosen by it); it stops at the first score whose
FID is at or below the evaluator's FID of real test digits at 20x20, and
writes the training seconds until then (evaluations excluded) to
benchmarks/results/time_to_quality/SETTING.json with the machine's CPU.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile

import keras

import kerasgan
from kerasgan.callbacks import EvaluateCallback
from kerasgan.metrics import Evaluator

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
#: setting -> kerasgan.training.train arguments
SETTINGS = {
    "float32": {"precision": "float32", "steps_per_execution": 1},
    "fast": {"precision": "auto", "steps_per_execution": 8},
}


class StopAtBar(keras.callbacks.Callback):
    """Stop training once the report (test split) FID is at or below ``threshold``."""

    def __init__(self, evaluate: EvaluateCallback, threshold: float):
        super().__init__()
        self.evaluate, self.threshold = evaluate, threshold

    def on_epoch_end(self, epoch: int, logs=None) -> None:
        scored = [h for h in self.evaluate.history if h["epoch"] == epoch + 1]  # the raw and the EMA generator
        if any(h["report"]["fid"] <= self.threshold for h in scored):
            self.model.stop_training = True


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--setting", choices=sorted(SETTINGS), required=True)
    parser.add_argument("--eval_steps", type=int, default=200, help="a multiple of steps_per_execution (8)")
    parser.add_argument("--max_steps", type=int, default=20_000)
    args = parser.parse_args()
    os.chdir(ROOT)
    evaluator = Evaluator("mnist")
    threshold = evaluator.reference["fid_references"]["real_20x20"]
    held_out = kerasgan.data.load("idx:../shared/data/mnist_full", split="train[55000:]", batch_size=5000,
                                  shuffle=False, with_labels=False)
    evaluate = EvaluateCallback(evaluator.with_reference(next(iter(held_out)).numpy()), every=1, num=2000,
                                restore_best=False, report_evaluator=evaluator)
    stop = StopAtBar(evaluate, threshold)
    setting = SETTINGS[args.setting]
    result = kerasgan.training.train(
        "dcgan", "idx:../shared/data/mnist_full", tempfile.mkdtemp(prefix="ttq-"), split="train[:55000]",
        epochs=args.max_steps // args.eval_steps, steps_per_epoch=args.eval_steps, batch_size=64, seed=0,
        base_filters=32, ema_decay=0.999, verbose=2, callbacks=[evaluate, stop], **setting)
    reached = next((h for h in evaluate.history if h["report"]["fid"] <= threshold), None)
    out = {
        "setting": args.setting, **setting,
        "resolved_precision": kerasgan.distribute.resolve_precision(setting["precision"]),
        "threshold_fid_real_20x20": threshold,
        "reached": reached is not None,
        "generator_steps": reached["generator_steps"] if reached else None,
        "train_seconds": reached["train_seconds"] if reached else None,
        "source": reached["source"] if reached else None,
        "report_fid": reached["report"]["fid"] if reached else None,
        "history": [{"steps": h["generator_steps"], "source": h["source"], "train_seconds": h["train_seconds"],
                     "test_fid": h["report"]["fid"]} for h in evaluate.history],
        "total_steps": int(result["gan"].g_optimizer.iterations.numpy()),
        "machine": kerasgan.distribute.cpu_description(),
    }
    folder = os.path.join(ROOT, "benchmarks", "results", "time_to_quality")
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, f"{args.setting}.json"), "w") as handle:
        json.dump(out, handle, indent=1)
    print(json.dumps({k: v for k, v in out.items() if k != "history"}, indent=1))


if __name__ == "__main__":
    main()
