"""Fixtures of the import tests: the real CLI in-process, and stores with base units.

The base store holds three real NRW Kreise (05111 Düsseldorf, 05315 Köln, 05334
Städteregion Aachen) with six Gemeinden (official AGS and 12-digit ARS, fictitious
rectangular geometries) and one good indicator import (Einwohner 2021).  The files
are in ``tests/data/good`` (made by ``tests/data/make_bad_corpus.py``).
"""

from __future__ import annotations

import shutil
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from kekiz.app import Kekiz
from kekiz.cli.main import run
from kekiz.ingest.boundaries import BoundaryOptions
from kekiz.ingest.indicators import IndicatorOptions
from kekiz.settings import SETTINGS, load_settings
from kekiz.storage import open_store

DATA = Path(__file__).resolve().parents[1] / "data"
BAD = DATA / "bad"
GOOD = DATA / "good"

KREISE = {"05111": "Düsseldorf", "05315": "Köln", "05334": "Städteregion Aachen"}
GEMEINDEN = {"05111000": "05111", "05315000": "05315", "05334002": "05334",
             "05334004": "05334", "05334008": "05334", "05334012": "05334"}
EINWOHNER_2021 = {"05111000": 619294, "05315000": 1079301, "05334002": 248878,
                  "05334004": 47218, "05334008": 27108, "05334012": 56217}

Snapshot = dict[str, list[tuple[Any, ...]]]


@dataclass
class CliResult:
    code: int
    out: str
    err: str

    @property
    def text(self) -> str:
        """stderr with rich's line wrapping undone (all whitespace runs -> one space)."""
        return " ".join(self.err.split())

    @property
    def stdout(self) -> str:
        return " ".join(self.out.split())


def monitor_for(url: str) -> Kekiz:
    return Kekiz(load_settings({"store": url}, environ={}))


def build_base(url: str) -> None:
    """Import the base units and one good indicator table through the facade."""
    m = monitor_for(url)
    try:
        m.imports.boundaries(GOOD / "base_kreise.geojson", BoundaryOptions(
            level="kreis", id_field="AGS", name_field="GEN", key_fields={"ars": "ARS"}))
        m.imports.boundaries(GOOD / "base_gemeinden.geojson", BoundaryOptions(
            level="gemeinde", id_field="AGS", name_field="GEN", parent_field="KRS",
            key_fields={"ars": "ARS"}))
        m.imports.indicators(GOOD / "base_einwohner.csv", IndicatorOptions(level="gemeinde"))
    finally:
        m.close()


def snapshot_of(url: str) -> Snapshot:
    store = open_store(url)
    try:
        return store.snapshot()
    finally:
        store.dispose()


@pytest.fixture(scope="session")
def base_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite base store, built once per session and copied by ``sqlite_base``."""
    path = tmp_path_factory.mktemp("base") / "base.db"
    build_base(f"sqlite:///{path}")
    return path


@pytest.fixture
def sqlite_base(base_template: Path, tmp_path: Path) -> str:
    """A private copy of the SQLite base store."""
    target = tmp_path / "kekiz.db"
    for suffix in ("", "-wal", "-shm"):
        src = base_template.with_name(base_template.name + suffix)
        if src.exists():
            shutil.copyfile(src, target.with_name(target.name + suffix))
    return f"sqlite:///{target}"


@pytest.fixture
def base_url(store_url: str) -> str:
    """The base store on each backend (SQLite and PostgreSQL)."""
    build_base(store_url)
    return store_url


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
        tmp_path: Path) -> Callable[..., CliResult]:
    """Run ``kekiz --store URL ARGS...`` in-process; returns exit code, stdout, stderr."""
    for setting in SETTINGS:
        monkeypatch.delenv(f"KEKIZ_{setting.name.upper()}", raising=False)
    monkeypatch.delenv("KEKIZ_CONFIG", raising=False)
    monkeypatch.chdir(tmp_path)

    def invoke(url: str, *args: object) -> CliResult:
        monkeypatch.setattr(sys, "argv", ["kekiz", "--store", url, *map(str, args)])
        capsys.readouterr()
        code = 0
        try:
            run()
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        captured = capsys.readouterr()
        return CliResult(code, captured.out, captured.err)

    return invoke


@pytest.fixture
def snapshot() -> Callable[[str], Snapshot]:
    """``snapshot(url)``: every row of every table of the store at ``url``."""
    return snapshot_of
