"""The registry of GAN variants: declaring a variant class registers it.

A subclass of :class:`kerasgan.GAN` that sets ``variant = "name"`` in its own
body is registered under that name when the class statement runs
(``GAN.__init_subclass__`` calls :func:`register`). Everything that lists or
looks up variants derives from here: :data:`VARIANTS` (a live, read-only
mapping name -> class, in declaration order), ``kerasgan.get_variant``,
``kerasgan.build``, the package's ``__all__`` and the command line's
``--variant`` choices and help. Adding a variant is declaring one class.

This module imports neither TensorFlow nor Keras: the command line's
``--help`` reads :func:`variant_names`, which, before the built-in variants
are imported, finds their names in the source of :data:`BUILTIN_MODULES`
(the class statements themselves) instead of importing TensorFlow.

Example:

>>> import kerasgan
>>> "dcgan" in kerasgan.VARIANTS, kerasgan.VARIANTS["dcgan"].__name__
(True, 'DCGAN')
>>> class ProjectionGAN(kerasgan.variants.DCGAN):
...     variant = "projection_gan_example"
>>> "projection_gan_example" in variant_names()
True
>>> unregister("projection_gan_example")
"""

from __future__ import annotations

import ast
import importlib.util
import sys
from collections.abc import Iterator, Mapping

__all__ = ["VARIANTS", "register", "unregister", "variant_names", "declared_names", "BUILTIN_MODULES"]

#: The modules that declare the built-in variants (scanned by :func:`declared_names`).
BUILTIN_MODULES = ("kerasgan.variants",)

_classes: dict[str, type] = {}


class VariantRegistry(Mapping):
    """A live, read-only view of the registered variants: name -> class.

    Iterating gives the names in declaration order; ``VARIANTS["dcgan"]``
    the class (``KeyError`` for an unknown name; ``kerasgan.get_variant``
    raises a ``ValueError`` that lists the names).

    Example:

    >>> import kerasgan
    >>> list(kerasgan.VARIANTS)[:2]
    ['vanilla', 'dcgan']
    """

    def __getitem__(self, name: str) -> type:
        return _classes[name]

    def __iter__(self) -> Iterator[str]:
        return iter(list(_classes))

    def __len__(self) -> int:
        return len(_classes)

    def __repr__(self) -> str:
        return f"VARIANTS({list(_classes)})"


#: Every registered variant, name -> class (live: a class declared later appears in it).
VARIANTS = VariantRegistry()


def register(cls: type) -> type:
    """Register ``cls`` under ``cls.variant`` (done by declaring the class).

    Declaring the same class again (re-running a notebook cell, reloading a
    module) replaces it; another class claiming a taken name is refused.

    Example:

    >>> import kerasgan
    >>> register(kerasgan.variants.DCGAN) is kerasgan.variants.DCGAN
    True
    """
    name = cls.__dict__.get("variant")
    if not isinstance(name, str) or not name.isidentifier():
        raise ValueError(
            f"kerasgan: a variant's name must be an identifier like 'my_gan', got {name!r} on {cls.__qualname__}."
        )
    existing = _classes.get(name)
    if existing is not None and _qualified(existing) != _qualified(cls):
        raise ValueError(
            f"kerasgan: the variant name {name!r} is declared by {_qualified(existing)} already; "
            f"give {_qualified(cls)} another variant name."
        )
    _classes[name] = cls
    return cls


def unregister(name: str) -> None:
    """Remove a registered variant (for tests and interactive sessions).

    Example:

    >>> unregister("no_such_variant")  # no error: nothing to remove
    """
    _classes.pop(name, None)


def _qualified(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


def declared_names() -> list[str]:
    """The variant names declared in :data:`BUILTIN_MODULES`, read from their
    source without importing them (nor TensorFlow), in declaration order.

    Example:

    >>> declared_names()[:3]
    ['vanilla', 'dcgan', 'cgan']
    """
    names = []
    for module in BUILTIN_MODULES:
        spec = importlib.util.find_spec(module)
        with open(spec.origin, encoding="utf-8") as handle:
            tree = ast.parse(handle.read(), filename=spec.origin)
        for node in tree.body:
            if not isinstance(node, ast.ClassDef):
                continue
            for statement in node.body:
                targets = statement.targets if isinstance(statement, ast.Assign) else []
                if (any(isinstance(t, ast.Name) and t.id == "variant" for t in targets)
                        and isinstance(statement.value, ast.Constant) and isinstance(statement.value.value, str)):
                    names.append(statement.value.value)
    return names


def variant_names() -> list[str]:
    """The names of all variants: the live registry once the built-in variants
    are imported (with any declared since), else :func:`declared_names`.

    Example:

    >>> import kerasgan
    >>> variant_names() == list(kerasgan.VARIANTS)
    True
    """
    if all(module in sys.modules for module in BUILTIN_MODULES):
        return list(_classes)
    return declared_names()
