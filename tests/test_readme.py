"""Every code block of the README runs.

Python blocks and command-line blocks run in a scratch folder beside a link to
the shared data (so ``../shared/data/mnist`` resolves) with a small
``my_images/`` folder; the "try it" block creates its own virtual environment
from a clean copy of the project and installs it; the test command is the one
``.ci/run`` runs (that block is CI itself).
"""

import os
import pathlib
import re
import shutil
import subprocess
import sys
import time

import numpy as np
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()
BLOCKS = re.findall(r"```(\w*)\n(.*?)```", README, flags=re.S)
TEST_COMMAND = 'python3 -m venv .venv && .venv/bin/pip install -q ".[test]" && .venv/bin/pytest -q tests'
TRY_IT = "python3 -m venv .venv && .venv/bin/pip install -q . && "


def _id(block):
    return f"{block[0]}:{block[1].strip().splitlines()[0][:50]}"


def test_every_block_is_python_or_bash():
    assert len(BLOCKS) >= 10
    assert all(language in ("python", "bash") for language, _ in BLOCKS), [b[0] for b in BLOCKS]


def test_ci_runs_the_readme_test_command():
    section = README.split("## Set up and run the tests", 1)[1]
    command = re.findall(r"```bash\n(.*?)```", section, flags=re.S)[0].strip()
    assert command == TEST_COMMAND
    assert command in (ROOT / ".ci" / "run").read_text().splitlines(), ".ci/run does not run the README's command"


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory, shared_data):
    from PIL import Image

    base = tmp_path_factory.mktemp("readme")
    (base / "shared").mkdir()
    (base / "shared" / "data").symlink_to(shared_data, target_is_directory=True)
    work = base / "work"
    rng = np.random.default_rng(0)
    for label in ("circles", "squares"):
        folder = work / "my_images" / label
        folder.mkdir(parents=True)
        for i in range(40):
            pixels = rng.integers(0, 255, (40, 48, 3), dtype=np.uint8)
            Image.fromarray(pixels).save(folder / f"{i:03d}.png")
    return work


def _run(command, cwd, timeout=600):
    env = dict(os.environ, PATH=f"{pathlib.Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
               TF_CPP_MIN_LOG_LEVEL="2")
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert result.returncode == 0, f"{command} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    return result


RUNNABLE = [b for b in BLOCKS if b[1].strip() != TEST_COMMAND and not b[1].startswith(TRY_IT)]


@pytest.mark.parametrize("block", RUNNABLE, ids=_id)
def test_readme_block_runs(block, sandbox):
    language, code = block
    if language == "python":
        _run([sys.executable, "-c", code], sandbox)
    else:
        _run(["bash", "-euo", "pipefail", "-c", code], sandbox)
    if "kerasgan sample cgan_mnist" in code:
        assert (sandbox / "threes.png").is_file() and (sandbox / "walk.png").is_file()
    if "--workdir=runs/mine" in code:
        assert (sandbox / "runs" / "mine" / "generator.keras").is_file()


def test_try_it_block_in_a_fresh_virtual_environment(tmp_path):
    """The first command a new user runs: a fresh venv, a non-editable install from a
    clean copy of the project, and a grid from a pretrained generator."""
    [block] = [code for _, code in BLOCKS if code.startswith(TRY_IT)]
    copy = tmp_path / "kerasgan"
    files = subprocess.run(["git", "ls-files", "-co", "--exclude-standard"], cwd=ROOT, capture_output=True,
                           text=True, check=True).stdout.split()
    for name in files:
        if (ROOT / name).is_file():
            (copy / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, copy / name)
    start = time.perf_counter()
    result = _run(["bash", "-euo", "pipefail", "-c", block.strip()], copy, timeout=1200)
    print(f"try-it block: {time.perf_counter() - start:.1f} s")
    assert (copy / "grid.png").is_file() and "64 samples of dcgan_mnist" in result.stdout
    assert "Traceback" not in result.stderr and "I0000" not in result.stderr, result.stderr
