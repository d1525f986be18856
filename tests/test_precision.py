"""Speed settings: bfloat16 and float16 training, loss scaling, skipped overflow steps; XLA-compiled steps."""

import keras
import numpy as np
import pytest

import kerasgan
from kerasgan import distribute


@pytest.fixture
def policy():
    yield distribute.set_precision
    keras.config.set_dtype_policy("float32")


@pytest.mark.parametrize("precision", ["mixed_bfloat16", "mixed_float16"])
@pytest.mark.parametrize("variant", ["dcgan", "wgan_gp", "acgan"])
def test_mixed_precision_fits_finite_losses(policy, precision, variant):
    assert policy(precision) == precision
    num_classes = 10 if variant == "acgan" else None
    gan = kerasgan.build(variant, (28, 28, 1), num_classes=num_classes, seed=0, base_filters=4)
    assert gan.generator.get_layer("convt_0").compute_dtype == precision.split("_")[1]
    assert gan.generator.output.dtype == "float32"  # the output layers stay float32
    gan.compile()
    wrapped = isinstance(gan.d_optimizer, keras.optimizers.LossScaleOptimizer)
    assert wrapped == (precision == "mixed_float16")
    assert isinstance(gan.g_optimizer, keras.optimizers.LossScaleOptimizer) == wrapped
    rng = np.random.default_rng(0)
    images = rng.uniform(-1, 1, (32, 28, 28, 1)).astype("float32")
    data = (images, rng.integers(0, 10, 32)) if num_classes else (images,)
    history = gan.fit(*data, batch_size=16, epochs=1, verbose=0)
    for name, values in history.history.items():
        assert np.all(np.isfinite(values)), (name, values)
    assert gan.generate(2, seed=0).dtype == np.float32


def test_float16_skips_a_step_with_infinite_gradients(policy):
    policy("mixed_float16")
    gan = kerasgan.build("dcgan", (28, 28, 1), seed=0, base_filters=4)
    gan.compile()
    good = np.random.default_rng(0).uniform(-1, 1, (8, 28, 28, 1)).astype("float32")
    gan.fit(good, batch_size=8, verbose=0)
    kernel = gan.discriminator.trainable_variables[0]  # D's first convolution (float32 variable)
    kernel.assign(kernel * 1e7)  # its float16 outputs overflow: inf gradients
    before = [v.numpy().copy() for v in gan.discriminator.trainable_variables]
    scale_before = float(gan.d_optimizer.dynamic_scale.numpy())
    steps_before = int(gan.d_optimizer.iterations.numpy())
    gan.fit(good, batch_size=8, verbose=0)
    after = [v.numpy() for v in gan.discriminator.trainable_variables]
    for b, a in zip(before, after, strict=True):
        np.testing.assert_array_equal(a, b)  # the step was skipped, not applied with inf/NaN
        assert np.isfinite(a).all()
    assert float(gan.d_optimizer.dynamic_scale.numpy()) == scale_before / 2
    assert int(gan.d_optimizer.iterations.numpy()) == steps_before  # the inner optimizer did not step
    kernel.assign(kernel / 1e7)
    history = gan.fit(good, batch_size=8, verbose=0)  # and training goes on
    assert np.isfinite(history.history["d_loss"][0])


def test_auto_precision_follows_the_hardware(policy):
    expected = "mixed_bfloat16" if distribute.cpu_supports_bf16() else "float32"
    assert distribute.resolve_precision("auto") == expected
    with pytest.raises(ValueError, match="unknown precision 'fp8'"):
        distribute.resolve_precision("fp8")


@pytest.mark.parametrize("variant,options", [("wgan_gp", {}), ("dcgan", {"augment": "color,translation,cutout"})])
def test_xla_compiled_steps_train(variant, options):
    """``jit_compile=True`` (XLA; 1.6-2x faster on AVX2-only CPUs) compiles every part of a step: the gradient
    penalty's second-order gradient, DiffAugment's random ops. XLA draws other random numbers from the same seeds
    (its stateless generator differs), so only the training's validity is compared, not its numbers."""
    gan = kerasgan.build(variant, (28, 28, 1), seed=0, base_filters=4, **options)
    gan.compile(jit_compile=True, steps_per_execution=2)
    before = [v.numpy().copy() for v in gan.generator.trainable_variables + gan.discriminator.trainable_variables]
    images = np.random.default_rng(0).uniform(-1, 1, (16 * gan.d_steps, 28, 28, 1)).astype("float32")
    history = gan.fit(images, batch_size=4 * gan.d_steps, epochs=1, verbose=0)
    assert gan.jit_compile is True
    for name, values in history.history.items():
        assert np.all(np.isfinite(values)), (name, values)
    after = gan.generator.trainable_variables + gan.discriminator.trainable_variables
    assert all(not np.allclose(b, a.numpy()) for b, a in zip(before, after, strict=True) if b.ndim > 1)
    assert int(gan.g_optimizer.iterations.numpy()) == 4
    assert int(gan.d_optimizer.iterations.numpy()) == 4 * gan.d_steps


