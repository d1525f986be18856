"""A griffe extension for the API reference: the ``>>>`` examples of a docstring become fenced Python blocks.

kerasgan's docstrings write ``Example:`` followed by doctest lines at the docstring's own indentation (so that
``doctest`` and the tests run them); griffe's Google parser reads those as prose, where Markdown would take
``x[0][1]`` for a link. This turns each run of ``>>>``/``...`` lines and their output into a ```` ```python ````
block before mkdocstrings renders the docstring.
"""

import re

import griffe

_PROMPT = re.compile(r"^(>>>|\.\.\.)( |$)")


def fence(text: str) -> str:
    """``text`` with every doctest example (prompt lines and the output after them, to a blank line) fenced."""
    out, inside = [], False
    for line in text.split("\n"):
        if not inside and _PROMPT.match(line):
            out.append("```python")
            inside = True
        elif inside and not line.strip():
            out.append("```")
            inside = False
        out.append(line)
    if inside:
        out.append("```")
    return "\n".join(out)


class DoctestBlocks(griffe.Extension):
    """Fence the doctest examples of every object's docstring (see the module docstring)."""

    def on_object(self, *, obj, **kwargs) -> None:  # noqa: D102
        if obj.docstring is not None and ">>>" in obj.docstring.value:
            obj.docstring.value = fence(obj.docstring.value)
