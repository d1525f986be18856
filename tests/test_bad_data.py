"""Bad data files: a local source loads them clean or refuses them with kerasgan's own error naming the file.

The fuzz tests start from a small folder of valid images (PNG, JPEG, BMP, GIF,
WebP) and valid IDX files, apply seeded corruptions of every kind the issue
lists, and check each case through ``kerasgan.data.load`` and through
``kerasgan train``: either every image loads, finite and in [-1, 1], or the
error is a :class:`kerasgan.data.BadDataError` that names the file, the command
line ends with one line and exit status 2, and the workdir is left as it was.
The counts are printed at the end of the pytest run.
"""

import gzip
import hashlib
import io
import json
import os
import pathlib
import re
import shutil
import struct
import subprocess
import sys
import zlib

import numpy as np
import pytest
from PIL import Image

from kerasgan import cli, data
from kerasgan.data import BadDataError

#: kind -> [cases tried, cases refused], printed by conftest's terminal summary
REPORT: dict[str, list[int]] = {}
SIZE = 12
#: a line of TensorFlow's C++ logging
TF_LOG = re.compile(r"^[IWEF]\d{4} ")


def _encode(image: Image.Image, fmt: str, **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def _valid_images() -> dict[str, bytes]:
    """One valid file per format (name -> bytes), 12x12."""
    rng = np.random.default_rng(0)
    rgb = Image.fromarray(rng.integers(0, 256, (SIZE, SIZE, 3), dtype=np.uint8))
    return {"rgb.png": _encode(rgb, "PNG"), "rgb.jpg": _encode(rgb, "JPEG", quality=90),
            "rgb.bmp": _encode(rgb, "BMP"), "palette.gif": _encode(rgb.convert("P"), "GIF"),
            "gray.png": _encode(rgb.convert("L"), "PNG"), "rgb.webp": _encode(rgb, "WEBP")}


def _png_declaring(width: int, height: int) -> bytes:
    """A PNG whose header (with a correct checksum) declares ``width`` x ``height`` pixels."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + chunk(b"IEND", b""))


def _image_cases(seed: int = 0) -> list[tuple[str, str, object]]:
    """``(kind, file name, bytes or a callable that makes the file at a path)``, seeded."""
    rng = np.random.default_rng(seed)
    valid = _valid_images()
    names = sorted(valid)
    cases = []
    for i in range(30):  # truncated at a random offset
        name = names[i % len(names)]
        raw = valid[name]
        cases.append(("truncated", f"t{i}_{name}", raw[:int(rng.integers(1, len(raw)))]))
    for i in range(30):  # 1 to 8 random bytes changed
        name = names[i % len(names)]
        raw = bytearray(valid[name])
        for at in rng.integers(0, len(raw), int(rng.integers(1, 9))):
            raw[at] ^= int(rng.integers(1, 256))
        cases.append(("bytes flipped", f"f{i}_{name}", bytes(raw)))
    for i in range(12):  # header bytes changed
        name = names[i % len(names)]
        raw = bytearray(valid[name])
        at = int(rng.integers(0, min(64, len(raw))))
        raw[at] ^= int(rng.integers(1, 256))
        cases.append(("header flipped", f"h{i}_{name}", bytes(raw)))
    rgb = Image.fromarray(rng.integers(0, 256, (SIZE, SIZE, 3), dtype=np.uint8))
    frames = [rgb.convert("P"), rgb.rotate(90).convert("P"), rgb.rotate(180).convert("P")]
    animated = io.BytesIO()
    frames[0].save(animated, "GIF", save_all=True, append_images=frames[1:])
    sixteen = Image.fromarray((rng.integers(0, 65536, (SIZE, SIZE))).astype(np.uint16))

    def fifo(path):
        os.mkfifo(path)

    def loop(path):
        os.symlink(os.path.basename(path), path)  # a link to itself

    def dangling(path):
        os.symlink(path + ".missing", path)

    def unreadable(path):
        pathlib.Path(path).write_bytes(valid["rgb.png"])
        os.chmod(path, 0)

    cases += [
        ("empty", "empty.png", b""),
        ("extension swapped", "png_inside.jpg", valid["rgb.png"]),
        ("extension swapped", "jpeg_inside.png", valid["rgb.jpg"]),
        ("extension swapped", "gif_inside.bmp", valid["palette.gif"]),
        ("not an image", "page.png", b"<html><body>404 Not Found</body></html>"),
        ("not an image", "noise.jpg", rng.integers(0, 256, 3000, dtype=np.uint8).tobytes()),
        ("not an image", "archive.png", gzip.compress(valid["rgb.png"])),
        ("unsupported format", "tiff_inside.png", _encode(rgb, "TIFF")),
        ("huge declared size", "bomb.png", _png_declaring(10_000, 10_000)),  # over Pillow's limit
        ("huge declared size", "bomb2.png", _png_declaring(30_000, 30_000)),  # over twice the limit
        ("huge declared size", "zero.png", _png_declaring(0, 12)),
        ("16-bit", "sixteen.png", _encode(sixteen, "PNG")),
        ("CMYK", "cmyk.jpg", _encode(rgb.convert("CMYK"), "JPEG")),
        ("palette", "palette_alpha.png", _encode(rgb.convert("P"), "PNG", transparency=0)),
        ("palette", "palette.bmp", _encode(rgb.convert("P"), "BMP")),
        ("alpha", "rgba.png", _encode(rgb.convert("RGBA"), "PNG")),
        ("alpha", "la.png", _encode(rgb.convert("LA"), "PNG")),
        ("1-bit", "bilevel.png", _encode(rgb.convert("1"), "PNG")),
        ("animated GIF", "animated.gif", animated.getvalue()),
        ("trailing bytes", "trailing.jpg", valid["rgb.jpg"] + b"\x00garbage" * 10),
        ("unreadable", "unreadable.png", unreadable),
        ("not a regular file", "fifo.png", fifo),
        ("symlink loop", "loop.png", loop),
        ("symlink loop", "dangling.png", dangling),
    ]
    return cases


def _make_folder(root: pathlib.Path) -> pathlib.Path:
    valid = _valid_images()
    for index, (name, raw) in enumerate(sorted(valid.items())):
        folder = root / ("a" if index % 2 else "b")
        folder.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(raw)
    return root


def _place(path: pathlib.Path, content) -> None:
    if callable(content):
        content(str(path))
    else:
        path.write_bytes(content)


def _snapshot(folder: pathlib.Path) -> dict:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _loads_clean(dataset) -> int:
    images = np.concatenate([np.asarray(batch[0] if isinstance(batch, tuple) else batch) for batch in dataset])
    assert np.isfinite(images).all() and images.min() >= -1 and images.max() <= 1
    return len(images)


def test_fuzzed_image_folders_load_clean_or_are_refused_naming_the_file(tmp_path, capfd, caplog):
    cases = _image_cases()
    assert len({kind for kind, _, _ in cases}) >= 17
    valid_count = len(_valid_images())
    workdir = tmp_path / "workdir"
    workdir.mkdir()
    (workdir / "keep.txt").write_text("a file of an earlier run")
    before = _snapshot(workdir)
    for index, (kind, name, content) in enumerate(cases):
        root = _make_folder(tmp_path / f"case{index}")
        bad = root / "a" / name
        _place(bad, content)
        stats = REPORT.setdefault(kind, [0, 0])
        stats[0] += 1
        try:
            count = _loads_clean(data.load(f"folder:{root}", batch_size=1, image_size=SIZE, shuffle=False,
                                           drop_remainder=False))
        except BadDataError as error:
            stats[1] += 1
            message = str(error)
            assert str(bad) in message and "\n" not in message, (kind, name, message)
            assert "--skip_bad_images" in message, message
            # the command line: one line naming the file, exit status 2, the workdir as it was
            capfd.readouterr()
            status = cli.main(["kerasgan", "train", "--variant=dcgan", f"--dataset=folder:{root}",
                               f"--image_size={SIZE}", f"--workdir={workdir}", "--batch_size=2", "--verbose=0"])
            # TensorFlow's own C++ log lines ("E0000 ... jpeg_mem.cc:331] Premature end of JPEG data") are
            # muted by the real command line (TF_CPP_MIN_LOG_LEVEL=3, see the next test), not in this process.
            err = [line for line in capfd.readouterr().err.splitlines() if line and not TF_LOG.match(line)]
            assert status == 2 and len(err) == 1 and str(bad) in err[0], (kind, name, err)
            assert _snapshot(workdir) == before, (kind, name)
            assert not (tmp_path / "new_workdir").exists()
            if stats[1] == 1:  # the first refused case of a kind, left out: the good images load, with one warning
                skipped = _loads_clean(data.load(f"folder:{root}", batch_size=1, image_size=SIZE, shuffle=False,
                                                 drop_remainder=False, skip_bad=True))
                assert skipped == valid_count, (kind, name)
                assert "left out 1 of 7 files" in caplog.records[-1].getMessage()
                assert caplog.records[-1].levelname == "WARNING"
        else:
            assert count == valid_count + 1, (kind, name, count)
    refused = {kind for kind, (tried, no) in REPORT.items() if no}
    # what must be refused is refused, what is a valid image loads
    assert {"empty", "not an image", "unsupported format", "huge declared size", "not a regular file",
            "symlink loop"} <= refused, refused
    assert not {"extension swapped", "16-bit", "CMYK", "palette", "alpha", "1-bit", "animated GIF"} & refused
    assert REPORT["truncated"][1] >= 25  # a few cuts past the last pixel data still decode


def _idx_raw(array: np.ndarray) -> bytes:
    header = struct.pack(">I", 0x800 + array.ndim) + b"".join(struct.pack(">I", d) for d in array.shape)
    return header + array.astype(np.uint8).tobytes()


def _wrap(raw: bytes, suffix: str) -> bytes:
    return gzip.compress(raw, mtime=0) if suffix == ".gz" else raw


def _idx_valid() -> dict[str, bytes]:
    """The valid IDX files (name -> bytes) of the two layouts: plain and gzipped; 20 images of 8x8."""
    rng = np.random.default_rng(1)
    arrays = {"images-idx3": rng.integers(0, 256, (20, 8, 8), dtype=np.uint8),
              "labels-idx1": rng.integers(0, 10, 20, dtype=np.uint8)}
    return {f"t10k-{name}-ubyte{suffix}": _wrap(_idx_raw(array), suffix)
            for suffix in ("", ".gz") for name, array in arrays.items()}


def _idx_cases(seed: int = 1) -> list[tuple[str, str, bytes]]:
    """``(kind, file name, damaged content of that file)``, seeded."""
    rng = np.random.default_rng(seed)
    cases = []
    for name, raw in _idx_valid().items():
        suffix = ".gz" if name.endswith(".gz") else ""
        for _ in range(12):
            cases.append((f"IDX{suffix} truncated", name, raw[:int(rng.integers(0, len(raw)))]))
        for _ in range(12):
            flipped = bytearray(raw)
            for at in rng.integers(0, len(raw), int(rng.integers(1, 5))):
                flipped[at] ^= int(rng.integers(1, 256))
            cases.append((f"IDX{suffix} bytes flipped", name, bytes(flipped)))
        cases.append((f"IDX{suffix} extra bytes", name, _wrap((gzip.decompress(raw) if suffix else raw) + bytes(7),
                                                              suffix)))
    for suffix in ("", ".gz"):
        images, labels = f"t10k-images-idx3-ubyte{suffix}", f"t10k-labels-idx1-ubyte{suffix}"
        cases += [
            ("IDX wrong magic", images, _wrap(b"\x89PNG" + bytes(1280), suffix)),
            ("IDX empty", images, b""),
            ("IDX huge declared size", images, _wrap(struct.pack(">IIII", 0x803, 2**31, 28, 28) + bytes(1280), suffix)),
            ("IDX labels do not match", labels, _wrap(struct.pack(">II", 0x801, 19) + bytes(19), suffix)),
            ("IDX labels of the wrong shape", labels, _wrap(struct.pack(">IIII", 0x803, 20, 2, 2) + bytes(80), suffix)),
            ("IDX not images", images, _wrap(struct.pack(">II", 0x801, 20) + bytes(20), suffix)),
        ]
    return cases


def test_fuzzed_idx_files_load_clean_or_are_refused_naming_the_file(tmp_path):
    good = tmp_path / "good"
    good.mkdir()
    for name, raw in _idx_valid().items():
        (good / name).write_bytes(raw)
    for index, (kind, name, content) in enumerate(_idx_cases()):
        folder = tmp_path / f"case{index}"
        folder.mkdir()
        suffix = ".gz" if name.endswith(".gz") else ""
        for other in _idx_valid():  # the folder holds one layout: plain or gzipped
            if other.endswith(".gz") == bool(suffix):
                shutil.copy(good / other, folder / other)
        target = folder / name
        target.write_bytes(content)
        stats = REPORT.setdefault(kind, [0, 0])
        stats[0] += 1
        try:
            count = _loads_clean(data.load(f"idx:{folder}", batch_size=5, shuffle=False, drop_remainder=False))
        except BadDataError as error:
            stats[1] += 1
            assert str(target) in str(error) and "\n" not in str(error), (kind, str(error))
        else:
            assert count == 20, (kind, count)
    for kind in ("IDX wrong magic", "IDX empty", "IDX huge declared size", "IDX labels do not match",
                 "IDX labels of the wrong shape", "IDX not images", "IDX truncated", "IDX.gz truncated",
                 "IDX extra bytes", "IDX.gz extra bytes"):
        assert REPORT[kind][1] == REPORT[kind][0], (kind, REPORT[kind])


def test_the_issue_runs_exit_2_naming_the_file_and_train_without_them(tmp_path):
    """The runs of the issue, as a user runs them (a process of its own): a text file called broken.png,
    the first 100 bytes of a real PNG, and a JPEG cut after its header."""
    root = tmp_path / "bad"
    (root / "all").mkdir(parents=True)
    rng = np.random.default_rng(2)
    for i in range(8):
        Image.fromarray(rng.integers(0, 256, (28, 28), dtype=np.uint8)).save(root / "all" / f"{i}.png")
    (root / "all" / "broken.png").write_text("this is not an image")
    (root / "all" / "truncated.png").write_bytes((root / "all" / "0.png").read_bytes()[:100])
    jpeg = _encode(Image.fromarray(rng.integers(0, 256, (28, 28), dtype=np.uint8)), "JPEG")
    (root / "all" / "cut.jpg").write_bytes(jpeg[:len(jpeg) * 2 // 3])
    workdir = tmp_path / "run"
    command = [sys.executable, "-m", "kerasgan", "train", "--variant=dcgan", f"--dataset=folder:{root}",
               "--image_size=28", f"--workdir={workdir}", "--batch_size=4", "--base_filters=8", "--verbose=0",
               "--num_samples=4"]
    env = {k: v for k, v in os.environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"}
    refused = subprocess.run(command, capture_output=True, text=True, env=env)
    assert refused.returncode == 2, refused.stderr[-2000:]
    assert len(refused.stderr.strip().splitlines()) == 1, refused.stderr
    assert "3 of 11 files" in refused.stderr and "broken.png: not an image" in refused.stderr
    assert "truncated.png: cannot be decoded (PNG, mode L: Invalid PNG data, size 100)" in refused.stderr
    assert "cut.jpg: cannot be decoded (JPEG, mode L:" in refused.stderr and not workdir.exists()
    trained = subprocess.run(command + ["--skip_bad_images"], capture_output=True, text=True, env=env)
    assert trained.returncode == 0, trained.stderr[-2000:]
    assert [line for line in trained.stderr.splitlines() if "left out" in line] == [
        f"kerasgan: left out 3 of 11 files of folder:{root} that cannot be used: {root}/all/broken.png: not an "
        f"image (Pillow cannot identify its content); {root}/all/cut.jpg: cannot be decoded (JPEG, mode L: "
        "jpeg::Uncompress failed. Invalid JPEG data or crop window); "
        f"{root}/all/truncated.png: cannot be decoded (PNG, mode L: Invalid PNG data, size 100)"]
    config = json.loads((workdir / "config.json").read_text())
    assert config["skip_bad_images"] is True and config["bad_images_left_out"]["count"] == 3
    assert [line.split(":")[0] for line in config["bad_images_left_out"]["files"]] == [
        f"{root}/all/{name}" for name in ("broken.png", "cut.jpg", "truncated.png")]


def test_what_a_valid_odd_image_decodes_to(tmp_path):
    """16-bit to 8-bit by TensorFlow's shift, CMYK and palettes to RGB, the first frame of an animation."""
    values = np.arange(SIZE * SIZE, dtype=np.uint16).reshape(SIZE, SIZE) * 400
    (tmp_path / "g").mkdir()
    Image.fromarray(values).save(tmp_path / "g" / "sixteen.png")
    gray = next(iter(data.load(f"folder:{tmp_path / 'g'}", batch_size=1, shuffle=False)))
    assert np.array_equal(np.round((np.asarray(gray)[0, ..., 0] + 1) * 127.5), values >> 8)
    frames = [Image.new("RGB", (SIZE, SIZE), color) for color in ("red", "blue")]
    (tmp_path / "c").mkdir()
    frames[0].save(tmp_path / "c" / "anim.gif", save_all=True, append_images=frames[1:])
    first = np.asarray(next(iter(data.load(f"folder:{tmp_path / 'c'}", batch_size=1, shuffle=False))))[0]
    assert np.allclose(first[..., 0], 1) and np.allclose(first[..., 2], -1)  # red


def test_a_decompression_bomb_is_named_with_the_limit(tmp_path):
    (tmp_path / "x").mkdir()
    (tmp_path / "x" / "bomb.png").write_bytes(_png_declaring(10_000, 10_000))
    with pytest.raises(BadDataError, match=r"bomb.png: too large to decode safely \(10000x10000 = 100,000,000 "
                                           r"pixels; Pillow's decompression-bomb limit is 89,478,485\)"):
        data.load(f"folder:{tmp_path}", batch_size=1)


def test_the_reliability_guide_states_the_fuzz_counts():
    """The reliability guide states the number of corruption kinds and cases these tests try."""
    all_cases = _image_cases() + _idx_cases()
    kinds, cases = len({kind for kind, _, _ in all_cases}), len(all_cases)
    guide = (pathlib.Path(__file__).resolve().parents[1] / "docs" / "guide" / "reliability.md").read_text()
    assert f"tries {kinds} kinds of\ncorruption, {cases} seeded cases" in guide
    if REPORT:  # the fuzz tests ran in this session: they tried exactly that
        assert len(REPORT) == kinds and sum(t for t, _ in REPORT.values()) == cases


def test_past_the_memory_budget_the_pipeline_decodes_the_checked_files_again(tmp_path, monkeypatch):
    """Pixels over ``KEEP_BYTES`` are checked and dropped; the pipeline then decodes the same files with the
    same decoder, so the batches are the ones of the kept pixels (same size and mixed sizes)."""
    from kerasgan.data import folder

    root = _make_folder(tmp_path / "same")
    Image.new("RGB", (20, 16), "green").save(tmp_path / "mixed.png")
    mixed = _make_folder(tmp_path / "mixed_sizes")
    shutil.copy(tmp_path / "mixed.png", mixed / "a" / "wide.png")
    for path, size in ((root, None), (mixed, SIZE)):
        kept = [np.asarray(b[0]) for b in data.load(f"folder:{path}", batch_size=1, image_size=size, shuffle=False)]
        monkeypatch.setattr(folder, "KEEP_BYTES", 100)
        source = folder.FolderSource(str(path), image_size=size)
        again = [np.asarray(b[0]) for b in data.load(source, batch_size=1, image_size=size, shuffle=False)]
        assert source._checked["images"] is None  # decoded again, not kept
        monkeypatch.undo()
        assert len(kept) == len(again) > 0 and all(np.array_equal(a, b) for a, b in zip(kept, again))
