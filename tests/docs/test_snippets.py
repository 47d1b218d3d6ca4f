"""Every code example of the guides runs (console blocks) or names real commands (sh)."""

from __future__ import annotations

import os
import re
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest

from kekiz.cli.main import command_tree
from tests.conftest import copy_sqlite, shared_path
from tests.docs.session import Session
from tests.docs.snippets import (
    DOCS,
    Block,
    blocks,
    commands,
    examples,
    pages,
    sh_kekiz_lines,
    shows,
    store_kind,
)

VENV_BIN = Path(sys.executable).parent
#: a page that runs on the real data of ``../shared`` (the Berlin walkthrough)
NEEDS_SHARED = re.compile(r"<!--\s*needs:\s*\.\./shared\s*-->")
RUNNABLE = [p for p in pages()
            if any(b.lang == "console" and not b.install for b in blocks(p))]


def snippet_env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KEKIZ_")}
    env["PATH"] = f"{VENV_BIN}{os.pathsep}{env.get('PATH', '')}"
    env["HOME"] = str(home)
    env["COLUMNS"] = "120"
    return env


def test_runnable_pages_exist_and_declare_their_store() -> None:
    names = {str(p.relative_to(DOCS)) for p in RUNNABLE}
    assert {"getting-started.md", "guides/boundaries-indicators.md",
            "guides/monitoring.md"} <= names
    for page in pages():
        kind = store_kind(page)
        has_console = page in RUNNABLE
        assert (kind is not None) == has_console, (
            f"{page}: console blocks need '<!-- snippets: empty-store|demo-store -->' "
            "and the marker needs console blocks")


def test_guides_have_no_unrun_shell_examples() -> None:
    """The guides and getting started show only examples that run (console blocks)."""
    for page in pages():
        rel = page.relative_to(DOCS)
        if rel.parts[0] == "guides" or rel.name == "getting-started.md":
            unrun = [b.text.splitlines()[0] for b in blocks(page) if b.lang in ("sh", "bash")]
            assert not unrun, f"{rel}: sh blocks are not run, use console blocks: {unrun}"


@pytest.mark.slow  # each page runs its commands in fresh processes: 10 s to minutes
@pytest.mark.parametrize("page", RUNNABLE, ids=lambda p: str(p.relative_to(DOCS)))
def test_console_examples_run(page: Path, tmp_path: Path,
                              request: pytest.FixtureRequest) -> None:
    work = tmp_path / "work"
    work.mkdir()
    for example in (DOCS / "examples").iterdir():
        if example.is_file():
            shutil.copy(example, work / example.name)
    if NEEDS_SHARED.search(page.read_text(encoding="utf-8")):
        shared = shared_path()
        if not shared.is_dir():
            pytest.skip(f"NOT RUN: {page.relative_to(DOCS)} runs on the published files in "
                        f"../shared, which are not at {shared} (set KEKIZ_SHARED)")
        (tmp_path / "shared").symlink_to(shared, target_is_directory=True)
    if store_kind(page) == "demo-store":
        demo: Path = request.getfixturevalue("demo_store_file")
        copy_sqlite(demo, work / "kekiz.db")
    shown = [e for b in blocks(page) if b.lang == "console" and not b.install
             for e in examples(b)]
    assert shown, f"{page}: no commands"
    session = Session(work, snippet_env(work), log_dir=tmp_path)
    for cmd, printed in shown:
        output = session.run(cmd)
        for line in printed:
            assert shows(output, line), (
                f"{page.relative_to(DOCS)}: '{cmd}' does not print what the page shows:\n"
                f"  {line.strip()}\nIt printed:\n{output[-2000:]}")


def _leaf(words: list[str]) -> tuple[Any, list[str], str]:
    """Walk global options and command names; return the command, rest and its path."""
    cmd = command_tree()
    path = ["kekiz"]
    rest = list(words)
    while rest:
        word = rest[0]
        if word.startswith("-") and hasattr(cmd, "commands"):
            opts = {o for p in cmd.params for o in [*p.opts, *p.secondary_opts]}
            name = word.split("=", 1)[0]
            assert name in opts | {"--help"}, f"{' '.join(path)}: unknown option {word}"
            rest = rest[1:] if "=" in word or name == "--help" else rest[2:]
            continue
        if hasattr(cmd, "commands"):
            assert word in cmd.commands, f"{' '.join(path)}: unknown command '{word}'"
            cmd = cmd.commands[word]
            path.append(word)
            rest = rest[1:]
            continue
        break
    return cmd, rest, " ".join(path)


def _check(words: list[str], where: str) -> None:
    cmd, rest, path = _leaf(words)
    assert not hasattr(cmd, "commands") or "--help" in words, f"{where}: '{path}' is a group"
    opts = {o for p in cmd.params for o in [*p.opts, *p.secondary_opts]} | {"--help"}
    for word in rest:
        if word.startswith("-") and len(word) > 1 and not word[1].isdigit():
            assert word.split("=", 1)[0] in opts, f"{where}: {path} has no option {word}"


def _all_blocks() -> list[Block]:
    return [b for p in pages() for b in blocks(p)]


def _kekiz_text(block: Block) -> str:
    """The lines of a block that may call kekiz: shell, console commands, systemd ExecStart."""
    if block.lang in ("sh", "bash"):
        return block.text
    if block.lang == "console":
        return "\n".join(commands(block))
    if block.lang == "ini":  # ExecStart=/srv/kekiz/app/.venv/bin/kekiz serve ...
        return "\n".join(re.findall(r"^ExecStart=\S*/(kekiz\s.*)$", block.text, re.M))
    return ""


def test_every_kekiz_example_names_real_commands_and_options() -> None:
    checked = 0
    for block in _all_blocks():
        for words in sh_kekiz_lines(Block(block.page, "sh", _kekiz_text(block))):
            _check(words, block.page)
            checked += 1
    assert checked > 40


def test_the_checker_catches_a_wrong_option() -> None:
    with pytest.raises(AssertionError, match="no option --nonsense"):
        _check(["import", "boundaries", "x.geojson", "--nonsense", "1"], "test")
    with pytest.raises(AssertionError, match="unknown command"):
        _check(["imprt", "boundaries"], "test")


def test_printed_lines_are_compared() -> None:
    block = Block("x.md", "console", "$ kekiz init\nStore bereit: x (Schema 0006)\n"
                  "$ kekiz report 05315000 -o r.html\nBericht geschrieben: r.html (HTML, 1.722 KB)")
    [(_, first), (_, second)] = examples(block)
    assert first == ["Store bereit: x (Schema 0006)"]
    assert shows("Bericht geschrieben:\n  r.html (HTML, 980 KB)\n", second[0])
    assert not shows("Bericht geschrieben: r.pdf (PDF, 980 KB)", second[0])
    assert not shows("Store bereit: x (Schema 0007)", first[0])
