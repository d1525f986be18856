"""Input pipeline speed vs GAN training speed, for any dataset (run by hand).

    python benchmarks/pipeline.py [--dataset=idx:../shared/data/mnist] [--split=train] [--batch_size=64]
                                  [--network_options='{"base_filters": 32, "kernel_size": 4}']
    python benchmarks/pipeline.py --dataset=folder:../shared/data/cifar10 --split=train \\
                                  --network_options='{"base_filters": 32, "kernel_size": 4}'

Prints the images/s that kerasgan.data.load delivers on its first pass (the
call itself, which reads and checks every file and decodes it once, e.g.
50,000 CIFAR-10 JPEGs, and the pass that fills the in-memory uint8 cache)
and on later passes (whole epochs of the cached, shuffled, batched, scaled
pipeline), and the images/s of training the dcgan at the data's shape with
model.fit on the same pipeline, and their ratio (later passes must be >= 10x
faster than training, so input never bounds it; the first pass is paid once).
"""

import argparse
import json
import os
import time

import kerasgan


def pipeline_rates(dataset_name, split, batch_size, epochs):
    start = time.perf_counter()  # load() checks and decodes every file of a local source: part of the first pass
    ds, info = kerasgan.data.load(dataset_name, split=split, batch_size=batch_size, seed=0, start_epoch=0,
                                  with_info=True)
    steps = info.num_examples // batch_size
    iterator = iter(ds)
    for _ in range(steps):  # the first pass decodes and fills the cache
        next(iterator)
    first = steps * batch_size / (time.perf_counter() - start)
    start = time.perf_counter()
    for _ in range(epochs * steps):
        next(iterator)
    return first, epochs * steps * batch_size / (time.perf_counter() - start), info


def training_rate(dataset_name, split, batch_size, steps, image_shape, options, precision):
    from step_time import Clock  # the same clock (benchmarks/ is on sys.path when run as a script)

    ds = kerasgan.data.load(dataset_name, split=split, batch_size=batch_size, seed=0, with_labels=False,
                            start_epoch=0)
    kerasgan.distribute.set_precision(precision)
    gan = kerasgan.build("dcgan", image_shape, seed=0, **options)
    kerasgan.distribute.set_precision("float32")
    gan.compile(steps_per_execution=8)
    gan.fit(ds, epochs=1, steps_per_epoch=16, verbose=0)  # trace and warm up
    steps = max(steps // 8, 1) * 8
    clock = Clock()
    gan.fit(ds, epochs=1, steps_per_epoch=steps, verbose=0, callbacks=[clock])
    return steps * batch_size / clock.seconds


def main():
    default = "idx:" + os.path.join(os.environ.get("KERASGAN_DATA", "../shared/data"), "mnist")
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", default=default)
    parser.add_argument("--split", default=None)
    parser.add_argument("--batch_size", type=int, default=64)
    parser.add_argument("--epochs", type=int, default=3, help="cached passes timed after the first")
    parser.add_argument("--steps", type=int, default=48, help="training steps timed")
    parser.add_argument("--network_options", default="{}", help="JSON options of kerasgan.build")
    parser.add_argument("--precision", default="auto", help="kerasgan.distribute.set_precision name")
    args = parser.parse_args()
    print(f"machine: {kerasgan.distribute.cpu_description()}")
    first, cached, info = pipeline_rates(args.dataset, args.split, args.batch_size, args.epochs)
    train = training_rate(args.dataset, args.split, args.batch_size, args.steps, info.image_shape,
                          json.loads(args.network_options), args.precision)
    print(f"pipeline  load({args.dataset!r}, split={info.split!r}, batch_size={args.batch_size}), "
          f"{info.num_examples:,} images {info.image_shape}:")
    print(f"          first pass (read + decode + cache): {first:,.0f} images/s "
          f"({info.num_examples / first:.1f} s once, with the check of every file)")
    print(f"          cached passes: {cached:,.0f} images/s")
    print(f"training  dcgan {args.network_options} ({args.precision}) model.fit, batch {args.batch_size}: "
          f"{train:,.0f} images/s")
    print(f"ratio     cached pipeline / training {cached / train:.1f}x (needs >= 10x); "
          f"first pass / training {first / train:.1f}x")


if __name__ == "__main__":
    main()