def test_jit_compile_auto_times_both_ways_keeps_the_faster_and_resumes_with_it(tmp_path, monkeypatch):
    """``jit_compile="auto"`` (the default): a run long enough times a throwaway copy both ways, compiles with the
    faster, records both timings in config.json; resumed, it keeps that choice without timing again; a short run
    is not timed and compiles without XLA."""
    import json

    import kerasgan

    monkeypatch.setattr(kerasgan.distribute, "JIT_AUTO_MIN_STEPS", 4)
    timed = []
    original = kerasgan.distribute._timed_fit

    def recording(gan, *args, **kwargs):
        timed.append(bool(gan.jit_compile))
        return original(gan, *args, **kwargs)

    monkeypatch.setattr(kerasgan.distribute, "_timed_fit", recording)
    both = [False, True, False, True, True, False]  # warm-ups, then the timed calls interleaved
    common = dict(variant="vanilla", dataset="toy:ring8", workdir=str(tmp_path / "run"), steps_per_epoch=4,
                  batch_size=32, verbose=0, seed=0)
    gan = kerasgan.train(epochs=1, **common)["gan"]
    auto = json.loads((tmp_path / "run" / "config.json").read_text())["jit_compile_auto"]
    assert timed == both and set(auto["ms_per_step"]) == {"xla", "no_xla"}
    assert auto["choice"] == (auto["ms_per_step"]["xla"] < auto["ms_per_step"]["no_xla"]) == bool(gan.jit_compile)
    assert int(gan.g_optimizer.iterations) == 4  # the probes trained copies, not the run's GAN
    resumed = kerasgan.train(epochs=2, **common)["gan"]
    again = json.loads((tmp_path / "run" / "config.json").read_text())["jit_compile_auto"]
    assert timed == both and again["resumed"] and again["choice"] == auto["choice"] == resumed.jit_compile
    short = kerasgan.train(epochs=1, **{**common, "workdir": str(tmp_path / "short"), "steps_per_epoch": 2})["gan"]
    reason = json.loads((tmp_path / "short" / "config.json").read_text())["jit_compile_auto"]
    assert not short.jit_compile and "not timed" in reason["reason"] and timed == both


def test_compare_train_steps_interleaves_the_timed_calls_so_a_load_that_comes_falls_on_both(monkeypatch):
    """Each GAN warms up (compiles), then the timed calls alternate A B, B A: a load that doubles every call from
    the fifth on leaves each GAN one unloaded timing, and the best of each keeps the true order (timed one GAN
    after the other, the second would have met only the load: 2.0 s against 1.5 s, the wrong choice)."""
    gans = {"no_xla": kerasgan.build("dcgan", (16, 16, 1), base_filters=4),
            "xla": kerasgan.build("dcgan", (16, 16, 1), base_filters=4)}
    cost = {id(gans["no_xla"]): 1.5, id(gans["xla"]): 1.0}
    calls = []

    def fake_fit(gan, data, rows):
        assert rows == 8 * gan.d_steps and len(data) == rows * 2
        calls.append(next(name for name, each in gans.items() if each is gan))
        return cost[id(gan)] * (2 if len(calls) >= 5 else 1)

    monkeypatch.setattr(kerasgan.distribute, "_timed_fit", fake_fit)
    ms = kerasgan.distribute.compare_train_steps(gans, batch_size=8, steps_per_execution=2, executions=2)
    assert calls == ["no_xla", "xla", "no_xla", "xla", "xla", "no_xla"]
    assert ms == {"no_xla": 750.0, "xla": 500.0}  # the best of each, per step of the two in a call


def test_a_preset_trains_in_the_runs_precision_with_its_pretrained_weights(tmp_path, policy):
    """A zoo network opens computing in float32 (stored in float16, it comes back in float32); ``kerasgan.train``
    with ``preset=`` and a mixed precision builds the preset's networks again in that policy, output layers in
    float32, and gives them the pretrained weights: at learning rate 0 two steps leave them exactly as shipped."""
    from PIL import Image

    shipped = kerasgan.GAN.from_preset("lsgan_mnist", seed=0)
    assert {layer.dtype_policy.name for layer in shipped.generator.layers} == {"float32"}
    folder = tmp_path / "mine" / "scans"
    folder.mkdir(parents=True)
    for i, image in enumerate(np.random.default_rng(0).integers(0, 256, (shipped.clusters + 8, 28, 28), np.uint8)):
        Image.fromarray(image).save(folder / f"{i}.png")
    gan = kerasgan.train(preset="lsgan_mnist", dataset=f"folder:{folder.parent}", workdir=str(tmp_path / "w"),
                         batch_size=8, steps_per_epoch=2, verbose=0, precision="mixed_bfloat16", jit_compile=False,
                         learning_rate=0.0)["gan"]
    assert int(gan.g_optimizer.iterations) == 2 and keras.config.dtype_policy().name == "float32"  # restored
    for network in ("generator", "discriminator"):
        model = getattr(gan, network)
        outputs = {layer.name: layer.dtype_policy.name for layer in model.layers if layer.name in ("out", "logit")}
        assert model.layers[2].dtype_policy.name == "mixed_bfloat16" and set(outputs.values()) == {"float32"}
        for trained, pretrained in zip(model.trainable_weights, getattr(shipped, network).trainable_weights):
            assert trained.dtype == "float32"
            np.testing.assert_array_equal(trained.numpy(), pretrained.numpy())
    assert gan.clusters_fitted  # on the new data, as without a mixed precision
