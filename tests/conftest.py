"""Shared fixtures for the kekiz test suite."""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
from filelock import FileLock

from tests.pg import Cluster, PgUnavailable, create_database, drop_database

REPO = Path(__file__).resolve().parents[1]
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


# -- parallel runs (pytest-xdist: ``make test`` runs ``-n auto --dist loadfile``) ----------
#: Test files whose tests share one worker and run one after the other: the browser tests
#: (Chromium and a server each; in parallel they would crowd two cores and their time
#: guards).  Every other file is a unit of work of its own (its module fixtures, e.g. a
#: copy of the demo store or a server, are made once), except the files of
#: :data:`PER_TEST`, whose tests are independent and long, each a unit of work.
SERIAL_GROUPS = {"browser": ("tests/web/test_browser",)}
PER_TEST = ("tests/docs/test_snippets.py::test_console_examples_run",
            "tests/docs/test_install_snippets.py::test_install_examples_run")


def work_unit(nodeid: str) -> str:
    """The unit of work of a test under pytest-xdist (tests of one unit run on one worker,
    in order)."""
    for group, prefixes in SERIAL_GROUPS.items():
        if nodeid.startswith(prefixes):
            return group
    if nodeid.startswith(PER_TEST):
        return nodeid
    return nodeid.split("::", 1)[0]


def pytest_configure(config: pytest.Config) -> None:
    if os.environ.get("PYTEST_XDIST_WORKER"):
        # a worker starts with COLUMNS=80 in its environment, which fixes the width of the
        # command line's consoles when they are made; a serial run (CI) has no COLUMNS
        for name in ("COLUMNS", "LINES"):
            os.environ.pop(name, None)


