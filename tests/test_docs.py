"""Every public function documents a runnable example, and the examples run."""

import doctest
import importlib
import inspect
import pkgutil

import pytest

import kerasgan
from conftest import ROOT, script

#: Every module of the package (kerasgan.__main__ runs the command line when imported).
MODULES = ["kerasgan"] + sorted(m.name for m in pkgutil.walk_packages(kerasgan.__path__, "kerasgan.")
                                if m.name != "kerasgan.__main__")


def _doctests(module) -> doctest.TestResults:
    """Run ``module``'s docstring examples, with the options every example of the project is written for."""
    return doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE, verbose=False)


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_run(name):
    result = _doctests(importlib.import_module(name))
    assert result.failed == 0, f"{result.failed} of {result.attempted} doctest examples failed in {name}"


#: The scripts whose docstrings carry examples (their helpers are tested the same way as the package's).
SCRIPTS = sorted(p.stem for p in (ROOT / "scripts").glob("*.py") if ">>>" in p.read_text())


@pytest.mark.parametrize("name", SCRIPTS)
def test_script_docstring_examples_run(name):
    result = _doctests(script(name))
    assert result.attempted > 0 and result.failed == 0, \
        f"{result.failed} of {result.attempted} doctest examples failed in scripts/{name}.py"


def _public_callables():
    for name in kerasgan.__all__:
        obj = getattr(kerasgan, name)
        if inspect.ismodule(obj):
            for member in getattr(obj, "__all__", []):
                value = getattr(obj, member)
                if inspect.isfunction(value):
                    yield f"{name}.{member}", value
        elif inspect.isfunction(obj):
            yield name, obj
    for method in ("compile", "generate"):
        yield f"GAN.{method}", getattr(kerasgan.GAN, method)
    yield "GAN", kerasgan.GAN


@pytest.mark.parametrize("name, obj", list(_public_callables()), ids=lambda v: v if isinstance(v, str) else "")
def test_public_api_has_an_example_and_type_hints(name, obj):
    doc = inspect.getdoc(obj) or ""
    assert ">>>" in doc, f"{name} has no runnable example in its docstring"
    if inspect.isfunction(obj):
        signature = inspect.signature(obj)
        assert signature.return_annotation is not inspect.Signature.empty, name
