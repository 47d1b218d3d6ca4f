"""Every test the documentation cites exists: the methods page cannot name a test that
is not there (names collected from the test files with ast)."""

from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path

from tests.docs.snippets import DOCS, REPO

CITE = re.compile(r"`(tests/[\w/]+\.py)::(\w+)`")


@cache
def _test_names(path: Path) -> frozenset[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return frozenset(n.name for n in ast.walk(tree)
                     if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef))


def _citations() -> list[tuple[str, str, str]]:
    found = []
    for page in DOCS.rglob("*.md"):
        for m in CITE.finditer(page.read_text(encoding="utf-8")):
            found.append((str(page.relative_to(DOCS)), m.group(1), m.group(2)))
    return found


def test_methods_page_cites_tests_for_every_section() -> None:
    text = (DOCS / "methods.md").read_text(encoding="utf-8")
    sections = re.split(r"^## ", text, flags=re.M)[1:]
    assert len(sections) >= 15
    for section in sections:
        title = section.splitlines()[0]
        assert CITE.search(section), f"methods.md section '{title}' cites no test"


def test_every_cited_test_exists() -> None:
    cites = _citations()
    assert len(cites) > 60
    for page, file, name in cites:
        path = REPO / file
        assert path.is_file(), f"{page}: {file} does not exist"
        assert name in _test_names(path), f"{page}: {file} has no test {name}"


def test_the_check_would_see_a_wrong_name() -> None:
    path = REPO / "tests/analysis/test_rates.py"
    assert "test_wilson_reference_values" in _test_names(path)
    assert "test_wilson_reference_valuez" not in _test_names(path)
