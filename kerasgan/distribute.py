"""Distribution strategies and numeric precision for GAN training.

Every kerasgan GAN trains under the strategy whose ``scope()`` it was built
and compiled in; :func:`strategy` makes one by name:

- ``"auto"``: ``MirroredStrategy`` over all GPUs when there are several,
  else the default (single-device) strategy;
- ``"default"``: the default strategy (one device);
- ``"mirrored"``: ``MirroredStrategy`` over all GPUs, or over all logical
  CPU devices when there is no GPU;
- ``"multi_worker"``: ``MultiWorkerMirroredStrategy``, with the cluster
  described by the ``TF_CONFIG`` environment variable (one process per
  worker, each running the same program);
- ``"tpu"``: ``TPUStrategy`` on the TPU found by ``TPUClusterResolver``
  (documented only: no TPU is reachable from our CI).

What the GAN does under N replicas (see :class:`kerasgan.GAN`): every loss,
hand-written ones, the gradient penalty and the AC-GAN term included, is
summed over the replica's examples and divided by the *global* batch size
(all-reduced, so a partial last batch is exact), gradients are summed across
replicas, logged metrics are the true global means, and each replica draws
its own noise (the seed is folded with the replica id). Batch normalisation
uses each replica's own batch statistics unless the networks are built with
``norm="sync_batch"`` (``d_norm=``/``g_norm=``), which all-reduces them.

Precision (:func:`set_precision`): ``"float32"``, ``"mixed_bfloat16"``,
``"mixed_float16"`` (both optimizers wrapped in ``LossScaleOptimizer``; a
step whose gradients overflow is skipped and the loss scale lowered), or
``"auto"``: bfloat16 where the hardware computes it natively (CPUs with
AVX512_BF16 or AMX, GPUs of compute capability 8.0 and newer), else float32.
The networks' output layers always compute in float32.

Example:

>>> from kerasgan import distribute
>>> s = distribute.strategy("default")
>>> s.num_replicas_in_sync
1
"""

from __future__ import annotations

import json
import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # for the annotations only
    import tensorflow as tf

__all__ = ["STRATEGIES", "PRECISIONS", "strategy", "set_precision", "resolve_precision", "cpu_supports_bf16",
           "cpu_description", "time_train_steps", "compare_train_steps"]

#: Strategy names, each with what it makes (the command line's ``--strategy`` help).
STRATEGIES = {
    "auto": "all GPUs when there are several, else one device",
    "default": "one device",
    "mirrored": "MirroredStrategy over all GPUs (or all logical CPUs)",
    "multi_worker": "MultiWorkerMirroredStrategy over the TF_CONFIG cluster",
    "tpu": "TPUStrategy",
}
#: Precision names, each with what it means (the command line's ``--precision`` help).
PRECISIONS = {
    "auto": "bfloat16 where the hardware computes it natively, else float32",
    "float32": "float32 throughout",
    "mixed_bfloat16": "bfloat16 compute, float32 weights",
    "mixed_float16": "float16 compute with loss scaling, float32 weights",
}

# TensorFlow and Keras are imported inside the functions: the names above are
# read by the command line's --help, which must not import TensorFlow.


def strategy(name: str = "auto", devices: list[str] | None = None) -> tf.distribute.Strategy:
    """A ``tf.distribute`` strategy by name (see the module docstring).

    ``devices`` picks the devices of ``"mirrored"`` (e.g. ``["GPU:0",
    "GPU:1"]``).

    Example:

    >>> strategy("auto").num_replicas_in_sync >= 1
    True
    """
    import tensorflow as tf

    if name not in STRATEGIES:
        raise ValueError(f"kerasgan: unknown strategy {name!r}; choose one of {list(STRATEGIES)}.")
    # list_physical_devices leaves the runtime uninitialised: a multi-worker
    # strategy must be created before anything initialises it.
    if name == "auto":
        several = len(tf.config.list_physical_devices("GPU")) > 1
        return tf.distribute.MirroredStrategy() if several else tf.distribute.get_strategy()
    if name == "default":
        return tf.distribute.get_strategy()
    if name == "mirrored":
        if devices is None:
            gpus = tf.config.list_logical_devices("GPU")
            devices = [d.name for d in gpus] or [d.name for d in tf.config.list_logical_devices("CPU")]
        return tf.distribute.MirroredStrategy(devices)
    if name == "multi_worker":
        config = os.environ.get("TF_CONFIG")
        if not config:
            raise ValueError(
                "kerasgan: strategy 'multi_worker' needs the TF_CONFIG environment variable "
                '(e.g. {"cluster": {"worker": ["host1:12345", "host2:12345"]}, "task": {"type": "worker", '
                '"index": 0}}) set in every worker process.'
            )
        try:
            json.loads(config)
        except json.JSONDecodeError as error:
            raise ValueError(f"kerasgan: TF_CONFIG is not valid JSON: {error}.") from None
        return tf.distribute.MultiWorkerMirroredStrategy()
    resolver = tf.distribute.cluster_resolver.TPUClusterResolver()
    tf.config.experimental_connect_to_cluster(resolver)
    tf.tpu.experimental.initialize_tpu_system(resolver)
    return tf.distribute.TPUStrategy(resolver)


def cpu_supports_bf16() -> bool:
    """True when this CPU computes bfloat16 natively (AVX512_BF16 or AMX).

    Example:

    >>> isinstance(cpu_supports_bf16(), bool)
    True
    """
    try:
        with open("/proc/cpuinfo") as handle:
            flags = handle.read()
    except OSError:
        return False
    return any(flag in flags for flag in (" avx512_bf16", " amx_bf16"))


