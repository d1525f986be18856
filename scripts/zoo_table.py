"""Rewrite the zoo table of README.md from the entries' cards (run after building entries).

    python scripts/zoo_table.py

The table is ``kerasgan.zoo.table(markdown=True)``, the same function that
``kerasgan zoo list`` prints; tests/test_structure.py checks that the README's
copy is current.
"""

import os
import re

from kerasgan import zoo

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
START, END = "<!-- zoo-table:start -->", "<!-- zoo-table:end -->"


def main():
    path = os.path.join(ROOT, "README.md")
    text = open(path).read()
    block = f"{START}\n{zoo.table(markdown=True)}\n{END}"
    if START in text:
        text = re.sub(re.escape(START) + ".*?" + re.escape(END), lambda _: block, text, flags=re.S)
    else:
        text += "\n" + block + "\n"
    open(path, "w").write(text)
    print(zoo.table(markdown=True))


if __name__ == "__main__":
    main()
