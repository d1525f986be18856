"""Every Colab notebook runs headless, in the small-budget mode, and shows its pictures."""

import json
import re

import pytest

from conftest import ROOT

NOTEBOOKS = sorted((ROOT / "colab").glob("*.ipynb"))
#: Pictures (image/png outputs) each notebook must show at least.
MIN_PICTURES = {"quickstart.ipynb": 12, "train_with_fit.ipynb": 4, "gan_theory.ipynb": 4}


def _repository_url() -> str:
    return re.search(r'url="(https://github.com/[^"]+)"', (ROOT / "setup.py").read_text()).group(1)


def test_every_notebook_is_tested():
    assert sorted(p.name for p in NOTEBOOKS) == sorted(MIN_PICTURES)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_badge_and_install_cell_point_at_the_repository(path):
    cells = json.loads(path.read_text())["cells"]
    repo = _repository_url().removeprefix("https://github.com/")
    assert f"colab.research.google.com/github/{repo}/blob/main/colab/{path.name}" in "".join(cells[0]["source"])
    install = "".join(cells[1]["source"])
    assert f"git+https://github.com/{repo}" in install and 'find_spec("kerasgan") is None' in install
    assert any("KERASGAN_SMOKE" in "".join(cell["source"]) for cell in cells)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_the_committed_notebook_shows_its_outputs(path):
    """GitHub renders what is committed: every code cell was executed (python scripts/run_notebooks.py), in
    order, without errors, and the pictures are there."""
    cells = [cell for cell in json.loads(path.read_text())["cells"] if cell["cell_type"] == "code"]
    counts = [cell.get("execution_count") for cell in cells]
    assert None not in counts and counts == sorted(counts), f"{path.name}: run python scripts/run_notebooks.py"
    outputs = [out for cell in cells for out in cell.get("outputs", [])]
    assert not [out for out in outputs if out["output_type"] == "error"]
    assert sum("image/png" in out.get("data", {}) for out in outputs) >= MIN_PICTURES[path.name]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_runs_in_small_budget_mode(path, shared_data, tmp_path, monkeypatch):
    nbformat = pytest.importorskip("nbformat")
    from nbclient import NotebookClient

    monkeypatch.setenv("KERASGAN_SMOKE", "1")
    monkeypatch.setenv("KERASGAN_DATASET", f"idx:{shared_data / 'mnist'}")  # offline MNIST for train_with_fit
    monkeypatch.setenv("TF_CPP_MIN_LOG_LEVEL", "2")
    monkeypatch.setenv("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}})
    client.execute()  # raises CellExecutionError, with the cell and its traceback, on any error
    outputs = [out for cell in nb.cells if cell.cell_type == "code" for out in cell.outputs]
    pictures = sum("image/png" in out.get("data", {}) for out in outputs)
    assert pictures >= MIN_PICTURES[path.name], f"{path.name} showed {pictures} pictures"
    assert not [out for out in outputs if out.output_type == "error"]