def cpu_description() -> str:
    """This machine's CPU, as timings should record it: the ``lscpu`` model
    name, the core count and whether it computes bfloat16 natively.

    Example:

    >>> "native bfloat16" in cpu_description()
    True
    """
    import platform
    import subprocess

    try:
        lines = subprocess.run(["lscpu"], capture_output=True, text=True, timeout=10).stdout.splitlines()
        model = next(line.split(":", 1)[1].strip() for line in lines if line.startswith("Model name"))
    except (OSError, StopIteration, subprocess.SubprocessError):
        model = platform.processor() or "unknown CPU"
    return f"{model}, {os.cpu_count()} cores, native bfloat16: {cpu_supports_bf16()}"


def resolve_precision(name: str = "auto") -> str:
    """The Keras dtype policy name that ``name`` stands for here.

    Example:

    >>> resolve_precision("mixed_float16")
    'mixed_float16'
    """
    if name not in PRECISIONS:
        raise ValueError(f"kerasgan: unknown precision {name!r}; choose one of {list(PRECISIONS)}.")
    if name != "auto":
        return name
    import tensorflow as tf

    gpus = tf.config.list_physical_devices("GPU")
    if gpus:
        capabilities = [tf.config.experimental.get_device_details(g).get("compute_capability", (0, 0)) for g in gpus]
        return "mixed_bfloat16" if all(c >= (8, 0) for c in capabilities) else "float32"
    return "mixed_bfloat16" if cpu_supports_bf16() else "float32"


def set_precision(name: str = "auto") -> str:
    """Set Keras' global dtype policy for the networks built next; returns it.

    Call it before ``kerasgan.build``: layers take the policy in force when
    they are created.

    Example:

    >>> set_precision("float32")
    'float32'
    """
    import keras

    policy = resolve_precision(name)
    keras.config.set_dtype_policy(policy)
    return policy


#: Planned generator steps from which ``jit_compile="auto"`` of :func:`kerasgan.train` times both ways (below,
#: compiling twice costs more than the faster choice can save, and the run compiles without XLA).
JIT_AUTO_MIN_STEPS = 2000


def time_train_steps(gan, batch_size: int, steps_per_execution: int = 1, executions: int = 2) -> float:
    """Milliseconds per train step of the compiled ``gan`` (one generator update and its ``d_steps``
    discriminator updates on batches of ``batch_size``): :func:`compare_train_steps` of that one GAN.
    It trains ``gan``: time a throwaway copy.

    Example:

    >>> import kerasgan
    >>> gan = kerasgan.build("dcgan", (16, 16, 1), base_filters=4); gan.compile()
    >>> time_train_steps(gan, batch_size=8) > 0
    True
    """
    return compare_train_steps({"gan": gan}, batch_size, steps_per_execution, executions)["gan"]


def _timed_fit(gan, data, rows: int) -> float:
    """Seconds of one ``fit`` epoch of ``gan`` on ``data`` in batches of ``rows``, from its first batch on."""
    import time

    import keras

    class Clock(keras.callbacks.Callback):
        def on_train_batch_begin(self, batch, logs=None):
            self.start = time.perf_counter() if batch == 0 else self.start

        def on_train_end(self, logs=None):
            self.seconds = time.perf_counter() - self.start

    clock = Clock()
    gan.fit(data, batch_size=rows, epochs=1, shuffle=False, verbose=0, callbacks=[clock])
    return clock.seconds


def compare_train_steps(gans: dict, batch_size: int, steps_per_execution: int = 1,
                        executions: int = 2) -> dict[str, float]:
    """Milliseconds per train step of each compiled GAN of ``gans`` (name: GAN), the best of ``executions`` timed
    calls of ``steps_per_execution`` steps after one warm-up call each (which compiles), on random images held
    in memory. The timed calls interleave, in an order that turns round each round (A B, B A, A B, ...): a load
    that comes or goes during the timing falls on every GAN's calls, not all on the last GAN's. It trains the
    GANs: time throwaway copies. What ``jit_compile="auto"`` of :func:`kerasgan.train` compares (with and without XLA).

    Example:

    >>> import kerasgan
    >>> plain, xla = (kerasgan.build("dcgan", (16, 16, 1), base_filters=4) for _ in range(2))
    >>> plain.compile(jit_compile=False); xla.compile(jit_compile=True)
    >>> sorted(compare_train_steps({"no_xla": plain, "xla": xla}, batch_size=8))
    ['no_xla', 'xla']
    """
    import numpy as np

    datas = {}
    for name, gan in gans.items():
        rows = batch_size * gan.d_steps
        images = np.random.default_rng(0).uniform(-1, 1, (rows * steps_per_execution,) + tuple(gan.image_shape))
        images = images.astype("float32")
        datas[name] = (images, np.arange(len(images)) % gan.num_classes) if gan.num_classes else images
        if getattr(gan, "clusters", None) and not gan.clusters_fitted:
            gan.fit_clusters(images)
        _timed_fit(gan, datas[name], rows)  # compiles
    best = dict.fromkeys(gans, float("inf"))
    names = list(gans)
    for round_ in range(executions):
        for name in (names if round_ % 2 == 0 else names[::-1]):
            seconds = _timed_fit(gans[name], datas[name], batch_size * gans[name].d_steps)
            best[name] = min(best[name], seconds / steps_per_execution)
    return {name: 1000.0 * seconds for name, seconds in best.items()}