"""DCGAN training throughput: a plain TensorFlow reference vs kerasgan (run by hand).

    python benchmarks/throughput.py [--rounds=3] [--steps=20] [--batch=256]

In ONE process, alternating rounds, it times

(a) the reference: the TensorFlow DCGAN tutorial's fp32 training step, written
    here: G = Dense 7·7·256 -> ConvT 128 -> ConvT 64 -> ConvT 1 (5x5 kernels,
    batch norm, LeakyReLU), D = Conv 64 -> Conv 128 -> Dense 1 (dropout 0.3),
    one ``tf.function`` with two gradient tapes, batch 256;
(b) kerasgan's ``dcgan`` at 28x28x1 with the same layer sizes (its D with the
    tutorial's dropout and no batch norm) through ``model.fit``, in several
    settings (float32; mixed_bfloat16; steps_per_execution; XLA);

and prints images/s for each, the ratio of the best kerasgan setting to the
reference, the FLOPs of one step of each and the fraction of the machine's
peak they reach; then the generation throughput of the DCGAN generator at
batch 1000. kerasgan's step follows Algorithm 1 (a D update, then a G update
against the *updated* D), so it runs D forward on the fakes once more per step
than the tutorial's simultaneous update: the FLOP counts below say how much.
"""

import argparse
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

import kerasgan  # noqa: E402
from step_time import Clock  # noqa: E402  (benchmarks/ is on sys.path when run as a script)

LATENT = 100


# ----------------------------------------------------------------- reference
def tutorial_generator():
    return keras.Sequential([
        keras.Input((LATENT,)),
        keras.layers.Dense(7 * 7 * 256, use_bias=False), keras.layers.BatchNormalization(), keras.layers.LeakyReLU(),
        keras.layers.Reshape((7, 7, 256)),
        keras.layers.Conv2DTranspose(128, 5, strides=1, padding="same", use_bias=False),
        keras.layers.BatchNormalization(), keras.layers.LeakyReLU(),
        keras.layers.Conv2DTranspose(64, 5, strides=2, padding="same", use_bias=False),
        keras.layers.BatchNormalization(), keras.layers.LeakyReLU(),
        keras.layers.Conv2DTranspose(1, 5, strides=2, padding="same", use_bias=False, activation="tanh"),
    ])


def tutorial_discriminator():
    return keras.Sequential([
        keras.Input((28, 28, 1)),
        keras.layers.Conv2D(64, 5, strides=2, padding="same"), keras.layers.LeakyReLU(), keras.layers.Dropout(0.3),
        keras.layers.Conv2D(128, 5, strides=2, padding="same"), keras.layers.LeakyReLU(), keras.layers.Dropout(0.3),
        keras.layers.Flatten(), keras.layers.Dense(1),
    ])


def reference_step_fn(batch):
    generator, discriminator = tutorial_generator(), tutorial_discriminator()
    g_opt, d_opt = keras.optimizers.Adam(1e-4), keras.optimizers.Adam(1e-4)
    bce = keras.losses.BinaryCrossentropy(from_logits=True)

    @tf.function
    def train_step(images):
        noise = tf.random.normal([batch, LATENT])
        with tf.GradientTape() as gen_tape, tf.GradientTape() as disc_tape:
            generated = generator(noise, training=True)
            real_output = discriminator(images, training=True)
            fake_output = discriminator(generated, training=True)
            gen_loss = bce(tf.ones_like(fake_output), fake_output)
            disc_loss = bce(tf.ones_like(real_output), real_output) + bce(tf.zeros_like(fake_output), fake_output)
        g_grads = gen_tape.gradient(gen_loss, generator.trainable_variables)
        d_grads = disc_tape.gradient(disc_loss, discriminator.trainable_variables)
        g_opt.apply_gradients(zip(g_grads, generator.trainable_variables))
        d_opt.apply_gradients(zip(d_grads, discriminator.trainable_variables))
        return gen_loss, disc_loss

    return train_step


def time_reference(step, images, steps):
    start = time.perf_counter()
    for i in range(steps):
        out = step(images[i % len(images)])
    float(out[0])  # wait for the last step
    return steps * images.shape[1] / (time.perf_counter() - start)


# ----------------------------------------------------------------- kerasgan
SETTINGS = {
    "float32": dict(precision="float32"),
    "float32+spe": dict(precision="float32", steps_per_execution=10),
    "bf16": dict(precision="mixed_bfloat16"),
    "bf16+spe": dict(precision="mixed_bfloat16", steps_per_execution=10),
    "bf16+spe+xla": dict(precision="mixed_bfloat16", steps_per_execution=10, jit_compile=True),
}


def kerasgan_model(precision="float32", steps_per_execution=1, jit_compile=False):
    previous = keras.config.dtype_policy()
    kerasgan.distribute.set_precision(precision)
    try:
        gan = kerasgan.build("dcgan", (28, 28, 1), seed=0, d_norm=None, d_dropout=0.3)
        gan.compile(steps_per_execution=steps_per_execution, jit_compile=jit_compile)
    finally:
        keras.config.set_dtype_policy(previous)
    return gan


def time_kerasgan(gan, dataset, steps):
    # Timed inside fit: each new fit call also creates a dataset iterator, which
    # here sometimes stalls for seconds outside the training loop (a per-call
    # cost, not throughput; a real training is one long fit call).
    clock = Clock()
    gan.fit(dataset, epochs=1, steps_per_epoch=steps, verbose=0, callbacks=[clock])
    return steps * BATCH / clock.seconds


