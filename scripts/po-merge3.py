"""Three-way merge of the Dutch catalogue after a git merge of a branch.

Usage: po-merge3.py BASE.po BRANCH.po CATALOGUE.po — every entry whose translation the branch
changed relative to BASE takes the branch's translation in CATALOGUE; entries new on the
branch are added. Run `make messages compilemessages` afterwards to drop what the code no
longer uses and to restore the usual wrapping.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def entries(path: str) -> tuple[str, dict[tuple[str, ...], str]]:
    text = subprocess.run(
        ["msgcat", "--no-wrap", "--no-location", path], check=True, capture_output=True, text=True
    ).stdout
    blocks = [b for b in text.split("\n\n") if b.strip()]
    header, result = blocks[0], {}
    for block in blocks[1:]:
        lines = [line for line in block.splitlines() if not line.startswith("#")]
        key = tuple(line for line in lines if line.startswith(("msgctxt", "msgid")))
        result[key] = block
    return header, result


def main() -> None:
    base_path, branch_path, target_path = sys.argv[1:4]
    _, base = entries(base_path)
    _, branch = entries(branch_path)
    header, target = entries(target_path)
    changed = 0
    for key, block in branch.items():
        if base.get(key) != block:
            target[key] = block
            changed += 1
    Path(target_path).write_text("\n\n".join([header, *target.values()]) + "\n", encoding="utf-8")
    print(f"{changed} entries taken from {branch_path}")


if __name__ == "__main__":
    main()
