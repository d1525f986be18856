"""Execute the Colab notebooks in place, so that GitHub shows them with their outputs and pictures.

    python scripts/run_notebooks.py [--dataset=idx:../shared/data/mnist_full] [--smoke] [NAME.ipynb ...]

Full budgets by default (what a Colab user runs; minutes on a CPU); ``--smoke`` is the small-budget mode the tests
use. ``--dataset`` names the MNIST that ``train_with_fit`` reads (``mnist`` from TFDS on Colab; local files here).
Outputs are written back into ``colab/*.ipynb`` with the kernel's execution counts; the tests execute the notebooks
again, in small-budget mode, and check that the committed ones hold their pictures.
"""

import argparse
import os
import pathlib
import re
import sys
import time

import nbformat
from nbclient import NotebookClient

ROOT = pathlib.Path(__file__).resolve().parents[1]
#: TensorFlow's C++ start-up lines (printed before any log level applies: CUDA probing, oneDNN and CPU-feature
#: notices), dropped from the committed outputs; they say nothing about the notebook.
NOISE = re.compile(r"^([IWEF]\d{4} \d\d:\d\d:\d\d|WARNING: All log messages before absl::InitializeLog|"
                   r"To enable the following instructions: )")


def clean(notebook) -> None:
    """Drop TensorFlow's C++ start-up lines from the stderr outputs, and the outputs left empty."""
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        kept = []
        for output in cell.outputs:
            if output.output_type == "stream" and output.name == "stderr":
                output.text = "".join(line for line in output.text.splitlines(keepends=True) if not NOISE.match(line))
                if not output.text.strip():
                    continue
            kept.append(output)
        cell.outputs = kept


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="notebooks under colab/ (default: all)")
    parser.add_argument("--dataset", default=os.environ.get("KERASGAN_DATASET", "mnist"))
    parser.add_argument("--smoke", action="store_true", help="the small-budget mode")
    parser.add_argument("--timeout", type=int, default=3600, help="seconds per cell")
    parser.add_argument("--clean_only", action="store_true", help="only drop the start-up lines from the outputs")
    args = parser.parse_args()
    os.environ.update(KERASGAN_DATASET=args.dataset, TF_CPP_MIN_LOG_LEVEL="2",
                      MPLBACKEND="module://matplotlib_inline.backend_inline")
    os.environ["KERASGAN_SMOKE"] = "1" if args.smoke else "0"
    paths = [ROOT / "colab" / n for n in args.names] or sorted((ROOT / "colab").glob("*.ipynb"))
    for path in paths:
        start = time.time()
        notebook = nbformat.read(path, as_version=4)
        if not args.clean_only:
            NotebookClient(notebook, timeout=args.timeout, kernel_name="python3",
                           resources={"metadata": {"path": str(path.parent)}}).execute()
        clean(notebook)
        nbformat.write(notebook, path)
        pictures = sum("image/png" in out.get("data", {}) for cell in notebook.cells if cell.cell_type == "code"
                       for out in cell.outputs)
        done = "cleaned" if args.clean_only else f"executed in {time.time() - start:.0f} s"
        print(f"{path.name}: {done}, {pictures} pictures", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
