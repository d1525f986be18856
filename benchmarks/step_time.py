"""Where a 32x32x3 GAN training step spends its time, and what each network/setting costs (run by hand).

    python benchmarks/step_time.py [--steps=32] [--settings=NAME,...] [--parts] [--xla] [--examples=50000]
                                   [--json=benchmarks/results/step_time/RESULT.json]

For each setting (a row of ``SETTINGS``: network options, batch, precision, XLA; and one
row per CIFAR-10 zoo card, its recipe's exact setting) it builds
``kerasgan.build(variant, (32, 32, 3), ...)``, compiles it with ``steps_per_execution=8``
and times ``fit`` on random images held in memory (the data costs nothing here), after one
warm-up execution (the best of ``--repeats`` timed calls). It prints setting -> ms/step
(one G update and its d_steps D updates), real images/s and minutes per epoch of
``--examples`` images (CIFAR-10's 50,000 train images), plus the networks' parameter
counts and forward multiply-accumulates per image.

``--xla`` also times each chosen setting compiled with XLA (``jit_compile=True``; a
row ``NAME +xla``), for the machines where XLA pays (it does on some CPUs, not on others).

``--parts`` also splits one setting's step into its pieces, each a compiled
``tf.function`` timed alone at the same batch: G forward; G forward+backward;
D forward; D forward+backward (weights and input gradient); so where the
step goes (G or D, forward or backward) can be read off.

Record the CPU beside the numbers: the script prints
``kerasgan.distribute.cpu_description()``; bfloat16 is fast only on CPUs that
compute it natively.
"""

import argparse
import json
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

import kerasgan  # noqa: E402

SHAPE = (32, 32, 3)
#: SNGAN's standard CNN pair (Miyato et al. 2018, Table 3): 64 to 512 channels, and at half width (32 to 256
#: channels), the sngan_cifar10 recipes' networks
SNGAN_FULL = {"max_filters": 512, "kernel_size": 4, "convs_per_stage": 2, "leaky_slope": 0.1, "output_conv": True}
SNGAN_HALF = {**SNGAN_FULL, "base_filters": 32, "max_filters": 256}
#: setting name -> (variant, network options, batch size, precision, jit_compile)
SETTINGS = {
    "dcgan default f32": ("dcgan", {}, 64, "float32", False),
    "dcgan default bf16": ("dcgan", {}, 64, "mixed_bfloat16", False),
    "dcgan max256 k4 f32": ("dcgan", {"max_filters": 256, "kernel_size": 4}, 64, "float32", False),
    "dcgan max256 k4 bf16": ("dcgan", {"max_filters": 256, "kernel_size": 4}, 64, "mixed_bfloat16", False),
    "dcgan b32 k4 f32": ("dcgan", {"base_filters": 32, "kernel_size": 4}, 64, "float32", False),
    "dcgan b32 k4 bf16": ("dcgan", {"base_filters": 32, "kernel_size": 4}, 64, "mixed_bfloat16", False),
    "dcgan b32 k4 nearest f32": ("dcgan", {"base_filters": 32, "kernel_size": 4, "upsample": "nearest"}, 64,
                                 "float32", False),
    "dcgan b32 k3 nearest f32": ("dcgan", {"base_filters": 32, "kernel_size": 3, "upsample": "nearest"}, 64,
                                 "float32", False),
    "dcgan b32 k4 f32 xla": ("dcgan", {"base_filters": 32, "kernel_size": 4}, 64, "float32", True),
    "dcgan b32 k4 f32 batch128": ("dcgan", {"base_filters": 32, "kernel_size": 4}, 128, "float32", False),
    "sngan b32 k4 f32": ("sngan", {"base_filters": 32, "kernel_size": 4}, 64, "float32", False),
    "dcgan max256 k4 bf16 diffaugment": ("dcgan", {"max_filters": 256, "kernel_size": 4,
                                                   "augment": "color,translation,cutout"}, 64, "mixed_bfloat16", False),
    "sngan max256 k4 bf16": ("sngan", {"max_filters": 256, "kernel_size": 4}, 64, "mixed_bfloat16", False),
    "sngan max256 k4 bf16 standard-cnn": ("sngan", {"max_filters": 256, "kernel_size": 4, "convs_per_stage": 2}, 64,
                                          "mixed_bfloat16", False),
    "sngan max256 k4 bf16 standard-cnn d32": ("sngan", {"max_filters": 256, "kernel_size": 4, "convs_per_stage": 2,
                                                        "d_base_filters": 32}, 64, "mixed_bfloat16", False),
    # SNGAN's standard CNN as Miyato et al. 2018 (Table 3) train it on CIFAR-10: D of seven convolutions, 64 to 512
    # channels, leaky ReLU 0.1; G of three stride-2 4x4 ConvT and a 3x3 conv; 5 D updates per G update (the public
    # recipes'); at full and at half width
    "sngan paper b64 f32": ("sngan", {**SNGAN_FULL, "d_steps": 5}, 64, "float32", False),
    "sngan paper b64 bf16": ("sngan", {**SNGAN_FULL, "d_steps": 5}, 64, "mixed_bfloat16", False),
    "sngan paper b32 bf16": ("sngan", {**SNGAN_HALF, "d_steps": 5}, 64, "mixed_bfloat16", False),
    "sngan paper b32 f32": ("sngan", {**SNGAN_HALF, "d_steps": 5}, 64, "float32", False),
    # the same with bCR (Zhao et al. 2021: lambda 10, T = translation,cutout): two more D passes in each D step
    "sngan paper b32 bf16 bcr": ("sngan", {**SNGAN_HALF, "d_steps": 5, "consistency_weight": 10.0}, 64,
                                 "mixed_bfloat16", False),
    # the same networks with one D update per G update, as the public standard-CNN recipe trains them
    # (pytorch-gan-collections' config/SNGAN_CIFAR10_CNN.txt: n_dis 1, 100k steps): at half and at full width
    "sngan paper b32 bf16 d1": ("sngan", {**SNGAN_HALF, "d_steps": 1}, 64, "mixed_bfloat16", False),
    "sngan paper b64 bf16 d1": ("sngan", {**SNGAN_FULL, "d_steps": 1}, 64, "mixed_bfloat16", False),
    # the one-D-step recipe with what regularises an overfitting D: DiffAugment with dcgan_cifar10's policy, and bCR
    "sngan paper b32 bf16 d1 diffaug": ("sngan", {**SNGAN_HALF, "d_steps": 1, "augment": "color,translation,cutout"},
                                        64, "mixed_bfloat16", False),
    "sngan paper b32 bf16 d1 bcr": ("sngan", {**SNGAN_HALF, "d_steps": 1, "consistency_weight": 10.0}, 64,
                                    "mixed_bfloat16", False),
}
SPE = 8
#: recipe options that change a step's cost: the networks', and the GAN settings that add work to a step
COST_FLAGS = ("base_filters", "g_base_filters", "d_base_filters", "max_filters", "kernel_size", "upsample",
              "convs_per_stage", "output_conv", "augment", "r1_weight", "consistency_weight", "d_steps")


