"""Connections of the store: several threads and several processes at once (SQLite and
PostgreSQL), a PostgreSQL connection that the server ends (reads reconnect once, writes
never repeat silently), and error messages that name the store without its password."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import psycopg
import pytest

from kekiz.domain.errors import StoreError
from kekiz.domain.model import Dataset, Unit
from kekiz.storage import Store, open_store
from kekiz.storage.writer import SqlWriter

SRC = Path(__file__).resolve().parents[2] / "src"


def _kill_other_sessions(url: str) -> int:
    """End every other session of the database (what a server restart does to them)."""
    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"),
                         autocommit=True) as admin:
        row = admin.execute(
            "SELECT COUNT(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()").fetchone()
    time.sleep(0.3)  # the ended backends exit
    return int(row[0]) if row else 0


def test_threads_read_and_write_at_once(store_url: str) -> None:
    """Eight threads, each five transactions with reads in between (a web server's
    threadpool): every transaction lands, revisions count up without gaps."""
    store = open_store(store_url)
    start = store.data_version()
    errors: list[BaseException] = []

    def work(n: int) -> None:
        try:
            for i in range(5):
                with store.transaction() as tx:
                    tx.add_dataset(Dataset(name=f"t{n}", kind="indicators"))
                    tx.upsert_units([Unit(f"u{n}-{i}", "U", "gemeinde")])
                assert len(store.units(level="gemeinde")) >= i + 1
                store.datasets()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    try:
        assert errors == []
        revisions = sorted((d.name, d.revision) for d in store.datasets())
        assert revisions == [(f"t{n}", r) for n in range(8) for r in range(1, 6)]
        assert store.count_units() == {"gemeinde": 40}
        assert store.data_version() == start + 40
    finally:
        store.dispose()


WORKER = """
import sys
from kekiz.domain.model import Dataset
from kekiz.storage import open_store
store = open_store(sys.argv[1])
for i in range(10):
    with store.transaction() as tx:
        tx.add_dataset(Dataset(name=sys.argv[2], kind="indicators"))
    store.datasets()
store.dispose()
"""


def test_processes_write_at_once(store_url: str) -> None:
    """Three processes (as three web workers) write to the same store at once."""
    open_store(store_url).dispose()  # created before the workers start
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    procs = [subprocess.Popen([sys.executable, "-c", WORKER, store_url, f"p{n}"], env=env,
                              stderr=subprocess.PIPE) for n in range(3)]
    errs = [p.communicate(timeout=120)[1].decode() for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0], errs
    store = open_store(store_url)
    try:
        assert sorted((d.name, d.revision) for d in store.datasets()) == [
            (f"p{n}", r) for n in range(3) for r in range(1, 11)]
    finally:
        store.dispose()


@pytest.mark.postgres
def test_reads_and_writes_survive_ended_sessions(pg_url: str) -> None:
    store = open_store(pg_url)
    try:
        with store.transaction() as tx:
            tx.upsert_units([Unit("a", "A", "gemeinde")])
        assert [u.id for u in store.units()] == ["a"]  # the connection now waits idle
        assert _kill_other_sessions(pg_url) >= 1
        # the idle connection is dead: the read fails once, reconnects, and answers
        assert [u.id for u in store.units()] == ["a"]
        assert [u.id for u in store.units()] == ["a"]
        _kill_other_sessions(pg_url)
        with store.transaction() as tx:  # checked before use: a fresh connection
            tx.upsert_units([Unit("b", "B", "gemeinde")])
        assert [u.id for u in store.units()] == ["a", "b"]
    finally:
        store.dispose()


@pytest.mark.postgres
def test_a_write_is_never_repeated_silently(pg_url: str) -> None:
    store = open_store(pg_url)
    try:
        before = store.snapshot()
        with pytest.raises(StoreError, match="Es wurde nichts gespeichert"), \
                store.transaction() as tx:
            tx.add_dataset(Dataset(name="halb", kind="indicators"))
            _kill_other_sessions(pg_url)  # the server ends the session mid-transaction
            tx.upsert_units([Unit("c", "C", "gemeinde")])
        assert store.snapshot() == before  # nothing of the transaction, no second try
        with store.transaction() as tx:  # the next transaction works on a new connection
            tx.add_dataset(Dataset(name="ganz", kind="indicators"))
        assert [d.name for d in store.datasets()] == ["ganz"]
    finally:
        store.dispose()


def test_an_unreachable_server_is_named_without_password() -> None:
    with socket.socket() as held:  # a port that nothing listens on
        held.bind(("127.0.0.1", 0))
        port = held.getsockname()[1]
        with pytest.raises(StoreError) as info:
            open_store(f"postgresql://kekiz:geheim@127.0.0.1:{port}/kekiz")
    text = info.value.message
    assert text.startswith(
        f"Keine Verbindung zum Store postgresql://kekiz:***@127.0.0.1:{port}/kekiz: ")
    assert "geheim" not in text and "geheim" not in info.value.message_en


def test_sqlite_write_error_names_the_store(tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"sqlite:///{tmp_path / 'k.db'}"
    store: Store = open_store(url)

    def broken(self: SqlWriter, units: object) -> None:
        raise self._conn.dialect.operational("disk I/O error")

    monkeypatch.setattr(SqlWriter, "upsert_units", broken)
    try:
        with pytest.raises(StoreError) as info, store.transaction() as tx:
            tx.upsert_units([])
        assert info.value.message == (f"Schreibfehler im Store {url}: disk I/O error. Es "
                                      "wurde nichts gespeichert.")
        assert info.value.status == 503
    finally:
        store.dispose()