#: Units of work known to take longest (minutes each), longest first: under xdist they are
#: handed out first, so that no worker is left with a long one at the end.
LONG_FIRST = ("tests/docs/test_snippets.py::test_console_examples_run[guides/records.md]",
              "tests/docs/test_snippets.py::test_console_examples_run[guides/monitoring.md]",
              "tests/docs/test_install_snippets.py::test_install_examples_run",
              "tests/web/test_browser",
              "tests/docs/test_snippets.py::test_console_examples_run")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not (os.environ.get("PYTEST_XDIST_WORKER") and config.getvalue("dist") == "loadfile"):
        return  # a serial run keeps the order of the files

    def rank(item: pytest.Item) -> int:
        return next((i for i, p in enumerate(LONG_FIRST) if item.nodeid.startswith(p)),
                    len(LONG_FIRST))

    items.sort(key=rank)  # stable: the order inside a unit of work stays


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """Under ``--dist loadfile``: the units of work of :func:`work_unit` instead of files
    (other ``--dist`` modes are xdist's own)."""
    if config.getvalue("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadScopeScheduling

    # hand out the units in the order of the collection (LONG_FIRST first), not by their
    # number of tests (which would leave the long single-test units for the end)
    config.option.loadscopereorder = False

    class Scheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return work_unit(nodeid)

    return Scheduling(config, log)


def shared_path() -> Path:
    """The project's ``../shared`` folder (real data and reference answers)."""
    return Path(os.environ.get("KEKIZ_SHARED", REPO.parent / "shared")).resolve()


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    path = shared_path()
    if not path.is_dir():
        pytest.skip(f"../shared not found at {path}: reference data tests need it "
                    "(set KEKIZ_SHARED to its location)")
    return path


@pytest.fixture(scope="session")
def refdata(shared_dir: Path) -> Path:
    return shared_dir / "refdata"


@pytest.fixture(scope="session")
def pg_admin_url() -> Iterator[str]:
    """Admin URL of a PostgreSQL server: KEKIZ_TEST_PG_URL or a private cluster."""
    given = os.environ.get("KEKIZ_TEST_PG_URL")
    if given:
        yield given
        return
    try:
        cluster = Cluster()
    except PgUnavailable as exc:
        if IN_CI:
            pytest.fail(f"PostgreSQL is required under CI=true but unavailable: {exc}")
        print(f"\n!!! SKIPPING PostgreSQL tests: {exc} !!!\n")
        pytest.skip(f"PostgreSQL unavailable: {exc}")
    try:
        yield cluster.url
    finally:
        cluster.stop()


@pytest.fixture
def pg_url(pg_admin_url: str) -> Iterator[str]:
    name = "kekiz_" + uuid.uuid4().hex[:12]
    url = create_database(pg_admin_url, name)
    try:
        yield url
    finally:
        drop_database(pg_admin_url, name)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, empty store URL on each backend."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'kekiz.db'}"
    return str(request.getfixturevalue("pg_url"))


# -- the demo store, built once per test session -------------------------------------------------
DEMO_LOCK_TIMEOUT = 1800


def _build_demo_store(path: Path) -> dict[str, Any]:
    """``KEKIZ_STORE=sqlite:///path kekiz demo --json``, as a reader runs it; its summary."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("KEKIZ_")}
    env["KEKIZ_STORE"] = f"sqlite:///{path}"
    done = subprocess.run([sys.executable, "-m", "kekiz", "demo", "--json"], env=env,
                          capture_output=True, text=True, check=False, timeout=1800)
    assert done.returncode == 0, f"kekiz demo failed:\n{done.stdout[-2000:]}\n{done.stderr}"
    assert not path.with_name(path.name + "-wal").exists(), "kekiz demo left a WAL behind"
    summary: dict[str, Any] = json.loads(done.stdout)
    return summary


@pytest.fixture(scope="session")
def demo_build(tmp_path_factory: pytest.TempPathFactory
               ) -> Iterator[tuple[Path, dict[str, Any]]]:
    """The demo store file and the JSON summary ``kekiz demo`` printed, built once for the
    whole run: under pytest-xdist the workers share one build (a file lock in the run's
    common temporary folder); tests write only to copies (:func:`copy_demo`)."""
    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent  # shared by the workers of this run
    folder = root / "demo-store"
    folder.mkdir(exist_ok=True)
    path, summary_file = folder / "kekiz.db", folder / "summary.json"
    with FileLock(str(folder / "build.lock"), timeout=DEMO_LOCK_TIMEOUT):
        if not summary_file.exists():
            summary = _build_demo_store(path)
            summary_file.write_text(json.dumps(summary), encoding="utf-8")
    digest = _digest(path)
    yield path, json.loads(summary_file.read_text(encoding="utf-8"))
    assert _digest(path) == digest, "a test wrote to the shared demo store: use copy_demo()"


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="session")
def demo_store_file(demo_build: tuple[Path, dict[str, Any]]) -> Path:
    """The shared demo store (read-only; copy it before writing: :func:`copy_demo`)."""
    return demo_build[0]


def copy_demo(demo: Path, dest: Path) -> str:
    """A private, writable copy of the demo store at ``dest``; its store URL."""
    return copy_sqlite(demo, dest)


def copy_sqlite(src: Path, dest: Path) -> str:
    """A consistent copy of the SQLite store ``src`` at ``dest``; its store URL.

    Through SQLite's backup API, never as a plain file copy: a file copy misses what still
    sits in the write-ahead log, and closing the copied file drops every POSIX lock this
    process holds on it, so the store's open connections (a session fixture's, a web app's)
    lose their locks and later fail with "disk I/O error" (sqlite.org/howtocorrupt.html,
    section 2.2)."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    with closing(sqlite3.connect(src)) as source, closing(sqlite3.connect(dest)) as target:
        source.backup(target)
    return f"sqlite:///{dest}"


@pytest.fixture(scope="module")
def demo_module_url(demo_store_file: Path, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A copy of the demo store for one test module (modules that build on one store)."""
    return copy_demo(demo_store_file, tmp_path_factory.mktemp("demo") / "demo.db")

