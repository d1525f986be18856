"""Rewrite the zoo table of README.md from the entries' cards (run after building entries).

    python scripts/zoo_table.py
"""

import os
import re

from kerasgan import zoo

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
START, END = "<!-- zoo-table:start -->", "<!-- zoo-table:end -->"


def table() -> str:
    rows = ["| entry | variant | score (% of real) | FID (x floor) | label acc. | samples |", "|---|---|---|---|---|---|"]
    for name in zoo.names():
        card = zoo.card(name)
        m = card.get("metrics")
        if not m:
            rows.append(f"| `{name}` | {card['variant']} | recipe only | | | `{card['command']}` |")
            continue
        acc = f"{m['label_accuracy']:.3f}" if "label_accuracy" in m else ""
        rows.append(
            f"| `{name}` | {card['variant']} | {m['score']:.2f} ({100 * m['score_ratio']:.0f}%) | "
            f"{m['fid']:.1f} ({m['fid_ratio']:.1f}x) | {acc} | ![{name}](zoo/{name}/samples.png) |"
        )
    return "\n".join(rows)


def main():
    path = os.path.join(ROOT, "README.md")
    text = open(path).read()
    block = f"{START}\n{table()}\n{END}"
    if START in text:
        text = re.sub(re.escape(START) + ".*?" + re.escape(END), lambda _: block, text, flags=re.S)
    else:
        text += "\n" + block + "\n"
    open(path, "w").write(text)
    print(table())


if __name__ == "__main__":
    main()