def recipe_settings():
    """One setting per CIFAR-10 zoo card, from its recipe (the exact setting its training runs)."""
    settings = {}
    for name in kerasgan.zoo.names():
        card = kerasgan.zoo.card(name)
        if card["dataset"] == "cifar10":
            recipe = card["recipe"]
            options = {k: recipe[k] for k in COST_FLAGS if k in recipe}
            settings[f"recipe {name}"] = (recipe["variant"], options, recipe["batch_size"],
                                          recipe.get("precision", "float32"), recipe.get("jit_compile", False))
    return settings


def build(variant, options, precision, jit_compile):
    previous = keras.config.dtype_policy()
    kerasgan.distribute.set_precision(precision)
    try:
        conditional = kerasgan.get_variant(variant).conditioning
        gan = kerasgan.build(variant, SHAPE, seed=0, num_classes=10 if conditional else None, **options)
        gan.compile(steps_per_execution=SPE, jit_compile=jit_compile)
    finally:
        keras.config.set_dtype_policy(previous)
    return gan


def forward_macs(model):
    """Multiply-accumulates of one forward pass per image (Dense, Conv2D, Conv2DTranspose, wrapped or not)."""
    total = 0
    for layer in model.layers:
        inner = getattr(layer, "layer", layer)  # SpectralNormalization wraps its layer (only the wrapper is called)
        kernel = int(np.prod(inner.kernel.shape)) if hasattr(inner, "kernel") else 0
        if isinstance(inner, keras.layers.Dense):
            total += kernel
        elif isinstance(inner, keras.layers.Conv2DTranspose):
            _, h, w, _ = layer.input.shape  # every input pixel scatters a kernel
            total += h * w * kernel
        elif isinstance(inner, keras.layers.Conv2D):
            _, h, w, _ = layer.output.shape
            total += h * w * kernel
    return total


class Clock(keras.callbacks.Callback):
    """Times ``fit`` from its first to its last train step: creating the dataset
    iterator, which here sometimes stalls for seconds before training starts,
    is a per-call cost, not throughput (a real training is one long fit)."""

    def on_train_begin(self, logs=None):
        self.start = time.perf_counter()

    def on_train_end(self, logs=None):
        self.seconds = time.perf_counter() - self.start


