"""Connections: a small pool shared by the threads of one process, reads that reconnect
once after a lost connection, and all-or-nothing write transactions.

* Each thread takes a connection from the pool for one read (or one transaction) and
  gives it back; at most :data:`MAX_IDLE` idle connections are kept.  A process that
  was forked with a pool leaves the parent's connections alone and opens its own.
* A read that fails because the connection broke (a PostgreSQL restart ends every
  session) drops every idle connection and runs once more on a fresh one.
* A write transaction first checks its connection (PostgreSQL: ``SELECT 1``) and takes a
  fresh one if the server went away while it was idle; once the transaction has begun,
  a lost connection is an error ("nothing was stored"), never a silent second try.
"""

from __future__ import annotations

import os
import threading
import weakref
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

from kekiz.domain.errors import StoreError
from kekiz.storage.dialect import Dialect
from kekiz.storage.url import safe_url

__all__ = ["MAX_IDLE", "Conn", "Database"]

T = TypeVar("T")
MAX_IDLE = 8
Row = tuple[Any, ...]


class Conn:
    """One open connection: SQL with ``?`` placeholders, in the dialect's terms."""

    def __init__(self, raw: Any, dialect: Dialect) -> None:
        self.raw = raw
        self.dialect = dialect

    def _cursor(self, sql: str, params: Sequence[Any]) -> Any:
        cur = self.raw.cursor()
        try:
            cur.execute(self.dialect.sql(sql), params)
        except BaseException:
            cur.close()
            raise
        return cur

    def all(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        cur = self._cursor(sql, params)
        try:
            return [tuple(r) for r in cur.fetchall()]
        finally:
            cur.close()

    def one(self, sql: str, params: Sequence[Any] = ()) -> Row | None:
        cur = self._cursor(sql, params)
        try:
            row = cur.fetchone()
        finally:
            cur.close()
        return None if row is None else tuple(row)

    def scalar(self, sql: str, params: Sequence[Any] = ()) -> Any:
        row = self.one(sql, params)
        return None if row is None else row[0]

    def run(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Run a statement; the number of rows it changed."""
        cur = self._cursor(sql, params)
        try:
            return max(int(cur.rowcount or 0), 0)
        finally:
            cur.close()

    def many(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        if not rows:
            return
        cur = self.raw.cursor()
        try:
            cur.executemany(self.dialect.sql(sql), rows)
        finally:
            cur.close()

    def tables(self) -> set[str]:
        """The names of the tables in the store's database (schema)."""
        return {str(r[0]) for r in self.all(self.dialect.tables_sql)}

    def insert(self, sql: str, params: Sequence[Any]) -> int:
        """Insert one row into a table keyed by ``id``; the new id."""
        cur = self.raw.cursor()
        try:
            return self.dialect.insert_id(cur, self.dialect.sql(sql), params)
        finally:
            cur.close()


def _close(raw: Any) -> None:
    try:
        raw.close()
    except Exception:
        return


def _close_all(idle: list[tuple[int, int, Any]]) -> None:
    while idle:
        _close(idle.pop()[2])


#: connections a forked child inherited: never used, never closed (closing would end the
#: parent's session); kept here so that they are not finalised either.
_INHERITED: list[Any] = []


class Database:
    """The pool of one store and the read / transaction primitives over it."""

    def __init__(self, url: str, dialect: Dialect) -> None:
        self.url = url
        self.dialect = dialect
        self._lock = threading.Lock()
        self._idle: list[tuple[int, int, Any]] = []  # (generation, pid, connection)
        self._generation = 0
        self._pid = os.getpid()
        self._finalizer = weakref.finalize(self, _close_all, self._idle)

    # -- the pool ---------------------------------------------------------------------------
    def _acquire(self) -> tuple[int, int, Any]:
        with self._lock:
            if self._pid != os.getpid():  # forked: the parent's connections are not ours
                _INHERITED.extend(item[2] for item in self._idle)
                self._idle.clear()
                self._generation += 1
                self._pid = os.getpid()
            if self._idle:
                return self._idle.pop()
            generation = self._generation
        try:
            raw = self.dialect.connect()
        except self.dialect.error as exc:
            raise self.no_connection(exc) from exc
        return generation, os.getpid(), raw

    def _release(self, item: tuple[int, int, Any], *, discard: bool = False) -> None:
        generation, pid, raw = item
        if pid != os.getpid():
            _INHERITED.append(raw)
            return
        with self._lock:
            if not discard and generation == self._generation and len(self._idle) < MAX_IDLE:
                self._idle.append(item)
                return
        _close(raw)

    def invalidate(self) -> None:
        """Drop every idle connection (after one broke, the others are suspect too)."""
        with self._lock:
            self._generation += 1
            stale = list(self._idle)
            self._idle.clear()
        for item in stale:
            _close(item[2])

    def dispose(self) -> None:
        """Close the idle connections; the store stays usable (it connects anew)."""
        self.invalidate()

    # -- reads --------------------------------------------------------------------------------
    def read(self, fn: Callable[[Conn], T]) -> T:
        """``fn`` on a pooled connection; once more on a fresh one if the connection broke."""
        for attempt in (1, 2):
            item = self._acquire()
            try:
                result = fn(Conn(item[2], self.dialect))
            except self.dialect.error as exc:
                broken = self.dialect.is_disconnect(exc, item[2])
                self._release(item, discard=broken)
                if broken:
                    self.invalidate()
                    if attempt == 1:
                        continue
                    raise self.no_connection(exc) from exc
                raise self.read_error(exc) from exc
            except Exception:  # e.g. NotFound: the connection is fine
                self._release(item)
                raise
            except BaseException:  # interrupted in the middle of a query
                self._release(item, discard=True)
                raise
            self._release(item)
            return result
        raise AssertionError("unreachable")  # pragma: no cover

    # -- write transactions ---------------------------------------------------------------------
    def _writable(self) -> tuple[int, int, Any]:
        item = self._acquire()
        if self.dialect.alive(item[2]):
            return item
        self._release(item, discard=True)
        self.invalidate()
        return self._acquire()  # a fresh connection; nothing was written on the dead one

    @contextmanager
    def transaction(self) -> Iterator[Conn]:
        """One write transaction: committed as a whole when the block ends, else rolled
        back; a database error becomes a :class:`StoreError` saying nothing was stored."""
        item = self._writable()
        conn = Conn(item[2], self.dialect)
        try:
            conn.run(self.dialect.begin)
        except self.dialect.error as exc:
            self._release(item, discard=True)
            raise self.no_connection(exc) from exc
        try:
            yield conn
            conn.run("COMMIT")
        except BaseException as exc:
            broken = self._rollback(conn, exc)
            self._release(item, discard=broken)
            if broken:
                self.invalidate()
            if isinstance(exc, self.dialect.error):
                raise self.write_error(exc) from exc
            raise
        self._release(item)

    def _rollback(self, conn: Conn, exc: BaseException) -> bool:
        """Roll back after ``exc``; whether the connection is broken."""
        if self.dialect.is_disconnect(exc, conn.raw):
            return True
        try:
            conn.run("ROLLBACK")
        except self.dialect.error:
            return True
        return False

    # -- errors --------------------------------------------------------------------------------
    def no_connection(self, exc: BaseException) -> StoreError:
        url = safe_url(self.url)
        return StoreError(f"Keine Verbindung zum Store {url}: {exc}",
                          message_en=f"Cannot connect to the store {url}: {exc}")

    def read_error(self, exc: BaseException) -> StoreError:
        if isinstance(exc, self.dialect.operational):
            return self.no_connection(exc)
        url = safe_url(self.url)
        return StoreError(f"Lesefehler im Store {url}: {exc}",
                          message_en=f"Read error in the store {url}: {exc}")

    def write_error(self, exc: BaseException) -> StoreError:
        url = safe_url(self.url)
        return StoreError(
            f"Schreibfehler im Store {url}: {exc}. Es wurde nichts gespeichert.",
            message_en=f"Write error in the store {url}: {exc}. Nothing was stored.")
