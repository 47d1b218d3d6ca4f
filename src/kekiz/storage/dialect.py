"""The small differences between SQLite and PostgreSQL, in one place.

The store writes one SQL text for both backends: ``?`` placeholders, double-quoted
identifiers, ``INSERT ... ON CONFLICT (...) DO UPDATE SET c = excluded.c``.  A dialect
connects (SQLite: WAL, foreign keys, busy timeout; PostgreSQL: autocommit, transactions
opened explicitly), turns the placeholders into the driver's, expands "column in this
list", converts dates, times and flags the way the stores written by earlier kekiz
versions hold them (SQLite: ``'YYYY-MM-DD'`` and ``'YYYY-MM-DD HH:MM:SS.ffffff'`` in UTC,
flags as 0/1), returns the id of an inserted row, and tells a broken connection from
other errors.  ``psycopg`` is imported only for a PostgreSQL store.
"""

from __future__ import annotations

import json
import sqlite3
from abc import ABC, abstractmethod
from collections.abc import Sequence
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Any, cast

from kekiz.storage.url import StoreUrl

__all__ = ["Dialect", "PostgresDialect", "SqliteDialect", "dialect_for"]


class Dialect(ABC):
    """What differs between the backends; the SQL text itself is shared.  Each backend
    implements the abstract methods (connecting, "one of", the id of an inserted row)."""

    name = ""
    #: the statement that opens a write transaction
    begin = "BEGIN"
    #: the DB-API base error class and the class of connection-level (operational) errors
    error: type[Exception] = Exception
    operational: type[Exception] = Exception

    def __init__(self, url: StoreUrl) -> None:
        self.url = url

    @abstractmethod
    def connect(self) -> Any:
        """A new open connection of the driver, set up for the store."""

    def sql(self, text: str) -> str:
        """``text`` with the driver's placeholders."""
        return text

    @abstractmethod
    def any_of(self, column: str, values: Sequence[Any]) -> tuple[str, list[Any]]:
        """``column`` is one of ``values``: an SQL condition and its parameters."""

    def date_in(self, value: date | None) -> Any:
        return value

    def datetime_in(self, value: datetime | None) -> Any:
        return _utc(value)

    def date_out(self, value: Any) -> date | None:
        return cast("date | None", value)

    def datetime_out(self, value: Any) -> datetime | None:
        return _utc(value)

    @abstractmethod
    def insert_id(self, cursor: Any, sql: str, params: Sequence[Any]) -> int:
        """Run an ``INSERT`` into a table with an ``id`` key; the new row's id."""

    def is_disconnect(self, exc: BaseException, raw: Any) -> bool:
        """Whether ``exc`` left the connection ``raw`` unusable (the server went away)."""
        return False

    def alive(self, raw: Any) -> bool:
        """Whether an idle connection still answers (checked before a transaction)."""
        return True

    #: the query listing the tables of the store's database (schema)
    tables_sql = ""


def _utc(value: datetime | None) -> datetime | None:
    """Aware and in UTC; a naive time is taken as UTC (how kekiz has always stored it)."""
    if value is None:
        return None
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


class SqliteDialect(Dialect):
    name = "sqlite"
    begin = "BEGIN IMMEDIATE"  # take the write lock at once: no upgrade deadlock later
    error = sqlite3.Error
    operational = sqlite3.OperationalError

    def connect(self) -> Any:
        raw = sqlite3.connect(self.url.target, timeout=30.0, isolation_level=None,
                              check_same_thread=False)
        for pragma in ("busy_timeout=30000", "journal_mode=WAL", "foreign_keys=ON",
                       "synchronous=NORMAL"):
            raw.execute(f"PRAGMA {pragma}").close()
        return raw

    def any_of(self, column: str, values: Sequence[Any]) -> tuple[str, list[Any]]:
        if not values:
            return "1 = 0", []
        return (f"{column} IN (SELECT value FROM json_each(?))",
                [json.dumps(list(values), ensure_ascii=False)])

    def date_in(self, value: date | None) -> Any:
        return None if value is None else value.isoformat()

    def datetime_in(self, value: datetime | None) -> Any:
        utc = _utc(value)
        return None if utc is None else utc.strftime("%Y-%m-%d %H:%M:%S.%f")

    def date_out(self, value: Any) -> date | None:
        if value is None or isinstance(value, date):
            return value
        return date.fromisoformat(str(value)[:10])

    def datetime_out(self, value: Any) -> datetime | None:
        if value is None or isinstance(value, datetime):
            return _utc(value)
        return _utc(datetime.fromisoformat(str(value)))

    def insert_id(self, cursor: Any, sql: str, params: Sequence[Any]) -> int:
        cursor.execute(sql, params)
        return int(cursor.lastrowid)

    tables_sql = ("SELECT name FROM sqlite_master WHERE type = 'table' "
                  "AND name NOT LIKE 'sqlite_%'")


class PostgresDialect(Dialect):
    name = "postgresql"

    def __init__(self, url: StoreUrl) -> None:
        super().__init__(url)
        import psycopg

        self._psycopg = psycopg
        self.error = psycopg.Error
        self.operational = psycopg.OperationalError

    def connect(self) -> Any:
        target = self.url.target
        extra: dict[str, Any] = {} if "connect_timeout" in target else {"connect_timeout": 10}
        return self._psycopg.connect(target, autocommit=True, **extra)

    def sql(self, text: str) -> str:
        return _pg_sql(text)

    def any_of(self, column: str, values: Sequence[Any]) -> tuple[str, list[Any]]:
        if not values:
            return "1 = 0", []
        return f"{column} = ANY(?)", [list(values)]

    def insert_id(self, cursor: Any, sql: str, params: Sequence[Any]) -> int:
        cursor.execute(sql + " RETURNING id", params)
        return int(cursor.fetchone()[0])

    def is_disconnect(self, exc: BaseException, raw: Any) -> bool:
        return bool(raw.closed or getattr(raw, "broken", False)) or (
            isinstance(exc, self._psycopg.OperationalError) and bool(raw.closed))

    def alive(self, raw: Any) -> bool:
        if raw.closed or getattr(raw, "broken", False):
            return False
        try:
            raw.execute("SELECT 1").close()
        except self._psycopg.Error:
            return False
        return True

    tables_sql = "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"


@lru_cache(maxsize=512)
def _pg_sql(text: str) -> str:
    return text.replace("%", "%%").replace("?", "%s")


def dialect_for(url: StoreUrl) -> Dialect:
    if url.backend == "sqlite":
        return SqliteDialect(url)
    return PostgresDialect(url)