def time_fit(gan, batch, steps, repeats):
    """Seconds per step (one generator update, ``d_steps`` discriminator updates on their own real batches of
    ``batch``): the best of ``repeats`` timed ``fit`` calls after a warm-up."""
    rows = batch * gan.d_steps
    images = np.random.default_rng(0).uniform(-1, 1, (rows * SPE,) + SHAPE).astype("float32")
    data = (images, np.arange(len(images)) % gan.num_classes) if gan.num_classes else images
    dataset = tf.data.Dataset.from_tensor_slices(data).batch(rows, drop_remainder=True).repeat().prefetch(2)
    gan.fit(dataset, epochs=1, steps_per_epoch=SPE, verbose=0)  # trace and warm up
    steps = max(steps // SPE, 1) * SPE
    times = []
    for _ in range(repeats):
        clock = Clock()
        gan.fit(dataset, epochs=1, steps_per_epoch=steps, verbose=0, callbacks=[clock])
        times.append(clock.seconds / steps)
    return min(times)


def time_function(function, *args, repeats=5):
    function(*args)
    start = time.perf_counter()
    for _ in range(repeats):
        out = function(*args)
    tf.nest.map_structure(lambda t: tf.convert_to_tensor(t).numpy(), out)
    return (time.perf_counter() - start) / repeats


def parts(gan, batch):
    """ms of each piece of a step at ``batch``, each a compiled function."""
    g, d = gan.generator, gan.discriminator
    z = tf.random.normal((batch, gan.latent_dim))
    x = tf.random.uniform((batch,) + SHAPE, -1, 1)
    if gan.num_classes:  # conditional nets take [input, label]
        labels = tf.range(batch) % gan.num_classes
        z = [z, labels]
        if len(d.inputs) > 1:
            x = [x, labels]

    @tf.function
    def g_forward(z):
        return g(z, training=True)

    @tf.function
    def g_forward_backward(z):
        with tf.GradientTape() as tape:
            out = tf.reduce_sum(tf.cast(g(z, training=True), tf.float32))
        return tape.gradient(out, g.trainable_variables)

    @tf.function
    def d_forward(x):
        return d(x, training=True)

    @tf.function
    def d_forward_backward(x):
        with tf.GradientTape() as tape:
            image = x[0] if isinstance(x, list) else x
            tape.watch(image)
            out = sum(tf.reduce_sum(tf.cast(o, tf.float32)) for o in tf.nest.flatten(d(x, training=True)))
        return tape.gradient(out, [image] + d.trainable_variables)

    return {
        "G forward": 1000 * time_function(g_forward, z),
        "G forward+backward": 1000 * time_function(g_forward_backward, z),
        "D forward": 1000 * time_function(d_forward, x),
        "D forward+backward": 1000 * time_function(d_forward_backward, x),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=32)
    parser.add_argument("--repeats", type=int, default=2, help="timed fit calls per setting (the best counts)")
    parser.add_argument("--settings", default=None, help="comma-separated names of SETTINGS and of the recipe "
                        "settings ('recipe NAME', one per CIFAR-10 zoo card); default: all")
    parser.add_argument("--parts", action="store_true", help="also split each setting's step into G and D pieces")
    parser.add_argument("--xla", action="store_true", help="also time each setting compiled with XLA")
    parser.add_argument("--examples", type=int, default=50_000, help="images per epoch (CIFAR-10 train: 50,000)")
    parser.add_argument("--json", default=None, help="also write the rows to this file")
    args = parser.parse_args()
    machine = kerasgan.distribute.cpu_description()
    print(f"machine: {machine}; TensorFlow {tf.__version__}, Keras {keras.__version__}; steps_per_execution {SPE}")
    print("| setting | G params | G MMAC/img | D MMAC/img | batch | ms/step | images/s | min/epoch |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    rows = []
    settings = {**SETTINGS, **recipe_settings()}
    chosen = args.settings.split(",") if args.settings else list(settings)
    if args.xla:
        for name in [n for n in chosen if not settings[n][4]]:
            settings[f"{name} +xla"] = settings[name][:4] + (True,)
        chosen = [n for name in chosen for n in (name, f"{name} +xla") if n in settings]
    for name in chosen:
        variant, options, batch, precision, jit = settings[name]
        gan = build(variant, options, precision, jit)
        seconds = time_fit(gan, batch, args.steps, args.repeats)
        row = {"setting": name, "variant": variant, "options": options, "batch": batch, "precision": precision,
               "jit_compile": jit, "g_params": gan.generator.count_params(),
               "g_mmac": forward_macs(gan.generator) / 1e6, "d_mmac": forward_macs(gan.discriminator) / 1e6,
               "ms_per_step": 1000 * seconds, "images_per_s": batch * gan.d_steps / seconds,
               "d_steps": gan.d_steps, "minutes_per_epoch": args.examples / (batch * gan.d_steps) * seconds / 60}
        if args.parts:
            row["parts_ms"] = parts(gan, batch)
        rows.append(row)
        batches = f"{batch}x{gan.d_steps}" if gan.d_steps > 1 else f"{batch}"
        print(f"| {name} | {row['g_params'] / 1e6:.2f} M | {row['g_mmac']:.0f} | {row['d_mmac']:.0f} | {batches} | "
              f"{row['ms_per_step']:.0f} | {row['images_per_s']:.0f} | {row['minutes_per_epoch']:.1f} |", flush=True)
        if args.parts:
            print("    " + ", ".join(f"{k} {v:.0f} ms" for k, v in row["parts_ms"].items()), flush=True)
        keras.backend.clear_session()
    if args.json:
        os.makedirs(os.path.dirname(args.json) or ".", exist_ok=True)
        with open(args.json, "w") as handle:
            json.dump({"machine": machine, "tensorflow": tf.__version__, "keras": keras.__version__,
                       "steps_per_execution": SPE, "rows": rows}, handle, indent=1)


if __name__ == "__main__":
    main()
