"""Fixtures of the record tests (issue #4).

``demo_base``: the Köln demo store (the session's shared demo store, built once by
``kekiz demo``).  ``base_url``: a private copy of it per test.  ``records_demo``: a
copy with the synthetic school-entrance records of 2010-2012 imported by
:func:`kekiz.demo.records.build_records_demo` (the demo step).  ``cli``: the real
command line in-process with the ``records`` sub-app registered.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from kekiz.demo.records import build_records_demo
from kekiz.records.schema import RecordSchema, schema_from_mapping
from kekiz.services.records import RecordImport
from kekiz.settings import SETTINGS, load_settings
from kekiz.storage import open_store
from tests.conftest import copy_demo

DEMO_YEARS = (2010, 2011, 2012)
DEMO_SEED = 42

def monitor_for(url: str) -> Any:
    from kekiz.app import Kekiz

    return Kekiz(load_settings({"store": url}, environ={}))


def copy_store(src: Path, dst: Path) -> str:
    for suffix in ("", "-wal", "-shm"):
        s = src.with_name(src.name + suffix)
        if s.exists():
            shutil.copyfile(s, dst.with_name(dst.name + suffix))
    return f"sqlite:///{dst}"


def snapshot_of(url: str) -> dict[str, list[tuple[Any, ...]]]:
    store = open_store(url)
    try:
        return store.snapshot()
    finally:
        store.dispose()


def small_schema(*keep: str, **extra: Any) -> RecordSchema:
    """The default schema with only the findings ``keep`` (faster protection in tests)."""
    from kekiz.records.schema import default_schema

    off = {f.id: {"enabled": False} for f in default_schema().findings if f.id not in keep}
    return schema_from_mapping({"findings": off, **extra}, origin="test.toml")


def _has_records(url: str) -> bool:
    store = open_store(url)
    try:
        return any(d.kind == "records" for d in store.datasets())
    finally:
        store.dispose()


@pytest.fixture(scope="session")
def demo_base(demo_store_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The Köln demo store without the records step (if the manifest already has it,
    its records are kept; tests that need a store without them use their own data)."""
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    url = copy_demo(demo_store_file, path)
    if not os.environ.get("KEKIZ_TEST_DEMO_WITH_RECORDS") or _has_records(url):
        return path
    m = monitor_for(url)
    try:
        # as the demo does once its manifest has the records step
        build_records_demo(m, years=DEMO_YEARS, seed=DEMO_SEED)
    finally:
        m.close()
    return path


@pytest.fixture
def base_url(demo_base: Path, tmp_path: Path) -> str:
    return copy_store(demo_base, tmp_path / "kekiz.db")


@dataclass
class RecordsDemo:
    url: str
    result: RecordImport | None


@pytest.fixture(scope="session")
def records_demo(demo_base: Path, tmp_path_factory: pytest.TempPathFactory) -> RecordsDemo:
    url = copy_store(demo_base, tmp_path_factory.mktemp("records") / "demo.db")
    if _has_records(url):  # the manifest step already ran in build_demo
        return RecordsDemo(url, None)
    m = monitor_for(url)
    try:
        result = build_records_demo(m, years=DEMO_YEARS, seed=DEMO_SEED)
    finally:
        m.close()
    return RecordsDemo(url, result)


@pytest.fixture(scope="session")
def demo_records_file(records_demo: RecordsDemo,
                      tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo's synthetic file, made again (same store population, same seed)."""
    m = monitor_for(records_demo.url)
    try:
        out = tmp_path_factory.mktemp("regen") / "schuleingang_koeln.parquet"
        return Path(m.records.generate_records(out, years=DEMO_YEARS, seed=DEMO_SEED).path)
    finally:
        m.close()


@dataclass
class CliResult:
    code: int
    out: str
    err: str

    @property
    def text(self) -> str:
        return " ".join((self.out + " " + self.err).split())


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
        tmp_path: Path) -> Iterator[Callable[..., CliResult]]:
    """``kekiz --store URL records ...`` in-process (exit code, stdout, stderr)."""
    from kekiz.cli import main as cli_main

    for setting in SETTINGS:
        monkeypatch.delenv(f"KEKIZ_{setting.name.upper()}", raising=False)
    monkeypatch.delenv("KEKIZ_CONFIG", raising=False)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COLUMNS", "250")

    def invoke(url: str, *args: object) -> CliResult:
        monkeypatch.setattr(sys, "argv", ["kekiz", "--store", url, *map(str, args)])
        capsys.readouterr()
        code = 0
        try:
            cli_main.run()
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        captured = capsys.readouterr()
        return CliResult(code, captured.out, captured.err)

    yield invoke
