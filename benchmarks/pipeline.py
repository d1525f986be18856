"""Input pipeline speed vs DCGAN training speed on idx: MNIST (run by hand).

    python benchmarks/pipeline.py [--data=../shared/data/mnist] [--batch_size=64]

Prints the images/s that kerasgan.data.load delivers (iterating whole epochs
of the cached, shuffled, batched, normalised pipeline) and the images/s of
training the default dcgan at 28x28x1 with model.fit on the same pipeline,
and their ratio (the pipeline must be >= 10x faster, so input never bounds
training).
"""

import argparse
import os
import time

import kerasgan


def pipeline_rate(dataset_name, batch_size, epochs):
    ds = kerasgan.data.load(dataset_name, batch_size=batch_size, seed=0)
    for _ in ds:  # first pass fills the cache
        pass
    count, start = 0, time.perf_counter()
    for _ in range(epochs):
        for images, _labels in ds:
            count += int(images.shape[0])
    return count / (time.perf_counter() - start)


def training_rate(dataset_name, batch_size, steps):
    ds = kerasgan.data.load(dataset_name, batch_size=batch_size, seed=0, with_labels=False)
    gan = kerasgan.build("dcgan", (28, 28, 1), seed=0)
    gan.compile()
    gan.fit(ds, epochs=1, steps_per_epoch=10, verbose=0)  # trace and warm up
    start = time.perf_counter()
    gan.fit(ds.repeat(), epochs=1, steps_per_epoch=steps, verbose=0)
    return steps * batch_size / (time.perf_counter() - start)


def main():
    default = os.path.join(os.environ.get("KERASGAN_DATA", "../shared/data"), "mnist")
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=default)
    parser.add_argument("--batch_size", type=int, default=64)
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--steps", type=int, default=100)
    args = parser.parse_args()
    name = f"idx:{args.data}"
    pipe = pipeline_rate(name, args.batch_size, args.epochs)
    train = training_rate(name, args.batch_size, args.steps)
    print(f"pipeline  load({name!r}, batch_size={args.batch_size}): {pipe:,.0f} images/s")
    print(f"training  dcgan 28x28x1 model.fit, batch {args.batch_size}: {train:,.0f} images/s")
    print(f"ratio     {pipe / train:.1f}x (needs >= 10x)")


if __name__ == "__main__":
    main()
