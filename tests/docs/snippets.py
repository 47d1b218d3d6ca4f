"""Extract the code examples of the guides (docs/**/*.md).

Runnable examples are fenced ```console blocks; each line starting with ``$ `` is a command
(a trailing backslash continues it), the other lines are what it prints (see :func:`shows`).
A page with runnable blocks names the store it needs in its first line:
``<!-- snippets: empty-store -->`` (a fresh folder) or ``<!-- snippets: demo-store -->``
(a copy of the demo store as ``kekiz.db``).  The files of docs/examples/ are copied into
the folder first.  A block directly after ``<!-- snippets: install -->`` is an installation
step; those run on their own, in an empty folder (tests/docs/test_install_snippets.py).
Every ``kekiz`` line in a ```sh block is checked against the command tree instead
(command path and option names must exist).
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DOCS = REPO / "docs"
FENCE = re.compile(r"^( *)```(\w*)[^\n]*\n(.*?)^\1```", re.S | re.M)
MARKER = re.compile(r"<!--\s*snippets:\s*(empty-store|demo-store)\s*-->")
INSTALL = re.compile(r"<!--\s*snippets:\s*install\s*-->\s*$")


@dataclass(frozen=True)
class Block:
    page: str
    lang: str
    text: str
    install: bool = False


def pages() -> list[Path]:
    return sorted(p for p in DOCS.rglob("*.md") if "tools" not in p.parts)


def blocks(page: Path) -> list[Block]:
    text = page.read_text(encoding="utf-8")
    rel = str(page.relative_to(DOCS))
    return [Block(rel, m.group(2), _dedent(m.group(3), len(m.group(1))),
                  install=bool(INSTALL.search(text[:m.start()].rstrip())))
            for m in FENCE.finditer(text)]


def _dedent(text: str, n: int) -> str:
    return "\n".join(line[n:] if line[:n].strip() == "" else line
                     for line in text.splitlines())


def store_kind(page: Path) -> str | None:
    m = MARKER.search(page.read_text(encoding="utf-8"))
    return m.group(1) if m else None


def commands(block: Block) -> list[str]:
    """The ``$`` commands of a console block, continuation lines joined."""
    return [cmd for cmd, _ in examples(block)]


def examples(block: Block) -> list[tuple[str, list[str]]]:
    """The ``$`` commands of a console block with the output lines printed below each."""
    out: list[tuple[str, list[str]]] = []
    pending: str | None = None
    for line in block.text.splitlines():
        if pending is not None:
            pending += " " + line.strip()
        elif line.startswith("$ "):
            pending = line[2:].strip()
        else:
            if out and line.strip():
                out[-1][1].append(line)
            continue
        if pending.endswith("\\"):
            pending = pending[:-1].rstrip()
            continue
        out.append((pending, []))
        pending = None
    return out


def shows(output: str, expected: str) -> bool:
    """True if ``expected`` (one printed line of the docs) appears in ``output``.

    Whitespace is compared loosely (the terminal may wrap a line) and a file size
    (``1.722 KB``) may differ; everything else must be as printed."""
    words = expected.split()
    parts = [r"[\d.,]+" if re.fullmatch(r"[\d.,]+", word) and nxt in ("KB", "MB", "KB)", "MB)")
             else re.escape(word) for word, nxt in zip(words, [*words[1:], ""], strict=True)]
    return re.search(r"\s+".join(parts), output) is not None


def sh_kekiz_lines(block: Block) -> list[list[str]]:
    """``kekiz ...`` invocations in a sh block, as argument lists (comments dropped)."""
    result: list[list[str]] = []
    joined = re.sub(r"\\\n\s*", " ", block.text)
    for line in joined.splitlines():
        line = line.strip()
        line = re.sub(r"^(\S+=\S+\s+)+", "", line)  # VAR=value prefixes
        if not re.match(r"^(\.venv/bin/)?kekiz(\s|$)", line):
            continue
        words = shlex.split(line, comments=True)
        result.append(words[1:])
    return result
