"""`.keras` round trips: the whole GAN with both optimizers, and the generator alone."""

import json
import os
import subprocess
import sys
import textwrap

import keras
import numpy as np
import pytest

import kerasgan


def _train(variant, num_classes=None, **options):
    rng = np.random.default_rng(0)
    images = rng.uniform(-1, 1, (32, 28, 28, 1)).astype("float32")
    labels = rng.integers(0, 10, 32)
    gan = kerasgan.build(variant, (28, 28, 1), num_classes=num_classes, seed=5, **options)
    gan.compile()
    data = (images, labels) if num_classes else (images,)
    gan.fit(*data, batch_size=8, epochs=1, verbose=0)
    return gan, data


def _optimizer_state(optimizer):
    return {v.path: v.numpy() for v in optimizer.variables}


@pytest.mark.parametrize(
    "variant, num_classes, options",
    [("dcgan", None, {"base_filters": 4}), ("acgan", 10, {"base_filters": 4}), ("wgan_gp", None, {"base_filters": 4})],
)
def test_whole_gan_round_trip(tmp_path, variant, num_classes, options):
    gan, data = _train(variant, num_classes, **options)
    path = tmp_path / "gan.keras"
    gan.save(path)
    loaded = keras.models.load_model(path)
    assert type(loaded) is type(gan)
    assert json.dumps(loaded.get_config(), sort_keys=True) == json.dumps(gan.get_config(), sort_keys=True)
    labels = [1, 2, 3] if num_classes else None
    np.testing.assert_array_equal(loaded.generate(3, labels=labels, seed=11), gan.generate(3, labels=labels, seed=11))
    for mine, theirs in ((gan.d_optimizer, loaded.d_optimizer), (gan.g_optimizer, loaded.g_optimizer)):
        assert type(theirs) is type(mine)
        assert int(theirs.iterations) == int(mine.iterations) > 0
        expected, got = _optimizer_state(mine), _optimizer_state(theirs)
        assert len(got) == len(expected)
        for (_, a), (_, b) in zip(sorted(expected.items()), sorted(got.items())):
            np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(loaded.seed_generator.state.numpy(), gan.seed_generator.state.numpy())
    # training continues from the restored state, exactly as the original would
    gan.fit(*data, batch_size=8, epochs=1, verbose=0, shuffle=False)
    loaded.fit(*data, batch_size=8, epochs=1, verbose=0, shuffle=False)
    assert int(loaded.g_optimizer.iterations) == int(gan.g_optimizer.iterations)
    for a, b in zip(gan.generator.weights, loaded.generator.weights):
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-5, atol=1e-6)


def test_uncompiled_gan_round_trip(tmp_path):
    gan = kerasgan.build("lsgan", (32, 32, 3), seed=1, base_filters=4)
    gan.save(tmp_path / "g.keras")
    loaded = keras.models.load_model(tmp_path / "g.keras")
    assert loaded.d_optimizer is None and loaded.loss_config == {"a": 0.0, "b": 1.0, "c": 1.0}
    np.testing.assert_array_equal(loaded.generate(2, seed=0), gan.generate(2, seed=0))


def test_generator_loads_without_kerasgan(tmp_path):
    gan, _ = _train("cgan", 10, base_filters=4)
    path = tmp_path / "generator.keras"
    gan.generator.save(path)
    z = np.random.default_rng(3).normal(size=(4, gan.latent_dim)).astype("float32")
    labels = np.array([0, 3, 6, 9], "int32")
    np.save(tmp_path / "z.npy", z)
    np.save(tmp_path / "labels.npy", labels)
    expected = np.asarray(gan.generator([z, labels], training=False))
    script = textwrap.dedent(
        f"""
        import sys, numpy as np, keras
        g = keras.models.load_model({str(path)!r})
        out = g.predict([np.load({str(tmp_path / 'z.npy')!r}), np.load({str(tmp_path / 'labels.npy')!r})], verbose=0)
        np.save({str(tmp_path / 'out.npy')!r}, out)
        assert not any(m.startswith("kerasgan") for m in sys.modules), "kerasgan was imported"
        print("ok", out.shape)
        """
    )
    env = {**os.environ, "KERAS_BACKEND": "tensorflow", "TF_CPP_MIN_LOG_LEVEL": "2"}
    result = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "ok (4, 28, 28, 1)" in result.stdout
    np.testing.assert_allclose(np.load(tmp_path / "out.npy"), expected, atol=1e-5)


def test_float16_storage_halves_the_file_and_samples_match_float32(tmp_path):
    """The zoo's float16 storage: half the bytes, loads as float32, samples within float16 rounding."""
    gan = kerasgan.build("cgan", (32, 32, 3), num_classes=10, seed=0, base_filters=16, d_norm="spectral")
    gan.compile()
    images = np.random.default_rng(0).uniform(-1, 1, (64, 32, 32, 3)).astype("float32")
    gan.fit(images, np.arange(64) % 10, batch_size=32, epochs=1, verbose=0)  # batch-norm statistics move
    full = kerasgan.save_atomic(gan.generator, tmp_path / "g32.keras")
    half = kerasgan.save_atomic(gan.generator, tmp_path / "g16.keras", dtype="float16")
    assert os.path.getsize(half) < 0.55 * os.path.getsize(full)
    stored = kerasgan.saving.load_model(half, compile=False)
    assert kerasgan.saving.weights_dtype(stored) == "float16"
    restored = kerasgan.saving.with_dtype(stored, "float32")
    assert kerasgan.saving.weights_dtype(restored) == "float32" and restored.inputs[1].dtype == "int32"
    z, labels = kerasgan.sampling.latent_points(200, 100, seed=0), np.arange(200) % 10
    difference = np.abs(np.asarray(restored([z, labels])) - np.asarray(gan.generator([z, labels])))
    assert difference.max() < 0.02 and difference.mean() < 1e-3, (difference.max(), difference.mean())
    # a spectrally normalised discriminator (nested layer configs) round-trips too
    kerasgan.save_atomic(gan.discriminator, tmp_path / "d16.keras", dtype="float16")
    d = kerasgan.saving.with_dtype(kerasgan.saving.load_model(tmp_path / "d16.keras", compile=False), "float32")
    logits = [np.asarray(net([images[:8], labels[:8]], training=False)) for net in (d, gan.discriminator)]
    np.testing.assert_allclose(logits[0], logits[1], atol=0.05)
