"""The package's import graph: no cycles, and no function-local import of a kerasgan module except where a module
must stay TensorFlow-free at import (the command line's ``--help`` path) and says so.

The graph is read from the source (``ast``), function-local imports included, so an import moved into a function
to dodge a cycle still shows as an edge. ``from kerasgan import X`` is an edge to ``kerasgan.X`` when X is a module.
The package's ``__init__`` files are the aggregators that import their submodules; a submodule is not taken to
depend on its package.
"""

import ast
import pathlib

PACKAGE = pathlib.Path(__file__).resolve().parent.parent / "kerasgan"

#: Modules that import kerasgan modules inside functions, and why: they are read by ``kerasgan --help``, which must
#: not import TensorFlow, so what needs TensorFlow is imported when a command runs.
LAZY = {
    "kerasgan": "the package is lazy under the console script (kerasgan/__init__.py)",
    "kerasgan.cli": "each command imports what it uses",
    "kerasgan.zoo.storage": "Keras is imported when a network is opened; the cards are read without it",
}


def module_name(path: pathlib.Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, pathlib.Path]:
    return {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def imports(path: pathlib.Path, known: set[str]) -> list[tuple[str, bool]]:
    """``(imported kerasgan module, inside a function)`` for every import statement of the file."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    local = {id(n) for f in ast.walk(tree) if isinstance(f, (ast.FunctionDef, ast.AsyncFunctionDef))
             for n in ast.walk(f)}
    found = []
    for node in ast.walk(tree):
        targets = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            targets = [f"{node.module}.{alias.name}" if f"{node.module}.{alias.name}" in known else node.module
                       for alias in node.names]
        for target in targets:
            while target not in known and "." in target:
                target = target.rsplit(".", 1)[0]
            if target in known and target.startswith("kerasgan"):
                found.append((target, id(node) in local))
    return found


def graph() -> dict[str, set[str]]:
    known = modules()
    return {name: {target for target, _ in imports(path, set(known)) if target != name}
            for name, path in known.items()}


def find_cycle(edges: dict[str, set[str]]) -> list[str] | None:
    state, stack = {}, []

    def visit(node):
        state[node] = "open"
        stack.append(node)
        for nxt in sorted(edges.get(node, ())):
            if nxt == "kerasgan":  # the root aggregator: importing it from a submodule is refused below
                continue
            if state.get(nxt) == "open":
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        stack.pop()
        state[node] = "done"
        return None

    for node in sorted(edges):
        if node not in state:
            found = visit(node)
            if found:
                return found
    return None


def test_the_package_has_no_import_cycle():
    edges = graph()
    assert {"kerasgan.gan.model", "kerasgan.zoo.presets", "kerasgan.options"} <= set(edges)
    assert find_cycle(edges) is None, " -> ".join(find_cycle(edges))


def test_no_submodule_imports_the_package_root():
    """``from kerasgan import __version__`` in a submodule would run the aggregator that imports everything."""
    known = set(modules())
    offenders = [name for name, path in modules().items() if name != "kerasgan"
                 and any(target == "kerasgan" for target, _ in imports(path, known))]
    assert offenders == []


def test_function_local_imports_only_where_a_module_stays_tensorflow_free():
    known = set(modules())
    local = {name for name, path in modules().items() if any(inside for _, inside in imports(path, known))}
    assert local <= set(LAZY), sorted(local - set(LAZY))


def test_the_cycle_finder_finds_one():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None