# ----------------------------------------------------------------- FLOPs
def macs_per_image():
    """Multiply-accumulates of one forward pass, per image, of G and of D."""
    g = 100 * 7 * 7 * 256 + 7 * 7 * 128 * 256 * 25 + 14 * 14 * 64 * 128 * 25 + 28 * 28 * 1 * 64 * 25
    d = 14 * 14 * 64 * 1 * 25 + 7 * 7 * 128 * 64 * 25 + 7 * 7 * 128
    return g, d


def step_flops_per_image():
    """FLOPs per real image of one step; backward ≈ 2x forward (input and weight
    gradients), the first layer of D and G's needing no input gradient is ignored."""
    g, d = macs_per_image()
    # tutorial: G fwd, D fwd x2, disc tape D bwd x2, gen tape D bwd (fake) + G bwd
    reference = g + 2 * d + 2 * (2 * d) + 2 * d + 2 * g
    # kerasgan: D step (G fwd, D fwd x2, D bwd x2) + G step through the updated D (D fwd, D bwd, G bwd)
    ours = (g + 2 * d + 2 * (2 * d)) + (d + 2 * d + 2 * g)
    return 2 * reference, 2 * ours


BATCH = 256


def matmul_peak(dtype, n=4096, repeats=10):
    """GFLOP/s of a large matrix product in ``dtype``: the practical peak here."""
    a = tf.cast(tf.random.normal((n, n)), dtype)
    b = tf.cast(tf.random.normal((n, n)), dtype)
    product = tf.function(lambda a, b: tf.matmul(a, b))
    product(a, b)
    start = time.perf_counter()
    for _ in range(repeats):
        c = product(a, b)
    float(tf.reduce_sum(tf.cast(c, tf.float32)))
    return repeats * 2 * n**3 / (time.perf_counter() - start) / 1e9


def main():
    global BATCH
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--batch", type=int, default=256)
    parser.add_argument("--settings", default=",".join(SETTINGS))
    parser.add_argument("--peak_fp32", type=float, default=None, help="GFLOP/s (default: measured matmul)")
    parser.add_argument("--peak_bf16", type=float, default=None, help="GFLOP/s (default: measured matmul)")
    args = parser.parse_args()
    BATCH = args.batch
    names = args.settings.split(",")
    args.peak_fp32 = args.peak_fp32 or matmul_peak(tf.float32)
    args.peak_bf16 = args.peak_bf16 or matmul_peak(tf.bfloat16)
    print(f"measured matmul peak (4096x4096): fp32 {args.peak_fp32:.0f} GFLOP/s, bf16 {args.peak_bf16:.0f} GFLOP/s")
    rng = np.random.default_rng(0)
    images = tf.constant(rng.uniform(-1, 1, (4, BATCH, 28, 28, 1)).astype("float32"))
    dataset = tf.data.Dataset.from_tensor_slices(images).repeat().prefetch(4)

    reference = reference_step_fn(BATCH)
    time_reference(reference, images, 3)  # trace and warm up
    models = {}
    for name in names:
        models[name] = kerasgan_model(**SETTINGS[name])
        models[name].fit(dataset, epochs=1, steps_per_epoch=2 * models[name].steps_per_execution, verbose=0)

    rates = {"reference": []}
    rates.update({name: [] for name in names})
    for round_ in range(args.rounds):
        rates["reference"].append(time_reference(reference, images, args.steps))
        for name in names:
            steps = max(args.steps // models[name].steps_per_execution, 1) * models[name].steps_per_execution
            rates[name].append(time_kerasgan(models[name], dataset, steps))
        print(f"round {round_ + 1}: " + ", ".join(f"{k} {v[-1]:,.0f}" for k, v in rates.items()), flush=True)

    ref_flops, our_flops = step_flops_per_image()
    best_ref = float(np.median(rates["reference"]))
    print(f"\nreference (TF tutorial, fp32 tf.function, batch {BATCH}): {best_ref:,.0f} images/s "
          f"({ref_flops / 1e6:.0f} MFLOP/image -> {best_ref * ref_flops / 1e9:.0f} GFLOP/s, "
          f"{100 * best_ref * ref_flops / 1e9 / args.peak_fp32:.0f}% of the {args.peak_fp32:.0f} GFLOP/s fp32 peak)")
    for name in names:
        rate = float(np.median(rates[name]))
        peak = args.peak_bf16 if "bf16" in name else args.peak_fp32
        print(f"kerasgan dcgan [{name}] model.fit: {rate:,.0f} images/s, ratio {rate / best_ref:.2f} "
              f"({our_flops / 1e6:.0f} MFLOP/image -> {rate * our_flops / 1e9:.0f} GFLOP/s, "
              f"{100 * rate * our_flops / 1e9 / peak:.0f}% of the {peak:.0f} GFLOP/s peak)")
    best = max(names, key=lambda n: np.median(rates[n]))
    print(f"best kerasgan setting: {best}, ratio {np.median(rates[best]) / best_ref:.2f} (target >= 1.6)")

    # generation throughput
    generator = models[best].generator
    z = tf.random.normal((1000, LATENT))
    generate = tf.function(lambda z: generator(z, training=False))
    generate(z)
    start = time.perf_counter()
    for _ in range(5):
        out = generate(z)
    float(tf.reduce_sum(out))
    g_macs, _ = macs_per_image()
    rate = 5000 / (time.perf_counter() - start)
    print(f"generation [{best}], batch 1000: {rate:,.0f} images/s ({rate * 2 * g_macs / 1e9:.0f} GFLOP/s)")


if __name__ == "__main__":
    main()
