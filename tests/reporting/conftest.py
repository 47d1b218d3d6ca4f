"""Fixtures of the report tests: a copy of the session's demo store (with the two withheld test
values of the web tests, whose true digits must never appear in a report)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest

from kekiz.app import Kekiz
from kekiz.settings import load_settings
from tests.web.conftest import build_web_store

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


@pytest.fixture(scope="session")
def report_db(demo_store_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("reports") / "kekiz.db"
    build_web_store(demo_store_file, path)
    return path


@pytest.fixture(scope="session")
def report_url(report_db: Path) -> str:
    return f"sqlite:///{report_db}"


@pytest.fixture(scope="session")
def monitor(report_url: str) -> Iterator[Kekiz]:
    m = Kekiz(load_settings({"store": report_url, "lang": "de"}, environ={}))
    try:
        yield m
    finally:
        m.close()


@pytest.fixture(scope="session")
def pdftoppm() -> str:
    """The pdftoppm program (poppler-utils): required under CI, else skipped loudly."""
    found = shutil.which("pdftoppm")
    if found is None:
        msg = "pdftoppm (poppler-utils) is not installed: PDF page images cannot be checked"
        if IN_CI:
            pytest.fail(f"{msg} (required under CI=true)")
        print(f"\n!!! SKIPPING PDF page checks: {msg} !!!\n")
        pytest.skip(msg)
    return found


class Tables(HTMLParser):
    """Rows of the report's tables: ``tables[i] = {"attrs": {...}, "rows": [...]}``;
    a row is ``{"attrs": {...}, "cells": [(classes, text), ...]}``."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[dict[str, object]] = []
        self._row: dict[str, object] | None = None
        self._cell: list[str] | None = None
        self._cell_class = ""
        self._svg = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "svg":
            self._svg += 1
        elif tag == "table":
            self.tables.append({"attrs": a, "rows": []})
        elif tag == "tr" and self.tables:
            self._row = {"attrs": a, "cells": []}
        elif tag in ("td", "th") and self._row is not None:
            self._cell, self._cell_class = [], a.get("class", "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "svg":
            self._svg -= 1
        elif tag in ("td", "th") and self._row is not None and self._cell is not None:
            cells = self._row["cells"]
            assert isinstance(cells, list)
            cells.append((self._cell_class, "".join(self._cell).strip()))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            rows = self.tables[-1]["rows"]
            assert isinstance(rows, list)
            rows.append(self._row)
            self._row = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None and not self._svg:
            self._cell.append(data)


def parse_tables(html: str) -> list[dict[str, object]]:
    parser = Tables()
    parser.feed(html)
    return parser.tables
